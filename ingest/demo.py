"""The synthetic DEMO dataset: a deterministic incident history for the 12 PSP cities.

Design decisions
- Two stages. First a small plan of expected monthly counts per city x offense x month
  (anchors in data/demo_profile.toml, national year multipliers, city drift after the PSP
  designation, a July-peaked yearly cycle), drawn as overdispersed Poisson counts. Then each
  (city, year) chunk is expanded to one row per offense with vectorised numpy (day with a
  weekday profile, hour with an hour-of-day profile, a hot spot, a district, firearm
  involvement) and written by DuckDB from Arrow in one INSERT per chunk. No Python loop
  runs per row except the H3 cell call, which the h3 package only offers per point.
- Determinism: every random draw comes from numpy Generators seeded with
  (seed, city index, year, purpose), so a chunk does not depend on other chunks or on
  the order they run in. Same seed and scale, same rows.
- Locations: inside the city's real limits, the Census 2015 place polygons bundled in
  data/public/geography (the same file `ingest import census_boundaries` loads), which the
  demo also writes to city_boundaries. Hot spots (Gaussian blobs with Zipf weights,
  different weights for violent, property and other offenses) sit inside the polygon,
  at least HOTSPOT_MARGIN_M from its edge where the city is wide enough; a city-wide
  background surrounds them. A draw outside the polygon is drawn again (from the same
  hot spot, or city-wide) until it falls inside. Every chunk then goes through the
  boundary check real imports get (ingest.boundaries), with no tolerance. Districts are
  the Voronoi cells of seeds inside the city, clipped to its polygon; they are stored in
  `districts` so maps can draw them. Only places depend on the polygons: counts, times
  and seasonality come from the plan as before.
- Never mixed: the demo refuses to write into a store that holds real incidents or
  counts, and every row it writes has source = 'demo'.
"""

from __future__ import annotations

import json
import math
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import h3.api.numpy_int as h3
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from ingest.boundaries import outside_boundary
from ingest.registry import City, load_cities
from ingest.rollups import rebuild_rollups
from ingest.store import finish_import, set_info, start_import
from kernel.settings import DATA_DIR
from kernel.sql import ident

SOURCE = "demo"
FIRST_YEAR, LAST_YEAR = 2015, 2025
PART1_COLUMNS = ("09A", "11A", "120", "13A", "220", "theft", "240")
VIOLENT = ("09A", "11A", "120", "13A")
PROPERTY = ("220", "23C", "23F", "23H", "240")
# NIBRS offense -> series in [national] that drives its year-to-year level.
SERIES = {
    "09A": "murder",
    "11A": "rape",
    "120": "robbery",
    "13A": "aggravated_assault",
    "13B": "aggravated_assault",
    "520": "firearm_assault",
    "220": "burglary",
    "23C": "theft",
    "23F": "theft",
    "23H": "theft",
    "240": "motor_vehicle_theft",
    "290": "other",
    "35A": "other",
    "26A": "other",
}
# Offense classes for time and place profiles.
CLASS_OF = {
    code: (
        "violent"
        if code in VIOLENT or code in ("13B", "520")
        else "property"
        if code in PROPERTY or code in ("290", "26A")
        else "other"
    )
    for code in SERIES
}
CLASSES = ("violent", "property", "other")
# Relative weight of Monday..Sunday: violence concentrates on weekend nights.
WEEKDAY_WEIGHTS = {
    "violent": np.array([0.92, 0.88, 0.90, 0.93, 1.05, 1.20, 1.17]),
    "property": np.array([1.04, 1.02, 1.02, 1.01, 1.03, 0.95, 0.93]),
    "other": np.array([1.00, 1.02, 1.03, 1.02, 1.02, 0.97, 0.94]),
}
# Mean delay from occurrence to report, in hours.
REPORT_DELAY_H = {"violent": 1.5, "property": 20.0, "other": 2.0, "26A": 360.0}
BOUNDARIES = DATA_DIR / "public" / "geography" / "psp_city_boundaries_cb2015.geojson"
HOTSPOT_MARGIN_M = 400.0  # hot-spot centres keep this far inside the city limits
REDRAWS = 8  # draws outside the city tried again from the same place before falling back
HOTSPOT_SHARE = 0.65  # share of offenses in hot spots; the rest is city-wide background
OVERDISPERSION_SHAPE = 150.0  # gamma shape of month-to-month noise on the Poisson mean


