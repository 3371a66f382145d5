"""What a one-city page (Map, City profile) looks at: whole months, one source, a window.

Design decisions
- Whole months. The place and time rollups count by month, so these pages count whole
  calendar months: every month that overlaps the chosen period. The page says which.
- One incident source per city. Two incident sources for one city (a sample extract and a
  full one, say) would double count if added; a city uses the one extract
  analysis.series.provenance.incident_sources picks (citywide first, then the official
  tie-break), and the page names it.
- The comparison window of the City profile: the last 12 months of the chosen period
  (all of it when shorter), ending at the city's last complete month, against the same
  months one year before. A change needs both windows fully reported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb

from analysis.query import sqlfile
from analysis.query.filters import CELLS, DAILY, HOURS, MONTH_CODES, CrimeFilter, Table
from analysis.query.sqlfile import Fragment
from analysis.series.provenance import incident_sources
from kernel.months import add_months, month_end, month_start, months_spanned
from kernel.sql import ident

MAX_WINDOW_MONTHS = 12
ROLLUPS_WITH_N = tuple(t.name for t in (DAILY, MONTH_CODES, CELLS, HOURS))


def month_label(first: date, last: date) -> str:
    """'Jan–Dec 2025', 'Mar 2024 – Feb 2025' or 'Jun 2025' for a run of whole months."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b}–{last:%b %Y}"
    return f"{first:%b %Y} – {last:%b %Y}"


def whole_months(filt: CrimeFilter) -> CrimeFilter:
    """The filter widened to whole months: the first day of the start's month to the last
    day of the end's month (only the chosen period's ends move)."""
    return replace(
        filt,
        start=month_start(filt.start) if filt.start else None,
        end=month_end(filt.end) if filt.end else None,
    )


def sum_n(con: duckdb.DuckDBPyConnection, table: Table, filt: CrimeFilter) -> int:
    """Sum of the rollup column `n` over the rows of `table` that `filt` selects."""
    where, params = filt.bind(table)
    sql = sqlfile.render(
        __package__,
        "rollup_total.sql",
        table=Fragment(ident(table.name, ROLLUPS_WITH_N)),
        where=Fragment(where),
    )
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def incident_source(con: duckdb.DuckDBPyConnection, city_id: str) -> str | None:
    """The city's one incident extract (analysis.series.provenance.incident_sources), or None
    when the store holds no incident records for the city."""
    return incident_sources(con, (city_id,)).get(city_id)


def scoped(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> CrimeFilter | None:
    """The one-city filter in whole months and restricted to the city's incident source;
    None when the city has no incident records. The filter must name exactly one city."""
    if len(filt.cities) != 1:
        raise ValueError("a one-city page needs exactly one city in the filter")
    source = filt.sources[0] if filt.sources else incident_source(con, filt.cities[0])
    if source is None:
        return None
    return whole_months(replace(filt, sources=(source,)))


@dataclass(frozen=True)
class Window:
    """The months a City profile compares: [start, end] against [prior_start, prior_end]."""

    start: date  # first day of the first month
    end: date  # last day of the last month
    prior_start: date
    prior_end: date
    clipped: bool  # the chosen period was longer than MAX_WINDOW_MONTHS
    cut_at_complete: bool  # the chosen period ran past the last complete month
    prior_covered: bool  # the source has data for the whole prior window

    @property
    def months(self) -> int:
        return months_spanned(self.start, self.end)

    @property
    def label(self) -> str:
        return month_label(self.start, self.end)

    @property
    def prior_label(self) -> str:
        return month_label(self.prior_start, self.prior_end)

    def current(self, filt: CrimeFilter) -> CrimeFilter:
        return replace(filt, start=self.start, end=self.end)

    def prior(self, filt: CrimeFilter) -> CrimeFilter:
        return replace(filt, start=self.prior_start, end=self.prior_end)

    def both(self, filt: CrimeFilter) -> CrimeFilter:
        """Prior and current window together (for series that show both years)."""
        return replace(filt, start=self.prior_start, end=self.end)


SPAN_SQL = """
with final as (
    select min(m.month) as first_month, max(m.month) as last_month,
           (select last_month from source_spans s where s.city_id = $city and s.source = $source) as last_complete,
           coalesce((select coverage from source_spans s where s.city_id = $city and s.source = $source), 'city') as coverage
    from monthly_code_counts m
    where m.city_id = $city and m.source = $source
)
select * from final
"""


@dataclass(frozen=True)
class Coverage:
    """What one city's incident source covers."""

    source: str
    first_month: date
    last_month: date
    last_complete_month: date  # first day of the last month the source fully covers
    citywide: bool = True  # False: the mapping declares an area of the city (coverage = "area")

    def shown(self, filt: CrimeFilter) -> str:
        """The months of `filt` this source has data for, e.g. 'Jan–Dec 2019'."""
        first = max(month_start(filt.start), self.first_month) if filt.start else self.first_month
        last = min(month_start(filt.end), self.last_month) if filt.end else self.last_month
        return month_label(first, last) if first <= last else "no month with data"

    def note(self, shown: str) -> str:
        """The source/coverage line under a chart showing the months `shown`."""
        return (
            f"Source: {self.source} ({'incident records' if self.citywide else 'incident records of an area of the city, not all of it'}), "
            f"{month_label(self.first_month, self.last_month)}; "
            f"last complete month {self.last_complete_month:%b %Y}. Shown: {shown}."
        )


def coverage(con: duckdb.DuckDBPyConnection, city_id: str, source: str) -> Coverage | None:
    """What `source` covers for `city_id` (keyed on the two only, so that a page's cache
    keeps it while the offense or the period change); None when it has no data."""
    row = con.execute(SPAN_SQL, {"city": city_id, "source": source}).fetchone()
    if not row or row[0] is None:
        return None
    first_month, last_month, last_complete, extent = row
    # The last whole month the extract covers (source_spans, analysis/series/official.py); an
    # extract without one whole month: the month before its first.
    if last_complete is None:
        last_complete = add_months(first_month, -1)
    return Coverage(source, first_month, last_month, last_complete, extent == "city")


def comparison_window(cov: Coverage, filt: CrimeFilter) -> Window | None:
    """The City profile's window for a filter's period given its city's coverage (see the
    module docstring), or None when the source has no data in the chosen period."""
    chosen_start = month_start(filt.start) if filt.start else cov.first_month
    chosen_end = month_start(filt.end) if filt.end else cov.last_month
    start_bound = max(chosen_start, cov.first_month)
    end = min(chosen_end, cov.last_complete_month, cov.last_month)
    cut = end < chosen_end
    if end < start_bound:
        # No complete month in the chosen period: show what there is.
        end, cut = min(chosen_end, cov.last_month), False
        if end < start_bound:
            return None
    start = max(start_bound, add_months(end, -(MAX_WINDOW_MONTHS - 1)))
    prior_start = add_months(start, -12)
    return Window(
        start=start,
        end=month_end(end),
        prior_start=prior_start,
        prior_end=month_end(add_months(end, -12)),
        clipped=start > start_bound,
        cut_at_complete=cut,
        prior_covered=prior_start >= cov.first_month,
    )
