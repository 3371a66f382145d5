"""Complete time series per city and offense, and what the Trends page derives from them.

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
import numpy as np
import pandas as pd

from analysis.query.filters import (
    DAILY,
    MONTH_CODES,
    OFFICIAL,
    PROPERTY_PARTS,
    VIOLENT_PARTS,
    WEEKS,
    CrimeFilter,
    Granularity,
)
from analysis.series.official import INCIDENT_ORDER
from analysis.series.periods import COVERAGE_CTE, Coverage, YtdWindow, add_months
from analysis.stats.exact import Change, days_between, judge_frame

RATE_BASE = 100_000
FIREARM_KNOWN_SHARE = 0.5  # a source "records firearms" when at least half its rows say yes/no

# The group total each offense key belongs to.
GROUP_TOTAL: dict[str, str] = (
    {o: "violent_crime" for o in VIOLENT_PARTS}
    | {o: "property_crime" for o in PROPERTY_PARTS}
    | {"violent_crime": "violent_crime", "property_crime": "property_crime"}
)
SERIES_COLUMNS = ["city_id", "city", "period", "offense", "source", "kind", "count", "population", "rate"]

# Weekly, firearm and district views need days, weapons or districts: incident records.
# An incident source stands for an offense where the official series' rules let it
# (analysis.series.official: a citywide extract, an offense in its part1_scope, whole months),
# i.e. where official_candidates holds it as qualifying. Views from the daily rollups
# restrict candidates in {weapon}: for firearm views only sources that record the weapon
# for most of the group's offenses. Of several, the official precedence's tie-break.
_HOLDS = """
wanted as (select unnest(?::varchar[]) as offense, unnest(?::varchar[]) as total),
holds as (
    select distinct city_id, source, offense from official_candidates
    where kind = 'incidents' and qualifies and {where_any}
),
candidates as (
    select v.city_id, w.offense, v.source, v.kind,
           greatest(v.first_month, coalesce(?::date, v.first_month)) as lo,
           least({span_end}, coalesce(?::date, {span_end})) as hi,
           v.first_month, v.last_month
    from coverage v
    cross join wanted w
    join holds h on h.city_id = v.city_id and h.source = v.source and h.offense = w.offense
    {weapon}
)"""

_WEAPON = """
    where v.kind = 'incidents' and exists (
        select 1 from {table} d
        where {where_weapon} and d.city_id = v.city_id and d.source = v.source
            and d.offense_group || '_crime' = w.total
        having sum(d.n) filter (where d.firearm is not null) >= ? * sum(d.n)
    )"""

_SERIES_SQL = """
with {coverage},
{holds},
chosen as (
    select * from candidates where {first_period} <= {last_period}
    qualify row_number() over (partition by city_id, offense order by {order}) = 1
),
grid as (
    select city_id, offense, source, kind,
           unnest(generate_series({first_period}, {last_period}, interval {step}))::date as period
    from chosen
),
{counts},
final as (
    select g.city_id, c.name as city, g.period, g.offense, g.source, g.kind,
           coalesce(n.count, 0) as count,
           p.population
    from grid g
    join cities c using (city_id)
    left join counts n using (city_id, period, offense, source)
    left join city_population p on p.city_id = g.city_id and p.year = year(g.period)
)
select * from final order by city, offense, period
"""

# The official monthly series: each city x offense over its own span (first to last
# official month in range), a month without an official count a gap (no value).
_OFFICIAL_SQL = """
with scoped as (
    select city_id, month as period, offense, count, source, kind from official_monthly where {where}
),
spans as (select city_id, offense, min(period) as lo, max(period) as hi from scoped group by all),
grid as (
    select city_id, offense, unnest(generate_series(lo, hi, interval 1 month))::date as period from spans
),
final as (
    select g.city_id, c.name as city, g.period, g.offense, s.source,
           case when s.kind = 'incidents' then 'incidents' else 'counts' end as kind,
           s.count, p.population
    from grid g
    join cities c using (city_id)
    left join scoped s using (city_id, offense, period)
    left join city_population p on p.city_id = g.city_id and p.year = year(g.period)
)
select * from final order by city, offense, period
"""

# Counts per period: from the monthly rollup, or summed over the NIBRS codes that make up
# each wanted offense from the month x code rollup (firearm, districts by month) or the
# daily rollup (weeks; ten times the rows).
_DAILY_COUNTS = """
code_map as (
    select o.nibrs_code, w.offense
    from offenses o
    join wanted w on o.part1_offense is not null
        and (w.offense = o.part1_offense or w.offense = o.offense_group || '_crime')
),
counts as (
    select d.city_id, {period} as period, m.offense, d.source,
           sum(d.n) as count
    from {table} d
    join code_map m using (nibrs_code)
    where {where} and d.nibrs_code in (select nibrs_code from code_map)
    group by all
)"""

# Allow-listed SQL fragments per period unit (first/last complete period inside lo..hi).
_UNITS = {
    "month": {
        "unit": "month",
        "step": "1 month",
        "first_period": "date_trunc('month', lo + interval 1 month - interval 1 day)::date",
        "last_period": "date_trunc('month', hi + interval 1 day - interval 1 month)::date",
    },
    "week": {
        "unit": "week",
        "step": "7 day",
        "first_period": "date_trunc('week', lo + interval 6 day)::date",
        "last_period": "(date_trunc('week', hi + interval 1 day) - interval 7 day)::date",
    },
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
        where, params = filt.where(OFFICIAL)
        return _with_rates(con.execute(_OFFICIAL_SQL.format(where=where), params).df())
    scope = replace(filt, offenses=(), start=None, end=None, districts=(), firearm_only=False)
    where_any, any_params = scope.where(OFFICIAL)
    weapon = "where v.kind = 'incidents'"
    weapon_params: list[object] = []
    # Months by NIBRS code come from monthly_code_counts: a month there is in range when
    # its first day is, and the grid keeps only months wholly in range, as from days.
    # Weeks come from weekly_counts, or from daily_counts for districts (weekly_counts has
    # none); the grid likewise keeps only weeks wholly in range.
    codes, period = MONTH_CODES, "d.month"
    if granularity == "week":
        codes, period = (DAILY, "date_trunc('week', d.day)::date") if filt.districts else (WEEKS, "d.week")
    if filt.firearm_only:
        # Whether a source records the weapon: judged on the months of the filter.
        where_weapon, weapon_params = replace(filt, offenses=(), firearm_only=False).where(MONTH_CODES, "d")
        weapon = _WEAPON.format(where_weapon=where_weapon, table=MONTH_CODES.name)
        weapon_params = [*weapon_params, FIREARM_KNOWN_SHARE]
    where, params = replace(filt, offenses=()).where(codes, "d")
    counts = _DAILY_COUNTS.format(where=where, table=codes.name, period=period)
    unit = _UNITS[granularity]
    holds = _HOLDS.format(where_any=where_any, span_end="last_day(v.last_month)", weapon=weapon)
    sql = _SERIES_SQL.format(coverage=COVERAGE_CTE, holds=holds, counts=counts, order=INCIDENT_ORDER, **unit)
    all_params = [
        *cov.sql_params(),
        list(filt.offenses),
        [GROUP_TOTAL[o] for o in filt.offenses],
        *any_params,
        filt.start,
        filt.end,
        *weapon_params,
        *params,
    ]
    return _with_rates(con.execute(sql, all_params).df())


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


def add_change(frame: pd.DataFrame, current: str = "current", previous: str = "previous") -> pd.DataFrame:
    """Add the exact Poisson judgement of current vs previous counts (analysis.stats.exact):
    diff, pct (None below 10), p, strength, emphasis (no emphasis below 10 events),
    direction and the badge text. The exposures are the frame's days_current and
    days_previous columns when it has them. Rows missing either count get none."""
    out = frame.copy()
    judged = judge_frame(out, current, previous)
    ones = pd.Series(1.0, index=out.index)
    days_c, days_p = out.get("days_current", ones), out.get("days_previous", ones)
    changes = [
        Change(int(c), int(p), float(dc), float(dp)) if pd.notna(c) and pd.notna(p) else None
        for c, p, dc, dp in zip(out[current], out[previous], days_c, days_p, strict=True)
    ]
    out["diff"] = [ch.diff if ch else None for ch in changes]
    out["pct"] = [ch.pct if ch else None for ch in changes]
    out["p"] = judged["p"]
    out["strength"] = judged["strength"]
    out["emphasis"] = judged["emphasis"]
    out["direction"] = [ch.direction if ch else None for ch in changes]
    out["change"] = [ch.text(with_diff=True) if ch else "no comparison" for ch in changes]
    return out


def _span_days(last: pd.Timestamp, months: int) -> int:
    """Days in the `months` months ending with month `last` (the test's exposure)."""
    first = pd.Timestamp(add_months(last.date(), -(months - 1)))
    return int((last + pd.offsets.MonthEnd(0) - first).days) + 1


def same_month_last_year(frame: pd.DataFrame, span_months: int = 1) -> pd.DataFrame:
    """Each city x offense: its last complete month against the same month a year before.

    `span_months`: how many months each value covers (12 for rolling 12-month sums), for
    the exposure of the test. Columns: city_id, city, offense, source, month, current,
    previous, rate_current, rate_previous, days_current, days_previous, and the change
    columns of add_change. (One grouped pass and one join: a loop over the city x
    offense groups cost tens of milliseconds a rerun.)
    """
    columns = ["city_id", "city", "offense", "source", "month", "current", "previous"]
    extra = ["rate_current", "rate_previous", "days_current", "days_previous"]
    if frame.empty:
        return add_change(pd.DataFrame(columns=[*columns, *extra]))
    keys = ["city_id", "offense"]
    last = frame.groupby(keys, sort=False)["period"].transform("max")
    now = frame[frame["period"] == last].sort_values(keys, kind="stable")
    month = now["period"]
    # add_months(last, -12): the first day of the same month a year before
    year_before = pd.to_datetime(
        pd.DataFrame({"year": month.dt.year - 1, "month": month.dt.month, "day": 1})
    ).astype(month.dtype)
    before = pd.DataFrame(
        {
            "city_id": now["city_id"].to_numpy(),
            "offense": now["offense"].to_numpy(),
            "period": year_before.to_numpy(),
        }
    ).merge(frame[[*keys, "period", "count", "rate"]], on=[*keys, "period"], how="left")
    out = pd.DataFrame(
        {
            "city_id": now["city_id"].to_numpy(),
            "city": now["city"].to_numpy(),
            "offense": now["offense"].to_numpy(),
            "source": now["source"].to_numpy(),
            "month": month.to_numpy(),
            "current": _floats(now["count"]),
            "previous": _floats(before["count"]),
            "rate_current": _floats(now["rate"]),
            "rate_previous": _floats(before["rate"]),
            "days_current": [_span_days(pd.Timestamp(m), span_months) for m in month],
            "days_previous": [_span_days(pd.Timestamp(m), span_months) for m in year_before],
        }
    )
    return add_change(out)


def _floats(values: pd.Series) -> np.ndarray:
    """A numeric column as float64; with a missing value, as objects with pd.NA for it
    (the form the tables and charts have always received)."""
    out: np.ndarray = np.asarray(values.to_numpy(dtype="float64", na_value=np.nan))
    missing = np.isnan(out)
    if not missing.any():
        return out
    held: np.ndarray = out.astype(object)
    held[missing] = pd.NA
    return held


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


def ytd_totals(frame: pd.DataFrame, window: YtdWindow) -> pd.DataFrame:
    """Year-to-date and prior-YTD counts and rates per city x offense of a monthly frame.

    A side with a missing month (outside the span, or a gap) has no value: a partial sum
    would understate it. Rates use each year's population and are not annualised.
    Columns: city_id, city, offense, source, current, previous, rate_current,
    rate_previous, population_current, population_previous, days_current, days_previous
    (the exposures of the change test) and add_change's columns.
    """
    keys = ["city_id", "offense"]
    count = frame["count"]
    sides = {"current": window.current, "previous": window.prior}
    # One grouped pass: per side, the months inside the window, those with a value, their
    # sum and the first population (a named-aggregation groupby per side cost 10x more).
    data: dict[str, pd.Series] = {k: frame[k] for k in keys}
    for side, (lo, hi) in sides.items():
        inside = (frame["period"] >= pd.Timestamp(lo)) & (frame["period"] <= pd.Timestamp(hi))
        data[f"{side}_months"] = inside.astype("int64")
        data[f"{side}_valued"] = (inside & count.notna()).astype("int64")
        data[f"{side}_total"] = count.where(inside)
        data[f"population_{side}"] = frame["population"].where(inside)
    grouped = pd.DataFrame(data).groupby(keys, sort=True)
    sums = grouped[[f"{s}_{c}" for s in sides for c in ("months", "valued", "total")]].sum()
    firsts = grouped[[f"population_{s}" for s in sides]].first()
    names = frame.groupby(keys, sort=True)[["city", "source"]].first()
    out = names.join(sums).join(firsts).reset_index()
    for side in sides:
        complete = (out[f"{side}_months"] == window.months) & (out[f"{side}_valued"] == window.months)
        total = out[f"{side}_total"].where(complete)
        population = out[f"population_{side}"].where(complete)
        out[side] = total.astype("Int64")
        out[f"population_{side}"] = population.astype("Int64")
        out[f"rate_{side}"] = (total * RATE_BASE / population).astype("Float64")
    out["days_current"] = days_between(*window.current)
    out["days_previous"] = days_between(*window.prior)
    columns = ["city_id", "city", "offense", "source", "current", "previous", "rate_current", "rate_previous"]
    extra = ["population_current", "population_previous", "days_current", "days_previous"]
    return add_change(out[[*columns, *extra]])


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


def rolling_change(rolling: pd.DataFrame) -> pd.DataFrame:
    """Each city's latest 12-month sum against the 12 months a year before it (the
    change columns of add_change), from a rolling_12 frame."""
    as_series = rolling.rename(columns={"count_12m": "count", "rate_12m": "rate"})
    return same_month_last_year(as_series, span_months=12)
