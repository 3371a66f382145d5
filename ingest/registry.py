"""The committed registry (data/*.toml, data/*.csv) and its load into the store.

The registry is the project's own record of facts: the 12 PSP cities, their populations
by year, and the NIBRS offense and weapon crosswalks. Every write session reloads it, so
the store always matches the committed files.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from kernel.settings import DATA_DIR
from kernel.sql import ident

POPULATION_YEARS = range(2010, 2027)
REGISTRY_TABLES = ("cities", "offenses", "weapons")
CENSUS = "US Census Bureau, decennial census {year} (P1 total population)"
RTCI = "Real-Time Crime Index (AH Datalytics), agency population in its 2026 sources table"


@dataclass(frozen=True)
class City:
    """One PSP city as recorded in data/cities.toml."""

    city_id: str
    name: str
    state: str
    state_name: str
    census_geoid: str
    land_area_sq_km: float
    rep_lat: float
    rep_lon: float
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
    census_2010: int
    census_2020: int
    population_rtci: int
    rtci_agency: str
    timezone: str


def load_cities(path: Path = DATA_DIR / "cities.toml") -> list[City]:
    """Parse data/cities.toml into City records, in file order."""
    raw = tomllib.loads(path.read_text())["city"]
    return [
        City(
            city_id=c["city_id"],
            name=c["name"],
            state=c["state"],
            state_name=c["state_name"],
            census_geoid=c["census_geoid"],
            land_area_sq_km=float(c["land_area_sq_km"]),
            rep_lat=float(c["rep_point"][0]),
            rep_lon=float(c["rep_point"][1]),
            bbox=(float(c["bbox"][0]), float(c["bbox"][1]), float(c["bbox"][2]), float(c["bbox"][3])),
            census_2010=int(c["census_2010"]),
            census_2020=int(c["census_2020"]),
            population_rtci=int(c["population_rtci"]),
            rtci_agency=c["rtci_agency"],
            timezone=c["timezone"],
        )
        for c in raw
    ]


def population_by_year(city: City) -> pd.DataFrame:
    """Population for 2010-2026 from the two census counts and the RTCI figure.

    2010 and 2020 are census counts; 2011-2019 are linear interpolation between them;
    2021-2024 interpolate from the 2020 count to the RTCI figure, which is taken as 2025;
    2026 carries 2025 forward. Each row says which (method), so a user can tell an
    interpolated denominator from a published one and load Census Vintage estimates.
    """
    anchors = {2010: city.census_2010, 2020: city.census_2020, 2025: city.population_rtci}
    rows = []
    for year in POPULATION_YEARS:
        if year in (2010, 2020):
            rows.append((year, anchors[year], "census", CENSUS.format(year=year)))
        elif year == 2025:
            rows.append((year, anchors[year], "estimate", RTCI))
        elif year > 2025:
            rows.append((year, anchors[2025], "carried", f"2025 figure carried forward; {RTCI}"))
        else:
            lo, hi = (2010, 2020) if year < 2020 else (2020, 2025)
            share = (year - lo) / (hi - lo)
            value = round(anchors[lo] + share * (anchors[hi] - anchors[lo]))
            rows.append((year, value, "interpolated", f"linear between {lo} and {hi} figures"))
    frame = pd.DataFrame(rows, columns=["year", "population", "method", "source"])
    frame.insert(0, "city_id", city.city_id)
    return frame


def load_offenses(path: Path = DATA_DIR / "nibrs_offenses.csv") -> pd.DataFrame:
    """The NIBRS offense crosswalk as a DataFrame (codes kept as text: '09A', '120')."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["part1_offense"] = frame["part1_offense"].replace("", None)
    frame["sensitive"] = frame["sensitive"].map({"true": True, "false": False})
    return frame


def load_weapons(path: Path = DATA_DIR / "nibrs_weapons.csv") -> pd.DataFrame:
    """NIBRS weapon/force codes; firearm is true for codes 11-15."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["firearm"] = frame["firearm"].map({"true": True, "false": False})
    return frame


def load_registry(con: duckdb.DuckDBPyConnection) -> None:
    """Replace the registry tables in the store with the committed files."""
    cities = load_cities()
    city_frame = pd.DataFrame(
        [
            {
                "city_id": c.city_id,
                "name": c.name,
                "state": c.state,
                "state_name": c.state_name,
                "census_geoid": c.census_geoid,
                "land_area_sq_km": c.land_area_sq_km,
                "rep_lat": c.rep_lat,
                "rep_lon": c.rep_lon,
                "bbox_min_lon": c.bbox[0],
                "bbox_min_lat": c.bbox[1],
                "bbox_max_lon": c.bbox[2],
                "bbox_max_lat": c.bbox[3],
                "population": c.population_rtci,
                "rtci_agency": c.rtci_agency,
                "timezone": c.timezone,
            }
            for c in cities
        ]
    )
    population = pd.concat([population_by_year(c) for c in cities], ignore_index=True)
    offenses = load_offenses()
    weapons = load_weapons()
    for table, frame in (
        ("cities", city_frame),
        ("offenses", offenses),
        ("weapons", weapons),
    ):
        name = ident(table, REGISTRY_TABLES)
        cols = ", ".join(ident(c, frame.columns) for c in frame.columns)
        con.execute(f"delete from {name}")  # noqa: S608 - allow-listed identifier
        con.register("registry_frame", frame)
        con.execute(f"insert into {name} ({cols}) select {cols} from registry_frame")  # noqa: S608
        con.unregister("registry_frame")
    # Population rows from a later official load (method 'estimate' from a file) win over
    # the interpolated defaults: only replace rows this registry owns.
    con.register("population_frame", population)
    con.execute(
        "delete from city_population where method in ('census', 'interpolated', 'carried') or source = ?",
        [RTCI],
    )
    con.execute(
        "insert into city_population select * from population_frame p where not exists"
        " (select 1 from city_population c where c.city_id = p.city_id and c.year = p.year)"
    )
    con.unregister("population_frame")
