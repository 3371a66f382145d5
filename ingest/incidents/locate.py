"""Step 3 of an incident import: coordinates to WGS84, the bounding-box and boundary
checks, then districts (ingest/districts.py). H3 cells come later (cells.py)."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyproj

from ingest.boundaries import city_polygons, outside_boundary
from ingest.districts import assign_districts
from ingest.errors import MappingError
from ingest.incidents.parse import is_wgs84
from ingest.mapping.load import Mapping
from ingest.outcome import Step
from ingest.rowchecks import set_columns


def locate(con: duckdb.DuckDBPyConnection, m: Mapping, step: Step) -> list[str]:
    """Coordinates to WGS84, bounding box and boundary checks, districts, H3. Returns notes."""
    notes: list[str] = []
    loc = m.location
    if loc.x is None:
        return notes
    zero = con.execute("select count(*) from parsed where reason is null and x = 0 and y = 0").fetchone()
    if zero and zero[0]:
        notes.append(
            f"{zero[0]:,} rows have coordinates (0, 0), read as 'not geocoded': kept without a location"
        )
    if not is_wgs84(loc.crs):  # WGS84 coordinates were placed by parse()
        _reproject(con, m, step)
    con.execute(
        """
        update parsed set reason = 'coordinates outside the city', field = ?
        from cities c
        where parsed.city_id = c.city_id and parsed.reason is null and parsed.lat is not null
          and not (parsed.lat between c.bbox_min_lat and c.bbox_max_lat
                   and parsed.lon between c.bbox_min_lon and c.bbox_max_lon)
        """,
        [loc.x],
    )
    _boundary_check(con, loc.x, loc.boundary_tolerance_m)
    step("districts", 0.6)
    notes += assign_districts(con, m)
    return notes


def _reproject(con: duckdb.DuckDBPyConnection, m: Mapping, step: Step) -> None:
    """lat/lon of the rows in a projected CRS, rounded to 6 decimals (about 0.1 m)."""
    cols = con.execute(
        "select line, x, y from parsed where reason is null and not skip and x is not null and y is not null"
        " and not (x = 0 and y = 0) order by line"
    ).fetchnumpy()
    line, x, y = cols["line"], np.asarray(cols["x"], dtype=float), np.asarray(cols["y"], dtype=float)
    if not len(line):
        return
    step("reprojecting", 0.45)
    try:
        transformer = pyproj.Transformer.from_crs(m.location.crs, "EPSG:4326", always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise MappingError(f"{m.path}: [location] crs {m.location.crs!r}: {exc}") from None
    lon, lat = transformer.transform(x, y)
    lon, lat = np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6)
    finite = np.isfinite(lon) & np.isfinite(lat)
    set_columns(
        con,
        pa.table({"line": line[finite], "lat": lat[finite], "lon": lon[finite]}),
    )


def _boundary_check(con: duckdb.DuckDBPyConnection, field: str, tolerance_m: float) -> None:
    """Points inside the bounding box but outside the city polygon (plus a tolerance for
    rounded coordinates and generalised boundaries) are quarantined, where a boundary is
    loaded (ingest.boundaries: the check the demo runs too)."""
    cities = [
        r[0] for r in con.execute("select distinct city_id from parsed where lat is not null").fetchall()
    ]
    for city_id, (wkt, rep_lat, rep_lon) in city_polygons(con, cities).items():
        pts = con.execute(
            "select line, lon, lat from parsed where city_id = ? and reason is null and lat is not null",
            [city_id],
        ).fetchnumpy()
        outside = np.asarray(pts["line"])[
            outside_boundary(wkt, tolerance_m, rep_lat, rep_lon, pts["lon"], pts["lat"])
        ]
        if len(outside):
            con.execute(
                "update parsed set reason = 'coordinates outside the city boundary', field = ?"
                " where line in (select unnest(?::bigint[]))",
                [field, outside.tolist()],
            )
