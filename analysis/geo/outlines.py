"""The city's outline, its area and its reference points, from the store.

Design decision: outlines come from the store (city_boundaries) via geopandas, simplified
for the browser. Without a loaded boundary the city's bounding box stands in, labelled so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

SIMPLIFY_DEGREES = 0.0002  # outline simplification, about 20 m
EQUAL_AREA_CRS = "EPSG:6933"  # WGS 84 / NSIDC EASE-Grid 2.0 Global (equal area, metres)


@dataclass(frozen=True)
class Outline:
    """The city's outline as GeoJSON: its boundary, or its bounding box when none is loaded."""

    geojson: dict[str, Any]
    kind: Literal["boundary", "bounding box"]
    source: str
    bounds: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def feature_collection(frame: gpd.GeoDataFrame) -> dict[str, Any]:
    """A GeoDataFrame as a GeoJSON FeatureCollection (no feature ids)."""
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
        return Outline(feature_collection(frame), "boundary", str(row[1]), (b[0], b[1], b[2], b[3]))
    box = con.execute(
        "select bbox_min_lon, bbox_min_lat, bbox_max_lon, bbox_max_lat from cities where city_id = ?",
        [city_id],
    ).fetchone()
    if not box:
        raise ValueError(f"unknown city {city_id!r}")
    shape = gpd.GeoSeries([shapely.box(*box)], crs="EPSG:4326")
    frame = gpd.GeoDataFrame({"name": ["City bounding box (no boundary loaded)"]}, geometry=shape)
    return Outline(feature_collection(frame), "bounding box", "cities registry (Census 2015)", tuple(box))


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
