"""Complete time series per city and offense, and the reshapes the Trends page draws from
them (12-month sums, the seasonal profile); their changes are analysis.series.changes.

Design decisions
- Monthly series are the official series (official_monthly, analysis/series/official.py): one
  count per city x month x offense, chosen by the one precedence, each row naming its
  source; a series runs over its own span (first to last official month) and a month
  without an official count inside it is a gap (no value), never a zero.
- Weekly series, firearm-only and district views need days, weapons or districts, so
  they read the incident rollups, from one incident extract per city x offense: one the
  official rules qualify for that offense (citywide, in its part1_scope), over the whole
  periods it covers (analysis.series.periods.Coverage = source_spans); a period without rows
  there is a true zero. Of several, the official tie-break (analysis.series.official.INCIDENT_ORDER).
- Weeks run Monday to Sunday and count only when all seven days are inside the span.
- Rates are per 100,000 residents with the population of the period's own year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Literal

import duckdb
import pandas as pd

from analysis.query import sqlfile
from analysis.query.filters import DAILY, MONTH_CODES, OFFICIAL, WEEKS, CrimeFilter, Granularity, Table
from analysis.query.sqlfile import Fragment
from analysis.series.official import INCIDENT_ORDER
from analysis.series.periods import COVERAGE_CTE, Coverage
from kernel.sql import ident
from kernel.vocabulary import PROPERTY_PARTS, RATE_BASE, VIOLENT_PARTS

FIREARM_KNOWN_SHARE = 0.5  # a source "records firearms" when at least half its rows say yes/no

# The group total each offense key belongs to.
GROUP_TOTAL: dict[str, str] = (
    {o: "violent_crime" for o in VIOLENT_PARTS}
    | {o: "property_crime" for o in PROPERTY_PARTS}
    | {"violent_crime": "violent_crime", "property_crime": "property_crime"}
)
SERIES_COLUMNS = ["city_id", "city", "period", "offense", "source", "kind", "count", "population", "rate"]

# Weekly, firearm and district views need days, weapons or districts: incident records
# (incident_series.sql); monthly views the official series (official_series.sql).
# Allow-listed SQL per period unit (first/last complete period inside lo..hi), and the
# rollup each view counts from with its period expression.
_UNITS: dict[str, dict[str, Fragment]] = {
    "month": {
        "step": Fragment("1 month"),
        "first_period": Fragment("date_trunc('month', lo + interval 1 month - interval 1 day)::date"),
        "last_period": Fragment("date_trunc('month', hi + interval 1 day - interval 1 month)::date"),
    },
    "week": {
        "step": Fragment("7 day"),
        "first_period": Fragment("date_trunc('week', lo + interval 6 day)::date"),
        "last_period": Fragment("(date_trunc('week', hi + interval 1 day) - interval 7 day)::date"),
    },
}
_ROLLUPS: dict[tuple[str, bool], tuple[Table, Fragment]] = {
    # Months by NIBRS code come from monthly_code_counts: a month there is in range when
    # its first day is, and the grid keeps only months wholly in range, as from days.
    ("month", False): (MONTH_CODES, Fragment("d.month")),
    ("month", True): (MONTH_CODES, Fragment("d.month")),
    # Weeks from weekly_counts, or from daily_counts for districts (weekly_counts has none);
    # the grid likewise keeps only weeks wholly in range.
    ("week", False): (WEEKS, Fragment("d.week")),
    ("week", True): (DAILY, Fragment("date_trunc('week', d.day)::date")),
}


def _with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    frame["count"] = frame["count"].astype("Float64")
    frame["rate"] = frame["count"] * RATE_BASE / frame["population"]
    return frame[SERIES_COLUMNS]


def period_series(
    con: duckdb.DuckDBPyConnection,
    filt: CrimeFilter,
    cov: Coverage,
    granularity: Granularity = "month",
) -> pd.DataFrame:
    """Complete monthly or weekly counts and rates per city x offense.

    Columns: city_id, city, period (first day of the month / Monday of the week), offense,
    source, kind ('incidents' | 'counts'), count (nullable: a gap in published counts),
    population, rate (per 100,000 residents of the period's year).

    Months are in range when their first day is (the filter's rule for monthly tables);
    weeks, and months summed from days, only when wholly inside the range.
    """
    daily = granularity == "week" or filt.firearm_only or bool(filt.districts)
    if not daily:
        where, params = filt.bind(OFFICIAL)
        sql = sqlfile.render(__package__, "official_series.sql", where=Fragment(where))
        return _with_rates(con.execute(sql, params).df())
    sql, params = _incident_series_sql(filt, granularity)
    params |= cov.sql_params() | {
        "offenses": list(filt.offenses),
        "totals": [GROUP_TOTAL[o] for o in filt.offenses],
        "start": filt.start,
        "end": filt.end,
        "firearm_only": filt.firearm_only,
        "known_share": FIREARM_KNOWN_SHARE,
    }
    return _with_rates(con.execute(sql, params).df())


def _incident_series_sql(filt: CrimeFilter, granularity: Granularity) -> tuple[str, dict[str, object]]:
    """incident_series.sql for the filter, and the parameters of its three filter clauses:
    which extracts qualify (any), which record the weapon (weapon), what is counted (f)."""
    scope = replace(filt, offenses=(), start=None, end=None, districts=(), firearm_only=False)
    where_any, params = scope.bind(OFFICIAL, prefix="any")
    where_weapon = "false"
    if filt.firearm_only:
        # Whether a source records the weapon: judged on the months of the filter.
        where_weapon, weapon = replace(filt, offenses=(), firearm_only=False).bind(MONTH_CODES, "d", "weapon")
        params |= weapon
    table, period = _ROLLUPS[granularity, bool(filt.districts)]
    where_counts, counts = replace(filt, offenses=()).bind(table, "d", "f")
    sql = sqlfile.render(
        __package__,
        "incident_series.sql",
        coverage=COVERAGE_CTE,
        where_any=Fragment(where_any),
        where_weapon=Fragment(where_weapon),
        where_counts=Fragment(where_counts),
        counts_table=Fragment(ident(table.name, {t.name for t, _ in _ROLLUPS.values()})),
        period=period,
        order=Fragment(INCIDENT_ORDER),
        **_UNITS[granularity],
    )
    return sql, params | counts


def last_periods(frame: pd.DataFrame) -> dict[str, date]:
    """Each city's last complete period in a series frame (over all its offenses: the
    earliest of their ends, so that every shown series of the city is complete)."""
    if frame.empty:
        return {}
    ends = frame.groupby(["city_id", "offense"])["period"].max().groupby("city_id").min()
    return {c: pd.Timestamp(v).date() for c, v in ends.items()}


def rolling_12(frame: pd.DataFrame) -> pd.DataFrame:
    """Rolling 12-month sums of a monthly series frame (seasonality removed).

    count_12m = the 12 months ending at `period`; rate_12m = that count per 100,000
    person-years (each month weighted by its year's population / 12), i.e. an annual rate.
    A window with a gap or fewer than 12 months has no value.
    """
    columns = ["city_id", "city", "period", "offense", "source", "count_12m", "rate_12m"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    out = frame.sort_values(["city_id", "offense", "period"]).reset_index(drop=True)
    groups = out.groupby(["city_id", "offense"], sort=False)
    counts = out["count"].astype("float64")
    # a break in the month grid (a gap) must not be bridged: 12 steps of one month each
    step_ok = groups["period"].diff().dt.days.le(31).astype("float64")
    in_run = step_ok.groupby([out["city_id"], out["offense"]]).rolling(11, min_periods=11).sum()
    sums = counts.groupby([out["city_id"], out["offense"]]).rolling(12, min_periods=12).sum()
    person_years = (out["population"] / 12).groupby([out["city_id"], out["offense"]]).rolling(12).sum()
    out["count_12m"] = sums.reset_index(level=[0, 1], drop=True).where(
        in_run.reset_index(level=[0, 1], drop=True) == 11
    )
    out["rate_12m"] = out["count_12m"] * RATE_BASE / person_years.reset_index(level=[0, 1], drop=True)
    return out[columns].dropna(subset=["count_12m"]).reset_index(drop=True)


def seasonal_profile(frame: pd.DataFrame, city_id: str | None = None) -> pd.DataFrame:
    """Month-of-year profile, one row per year x month: count and rate.

    With `city_id` None the shown cities are pooled: counts add up, and the rate is the
    pooled count per 100,000 residents of the cities with data that month.
    Columns: year, month_of_year (1-12), count, population, rate, cities.
    """
    part = for_city(frame, city_id).dropna(subset=["count"])
    columns = ["year", "month_of_year", "count", "population", "rate", "cities"]
    if part.empty:
        return pd.DataFrame(columns=columns)
    part = part.assign(year=part["period"].dt.year, month_of_year=part["period"].dt.month)
    out = (
        part.groupby(["year", "month_of_year"], as_index=False)
        .agg(count=("count", "sum"), population=("population", "sum"), cities=("city_id", "nunique"))
        .astype({"count": "int64"})
    )
    out["rate"] = out["count"] * RATE_BASE / out["population"]
    return out[columns]


def absent_cities(
    frame: pd.DataFrame,
    requested: tuple[str, ...],
    cov: Coverage,
    names: Mapping[str, str],
    view: Literal["month", "week", "firearm"] = "month",
) -> list[str]:
    """Plain-words notes, one per reason, on requested cities (all, if none requested)
    that a series frame does not show: 'No data in the store: Buffalo, Toledo.'"""
    wanted = list(requested) or list(names)
    shown = set(frame["city_id"]) if not frame.empty else set()
    with_incidents, any_data = cov.cities("incidents"), cov.cities()
    what = "weekly series" if view == "week" else "firearm involvement"
    reasons: dict[str, list[str]] = {}
    for city_id in wanted:
        if city_id in shown:
            continue
        if city_id not in any_data:
            reason = "No data in the store"
        elif view in ("week", "firearm") and city_id not in with_incidents:
            reason = f"Only published monthly counts, so no {what}"
        elif view == "firearm":
            reason = "The data does not record firearm involvement for this offense"
        else:
            reason = "No complete data for this offense in the chosen range"
        reasons.setdefault(reason, []).append(names.get(city_id, city_id))
    return [f"{reason}: {', '.join(sorted(cities))}." for reason, cities in reasons.items()]


def for_city(frame: pd.DataFrame, city_id: str | None) -> pd.DataFrame:
    """The rows of one city (all rows when city_id is None)."""
    return frame if city_id is None else frame[frame["city_id"] == city_id]


def cities_in(frame: pd.DataFrame) -> dict[str, str]:
    """city_id -> name of the cities in a frame, in name order."""
    pairs = frame[["city_id", "city"]].drop_duplicates().sort_values("city")
    return dict(zip(pairs["city_id"], pairs["city"], strict=True))
