"""The city-boundary check every import gets, real or demo, in one place.

A point passes when it lies inside the city's polygon grown by a tolerance in metres
(rounded coordinates, generalised boundaries). Real imports quarantine the points that
fail (ingest.incidents); the demo generator draws its points inside the polygon and then
runs the same check on every chunk, so a demo offense outside its city is an error, not
a quiet row.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyproj
import shapely


def buffer_metres(geom: shapely.Geometry, metres: float, lat: float, lon: float) -> shapely.Geometry:
    """`geom` (WGS84) grown by `metres`, buffered in an equidistant projection centred on the city."""
    local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +units=m +ellps=WGS84")
    there = pyproj.Transformer.from_crs("EPSG:4326", local, always_xy=True)
    back = pyproj.Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    projected = shapely.transform(geom, lambda xy: np.column_stack(there.transform(xy[:, 0], xy[:, 1])))
    grown = shapely.buffer(projected, metres)
    return shapely.transform(grown, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1])))


def city_polygons(con: duckdb.DuckDBPyConnection, city_ids: list[str]) -> dict[str, tuple[str, float, float]]:
    """city_id -> (boundary WKT, rep_lat, rep_lon) for the cities with a loaded boundary
    (the first source alphabetically, as the maps draw it)."""
    rows = con.execute(
        "select b.city_id, any_value(b.geometry_wkt order by b.source), any_value(c.rep_lat),"
        " any_value(c.rep_lon) from city_boundaries b join cities c using (city_id)"
        " where city_id in (select unnest(?::varchar[])) group by 1",
        [city_ids],
    ).fetchall()
    return {str(r[0]): (str(r[1]), float(r[2]), float(r[3])) for r in rows}


def outside_boundary(
    wkt: str, tolerance_m: float, rep_lat: float, rep_lon: float, lon: np.ndarray, lat: np.ndarray
) -> np.ndarray:
    """A boolean mask: which points lie outside the boundary grown by `tolerance_m`."""
    polygon = shapely.from_wkt(wkt)
    if tolerance_m:
        polygon = buffer_metres(polygon, tolerance_m, rep_lat, rep_lon)
    shapely.prepare(polygon)
    inside: np.ndarray = shapely.contains_xy(polygon, np.asarray(lon, float), np.asarray(lat, float))
    return ~inside
