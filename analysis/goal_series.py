"""One monthly count series for a city (or a district), zero-filled over its coverage.

Goals, interventions and alerts all judge one city x offense series month by month, and a
month with no row in the rollups is a month with zero offenses only while the source
covers it. So a series here spans the months its source covers (first month with any
data for the city, to the last complete month, the rule of analysis/health.py) and fills
the gaps inside with zeros.

Where it comes from:
- a whole city and an FBI Part I offense or total: monthly_counts, with the same one
  source per city x offense rule as analysis.metrics (the source with most months);
- a district, or firearm-involved violent crime: daily_counts, which has the district
  and the firearm flag; a source that never records weapons yields no firearm series
  (zero would be a lie).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analysis.filters import DAILY, OFFENSE_KEYS, OFFENSE_LABELS, CrimeFilter
from analysis.metrics import RATE_BASE, counts_by_city_month

FIREARM_VIOLENT = "firearm_violent_crime"
SERIES_OFFENSES: tuple[str, ...] = OFFENSE_KEYS + (FIREARM_VIOLENT,)
SERIES_LABELS: dict[str, str] = {**OFFENSE_LABELS, FIREARM_VIOLENT: "Firearm-involved violent crime"}

FIREARM_SQL = """
with scoped as (
    select city_id, date_trunc('month', day)::date as month, source, sum(n) as count
    from daily_counts
    where {where}
    group by all
),
recorded as (
    -- Sources that record the weapon for violent offenses in a city: elsewhere a zero
    -- firearm count would mean "not recorded", not "none". Only the cities in view: the
    -- whole daily rollup is millions of rows at scale.
    select distinct city_id, source
    from daily_counts
    where offense_group = 'violent' and firearm is not null
      and city_id in (select distinct city_id from scoped)
),
coverage as (
    select city_id, source, count(*) as months
    from scoped join recorded using (city_id, source)
    group by city_id, source
    qualify row_number() over (partition by city_id order by months desc, source) = 1
),
final as (
    select s.city_id, c.name as city, s.month, '{offense}' as offense, s.count::bigint as count,
           s.source, p.population, s.count * {rate_base} / p.population as rate
    from scoped s
    join coverage v using (city_id, source)
    join cities c using (city_id)
    left join city_population p on p.city_id = s.city_id and p.year = year(s.month)
)
select * from final order by city, month
"""

DAILY_SERIES_SQL = """
with scoped as (
    select date_trunc('month', day)::date as month, source, sum(n) as count
    from daily_counts
    where {where}
    group by all
),
final as (
    select month, source, count::bigint as count from scoped
)
select * from final order by source, month
"""

COVERAGE_SQL = """
with source_end as (
    select max(last_day) as last_day from incident_months where source = ?
),
spans as (
    select min(month) as first_month, max(month) as last_month
    from monthly_counts where city_id = ? and source = ?
    union all
    select min(month), max(month) from incident_months where city_id = ? and source = ?
),
final as (
    select min(s.first_month) as first_month, max(s.last_month) as last_month,
           any_value(e.last_day) as source_last_day
    from spans s cross join source_end e
)
select * from final
"""


def firearm_violent_by_city_month(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Monthly firearm-involved violent crime per city, from daily_counts.

    Uses the filter's cities, dates, districts and sources (its offenses and firearm flag
    are implied). Columns as analysis.metrics.counts_by_city_month: city_id, city, month,
    offense (= 'firearm_violent_crime'), count, source, population, rate. Only sources
    that record weapons for violent offenses count; one source per city (most months).
    """
    scoped = CrimeFilter(
        cities=filt.cities,
        offenses=("violent_crime",),
        start=filt.start,
        end=filt.end,
        districts=filt.districts,
        firearm_only=True,
        sources=filt.sources,
    )
    where, params = scoped.where(DAILY)
    sql = FIREARM_SQL.format(where=where, offense=FIREARM_VIOLENT, rate_base=RATE_BASE)
    return con.execute(sql, params).df()


def _last_complete(last_month: date | None, source_last_day: date | None) -> pd.Timestamp | None:
    """Last complete month: incident sources end where their extract ends (health.py)."""
    if source_last_day is not None:
        end = pd.Timestamp(source_last_day)
        month = end.to_period("M").to_timestamp()
        return month if end.is_month_end else month - pd.DateOffset(months=1)
    return pd.Timestamp(last_month) if last_month is not None else None


def monthly_series(
    con: duckdb.DuckDBPyConnection, city_id: str, offense: str, district: str | None = None
) -> pd.DataFrame:
    """Monthly counts of one city (or district) and offense, zero-filled over coverage.

    Columns: month (first day, Timestamp), count (int), source. Empty when the store has
    no data for it. `offense` is a key of SERIES_OFFENSES.
    """
    if offense not in SERIES_OFFENSES:
        raise ValueError(f"unknown offense {offense!r}")
    empty = pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "count": [], "source": []})
    if district is None and offense in OFFENSE_KEYS:
        frame = counts_by_city_month(con, CrimeFilter(cities=(city_id,), offenses=(offense,)))
        frame = frame[["month", "count", "source"]]
    elif offense == FIREARM_VIOLENT:
        filt = CrimeFilter(cities=(city_id,), districts=(district,) if district else ())
        frame = firearm_violent_by_city_month(con, filt)[["month", "count", "source"]]
    else:
        filt = CrimeFilter(cities=(city_id,), offenses=(offense,), districts=(district,) if district else ())
        where, params = filt.where(DAILY)
        frame = con.execute(DAILY_SERIES_SQL.format(where=where), params).df()
        if not frame.empty:
            # One source: the one with most months (ties: alphabetical), as in metrics.
            best = frame.groupby("source")["month"].count().sort_index().idxmax()
            frame = frame[frame["source"] == best]
    if frame.empty:
        return empty
    source = str(frame["source"].iloc[0])
    row = con.execute(COVERAGE_SQL, [source, city_id, source, city_id, source]).fetchone()
    first = pd.Timestamp(row[0]) if row and row[0] is not None else frame["month"].min()
    last = _last_complete(row[1], row[2]) if row else None
    if last is None or last < first:
        return empty
    months = pd.date_range(first, last, freq="MS")
    counts = frame.assign(month=pd.to_datetime(frame["month"])).set_index("month")["count"]
    full = counts.reindex(months, fill_value=0).astype("int64")
    return pd.DataFrame({"month": months, "count": full.to_numpy(), "source": source})
