"""Where, as counts: offenses per H3 cell, at the cell size the Map asks for.

Design decisions
- Cells, not points. Every incident carries its H3 resolution-9 cell (about 0.1 km2),
  computed at ingest. The cell_counts rollup counts offenses per res-9 cell x month x
  NIBRS code x firearm x district; a coarser cell is the res-9 cell's parent, computed in
  SQL with bit operations on the 64-bit index (set the 4-bit resolution field, fill the
  3-bit digits below the new resolution with 7), so one rollup serves every cell size
  and no H3 extension is needed in DuckDB. Whole calendar years come from its yearly
  twin, yearly_cell_counts, which holds a third of the rows for a map of many years.
- Cell size. Fixed sizes (res 7, 8, 9) make two maps comparable; "automatic" takes the
  finest size whose cells over the viewed area stay readable (AUTO_MAX_CELLS) and hold
  at least one offense per cell of the area on average. Whatever is asked, at most
  MAX_CELLS cells go to the browser: beyond that the map coarsens and says so.
- Points for small selections: analysis.geo.points; outlines and districts:
  analysis.geo.outlines, analysis.geo.districts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import duckdb
import h3.api.numpy_int as h3
import numpy as np
import pandas as pd

from analysis.geo.districts import district_shapes
from analysis.geo.outlines import city_area_km2
from analysis.query import sqlfile
from analysis.query.filters import CELLS, MONTH_CODES, YEARLY_CELLS, CrimeFilter, Table
from analysis.query.scope import sum_n
from analysis.query.sqlfile import Fragment

RESOLUTIONS: tuple[int, ...] = (7, 8, 9)
STORED_RESOLUTION = 9
MAX_MAP_OBJECTS = 50_000  # everything one map sends to the browser
MAX_CELLS = 45_000  # cells' share of it; points and outlines take the rest
AUTO_MAX_CELLS = 4_000  # automatic cell size: cells over the viewed area


def cell_area_km2(res: int) -> float:
    """Average area of an H3 cell at `res` in km2 (res 8: 0.74, res 9: 0.11)."""
    return float(h3.average_hexagon_area(res, unit="km^2"))


def parent_sql(res: int) -> str:
    """SQL for the parent at `res` (0-9) of the res-9 cell in column h3_r9."""
    if res not in range(STORED_RESOLUTION + 1):
        raise ValueError(f"cell resolution must be 0-{STORED_RESOLUTION}, not {res!r}")
    fill = (1 << (3 * (15 - res))) - 1
    return f"((h3_r9 & ~(15::ubigint << 52)) | ({res}::ubigint << 52) | {fill}::ubigint)"


def cell_parent(cell: int, res: int) -> int:
    """The same bit operation in Python (tests check it against h3.cell_to_parent)."""
    return (cell & ~(15 << 52)) | (res << 52) | ((1 << (3 * (15 - res))) - 1)


def auto_resolution(area_km2: float, offenses: int) -> int:
    """The finest offered resolution with at most AUTO_MAX_CELLS cells over the area and
    at least one offense per cell of the area; the coarsest when none qualifies."""
    for res in sorted(RESOLUTIONS, reverse=True):
        cells = area_km2 / cell_area_km2(res)
        if cells <= AUTO_MAX_CELLS and offenses >= cells:
            return res
    return min(RESOLUTIONS)


@dataclass(frozen=True)
class CellMap:
    """Offense counts per H3 cell for one filter.

    cells: columns cell (uint64), h3 (hex string), n, sorted by n descending (with_centres
    adds each cell's centre). total: offenses in the filter; located: those with a cell.
    """

    cells: pd.DataFrame
    res: int
    requested_res: int
    total: int
    located: int
    hidden: int = 0  # located offenses in cells left out as too small (analysis/access.py)

    @property
    def coarsened(self) -> bool:
        return self.res != self.requested_res

    @property
    def area_km2(self) -> float:
        return cell_area_km2(self.res)


def cell_parts(filt: CrimeFilter) -> dict[str, tuple[Table, CrimeFilter]]:
    """Where a whole-month filter's cell counts are, by the slot of the SQL files that
    takes each part: its whole calendar years in yearly_cell_counts (`years`), the months
    before them (`months`) and after them (`later_months`) in cell_counts."""
    start, end = filt.start, filt.end
    # 1 January of the first and of the last whole year in the filter (None: unbounded).
    first = None if start is None else date(start.year + (start != date(start.year, 1, 1)), 1, 1)
    last = None if end is None else date(end.year - (end != date(end.year, 12, 31)), 1, 1)
    if first is not None and last is not None and first > last:
        return {"months": (CELLS, filt)}
    parts = {"years": (YEARLY_CELLS, replace(filt, start=first, end=last))}
    if start is not None and first is not None and start < first:
        parts["months"] = (CELLS, replace(filt, end=date(first.year - 1, 12, 31)))
    if end is not None and last is not None and end > date(last.year, 12, 31):
        parts["later_months"] = (CELLS, replace(filt, start=date(last.year + 1, 1, 1)))
    return parts


def cell_sql(name: str, filt: CrimeFilter, **fragments: Fragment) -> tuple[str, dict[str, object]]:
    """The SQL file `name` beside this module (cell_counts.sql, drawable_points.sql) over
    cell_parts(filt) (a part the filter does not need is `false`), and its named parameters."""
    slots = dict.fromkeys(("years", "months", "later_months"), Fragment("false"))
    params: dict[str, object] = {}
    for slot, (table, part) in cell_parts(filt).items():
        where, values = part.bind(table, "c", prefix=slot)
        slots[slot] = Fragment(where)
        params |= values
    return sqlfile.render(__package__, name, **slots, **fragments), params


def counts_by_cell(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, res: int) -> CellMap:
    """Offenses per cell at `res` (coarser if more than MAX_CELLS cells would result)."""
    requested = res
    while True:
        sql, params = cell_sql("cell_counts.sql", filt, parent=Fragment(parent_sql(res)))
        frame = con.execute(sql, params).df()
        located = frame[frame["cell"].notna()]
        if len(located) <= MAX_CELLS or res == 0:
            break
        res -= 1
    total = int(frame["n"].sum())
    cells = located.astype({"cell": "uint64", "n": "int64"}).reset_index(drop=True)
    return CellMap(cells[["cell", "h3", "n"]], res, requested, total, int(cells["n"].sum()))


def with_centres(cells: pd.DataFrame) -> pd.DataFrame:
    """The cells with the latitude and longitude of each cell's centre (lat, lon)."""
    centres = np.array([h3.cell_to_latlng(c) for c in cells["cell"].to_numpy()]).reshape(-1, 2)
    return cells.assign(lat=centres[:, 0], lon=centres[:, 1])


def cell_table(cells: CellMap, limit: int | None = None) -> pd.DataFrame:
    """The numbers behind the map: one row per cell (the busiest `limit`), with its centre
    rounded to 5 decimals (about 1 m) and its share of the located offenses in %."""
    frame = with_centres(cells.cells.head(limit) if limit else cells.cells)
    return pd.DataFrame(
        {
            "h3": frame["h3"],
            "resolution": cells.res,
            "offenses": frame["n"],
            "share": (100 * frame["n"] / max(cells.located, 1)).round(2),
            "lat": frame["lat"].round(5),
            "lon": frame["lon"].round(5),
        }
    )


def selection_total(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> int:
    """Offenses in the filter (located or not)."""
    return sum_n(con, MONTH_CODES, filt)


CellSize = Literal["auto", "7", "8", "9"]
CELL_SIZES: tuple[CellSize, ...] = ("auto", "7", "8", "9")


def view_area_km2(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> float:
    """The area the map shows: the chosen districts' polygons, else the whole city."""
    shapes = district_shapes(con, filt.cities[0]) if filt.districts else None
    if shapes is not None:
        chosen = [shapes.area_km2[d] for d in filt.districts if d in shapes.area_km2]
        if chosen:
            return float(sum(chosen))
    return city_area_km2(con, filt.cities[0])


def map_cells(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, size: CellSize = "auto") -> CellMap:
    """Cell counts for the Map: at the fixed resolution `size`, or the automatic one for
    the viewed area and the number of offenses (see auto_resolution)."""
    if size not in CELL_SIZES:
        raise ValueError(f"cell size must be one of {CELL_SIZES}")
    if size == "auto":
        res = auto_resolution(view_area_km2(con, filt), selection_total(con, filt))
    else:
        res = int(size)
    return counts_by_cell(con, filt, res)


def cell_summary(cells: CellMap, what: str) -> str:
    """One line: how many offenses in how many cells, and how concentrated they are."""
    frame = cells.cells
    small = (
        f" {cells.hidden:,} {'is' if cells.hidden == 1 else 'are'} in cells with too few offenses to show."
        if cells.hidden
        else ""
    )
    if frame.empty:
        if cells.hidden:
            return f"{cells.hidden:,} {what} have a location, all in cells with too few offenses to show."
        if cells.total:
            return (
                f"None of the {cells.total:,} {what} in this selection has a location (the source "
                "gives none for them), so there is nothing to draw."
            )
        return f"No {what} in this selection."
    n = int(frame["n"].sum())
    top = max(1, round(len(frame) / 10))
    top_share = 100 * frame["n"].head(top).sum() / n
    text = (
        f"{n:,} {what} with a location, in {len(frame):,} {'cell' if len(frame) == 1 else 'cells'} "
        f"of about {cells.area_km2:.2g} km²; "
        f"the busiest cell holds {int(frame['n'].iloc[0]):,}, and the busiest 10% of cells "
        f"({top:,}) hold {top_share:.0f}% of them."
    )
    if cells.total > cells.located:
        text += f" {cells.total - cells.located:,} more have no location and are not on the map."
    return text + small
