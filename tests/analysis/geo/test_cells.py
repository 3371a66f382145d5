"""H3 cells, points and outlines on the tiny geo store, with answers worked out from
tests/fixtures/tiny_incidents.csv and tests/fixtures/geo_stores.py.

Memphis violent crime, Jan-Feb 2024: M11, M12 (murder), M13, M14, M15 (aggravated
assault), M17, M18 (robbery) with locations, and X2 (robbery) without one: 8 offenses,
7 located. Springfield violent crime 2024: S4, S5 (aggravated assault) and S6 (rape, a
sensitive offense).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import h3.api.numpy_int as h3
import pandas as pd
import pytest

from analysis.geo import cells as geo
from analysis.geo import districts as geo_districts
from analysis.geo import outlines as geo_outlines
from analysis.geo import points as geo_points
from analysis.query.filters import CrimeFilter
from analysis.query.scope import scoped

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "tiny_incidents.csv"
MEMPHIS_2024 = CrimeFilter(cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2024, 2, 29))
SPRINGFIELD_2024 = CrimeFilter(cities=("springfield_il",), start=date(2024, 1, 1), end=date(2024, 12, 31))


def memphis_2024_located() -> pd.DataFrame:
    rows = pd.read_csv(FIXTURE, dtype={"nibrs_code": str})
    chosen = rows[rows["source_id"].isin(["M11", "M12", "M13", "M14", "M15", "M17", "M18"])]
    assert len(chosen) == 7
    return chosen


def scope(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> CrimeFilter:
    result = scoped(con, filt)
    assert result is not None
    return result


def test_parent_bit_operation_matches_h3() -> None:
    rng = random.Random(4)
    for _ in range(200):
        cell = int(h3.latlng_to_cell(rng.uniform(25, 48), rng.uniform(-124, -70), 9))
        for res in range(10):
            assert geo.cell_parent(cell, res) == int(h3.cell_to_parent(cell, res))


def test_parent_sql_matches_h3(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    cells = [
        r[0]
        for r in tiny_geo.execute("select distinct h3_r9 from cell_counts where h3_r9 is not null").fetchall()
    ]
    assert len(cells) > 5
    for res in (0, 5, 7, 8, 9):
        got = tiny_geo.execute(
            f"select h3_r9, {geo.parent_sql(res)} from (select unnest(?::ubigint[]) as h3_r9)", [cells]
        ).fetchall()
        assert all(parent == int(h3.cell_to_parent(cell, res)) for cell, parent in got)
    with pytest.raises(ValueError):
        geo.parent_sql(10)


@pytest.mark.parametrize("res", [9, 8, 7])
def test_counts_by_cell_match_the_fixture(tiny_geo: duckdb.DuckDBPyConnection, res: int) -> None:
    cells = geo.counts_by_cell(tiny_geo, scope(tiny_geo, MEMPHIS_2024), res)
    assert (cells.total, cells.located, cells.res) == (8, 7, res)
    # Independent oracle: the h3 package on the CSV's coordinates, counted in Python. A
    # coarse cell is the parent of the res-9 cell (not the coarse cell holding the point:
    # H3 parents do not nest exactly).
    expected = Counter(
        int(h3.cell_to_parent(h3.latlng_to_cell(lat, lon, 9), res))
        for lat, lon in memphis_2024_located()[["lat", "lon"]].itertuples(index=False)
    )
    assert dict(zip(cells.cells["cell"].astype(int), cells.cells["n"], strict=True)) == dict(expected)
    assert cells.cells["n"].is_monotonic_decreasing
    assert all(h == f"{c:x}" for h, c in zip(cells.cells["h3"], cells.cells["cell"], strict=True))
    lat, lon = h3.cell_to_latlng(int(cells.cells["cell"].iloc[0]))
    centred = geo.with_centres(cells.cells)
    assert (centred["lat"].iloc[0], centred["lon"].iloc[0]) == pytest.approx((lat, lon))
    table = geo.cell_table(cells, limit=2)
    assert table.columns.tolist() == ["h3", "resolution", "offenses", "share", "lat", "lon"]
    assert len(table) == min(2, len(cells.cells)) and table["resolution"].eq(res).all()
    assert geo.cell_table(cells)["share"].sum() == pytest.approx(100, abs=0.05)


def test_one_coarse_cell_holds_everything(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    cells = geo.counts_by_cell(tiny_geo, scope(tiny_geo, MEMPHIS_2024), 0)
    assert cells.cells["n"].tolist() == [7]


def test_too_many_cells_coarsen(tiny_geo: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geo, "MAX_CELLS", 1)
    cells = geo.counts_by_cell(tiny_geo, scope(tiny_geo, MEMPHIS_2024), 9)
    # North Main and Raines are 14 km apart: only at res 5 or coarser can they share a cell.
    assert len(cells.cells) == 1 and cells.coarsened and cells.requested_res == 9
    assert cells.res == max(r for r in range(10) if len({geo.cell_parent(c, r) for c in sample_cells()}) == 1)


def sample_cells() -> set[int]:
    return {
        int(h3.latlng_to_cell(lat, lon, 9))
        for lat, lon in memphis_2024_located()[["lat", "lon"]].itertuples(index=False)
    }


def test_filters_apply_to_cells(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    firearm = geo.counts_by_cell(tiny_geo, scope(tiny_geo, replace(MEMPHIS_2024, firearm_only=True)), 9)
    assert firearm.total == 5  # M11, M12, M13, M14, M17
    raines = geo.counts_by_cell(tiny_geo, scope(tiny_geo, replace(MEMPHIS_2024, districts=("Raines",))), 9)
    assert (raines.total, raines.located) == (4, 3)  # M13, M14, M18 + X2 without a location
    murder = geo.counts_by_cell(tiny_geo, scope(tiny_geo, replace(MEMPHIS_2024, offenses=("murder",))), 9)
    assert murder.total == 2


def test_auto_resolution() -> None:
    assert geo.auto_resolution(100, 10_000) == 9  # 949 res-9 cells, 10 offenses each
    assert geo.auto_resolution(815, 10**6) == 8  # 7,738 res-9 cells are more than 4,000
    assert geo.auto_resolution(100, 500) == 8  # fewer offenses than res-9 cells
    assert geo.auto_resolution(100, 50) == 7
    assert geo.auto_resolution(100, 5) == 7  # the coarsest when nothing qualifies
    assert geo.auto_resolution(2_000, 1_000_000) == 8  # 18,987 res-9 cells are too many


def test_points_are_generalised_and_never_sensitive(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    dots = geo_points.points(tiny_geo, scope(tiny_geo, MEMPHIS_2024))
    assert dots is not None
    assert sorted(zip(dots["lat"], dots["lon"], strict=True)) == [
        (35.095, -89.905),
        (35.096, -89.906),
        (35.098, -89.908),
        (35.145, -90.026),
        (35.146, -90.025),
        (35.147, -90.024),
        (35.148, -90.023),
    ]
    assert dots["n"].sum() == 7
    spring = scope(tiny_geo, SPRINGFIELD_2024)
    assert geo_points.drawable_points(tiny_geo, spring) == 2  # S6 (rape) is not drawable
    dots = geo_points.points(tiny_geo, spring)
    assert dots is not None and sorted(dots["lat"]) == [39.751, 39.802]
    assert "Rape" not in " ".join(dots["offenses"])
    rape_only = scope(tiny_geo, replace(SPRINGFIELD_2024, offenses=("rape",)))
    assert geo.counts_by_cell(tiny_geo, rape_only, 9).located == 1  # counted in cells...
    dots = geo_points.points(tiny_geo, rape_only)
    assert dots is not None and dots.empty  # ...never drawn as a point


def test_points_only_for_small_selections(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scope(tiny_geo, MEMPHIS_2024)
    assert geo_points.points(tiny_geo, filt, limit=7) is not None
    assert geo_points.points(tiny_geo, filt, limit=6) is None


def test_outline_boundary_or_bounding_box(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    memphis = geo_outlines.city_outline(tiny_geo, "memphis_tn")
    assert memphis.kind == "boundary" and memphis.source == "census"
    assert memphis.bounds == pytest.approx((-90.10, 35.00, -89.80, 35.25))
    assert memphis.geojson["features"][0]["geometry"]["type"] == "Polygon"
    spring = geo_outlines.city_outline(tiny_geo, "springfield_il")
    box = tiny_geo.execute(
        "select bbox_min_lon, bbox_min_lat, bbox_max_lon, bbox_max_lat from cities where city_id = 'springfield_il'"
    ).fetchone()
    assert spring.kind == "bounding box" and spring.bounds == pytest.approx(box)
    assert "no boundary loaded" in spring.geojson["features"][0]["properties"]["name"]


def test_district_shapes_pick_the_matching_source(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    shapes = geo_districts.district_shapes(tiny_geo, "memphis_tn")
    assert shapes is not None and shapes.source == "fixture" and shapes.kind == "precinct"
    assert [f["properties"]["district"] for f in shapes.geojson["features"]] == ["North Main", "Raines"]
    # North Main is 0.05 degrees of longitude by 0.03 of latitude at 35.145 N:
    # 0.05 * 111.32 * cos(35.145) km by 0.03 * 110.95 km = 4.551 km x 3.329 km = 15.15 km2.
    assert shapes.area_km2["North Main"] == pytest.approx(15.15, rel=0.02)
    assert shapes.bounds["Raines"] == pytest.approx((-89.92, 35.08, -89.88, 35.11))
    assert geo_districts.district_shapes(tiny_geo, "springfield_il") is None


def test_view_area_and_bounds(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    raines = replace(MEMPHIS_2024, districts=("Raines",))
    assert geo.view_area_km2(tiny_geo, raines) == pytest.approx(3.64 * 3.33, rel=0.03)
    land = tiny_geo.execute("select land_area_sq_km from cities where city_id = 'memphis_tn'").fetchone()
    assert land is not None and geo.view_area_km2(tiny_geo, MEMPHIS_2024) == land[0]
    outline = geo_outlines.city_outline(tiny_geo, "memphis_tn")
    shapes = geo_districts.district_shapes(tiny_geo, "memphis_tn")
    assert geo_districts.view_bounds(outline, shapes, ("Raines", "North Main")) == pytest.approx(
        (-90.05, 35.08, -89.88, 35.16)
    )
    assert geo_districts.view_bounds(outline, shapes) == outline.bounds


def test_counts_by_district_ignore_the_district_choice(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scope(tiny_geo, replace(MEMPHIS_2024, districts=("Raines",)))
    frame = geo_districts.counts_by_district(tiny_geo, filt)
    assert dict(zip(frame["district"], frame["n"], strict=True)) == {"North Main": 4, "Raines": 4}


def test_map_cells_auto_and_fixed(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scope(tiny_geo, MEMPHIS_2024)
    assert geo.map_cells(tiny_geo, filt, "8").res == 8
    assert geo.map_cells(tiny_geo, filt, "auto").res == 7  # 8 offenses over all of Memphis
    with pytest.raises(ValueError):
        geo.map_cells(tiny_geo, filt, "12")  # type: ignore[arg-type]


def test_cell_summary_words(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    cells = geo.counts_by_cell(tiny_geo, scope(tiny_geo, MEMPHIS_2024), 0)
    text = geo.cell_summary(cells, "offenses (violent crime)")
    assert text.startswith("7 offenses (violent crime) with a location, in 1 cell of about")
    assert "1 more have no location" in text


def test_cell_parts_split_whole_years_from_months() -> None:
    years, months = "yearly_cell_counts", "cell_counts"

    def parts(start: date | None, end: date | None) -> list[tuple[str, date | None, date | None]]:
        filt = CrimeFilter(cities=("memphis_tn",), start=start, end=end)
        return [(t.name, f.start, f.end) for t, f in geo.cell_parts(filt).values()]

    assert parts(date(2015, 1, 1), date(2025, 12, 31)) == [(years, date(2015, 1, 1), date(2025, 1, 1))]
    assert parts(date(2023, 3, 1), date(2025, 6, 30)) == [
        (years, date(2024, 1, 1), date(2024, 1, 1)),
        (months, date(2023, 3, 1), date(2023, 12, 31)),
        (months, date(2025, 1, 1), date(2025, 6, 30)),
    ]
    assert parts(date(2024, 2, 1), date(2024, 11, 30)) == [(months, date(2024, 2, 1), date(2024, 11, 30))]
    assert parts(None, None) == [(years, None, None)]
    assert parts(date(2024, 7, 1), None) == [
        (years, date(2025, 1, 1), None),
        (months, date(2024, 7, 1), date(2024, 12, 31)),
    ]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2023, 1, 1), date(2024, 12, 31)),
        (date(2023, 2, 1), date(2024, 2, 29)),
        (date(2023, 6, 1), date(2023, 6, 30)),
    ],
)
def test_yearly_and_monthly_cells_agree(tiny_geo: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    filt = scope(tiny_geo, CrimeFilter(cities=("memphis_tn",), start=start, end=end))
    cells = geo.counts_by_cell(tiny_geo, filt, 9)
    where, params = filt.where(geo.CELLS)
    direct = tiny_geo.execute(
        f"select h3_r9, sum(n) from cell_counts where {where} and h3_r9 is not null group by 1", params
    ).fetchall()
    assert dict(zip(cells.cells["cell"].astype(int), cells.cells["n"], strict=True)) == {
        int(c): n for c, n in direct
    }
