"""The offense vocabulary (kernel/vocabulary.py): stored keys and their labels."""

from __future__ import annotations

import tomllib

from kernel.settings import DATA_DIR, ROOT
from kernel.vocabulary import (
    FIREARM_VIOLENT,
    OFFENSE_KEYS,
    OFFENSE_LABELS,
    PART1_OFFENSES,
    PROPERTY_PARTS,
    RATE_BASE,
    SERIES_LABELS,
    SERIES_OFFENSES,
    TOTAL_PARTS,
    TOTALS,
    VIOLENT_PARTS,
)


def test_part1_offenses_and_their_totals() -> None:
    violent = "murder rape robbery aggravated_assault".split()
    property_ = "burglary theft motor_vehicle_theft".split()
    assert PART1_OFFENSES == (*violent, *property_)
    assert TOTALS == ("violent_crime", "property_crime")
    assert (list(VIOLENT_PARTS), list(PROPERTY_PARTS)) == (violent, property_)
    assert set(VIOLENT_PARTS) | set(PROPERTY_PARTS) == set(PART1_OFFENSES)
    assert set(TOTAL_PARTS) == set(TOTALS)
    # The sidebar lists the totals first.
    assert OFFENSE_KEYS[:2] == TOTALS and len(OFFENSE_KEYS) == 9


def test_every_key_has_a_label() -> None:
    assert set(OFFENSE_LABELS) == set(OFFENSE_KEYS)
    assert OFFENSE_LABELS["theft"] == "Larceny-theft"
    assert set(SERIES_LABELS) == set(SERIES_OFFENSES) == set(OFFENSE_KEYS) | {FIREARM_VIOLENT}
    assert SERIES_LABELS[FIREARM_VIOLENT] == "Firearm-involved violent crime"


def test_the_firearm_key_is_the_stored_one() -> None:
    # goals.offense rows, data/goals.toml and the goals CLI use this key; changing it
    # would orphan every stored firearm goal.
    assert FIREARM_VIOLENT == "firearm_violent_crime"
    goals = tomllib.loads((DATA_DIR / "goals.toml").read_text())
    offenses = {g["offense"] for g in goals["goal"]}
    assert FIREARM_VIOLENT in offenses and offenses <= set(SERIES_OFFENSES)
    assert FIREARM_VIOLENT in (ROOT / "ingest" / "migrations" / "0003_goals.sql").read_text()


def test_rates_are_per_100000() -> None:
    assert RATE_BASE == 100_000
