"""Where demo offenses happen: the city's polygon (Census 2015 places), hot spots inside
it, Voronoi districts, and redraws of points that fall outside."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from ingest.demo.profile import BOUNDARIES, CLASSES, HOTSPOT_MARGIN_M, REDRAWS, rng_for
from ingest.registry import City


@dataclass(frozen=True)
class CityGeometry:
    """The city's polygon, hot spots and districts for the demo."""

    boundary: shapely.Geometry  # the city limits (WGS84), prepared for point tests
    boundary_wkt: str
    hotspots: np.ndarray  # (K, 2) lat, lon
    hotspot_sd_m: np.ndarray  # (K,)
    weights: dict[str, np.ndarray]  # class -> (K,) probabilities
    district_seeds: np.ndarray  # (D, 2) lat, lon
    district_names: list[str]
    district_wkt: list[str]


def load_boundaries(path: Path = BOUNDARIES) -> dict[str, str]:
    """census_geoid -> boundary WKT (6 decimals, as the census_boundaries import stores it)."""
    raw = json.loads(path.read_text())
    out = {}
    for feature in raw["features"]:
        shape = shapely.geometry.shape(feature["geometry"])
        out[str(feature["properties"]["GEOID"])] = shapely.to_wkt(shape, rounding_precision=6, trim=True)
    return out


def inside(polygon: shapely.Geometry, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Which points lie inside the (prepared) polygon."""
    result: np.ndarray = shapely.contains_xy(polygon, lon, lat)
    return result


def uniform_inside(
    rng: np.random.Generator, polygon: shapely.Geometry, n: int, decimals: int = 5
) -> tuple[np.ndarray, np.ndarray]:
    """`n` points uniform over the polygon (rejection from its bounding box), rounded to
    `decimals` and still inside after rounding."""
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    lat, lon = np.empty(0), np.empty(0)
    while len(lat) < n:
        want = max(64, 3 * (n - len(lat)))
        a = np.round(rng.uniform(min_lat, max_lat, want), decimals)
        b = np.round(rng.uniform(min_lon, max_lon, want), decimals)
        ok = inside(polygon, a, b)
        lat, lon = np.concatenate([lat, a[ok]]), np.concatenate([lon, b[ok]])
    return lat[:n], lon[:n]


def city_geometry(city: City, seed: int, ci: int, boundary_wkt: str) -> CityGeometry:
    """Deterministic hot spots and Voronoi districts inside the city's polygon."""
    rng = rng_for(seed, ci, 10_000)
    polygon = shapely.from_wkt(boundary_wkt)
    shapely.prepare(polygon)
    min_lon, min_lat, max_lon, max_lat = city.bbox
    span_lat, span_lon = max_lat - min_lat, max_lon - min_lon
    k = int(np.clip(round(6 + 0.6 * math.sqrt(city.land_area_sq_km)), 8, 30))
    # Hot-spot centres: near the representative point, inside the city and off its edge.
    core = shapely.buffer(polygon, -HOTSPOT_MARGIN_M / 111_320)
    core = core if not core.is_empty and core.area > 0.1 * polygon.area else polygon
    shapely.prepare(core)
    lat, lon = np.empty(0), np.empty(0)
    for _ in range(50):
        a = rng.normal(city.rep_lat, span_lat / 6, 4 * k)
        b = rng.normal(city.rep_lon, span_lon / 6, 4 * k)
        ok = inside(core, a, b)
        lat, lon = np.concatenate([lat, a[ok]]), np.concatenate([lon, b[ok]])
        if len(lat) >= k:
            break
    if len(lat) < k:
        extra = uniform_inside(rng, core, k - len(lat), decimals=6)
        lat, lon = np.concatenate([lat, extra[0]]), np.concatenate([lon, extra[1]])
    lat, lon = lat[:k], lon[:k]
    sd = rng.uniform(250, 700, k)
    zipf = 1 / np.arange(1, k + 1) ** 0.9
    weights = {}
    order = rng.permutation(k)
    for cls in CLASSES:
        # Violent and other offenses share hot spots; property hot spots differ partly.
        if cls == "property":
            order = np.concatenate([rng.permutation(order[: k // 2]), order[k // 2 :]])[::-1]
        w = np.empty(k)
        w[order] = zipf
        weights[cls] = w / w.sum()
    n_districts = int(np.clip(round(city.land_area_sq_km / 120) + 4, 5, 13))
    seed_lat, seed_lon = uniform_inside(rng, core, n_districts, decimals=6)
    seeds = np.column_stack([seed_lat, seed_lon])
    box = shapely.box(
        min(min_lon, polygon.bounds[0]),
        min(min_lat, polygon.bounds[1]),
        max(max_lon, polygon.bounds[2]),
        max(max_lat, polygon.bounds[3]),
    )
    points = shapely.multipoints([shapely.Point(lon_, lat_) for lat_, lon_ in seeds])
    cells = shapely.get_parts(shapely.voronoi_polygons(points, extend_to=box))
    names = [f"District {i + 1}" for i in range(n_districts)]
    wkt = []
    for lat_, lon_ in seeds:
        point = shapely.Point(lon_, lat_)
        cell = next(c for c in cells if c.contains(point))
        # Clipped to the city limits: a district is the part of its cell inside the city.
        wkt.append(shapely.to_wkt(cell.intersection(polygon), rounding_precision=6, trim=True))
    return CityGeometry(polygon, boundary_wkt, lat_lon(lat, lon), sd, weights, seeds, names, wkt)


def lat_lon(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.column_stack([lat, lon])


def keep_inside(
    geom: CityGeometry,
    lat: np.ndarray,
    lon: np.ndarray,
    spot: np.ndarray,
    rng: np.random.Generator,
    coslat: float,
) -> None:
    """Redraw, in place, the points outside the city: hot-spot points around their hot
    spot (REDRAWS tries, then at its centre, which is inside), background points
    uniformly over the city."""
    for _ in range(REDRAWS):
        out = np.flatnonzero(~inside(geom.boundary, lat, lon) & (spot >= 0))
        if not len(out):
            break
        k = spot[out]
        sd_deg = geom.hotspot_sd_m[k] / 111_320
        lat[out] = np.round(geom.hotspots[k, 0] + rng.normal(0, 1, len(out)) * sd_deg, 5)
        lon[out] = np.round(geom.hotspots[k, 1] + rng.normal(0, 1, len(out)) * sd_deg / coslat, 5)
    out = np.flatnonzero(~inside(geom.boundary, lat, lon) & (spot >= 0))
    lat[out] = np.round(geom.hotspots[spot[out], 0], 5)
    lon[out] = np.round(geom.hotspots[spot[out], 1], 5)
    out = np.flatnonzero(~inside(geom.boundary, lat, lon))
    lat[out], lon[out] = uniform_inside(rng, geom.boundary, len(out))
