"""The committed registry: 12 PSP cities, the NIBRS crosswalk, weapons, populations.

City facts are checked against the shared reference table, which was derived
independently from the Census boundary files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ingest.registry import load_cities, load_offenses, load_weapons, population_by_year

PSP = {
    "Birmingham": "AL",
    "Indianapolis": "IN",
    "Memphis": "TN",
    "Toledo": "OH",
    "Baton Rouge": "LA",
    "Buffalo": "NY",
    "Cincinnati": "OH",
    "Houston": "TX",
    "Jackson": "TN",
    "Kansas City": "MO",
    "Lansing": "MI",
    "Springfield": "IL",
}


def test_twelve_psp_cities_with_unique_state_slugs() -> None:
    cities = load_cities()
    assert {c.name: c.state for c in cities} == PSP
    slugs = [c.city_id for c in cities]
    assert len(set(slugs)) == 12
    for c in cities:
        assert re.fullmatch(r"[a-z_]+_[a-z]{2}", c.city_id)
        assert c.city_id.endswith("_" + c.state.lower())
    assert {"memphis_tn", "kansas_city_mo", "jackson_tn", "springfield_il"} <= set(slugs)


def test_city_facts_match_shared_reference(shared_data: Path) -> None:
    with open(shared_data / "reference" / "psp_cities.csv") as fh:
        ref = {(r["city"], r["state"]): r for r in csv.DictReader(fh)}
    for c in load_cities():
        r = ref[(c.name, c.state)]
        assert c.census_geoid == r["census_geoid"]
        assert c.population_rtci == int(r["population_rtci_2026"])
        assert c.rep_lat == pytest.approx(float(r["rep_point_lat"]))
        assert c.bbox == pytest.approx(
            tuple(float(r[k]) for k in ("bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat"))
        )
        min_lon, min_lat, max_lon, max_lat = c.bbox
        assert min_lat < c.rep_lat < max_lat and min_lon < c.rep_lon < max_lon


def test_every_nibrs_code_has_a_group_and_part1_mapping_is_fbi() -> None:
    offenses = load_offenses()
    assert offenses["nibrs_code"].is_unique
    assert set(offenses["offense_group"]) == {"violent", "property", "other"}
    assert set(offenses["crime_against"]) <= {"person", "property", "society", "not_a_crime"}
    part1 = offenses.dropna(subset=["part1_offense"]).groupby("part1_offense")["nibrs_code"].apply(set)
    assert part1["murder"] == {"09A"}
    assert part1["rape"] == {"11A", "11B", "11C"}
    assert part1["robbery"] == {"120"}
    assert part1["aggravated_assault"] == {"13A"}
    assert part1["burglary"] == {"220"}
    assert part1["theft"] == {f"23{x}" for x in "ABCDEFGH"}
    assert part1["motor_vehicle_theft"] == {"240"}
    violent = set(offenses.loc[offenses.offense_group == "violent", "nibrs_code"])
    assert violent == {"09A", "11A", "11B", "11C", "120", "13A"}
    # Robbery is a crime against property in NIBRS yet violent in the UCR grouping.
    assert offenses.set_index("nibrs_code").loc["120", "crime_against"] == "property"
    # Arson is Part I but counted apart from property crime.
    assert offenses.set_index("nibrs_code").loc["200", "offense_group"] == "other"
    for code in ("13B", "35A", "520", "290", "26A"):
        assert code in set(offenses["nibrs_code"])


def test_sex_offenses_are_sensitive() -> None:
    offenses = load_offenses().set_index("nibrs_code")
    for code in ("11A", "11B", "11C", "11D", "36A", "36B"):
        assert offenses.loc[code, "sensitive"]
    assert not offenses.loc["13A", "sensitive"]


def test_firearm_weapon_codes_are_11_to_15() -> None:
    weapons = load_weapons()
    assert set(weapons.loc[weapons.firearm, "weapon_code"]) == {"11", "12", "13", "14", "15"}


def test_population_by_year_is_census_and_labelled_interpolation() -> None:
    memphis = next(c for c in load_cities() if c.city_id == "memphis_tn")
    pop = population_by_year(memphis).set_index("year")
    assert pop.loc[2010, "population"] == 646889 and pop.loc[2010, "method"] == "census"
    assert pop.loc[2020, "population"] == 633104 and pop.loc[2020, "method"] == "census"
    assert pop.loc[2025, "population"] == 616061 and pop.loc[2025, "method"] == "estimate"
    # 2023 = 633104 + 3/5 * (616061 - 633104) = 622878.2
    assert pop.loc[2023, "population"] == 622878 and pop.loc[2023, "method"] == "interpolated"
    assert pop.loc[2026, "population"] == 616061 and pop.loc[2026, "method"] == "carried"
    assert list(pop.index) == list(range(2010, 2027))
