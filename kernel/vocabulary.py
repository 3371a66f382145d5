"""The offense vocabulary, once: keys, labels, totals and the rate base.

Keys are stored values (monthly_counts.offense, goals.offense, data/goals.toml, mapping
files) and URL values (?offense=), so they never change; labels are what a user reads.
"""

from __future__ import annotations

# FBI Part I offenses and their totals, the vocabulary of monthly_counts.offense. A total
# is the sum of its parts (ingest derives it only when every part is there).
TOTAL_PARTS: dict[str, tuple[str, ...]] = {
    "violent_crime": ("murder", "rape", "robbery", "aggravated_assault"),
    "property_crime": ("burglary", "theft", "motor_vehicle_theft"),
}
VIOLENT_PARTS = TOTAL_PARTS["violent_crime"]
PROPERTY_PARTS = TOTAL_PARTS["property_crime"]
PART1_OFFENSES: tuple[str, ...] = VIOLENT_PARTS + PROPERTY_PARTS
TOTALS: tuple[str, ...] = tuple(TOTAL_PARTS)
OFFENSE_KEYS: tuple[str, ...] = TOTALS + PART1_OFFENSES  # the sidebar's order
OFFENSE_LABELS: dict[str, str] = {
    "violent_crime": "Violent crime",
    "property_crime": "Property crime",
    "murder": "Murder",
    "rape": "Rape",
    "robbery": "Robbery",
    "aggravated_assault": "Aggravated assault",
    "burglary": "Burglary",
    "theft": "Larceny-theft",
    "motor_vehicle_theft": "Motor vehicle theft",
}

# Violent offenses recorded with a firearm (NIBRS weapon codes 11-15), where the data
# records the weapon. The key is stored in goals.offense and data/goals.toml.
FIREARM_VIOLENT = "firearm_violent_crime"
# Every series a goal, an intervention or a comparison can follow, and its label.
SERIES_OFFENSES: tuple[str, ...] = OFFENSE_KEYS + (FIREARM_VIOLENT,)
SERIES_LABELS: dict[str, str] = {**OFFENSE_LABELS, FIREARM_VIOLENT: "Firearm-involved violent crime"}

RATE_BASE = 100_000  # rates are per 100,000 residents (per person-year for periods)
