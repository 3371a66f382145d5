"""District assignment by point-in-polygon: which of a city's district polygons holds
each point. Incident imports use it for rows without a district column, and a newly
imported district layer re-assigns the incidents of its city (ingest/geography.py)."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import shapely

from ingest.mapping.load import Mapping
from ingest.rowchecks import set_columns


def district_layers(
    con: duckdb.DuckDBPyConnection, city_ids: list[str], wanted: str | None
) -> dict[str, str]:
    """city_id -> the districts.source to join against: the mapping's layer if given, else
    the city's police layer (kind 'precinct'/'division' first), then any other real layer."""
    rows = con.execute(
        """
        select city_id, source from (
            select city_id, source, row_number() over (
                partition by city_id
                order by (source = ?) desc, (kind in ('precinct', 'division', 'police district')) desc, source
            ) as rn
            from (select distinct city_id, source, kind from districts where source <> 'demo')
            where city_id in (select unnest(?::varchar[])) and (? is null or source = ?)
        ) where rn = 1
        """,
        [wanted, city_ids, wanted, wanted],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def spatial_districts(
    con: duckdb.DuckDBPyConnection,
    layer: str,
    city_id: str,
    lines: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
) -> np.ndarray:
    """District name for each point (None outside every polygon) by STRtree point-in-polygon."""
    polys = con.execute(
        "select district, geometry_wkt from districts where source = ? and city_id = ? order by district",
        [layer, city_id],
    ).fetchall()
    names = np.array([p[0] for p in polys] + [None], dtype=object)
    geoms = shapely.from_wkt([p[1] for p in polys])
    tree = shapely.STRtree(geoms)
    points = shapely.points(lon, lat)
    hit = np.full(len(points), len(polys), dtype=np.int64)
    pairs = tree.query(points, predicate="intersects")
    # A point on a shared edge matches two polygons: keep the first (alphabetical) one.
    order = np.lexsort((pairs[1], pairs[0]))[::-1]
    hit[pairs[0][order]] = pairs[1][order]
    result: np.ndarray = names[hit]
    return result


def assign_districts(con: duckdb.DuckDBPyConnection, m: Mapping) -> list[str]:
    """District of each located row of `parsed` by spatial join with the city's layer
    (none when the mapping names a district column). Returns notes."""
    if m.district.column:
        return []
    cities = [
        r[0] for r in con.execute("select distinct city_id from parsed where lat is not null").fetchall()
    ]
    layers = district_layers(con, cities, m.district.layer)
    if m.district.layer and not layers:
        return [f"district layer {m.district.layer!r} is not in the store yet: import it, districts follow"]
    notes = []
    for city_id, layer in layers.items():
        pts = con.execute(
            "select line, lon, lat from parsed where city_id = ? and reason is null and lat is not null",
            [city_id],
        ).fetchnumpy()
        names = spatial_districts(con, layer, city_id, pts["line"], pts["lon"], pts["lat"])
        set_columns(
            con,
            pa.table(
                {
                    "line": pts["line"],
                    "district": pa.array(names.tolist(), pa.string()),
                    "district_layer": pa.array([layer] * len(names), pa.string()),
                }
            ),
        )
        notes.append(f"districts of {city_id} by spatial join with layer '{layer}'")
    return notes