@dataclass(frozen=True)
class DemoProfile:
    """Parameters of the demo, parsed from data/demo_profile.toml."""

    anchors: dict[str, dict[str, float]]  # city -> NIBRS code -> 2019 yearly count
    firearm_share: dict[str, float]
    national: dict[str, dict[int, float]]  # series -> year -> multiplier
    drift: dict[str, tuple[float, float]]  # city -> (violent, property) per year
    seasonality: dict[str, float]


@dataclass(frozen=True)
class DemoResult:
    """What a demo build wrote."""

    rows: int
    seconds: float
    scale: float
    seed: int


class MixedDataError(RuntimeError):
    """Raised rather than mixing demo rows with real ones in one store."""


def load_profile(path: Path = DATA_DIR / "demo_profile.toml") -> DemoProfile:
    """Parse the demo profile and derive the yearly anchor of every demo offense."""
    raw = tomllib.loads(path.read_text())
    anchors: dict[str, dict[str, float]] = {}
    for city_id, values in raw["anchor_2019"].items():
        part1 = dict(zip(PART1_COLUMNS, (float(v) for v in values), strict=True))
        theft = part1.pop("theft")
        row = dict(part1)
        for code, share in raw["theft_split"].items():
            row[code] = theft * float(share)
        totals = {
            "aggravated_assault": part1["13A"],
            "violent": sum(part1[c] for c in VIOLENT),
            "property": part1["220"] + part1["240"] + theft,
        }
        totals["part1"] = totals["violent"] + totals["property"]
        for code, rule in raw["other_offenses"].items():
            row[code] = totals[rule["of"]] * float(rule["ratio"])
        anchors[city_id] = row
    years = raw["national"]["years"]
    national = {
        series: dict(zip(years, (float(v) for v in values), strict=True))
        for series, values in raw["national"].items()
        if series != "years"
    }
    return DemoProfile(
        anchors=anchors,
        firearm_share={k: float(v) for k, v in raw["firearm_share"].items()},
        national=national,
        drift={k: (float(v[0]), float(v[1])) for k, v in raw["city_drift"].items()},
        seasonality={k: float(v) for k, v in raw["seasonality"].items()},
    )


def _rng(seed: int, *keys: int) -> np.random.Generator:
    return np.random.default_rng([seed, *keys])


def firearm_probability(profile: DemoProfile, code: str, year: int) -> float:
    """Share of `code` offenses that involve a firearm in `year`.

    Shootings rose faster than other violence in 2020-21: the share moves with the ratio
    of the firearm-assault series to the all-assault series.
    """
    base = profile.firearm_share.get(code, 0.0)
    if base == 0.0:
        return 0.0
    lift = profile.national["firearm_assault"][year] / profile.national["aggravated_assault"][year]
    return float(min(0.95, base * lift))


