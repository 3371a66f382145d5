"""The demo's second stage: one row per offense of a city-year (day with a weekday
profile, hour with an hour-of-day profile, report delay, a place, a district, firearm
involvement, the H3 cell), vectorised with numpy.

The draws run in a fixed order on the chunk's generator (days, hours, minutes, delays,
places, firearms), so the same seed gives the same rows; redraws of places outside the
city use a generator of their own."""

from __future__ import annotations

import math

import h3.api.numpy_int as h3
import numpy as np
import pandas as pd
import pyarrow as pa

from ingest.boundaries import outside_boundary
from ingest.demo.places import CityGeometry, keep_inside
from ingest.demo.profile import (
    CLASS_OF,
    CLASSES,
    HOTSPOT_SHARE,
    REPORT_DELAY_H,
    WEEKDAY_WEIGHTS,
    DemoProfile,
    firearm_probability,
    rng_for,
)
from ingest.registry import City


def _hour_profile(cls: str) -> np.ndarray:
    hours = np.arange(24)
    if cls == "violent":
        p = 1 + 0.8 * np.cos(2 * np.pi * (hours - 22) / 24)
    elif cls == "property":
        p = 1 + 0.5 * np.cos(2 * np.pi * (hours - 15) / 24)
        p[0] += 0.6  # unknown times are often recorded as midnight
    else:
        p = 1 + 0.5 * np.cos(2 * np.pi * (hours - 17) / 24)
    result: np.ndarray = p / p.sum()
    return result


HOUR_PROFILES = {cls: _hour_profile(cls) for cls in CLASSES}


