"""The demo's parameters (data/demo_profile.toml and the constants below) and its first
stage: the plan of expected monthly counts per city x offense x month."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ingest.registry import City
from kernel.settings import DATA_DIR
from kernel.store import DEMO_SOURCE

SOURCE = DEMO_SOURCE
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


def rng_for(seed: int, *keys: int) -> np.random.Generator:
    """The generator of one purpose (keys: city index, year, purpose): chunks never share one."""
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
            rng = rng_for(seed, ci, oi, 1)
            noise = rng.gamma(OVERDISPERSION_SHAPE, 1 / OVERDISPERSION_SHAPE, size=lam.shape)
            counts = rng.poisson(lam * noise)
            frames.append(
                pd.DataFrame({"city_id": city.city_id, "month": months, "nibrs_code": code, "n": counts})
            )
    return pd.concat(frames, ignore_index=True)
