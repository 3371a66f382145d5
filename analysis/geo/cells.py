"""Where: H3 cell counts, points for small selections, the city outline and districts.

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
- Points only for small selections (POINT_LIMIT), never for sensitive offenses (sex
  offenses: offenses.sensitive) or unmapped local codes, and generalised: coordinates
  rounded to 3 decimals (about 100 m, block level), offenses at one spot merged.
- Outlines from the store (city_boundaries, districts) via geopandas, simplified for the
  browser. Without a loaded boundary the city's bounding box stands in, labelled so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import duckdb
import geopandas as gpd
import h3.api.numpy_int as h3
import numpy as np
import pandas as pd
import shapely

from analysis.query.filters import CELLS, INCIDENTS, MONTH_CODES, YEARLY_CELLS, CrimeFilter, Table
from analysis.query.scope import sum_n
from kernel.sql import ident

RESOLUTIONS: tuple[int, ...] = (7, 8, 9)
STORED_RESOLUTION = 9
MAX_MAP_OBJECTS = 50_000  # everything one map sends to the browser
MAX_CELLS = 45_000  # cells' share of it; points and outlines take the rest
AUTO_MAX_CELLS = 4_000  # automatic cell size: cells over the viewed area
POINT_LIMIT = 3_000  # offenses; above this no points, only cells
POINTS_BY_DEFAULT = 300  # offenses; up to this the Map shows points without being asked
POINT_DECIMALS = 3  # lat/lon rounding of points: about 110 m north-south, 90 m east-west
SIMPLIFY_DEGREES = 0.0002  # outline simplification, about 20 m
EQUAL_AREA_CRS = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global (equal area, metres)


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


def cell_parts(filt: CrimeFilter) -> list[tuple[Table, CrimeFilter]]:
    """Where a whole-month filter's cell counts are: its whole calendar years in
    yearly_cell_counts, the months before and after them in cell_counts."""
    start, end = filt.start, filt.end
    # 1 January of the first and of the last whole year in the filter (None: unbounded).
    first = None if start is None else date(start.year + (start != date(start.year, 1, 1)), 1, 1)
    last = None if end is None else date(end.year - (end != date(end.year, 12, 31)), 1, 1)
    if first is not None and last is not None and first > last:
        return [(CELLS, filt)]
    parts = [(YEARLY_CELLS, replace(filt, start=first, end=last))]
    if start is not None and first is not None and start < first:
        parts.append((CELLS, replace(filt, end=date(first.year - 1, 12, 31))))
    if end is not None and last is not None and end > date(last.year, 12, 31):
        parts.append((CELLS, replace(filt, start=date(last.year + 1, 1, 1))))
    return parts


def _scoped_cells(filt: CrimeFilter, columns: str, alias: str = "c") -> tuple[str, list[object]]:
    """`select <columns> from <part> c where ... union all ...` over cell_parts(filt)."""
    selects, params = [], []
    for table, part in cell_parts(filt):
        where, values = part.where(table, alias)
        name = ident(table.name, (CELLS.name, YEARLY_CELLS.name))
        selects.append(f"select {columns} from {name} {alias} where {where}")  # noqa: S608
        params += values
    return " union all ".join(selects), params


CELLS_SQL = """
with scoped as (
    {scoped}
),
final as (
    select cell, lower(hex(cell)) as h3, sum(n)::bigint as n from scoped group by cell
)
select * from final order by n desc, cell
"""


def counts_by_cell(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, res: int) -> CellMap:
    """Offenses per cell at `res` (coarser if more than MAX_CELLS cells would result)."""
    requested = res
    while True:
        scoped, params = _scoped_cells(filt, f"{parent_sql(res)} as cell, n")
        frame = con.execute(CELLS_SQL.format(scoped=scoped), params).df()
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


DRAWABLE_SQL = """
with scoped as (
    {scoped}
)
select coalesce(sum(n), 0)::bigint
from scoped join offenses o using (nibrs_code)
where h3_r9 is not null and not o.sensitive
"""

POINTS_SQL = """
with scoped as (
    select round(i.lat, {decimals}) as lat, round(i.lon, {decimals}) as lon,
           o.name as offense, i.occurred_at::date as day
    from incidents i join offenses o using (nibrs_code)
    where {where} and i.lat is not null and i.lon is not null and not o.sensitive
),
final as (
    select lat, lon, count(*)::bigint as n,
           string_agg(distinct offense, ', ' order by offense) as offenses,
           min(day) as first_day, max(day) as last_day
    from scoped
    group by lat, lon
)
select * from final order by n desc, lat, lon
"""


def drawable_points(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> int:
    """How many offenses in the filter could be drawn as points (located, not sensitive)."""
    scoped, params = _scoped_cells(filt, "c.nibrs_code, c.h3_r9, c.n")
    row = con.execute(DRAWABLE_SQL.format(scoped=scoped), params).fetchone()
    return int(row[0]) if row else 0


def points(
    con: duckdb.DuckDBPyConnection, filt: CrimeFilter, limit: int = POINT_LIMIT
) -> pd.DataFrame | None:
    """Generalised points (lat, lon, n, offenses, first_day, last_day) for a selection of
    at most `limit` drawable offenses; None when the selection is larger. Sensitive
    offenses are never among them."""
    if drawable_points(con, filt) > limit:
        return None
    where, params = filt.where(INCIDENTS, "i")
    return con.execute(POINTS_SQL.format(where=where, decimals=POINT_DECIMALS), params).df()


@dataclass(frozen=True)
class Outline:
    """The city's outline as GeoJSON: its boundary, or its bounding box when none is loaded."""

    geojson: dict[str, Any]
    kind: Literal["boundary", "bounding box"]
    source: str
    bounds: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def _feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(frame.to_json(drop_id=True))
    return result