def monthly_plan(profile: DemoProfile, cities: list[City], scale: float, seed: int) -> pd.DataFrame:
    """Drawn counts per city x month x offense (columns city_id, month, nibrs_code, n)."""
    frames = []
    months = pd.date_range(f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-01", freq="MS")
    year = months.year.to_numpy()
    moy = months.month.to_numpy()
    days = months.days_in_month.to_numpy()
    # Years since the PSP designation (June 2017); drift applies only after it.
    since_psp = np.clip(year + (moy - 0.5) / 12 - 2017.5, 0, None)
    for ci, city in enumerate(cities):
        anchors = profile.anchors[city.city_id]
        d_violent, d_property = profile.drift[city.city_id]
        for oi, (code, anchor) in enumerate(sorted(anchors.items())):
            series = SERIES[code]
            level = np.array([profile.national[series][int(y)] for y in year])
            if code == "13A":
                # Firearm and other assaults follow their own national paths.
                share = profile.firearm_share["13A"]
                fa = np.array([profile.national["firearm_assault"][int(y)] for y in year])
                level = share * fa + (1 - share) * level
            cls = CLASS_OF[code]
            drift = d_violent if cls == "violent" else d_property if cls == "property" else 0.0
            trend = (1 + drift) ** since_psp
            season = 1 + profile.seasonality.get(code, 0.0) * np.cos(2 * np.pi * (moy - 7) / 12)
            lam = anchor * scale / 12 * level * trend * season * days / (365.25 / 12)
            rng = _rng(seed, ci, oi, 1)
            noise = rng.gamma(OVERDISPERSION_SHAPE, 1 / OVERDISPERSION_SHAPE, size=lam.shape)
            counts = rng.poisson(lam * noise)
            frames.append(
                pd.DataFrame({"city_id": city.city_id, "month": months, "nibrs_code": code, "n": counts})
            )
    return pd.concat(frames, ignore_index=True)


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
    rng = _rng(seed, ci, 10_000)
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


def _keep_inside(
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
    rng = _rng(seed, ci, year, 2)
    counts = plan["n"].to_numpy()
    codes = np.repeat(plan["nibrs_code"].to_numpy(), counts)
    month_start = np.repeat(plan["month"].to_numpy().astype("datetime64[D]"), counts)
    n = len(codes)
    uniq, inverse = np.unique(codes, return_inverse=True)
    classes = np.array([CLASS_OF[str(c)] for c in uniq], dtype=object)[inverse].astype(str)

    # Day of month with a weekday profile: inverse-CDF per (month, class).
    day_offset = np.zeros(n, dtype="int64")
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
    reported = occurred + delay_min.astype("timedelta64[m]")

    # Location: hot spot or background, Gaussian around the centre. The first draws use
    # the chunk's generator; draws outside the city are drawn again from a generator of
    # their own (same place first, then city-wide), so times and offenses do not move.
    lat = np.empty(n)
    lon = np.empty(n)
    spot = np.full(n, -1)
    in_hotspot = rng.random(n) < HOTSPOT_SHARE
    coslat = math.cos(math.radians(city.rep_lat))
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
    lat = np.round(lat, 5)
    lon = np.round(lon, 5)
    _keep_inside(geom, lat, lon, spot, _rng(seed, ci, year, 3), coslat)
    outside = outside_boundary(geom.boundary_wkt, 0.0, city.rep_lat, city.rep_lon, lon, lat)
    if outside.any():  # the check real imports get; never expected to fire
        raise RuntimeError(f"demo: {int(outside.sum())} offenses of {city.name} {year} outside the city")

    # Nearest district seed (equirectangular distance is exact enough at city scale).
    d2 = (lat[:, None] - geom.district_seeds[None, :, 0]) ** 2 + (
        (lon[:, None] - geom.district_seeds[None, :, 1]) * coslat
    ) ** 2
    district = np.array(geom.district_names)[np.argmin(d2, axis=1)] if n else np.array([], str)

    firearm_p = np.array([firearm_probability(profile, str(c), year) for c in uniq])[inverse]
    firearm = rng.random(n) < firearm_p
    # Weapon is not recorded for property and society offenses (other than weapon law).
    firearm_known = np.isin(classes, ["violent"]) | (codes == "520")

    cells = np.fromiter(
        (h3.latlng_to_cell(a, b, 9) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)),
        dtype=np.uint64,
        count=n,
    )
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


def _refuse_mixing(con: duckdb.DuckDBPyConnection) -> None:
    row = con.execute(
        "select string_agg(distinct source, ', ') from ("
        " select source from incidents where source <> ?"
        " union all select source from monthly_counts where source <> ?)",
        [SOURCE, SOURCE],
    ).fetchone()
    if row and row[0]:
        raise MixedDataError(
            f"This store holds real data ({row[0]}); demo rows are never mixed with real "
            "ones. Build the demo in another store: PSP_DB=data/demo.duckdb python -m ingest demo"
        )


def build_demo(
    con: duckdb.DuckDBPyConnection,
    scale: float = 1.0,
    seed: int = 42,
    progress: Callable[[int, int, str], None] | None = None,
) -> DemoResult:
    """Replace the store's demo rows with a fresh demo dataset (inside the caller's
    write transaction). `progress(done, total, label)` is called after each chunk."""
    if not scale > 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()
    _refuse_mixing(con)
    profile = load_profile()
    cities = load_cities()
    missing = {c.city_id for c in cities} - set(profile.anchors)
    if missing:
        raise ValueError(f"demo profile has no anchors for {sorted(missing)}")
    tables = ("incidents", "daily_counts", "monthly_counts", "districts", "city_boundaries", "quarantine")
    for table in tables:
        con.execute(f"delete from {ident(table, tables)} where source = ?", [SOURCE])  # noqa: S608
    import_id = start_import(con, SOURCE, "demo", f"generated: scale={scale} seed={seed}")
    plan = monthly_plan(profile, cities, scale, seed)
    total_chunks = len(cities) * (LAST_YEAR - FIRST_YEAR + 1)
    next_id = 1
    done = 0
    boundaries = load_boundaries()
    for ci, city in enumerate(cities):
        geom = city_geometry(city, seed, ci, boundaries[city.census_geoid])
        con.execute(
            "insert into city_boundaries (city_id, source, geometry_wkt) values (?, ?, ?)",
            [city.city_id, SOURCE, geom.boundary_wkt],
        )
        con.executemany(
            "insert into districts values (?, ?, 'demo', ?, ?)",
            [
                [city.city_id, name, SOURCE, wkt]
                for name, wkt in zip(geom.district_names, geom.district_wkt, strict=True)
            ],
        )
        city_plan = plan[plan["city_id"] == city.city_id]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            part = city_plan[city_plan["month"].dt.year == year]
            chunk = expand_chunk(part, city, geom, year, profile, seed, ci)
            con.register("demo_chunk", chunk)
            con.execute(
                """
                insert into incidents by name
                select c.incident_id, ? as city_id, c.occurred_at, c.reported_at, c.nibrs_code,
                       o.name as offense, c.nibrs_code as local_offense, o.part1_offense,
                       o.offense_group, o.crime_against, c.firearm, c.lat, c.lon, c.h3_r9,
                       c.district, ? as source,
                       'DEMO-' || upper(?) || '-' || c.incident_id as source_id,
                       ? as import_id
                from (select *, ? + row_number() over () - 1 as incident_id from demo_chunk) c
                join offenses o using (nibrs_code)
                """,
                [city.city_id, SOURCE, city.state, import_id, next_id],
            )
            con.unregister("demo_chunk")
            next_id += chunk.num_rows
            done += 1
            if progress:
                progress(done, total_chunks, f"{city.name} {year}")
    rows = next_id - 1
    rebuild_rollups(con, sources=[SOURCE])
    finish_import(con, import_id, rows_read=rows, rows_accepted=rows, note="synthetic demo data")
    for key, value in {
        "dataset": "demo",
        "demo_scale": str(scale),
        "demo_seed": str(seed),
        "demo_built_at": datetime.now().isoformat(timespec="seconds"),
        "demo_period": f"{date(FIRST_YEAR, 1, 1)} to {date(LAST_YEAR, 12, 31)}",
    }.items():
        set_info(con, key, value)
    return DemoResult(rows=rows, seconds=time.perf_counter() - started, scale=scale, seed=seed)
