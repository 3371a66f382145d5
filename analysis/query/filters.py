"""The typed filter every query takes, and the one place that turns it into SQL.

A `CrimeFilter` is frozen and hashable (it is the cache key in ui/) and renders its own
WHERE clause with bound parameters for a given table. User values never enter SQL text:
they become `?` parameters; identifiers come from the allow-listed `Table` specs below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

# FBI Part I offenses and their totals, the vocabulary of monthly_counts.offense.
PART1_OFFENSES: tuple[str, ...] = (
    "murder",
    "rape",
    "robbery",
    "aggravated_assault",
    "burglary",
    "theft",
    "motor_vehicle_theft",
)
TOTALS: tuple[str, ...] = ("violent_crime", "property_crime")
OFFENSE_KEYS: tuple[str, ...] = TOTALS + PART1_OFFENSES
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
VIOLENT_PARTS = ("murder", "rape", "robbery", "aggravated_assault")
PROPERTY_PARTS = ("burglary", "theft", "motor_vehicle_theft")

Granularity = Literal["month", "week"]
Measure = Literal["count", "rate"]


@dataclass(frozen=True)
class Table:
    """Column names of a table a filter can apply to (an allow-list of identifiers)."""

    name: str
    date_column: str
    offense_kind: Literal["part1", "nibrs"]  # monthly_counts.offense vs *.nibrs_code
    has_district: bool
    has_firearm: bool


MONTHLY = Table("monthly_counts", "month", "part1", has_district=False, has_firearm=False)
# The official series (migration 0008): one count per city x month x offense.
OFFICIAL = Table("official_monthly", "month", "part1", has_district=False, has_firearm=False)
DAILY = Table("daily_counts", "day", "nibrs", has_district=True, has_firearm=True)
INCIDENTS = Table("incidents", "occurred_at", "nibrs", has_district=True, has_firearm=True)
# The place and time rollups (migration 0004); months, like MONTHLY: a month is in range
# when its first day is (analysis.geo.places.whole_months snaps a filter to whole months).
MONTH_CODES = Table("monthly_code_counts", "month", "nibrs", has_district=True, has_firearm=True)
CELLS = Table("cell_counts", "month", "nibrs", has_district=True, has_firearm=True)
YEARLY_CELLS = Table("yearly_cell_counts", "year", "nibrs", has_district=True, has_firearm=True)
HOURS = Table("hour_counts", "month", "nibrs", has_district=True, has_firearm=True)
# Weeks (migration 0006): a week is in range when its Monday is; no district column.
WEEKS = Table("weekly_counts", "week", "nibrs", has_district=False, has_firearm=True)


@dataclass(frozen=True)
class CrimeFilter:
    """What the user is looking at. Empty tuples mean "no restriction".

    offenses: keys from OFFENSE_KEYS (violent_crime, murder, ...).
    start/end: inclusive dates; for monthly tables a month is in range when its first
    day is.
    firearm_only: only offenses recorded as involving a firearm (incident tables only).
    sources: restrict to these sources (e.g. ('demo',)); empty = all.
    """

    cities: tuple[str, ...] = ()
    offenses: tuple[str, ...] = ("violent_crime",)
    start: date | None = None
    end: date | None = None
    districts: tuple[str, ...] = ()
    firearm_only: bool = False
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [o for o in self.offenses if o not in OFFENSE_KEYS]
        if unknown:
            raise ValueError(f"unknown offense keys: {unknown}")
        if self.start and self.end and self.start > self.end:
            raise ValueError("start date is after end date")

    def where(self, table: Table, alias: str = "") -> tuple[str, list[object]]:
        """`(sql, params)`: a WHERE clause body (never empty) and its parameters."""
        if alias and not alias.isidentifier():
            raise ValueError(f"bad table alias {alias!r}")
        p = f"{alias}." if alias else ""
        clauses: list[str] = ["true"]
        params: list[object] = []
        if self.cities:
            clauses.append(f"{p}city_id in (select unnest(?::varchar[]))")
            params.append(list(self.cities))
        if self.start:
            clauses.append(f"{p}{table.date_column} >= ?")
            params.append(self.start)
        if self.end:
            if table.date_column == "occurred_at":
                clauses.append(f"{p}{table.date_column} < ? + interval 1 day")
            else:
                clauses.append(f"{p}{table.date_column} <= ?")
            params.append(self.end)
        if self.sources:
            clauses.append(f"{p}source in (select unnest(?::varchar[]))")
            params.append(list(self.sources))
        if self.offenses:
            if table.offense_kind == "part1":
                clauses.append(f"{p}offense in (select unnest(?::varchar[]))")
                params.append(list(self.offenses))
            else:
                clauses.append(
                    f"{p}nibrs_code in (select nibrs_code from offenses where"  # noqa: S608
                    " part1_offense in (select unnest(?::varchar[]))"
                    " or offense_group || '_crime' in (select unnest(?::varchar[])))"
                )
                params += [list(self.offenses), list(self.offenses)]
        if self.districts:
            if not table.has_district:
                raise ValueError(f"{table.name} has no district column")
            clauses.append(f"{p}district in (select unnest(?::varchar[]))")
            params.append(list(self.districts))
        if self.firearm_only:
            if not table.has_firearm:
                raise ValueError(f"{table.name} has no firearm column")
            clauses.append(f"{p}firearm")
        # Clauses are built from allow-listed Table specs; every value is a parameter.
        return " and ".join(clauses), params