def city_outline(con: duckdb.DuckDBPyConnection, city_id: str) -> Outline:
    """The city boundary from city_boundaries (first source alphabetically), simplified;
    the Census bounding box from the registry when no boundary is loaded."""
    row = con.execute(
        "select geometry_wkt, source from city_boundaries where city_id = ? order by source limit 1",
        [city_id],
    ).fetchone()
    if row:
        shape = gpd.GeoSeries.from_wkt([row[0]], crs="EPSG:4326").simplify(
            SIMPLIFY_DEGREES, preserve_topology=True
        )
        frame = gpd.GeoDataFrame({"name": ["City boundary"]}, geometry=shape)
        b = shape.total_bounds
        return Outline(_feature_collection(frame), "boundary", str(row[1]), (b[0], b[1], b[2], b[3]))
    box = con.execute(
        "select bbox_min_lon, bbox_min_lat, bbox_max_lon, bbox_max_lat from cities where city_id = ?",
        [city_id],
    ).fetchone()
    if not box:
        raise ValueError(f"unknown city {city_id!r}")
    shape = gpd.GeoSeries([shapely.box(*box)], crs="EPSG:4326")
    frame = gpd.GeoDataFrame({"name": ["City bounding box (no boundary loaded)"]}, geometry=shape)
    return Outline(_feature_collection(frame), "bounding box", "cities registry (Census 2015)", tuple(box))


@dataclass(frozen=True)
class DistrictShapes:
    """District polygons of one city: GeoJSON with a `district` property, label points,
    and per-district area in km2."""

    geojson: dict[str, Any]
    labels: pd.DataFrame  # district, lat, lon
    area_km2: dict[str, float]
    bounds: dict[str, tuple[float, float, float, float]]
    source: str
    kind: str


