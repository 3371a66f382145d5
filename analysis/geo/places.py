"""Where the cities are: representative points and outlines for overview maps.

An outline is the city boundary from `city_boundaries` when one is loaded (simplified:
an overview map needs no street-level detail), else the city's bounding box from the
registry, so the map has context without any basemap tiles.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import shapely
from shapely.geometry import box, mapping

SIMPLIFY_DEGREES = 0.002  # about 200 m: invisible at the zoom of a 12-city map

PLACES_SQL = """
with boundary as (
    select city_id, geometry_wkt from city_boundaries
    qualify row_number() over (partition by city_id order by source) = 1
),
final as (
    select c.city_id, c.name as city, c.state, c.rep_lat as lat, c.rep_lon as lon,
           c.bbox_min_lon, c.bbox_min_lat, c.bbox_max_lon, c.bbox_max_lat, b.geometry_wkt
    from cities c left join boundary b using (city_id)
)
select * from final order by city
"""


def city_places(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per city: city_id, city, state, lat, lon, outline (GeoJSON geometry text),
    outline_kind ('boundary' | 'bounding box')."""
    frame = con.execute(PLACES_SQL).df()
    outlines, kinds = [], []
    for row in frame.itertuples():
        if isinstance(row.geometry_wkt, str) and row.geometry_wkt:
            shape = shapely.from_wkt(row.geometry_wkt).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
            kinds.append("boundary")
        else:
            shape = box(row.bbox_min_lon, row.bbox_min_lat, row.bbox_max_lon, row.bbox_max_lat)
            kinds.append("bounding box")
        outlines.append(json.dumps(mapping(shape)))
    frame["outline"] = outlines
    frame["outline_kind"] = kinds
    return frame[["city_id", "city", "state", "lat", "lon", "outline", "outline_kind"]]
