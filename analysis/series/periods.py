"""Which months are complete, and the year-to-date windows cut from them.

Design decisions
- Completeness is decided per city x source at ingest (source_spans, by the rule in
  analysis/series/official.py: whole months only, stray late reports do not start a span), read
  once per store version, and handed to the series queries as a small hashable
  `Coverage` value. Only sources covering the whole city are in it.
- Year to date compares January..cutoff with the same months a year earlier, cut at the
  last month that every compared city has complete. A city whose data ends more than
  STALE_MONTHS before the most recent city would drag everyone back years: it is left out
  of the comparison and named instead.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb

STALE_MONTHS = 12
EARLY_YEAR_MONTHS = 3  # YTD over three months or fewer is noisy: the pages say so

Kind = Literal["incidents", "counts"]

# The complete months of every citywide city x source: source_spans, rebuilt at every
# write by analysis.series.official.build_official (the one rule for "last complete month").
COVERAGE_SQL = """
select city_id, source, kind, first_month, last_month
from source_spans where coverage = 'city' order by city_id, source
"""


@dataclass(frozen=True)
class SourceSpan:
    """The complete months one source gives for one city (first and last month, inclusive)."""

    city_id: str
    source: str
    kind: Kind
    first_month: date
    last_month: date


@dataclass(frozen=True)
class Coverage:
    """Complete spans per city x source. Hashable, so it can key a cached query."""

    spans: tuple[SourceSpan, ...]

    def sql_params(self) -> list[object]:
        """Five parallel lists for the COVERAGE_CTE below (city, source, kind, first, last)."""
        return [
            [s.city_id for s in self.spans],
            [s.source for s in self.spans],
            [s.kind for s in self.spans],
            [s.first_month for s in self.spans],
            [s.last_month for s in self.spans],
        ]

    def cities(self, kind: Kind | None = None) -> set[str]:
        return {s.city_id for s in self.spans if kind is None or s.kind == kind}


# The Coverage value as a relation inside a query (bind Coverage.sql_params()).
COVERAGE_CTE = """
coverage as (
    select unnest(?::varchar[]) as city_id, unnest(?::varchar[]) as source,
           unnest(?::varchar[]) as kind, unnest(?::date[]) as first_month,
           unnest(?::date[]) as last_month
)"""


def coverage(con: duckdb.DuckDBPyConnection) -> Coverage:
    """The complete span of every city x source in the store (see the module docstring)."""
    rows = con.execute(COVERAGE_SQL).fetchall()
    return Coverage(tuple(SourceSpan(r[0], r[1], r[2], r[3], r[4]) for r in rows))


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after `month` (n may be negative)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])


@dataclass(frozen=True)
class YtdWindow:
    """January..cutoff month of one year against the same months of the year before."""

    cutoff: date  # first day of the last complete month

    @property
    def year(self) -> int:
        return self.cutoff.year

    @property
    def months(self) -> int:
        return self.cutoff.month

    @property
    def current(self) -> tuple[date, date]:
        return date(self.year, 1, 1), month_end(self.cutoff)

    @property
    def prior(self) -> tuple[date, date]:
        return date(self.year - 1, 1, 1), month_end(date(self.year - 1, self.cutoff.month, 1))

    @property
    def early(self) -> bool:
        """True when the window is short enough that a few events swing it."""
        return self.months <= EARLY_YEAR_MONTHS

    def label(self) -> str:
        """'Jan–Mar 2024 vs Jan–Mar 2023' (or 'Jan 2024 vs Jan 2023')."""
        span = "Jan" if self.months == 1 else f"Jan–{self.cutoff:%b}"
        return f"{span} {self.year} vs {span} {self.year - 1}"

    def caveat(self) -> str:
        text = (
            f"Year to date: {self.label()}, cut at {self.cutoff:%B %Y}, the last month every "
            "compared city has complete. Rates are per 100,000 residents of each year and are "
            "not annualised."
        )
        if self.early:
            text += (
                f" Only {self.months} month{'s' if self.months > 1 else ''} into the year: a few "
                "events move these figures a lot, so read the Poisson judgement, not the percent."
            )
        return text


def common_cutoff(
    last_months: Mapping[str, date], stale_months: int = STALE_MONTHS
) -> tuple[date | None, dict[str, date]]:
    """The last month every city has complete, and the cities left out as stale.

    A city whose last complete month is more than `stale_months` before the most recent
    city's is left out (returned with its last month) instead of dragging the cutoff back.
    """
    if not last_months:
        return None, {}
    newest = max(last_months.values())
    oldest_allowed = add_months(newest, -stale_months)
    stale = {c: m for c, m in last_months.items() if m < oldest_allowed}
    kept = [m for c, m in last_months.items() if c not in stale]
    return min(kept), stale