def _day_offsets(rng: np.random.Generator, month_start: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Day of month with a weekday profile: inverse-CDF per (month, class)."""
    day_offset = np.zeros(len(month_start), dtype="int64")
    month_keys = month_start.astype("int64")
    for m in np.unique(month_keys):
        first = np.datetime64(int(m), "D")
        ndays = int(((first.astype("datetime64[M]") + 1).astype("datetime64[D]") - first).astype(int))
        weekday = (np.arange(ndays) + int(m) + 3) % 7  # 1970-01-01 was a Thursday (3)
        for cls in CLASSES:
            sel = np.flatnonzero((month_keys == m) & (classes == cls))
            if len(sel) == 0:
                continue
            cdf = np.cumsum(WEEKDAY_WEIGHTS[cls][weekday])
            cdf /= cdf[-1]
            day_offset[sel] = np.searchsorted(cdf, rng.random(len(sel)), side="right")
    return day_offset


def _times(
    rng: np.random.Generator,
    month_start: np.ndarray,
    classes: np.ndarray,
    uniq: np.ndarray,
    inverse: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(occurred, reported) minutes: a day, an hour of the class's profile, a minute, and
    a report delay with the class's (or the code's) mean."""
    n = len(month_start)
    day_offset = _day_offsets(rng, month_start, classes)
    hour = np.zeros(n, dtype="int64")
    for cls in CLASSES:
        sel = np.flatnonzero(classes == cls)
        hour[sel] = rng.choice(24, size=len(sel), p=HOUR_PROFILES[cls])
    minute = rng.integers(0, 60, n)
    occurred = (
        month_start.astype("datetime64[m]")
        + day_offset.astype("timedelta64[D]")
        + hour.astype("timedelta64[h]")
        + minute.astype("timedelta64[m]")
    )
    delay_by_code = np.array([REPORT_DELAY_H.get(str(c), REPORT_DELAY_H[CLASS_OF[str(c)]]) for c in uniq])
    delay_mean = delay_by_code[inverse] if n else np.zeros(0)
    delay_min = np.round(rng.exponential(1.0, n) * delay_mean * 60).astype("int64")
    return occurred, occurred + delay_min.astype("timedelta64[m]")


def _places(
    rng: np.random.Generator, city: City, geom: CityGeometry, classes: np.ndarray, coslat: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, hot spot or -1): hot spot or background, Gaussian around the centre,
    rounded to 5 decimals (before the redraws of points outside the city)."""
    n = len(classes)
    lat = np.empty(n)
    lon = np.empty(n)
    spot = np.full(n, -1)
    in_hotspot = rng.random(n) < HOTSPOT_SHARE
    for cls in CLASSES:
        sel = np.flatnonzero((classes == cls) & in_hotspot)
        k = rng.choice(len(geom.hotspots), size=len(sel), p=geom.weights[cls])
        spot[sel] = k
        sd_deg = geom.hotspot_sd_m[k] / 111_320
        lat[sel] = geom.hotspots[k, 0] + rng.normal(0, 1, len(sel)) * sd_deg
        lon[sel] = geom.hotspots[k, 1] + rng.normal(0, 1, len(sel)) * sd_deg / coslat
    bg = np.flatnonzero(~in_hotspot)
    min_lon, min_lat, max_lon, max_lat = city.bbox
    lat[bg] = rng.normal(city.rep_lat, (max_lat - min_lat) / 5, len(bg))
    lon[bg] = rng.normal(city.rep_lon, (max_lon - min_lon) / 5, len(bg))
    return np.round(lat, 5), np.round(lon, 5), spot


def _districts(geom: CityGeometry, lat: np.ndarray, lon: np.ndarray, coslat: float) -> np.ndarray:
    """Nearest district seed (equirectangular distance is exact enough at city scale)."""
    d2 = (lat[:, None] - geom.district_seeds[None, :, 0]) ** 2 + (
        (lon[:, None] - geom.district_seeds[None, :, 1]) * coslat
    ) ** 2
    return np.array(geom.district_names)[np.argmin(d2, axis=1)] if len(lat) else np.array([], str)


def _cells(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """H3 cell (resolution 9) of each point: the one per-point call left."""
    return np.fromiter(
        (h3.latlng_to_cell(a, b, 9) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)),
        dtype=np.uint64,
        count=len(lat),
    )


def expand_chunk(
    plan: pd.DataFrame,
    city: City,
    geom: CityGeometry,
    year: int,
    profile: DemoProfile,
    seed: int,
    ci: int,
) -> pa.Table:
    """One row per offense for one city-year, as an Arrow table (no incident ids yet)."""
    rng = rng_for(seed, ci, year, 2)
    counts = plan["n"].to_numpy()
    codes = np.repeat(plan["nibrs_code"].to_numpy(), counts)
    month_start = np.repeat(plan["month"].to_numpy().astype("datetime64[D]"), counts)
    uniq, inverse = np.unique(codes, return_inverse=True)
    classes = np.array([CLASS_OF[str(c)] for c in uniq], dtype=object)[inverse].astype(str)
    occurred, reported = _times(rng, month_start, classes, uniq, inverse)
    # The first draws of places use the chunk's generator; draws outside the city are drawn
    # again from a generator of their own (same place first, then city-wide), so times and
    # offenses do not move.
    coslat = math.cos(math.radians(city.rep_lat))
    lat, lon, spot = _places(rng, city, geom, classes, coslat)
    keep_inside(geom, lat, lon, spot, rng_for(seed, ci, year, 3), coslat)
    outside = outside_boundary(geom.boundary_wkt, 0.0, city.rep_lat, city.rep_lon, lon, lat)
    if outside.any():  # the check real imports get; never expected to fire
        raise RuntimeError(f"demo: {int(outside.sum())} offenses of {city.name} {year} outside the city")
    district = _districts(geom, lat, lon, coslat)
    firearm_p = np.array([firearm_probability(profile, str(c), year) for c in uniq])[inverse]
    firearm = rng.random(len(codes)) < firearm_p
    # Weapon is not recorded for property and society offenses (other than weapon law).
    firearm_known = np.isin(classes, ["violent"]) | (codes == "520")
    cells = _cells(lat, lon)
    order = np.argsort(occurred, kind="stable")
    return pa.table(
        {
            "occurred_at": pa.array(occurred[order].astype("datetime64[us]")),
            "reported_at": pa.array(reported[order].astype("datetime64[us]")),
            "nibrs_code": pa.array(codes[order]),
            "firearm": pa.array(firearm[order], mask=~firearm_known[order]),
            "lat": pa.array(lat[order]),
            "lon": pa.array(lon[order]),
            "h3_r9": pa.array(cells[order]),
            "district": pa.array(district[order]),
        }
    )
