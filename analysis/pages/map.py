"""What the Map page shows, in as few calls as its widgets allow (the design:
analysis.pages.overview).

`map_frame` is what frames every map of a city (its outline, districts and reference
points); `cell_map_data` is what the cells and heat map draw for the filter and cell size.
Points (an analyst's layer, refused to other roles by analysis.access) are asked for on
their own, when the page's toggle wants them; so are the choropleth's layers and values,
which follow the page's layer picker. Small counts are suppressed for a role that may not
see them by analysis.access, on `cell_map_data`'s result, as for the functions it calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.geo.cells import CellMap, CellSize, map_cells
from analysis.geo.districts import DistrictShapes, counts_by_district, district_shapes
from analysis.geo.outlines import Outline, city_outline, reference_points
from analysis.geo.points import drawable_points, sensitive_offenses
from analysis.query.filters import CrimeFilter


@dataclass(frozen=True)
class MapFrame:
    """outline: the city's boundary (or bounding box); shapes: its district polygons, if
    any; references: the named points the map labels for orientation."""

    outline: Outline
    shapes: DistrictShapes | None
    references: pd.DataFrame


@dataclass(frozen=True)
class CellMapData:
    """cells: offense counts per H3 cell; district_counts: offenses per district;
    drawable: how many offenses could be drawn as points; sensitive: the offenses never
    drawn as points."""

    cells: CellMap
    district_counts: pd.DataFrame
    drawable: int
    sensitive: tuple[str, ...]


def map_frame(con: duckdb.DuckDBPyConnection, city_id: str) -> MapFrame:
    """What frames every map of `city_id`."""
    return MapFrame(
        outline=city_outline(con, city_id),
        shapes=district_shapes(con, city_id),
        references=reference_points(con, city_id),
    )


def cell_map_data(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, size: CellSize = "auto") -> CellMapData:
    """What the cells and heat map draw for the filter at cell size `size`."""
    return CellMapData(
        cells=map_cells(con, filt, size),
        district_counts=counts_by_district(con, filt),
        drawable=drawable_points(con, filt),
        sensitive=tuple(sensitive_offenses(con)),
    )
