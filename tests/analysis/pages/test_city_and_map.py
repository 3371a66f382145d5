"""The City and Map facades return what the functions behind them return, and the access
policy suppresses small counts in them as it does in those functions (tiny geo store)."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.access import Role, guard
from analysis.geo.cells import map_cells
from analysis.geo.districts import counts_by_district, district_shapes
from analysis.geo.outlines import city_outline, reference_points
from analysis.geo.points import drawable_points, sensitive_offenses
from analysis.pages.city import city_data
from analysis.pages.map import cell_map_data, map_frame
from analysis.query.profile import (
    counts_by_hour_weekday,
    district_changes,
    hotspot_cells,
    offense_codes,
    offense_mix,
)
from analysis.query.scope import Window
from tests.analysis.geo.memphis import MEMPHIS_2024, memphis_window


@pytest.fixture
def window(tiny_geo: duckdb.DuckDBPyConnection) -> Window:
    return memphis_window(tiny_geo)


def test_city_data_is_the_profile_functions(tiny_geo: duckdb.DuckDBPyConnection, window: Window) -> None:
    data = city_data(tiny_geo, MEMPHIS_2024, window)
    current = window.current(MEMPHIS_2024)
    assert_frame_equal(data.mix, offense_mix(tiny_geo, replace(MEMPHIS_2024, offenses=()), window))
    assert_frame_equal(data.districts, district_changes(tiny_geo, MEMPHIS_2024, window))
    assert_frame_equal(data.grid, counts_by_hour_weekday(tiny_geo, current))
    assert_frame_equal(data.hot, hotspot_cells(tiny_geo, MEMPHIS_2024, window))
    assert_frame_equal(data.codes, offense_codes(tiny_geo, current))


def test_city_data_is_suppressed_as_its_parts(tiny_geo: duckdb.DuckDBPyConnection, window: Window) -> None:
    data = city_data(tiny_geo, MEMPHIS_2024, window)
    shown = guard("analysis.pages.city.city_data", Role.VIEWER, data, k=5)
    districts = guard("analysis.query.profile.district_changes", Role.VIEWER, data.districts, k=5)
    assert_frame_equal(shown.districts, districts)
    assert shown.districts.attrs == districts.attrs
    assert_frame_equal(shown.hot, guard("analysis.query.profile.hotspot_cells", Role.VIEWER, data.hot, k=5))
    assert_frame_equal(shown.mix, data.mix)
    assert guard("analysis.pages.city.city_data", Role.ANALYST, data, k=5) is data


def test_map_facades_are_the_geo_functions(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    frame = map_frame(tiny_geo, "memphis_tn")
    assert frame.outline == city_outline(tiny_geo, "memphis_tn")
    assert (
        frame.shapes is not None and frame.shapes.geojson == district_shapes(tiny_geo, "memphis_tn").geojson
    )  # type: ignore[union-attr]
    assert_frame_equal(frame.references, reference_points(tiny_geo, "memphis_tn"))
    data = cell_map_data(tiny_geo, MEMPHIS_2024, "8")
    assert_frame_equal(data.cells.cells, map_cells(tiny_geo, MEMPHIS_2024, "8").cells)
    assert_frame_equal(data.district_counts, counts_by_district(tiny_geo, MEMPHIS_2024))
    assert data.drawable == drawable_points(tiny_geo, MEMPHIS_2024)
    assert list(data.sensitive) == sensitive_offenses(tiny_geo)


def test_cell_map_data_is_suppressed_as_its_parts(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    data = cell_map_data(tiny_geo, MEMPHIS_2024, "9")
    shown = guard("analysis.pages.map.cell_map_data", Role.VIEWER, data, k=2)
    cells = guard("analysis.geo.cells.map_cells", Role.VIEWER, data.cells, k=2)
    assert_frame_equal(shown.cells.cells, cells.cells)
    assert shown.cells.hidden == cells.hidden > 0
    by_district = guard("analysis.geo.districts.counts_by_district", Role.VIEWER, data.district_counts, k=2)
    assert_frame_equal(shown.district_counts, by_district)
    assert isinstance(shown.district_counts, pd.DataFrame)
    assert guard("analysis.pages.map.cell_map_data", Role.ANALYST, data, k=2) is data
