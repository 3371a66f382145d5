"""The typed filter every query takes, and the one place that turns it into SQL.

A `CrimeFilter` is frozen and hashable (it is the cache key in ui/) and renders its own
WHERE clause with bound parameters for a given table. User values never enter SQL text:
they become `?` parameters; identifiers come from the allow-listed `Table` specs below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from kernel.vocabulary import OFFENSE_KEYS

Granularity = Literal["month", "week"]
Measure = Literal["count", "rate"]
# A parameter slot in a filter clause: `$name`, rendered as `?` or `$<prefix>_name`.
_SLOT = re.compile(r"\$(\w+)")


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
# Every count the official series chose from, with its verdict (migration 0008).
OFFICIAL_CANDIDATES = Table("official_candidates", "month", "part1", has_district=False, has_firearm=False)
DAILY = Table("daily_counts", "day", "nibrs", has_district=True, has_firearm=True)
INCIDENTS = Table("incidents", "occurred_at", "nibrs", has_district=True, has_firearm=True)
# The place and time rollups (migration 0004); months, like MONTHLY: a month is in range
# when its first day is (analysis.query.scope.whole_months snaps a filter to whole months).
MONTH_CODES = Table("monthly_code_counts", "month", "nibrs", has_district=True, has_firearm=True)
CELLS = Table("cell_counts", "month", "nibrs", has_district=True, has_firearm=True)
YEARLY_CELLS = Table("yearly_cell_counts", "year", "nibrs", has_district=True, has_firearm=True)
HOURS = Table("hour_counts", "month", "nibrs", has_district=True, has_firearm=True)
# Weeks (migration 0006): a week is in range when its Monday is; no district column.
WEEKS = Table("weekly_counts", "week", "nibrs", has_district=False, has_firearm=True)
# Incidents per city x source x month (migration 0005): filtered by city, source and
# month only (offenses=() in the filter).
INCIDENT_MONTHS = Table("incident_months", "month", "nibrs", has_district=False, has_firearm=False)
# Stored interventions (migration 0003): filtered by city only (offenses=() in the filter).
INTERVENTIONS = Table("interventions", "start_date", "part1", has_district=False, has_firearm=False)


@dataclass(frozen=True)
class CrimeFilter:
    """What the user is looking at. Empty tuples mean "no restriction".

    offenses: keys from OFFENSE_KEYS (violent_crime, murder, ...).
    start/end: inclusive dates; for monthly tables a month is in range when its first
    day is.
    firearm_only: only offenses recorded as involving a firearm (incident tables only).
    sources: restrict to these sources (e.g. ('demo',)); empty = all.
    codes: specific NIBRS codes within the offense (the incident table's picker; NIBRS
    tables only).
    """

    cities: tuple[str, ...] = ()
    offenses: tuple[str, ...] = ("violent_crime",)
    start: date | None = None
    end: date | None = None
    districts: tuple[str, ...] = ()
    firearm_only: bool = False
    sources: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [o for o in self.offenses if o not in OFFENSE_KEYS]
        if unknown:
            raise ValueError(f"unknown offense keys: {unknown}")
        if self.start and self.end and self.start > self.end:
            raise ValueError("start date is after end date")

    def firearm_violent(self) -> CrimeFilter:
        """The same cities, dates, districts and sources, narrowed to violent offenses
        recorded as involving a firearm (the firearm violent crime series; codes dropped)."""
        return replace(self, offenses=("violent_crime",), codes=(), firearm_only=True)

    def where(self, table: Table, alias: str = "") -> tuple[str, list[object]]:
        """`(sql, params)`: a WHERE clause body (never empty) and its `?` parameters."""
        clauses = self._clauses(table, alias)
        params = [values[name] for text, values in clauses for name in _SLOT.findall(text)]
        return " and ".join(_SLOT.sub("?", text) for text, _ in clauses), params

    def bind(self, table: Table, alias: str = "", prefix: str = "f") -> tuple[str, dict[str, object]]:
        """`(sql, params)`: the same clause with named parameters `$<prefix>_<field>`, for
        queries that bind by name (several filters in one query take different prefixes)."""
        if not prefix.isidentifier():
            raise ValueError(f"bad parameter prefix {prefix!r}")
        clauses = self._clauses(table, alias)
        sql = " and ".join(_SLOT.sub(rf"${prefix}_\1", text) for text, _ in clauses)
        return sql, {f"{prefix}_{k}": v for _, names in clauses for k, v in names.items()}

    def _clauses(self, table: Table, alias: str) -> list[tuple[str, dict[str, object]]]:
        """Each clause with its `$name` parameter slots and their values by name."""
        if alias and not alias.isidentifier():
            raise ValueError(f"bad table alias {alias!r}")
        p = f"{alias}." if alias else ""
        out: list[tuple[str, dict[str, object]]] = [("true", {})]
        if self.cities:
            out.append((f"{p}city_id in (select unnest($cities::varchar[]))", {"cities": list(self.cities)}))
        if self.start:
            out.append((f"{p}{table.date_column} >= $start", {"start": self.start}))
        if self.end:
            end = "$end + interval 1 day" if table.date_column == "occurred_at" else "$end"
            op = "<" if table.date_column == "occurred_at" else "<="
            out.append((f"{p}{table.date_column} {op} {end}", {"end": self.end}))
        if self.sources:
            out.append(
                (f"{p}source in (select unnest($sources::varchar[]))", {"sources": list(self.sources)})
            )
        if self.offenses:
            out.append(self._offense_clause(table, p))
        if self.districts:
            self._require(table.has_district, f"{table.name} has no district column")
            out.append(
                (
                    f"{p}district in (select unnest($districts::varchar[]))",
                    {"districts": list(self.districts)},
                )
            )
        if self.firearm_only:
            self._require(table.has_firearm, f"{table.name} has no firearm column")
            out.append((f"{p}firearm", {}))
        if self.codes:
            self._require(table.offense_kind == "nibrs", f"{table.name} has no nibrs_code column")
            out.append((f"{p}nibrs_code in (select unnest($codes::varchar[]))", {"codes": list(self.codes)}))
        # Clauses are built from allow-listed Table specs; every value is a parameter.
        return out

    def _offense_clause(self, table: Table, p: str) -> tuple[str, dict[str, object]]:
        offenses = list(self.offenses)
        if table.offense_kind == "part1":
            return f"{p}offense in (select unnest($offenses::varchar[]))", {"offenses": offenses}
        return (
            f"{p}nibrs_code in (select nibrs_code from offenses where"  # noqa: S608
            " part1_offense in (select unnest($offenses::varchar[]))"
            " or offense_group || '_crime' in (select unnest($offenses::varchar[])))",
            {"offenses": offenses},
        )

    @staticmethod
    def _require(ok: bool, message: str) -> None:
        if not ok:
            raise ValueError(message)