def district_shapes(con: duckdb.DuckDBPyConnection, city_id: str) -> DistrictShapes | None:
    """The city's district polygons from the source whose names best match the incident
    districts (ties: alphabetical), simplified; None when none are loaded."""
    rows = con.execute(
        """
        with named as (
            select distinct district from monthly_code_counts where city_id = ?
        ),
        ranked as (
            select d.source, count(n.district) as matched
            from districts d left join named n using (district)
            where d.city_id = ?
            group by d.source
        ),
        final as (
            select d.district, d.kind, d.source, d.geometry_wkt
            from districts d
            where d.city_id = ?
              and d.source = (select source from ranked order by matched desc, source limit 1)
        )
        select * from final order by district
        """,
        [city_id, city_id, city_id],
    ).df()
    if rows.empty:
        return None
    shapes = gpd.GeoSeries.from_wkt(rows["geometry_wkt"], crs="EPSG:4326")
    frame = gpd.GeoDataFrame({"district": rows["district"]}, geometry=shapes)
    areas = frame.to_crs(EQUAL_AREA_CRS).area / 1e6
    points_ = frame.representative_point()
    simple = frame.set_geometry(frame.simplify(SIMPLIFY_DEGREES, preserve_topology=True))
    bounds = {
        d: (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        for d, b in zip(frame["district"], frame.bounds.to_numpy(), strict=True)
    }
    return DistrictShapes(
        geojson=_feature_collection(simple),
        labels=pd.DataFrame({"district": rows["district"], "lat": points_.y, "lon": points_.x}),
        area_km2=dict(zip(rows["district"], areas.astype(float), strict=True)),
        bounds=bounds,
        source=str(rows["source"].iloc[0]),
        kind=str(rows["kind"].iloc[0]),
    )


def counts_by_district(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Offenses per district for every district, whatever districts the filter picks
    (columns district, n; a null district = not recorded)."""
    where, params = replace(filt, districts=()).where(MONTH_CODES)
    return con.execute(
        f"select district, sum(n)::bigint as n from monthly_code_counts where {where}"  # noqa: S608
        " group by district order by n desc, district",
        params,
    ).df()


def reference_points(con: duckdb.DuckDBPyConnection, city_id: str) -> pd.DataFrame:
    """Named points the map labels for orientation, from the store: the city's Census
    internal point (columns name, lat, lon). The store holds no landmarks yet; this is
    where they would join."""
    return con.execute(
        "select name || ' (Census centre point)' as name, rep_lat as lat, rep_lon as lon"
        " from cities where city_id = ?",
        [city_id],
    ).df()


def city_area_km2(con: duckdb.DuckDBPyConnection, city_id: str) -> float:
    """Land area from the registry; the bounding box's area when it is missing."""
    row = con.execute(
        "select land_area_sq_km, (bbox_max_lon - bbox_min_lon) * (bbox_max_lat - bbox_min_lat)"
        " * 111.32 * 111.32 * cos(radians(rep_lat)) from cities where city_id = ?",
        [city_id],
    ).fetchone()
    if not row:
        raise ValueError(f"unknown city {city_id!r}")
    return float(row[0] if row[0] else row[1])


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


def view_bounds(
    outline: Outline, shapes: DistrictShapes | None, districts: tuple[str, ...] = ()
) -> tuple[float, float, float, float]:
    """What the map frames: the chosen districts when there are polygons, else the city."""
    if shapes is not None and districts:
        boxes = [shapes.bounds[d] for d in districts if d in shapes.bounds]
        if boxes:
            return (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
    return outline.bounds


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


def sensitive_offenses(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the offenses never drawn as points (offenses.sensitive: sex offenses)."""
    rows = con.execute("select name from offenses where sensitive order by nibrs_code").fetchall()
    return [str(r[0]) for r in rows]


def district_words(kind: str) -> str:
    """'precincts', 'council districts', 'demo districts' for a districts.kind."""
    if kind.endswith(("district", "precinct", "ward", "beat", "division", "zone")):
        return kind + "s"
    return f"{kind} districts"
