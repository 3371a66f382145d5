"""Data health: what the store holds per city (sources, coverage, last complete month).

A month counts as complete for a city when the city's sources run to the end of it (a
source's extract is taken to cover the same period for every city in it, so a quiet last
day in a small city is not read as a gap). Comparisons cut at the last month that all
compared cities have complete.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.periods import COVERAGE_CTE, Coverage

STATUS_SQL = """
with source_end as (
    -- An extract covers a common period for all its cities: a source's data runs to the
    -- latest day it has anywhere, so a quiet last day in a small city is not a gap.
    select source, max(day) as source_last_day from daily_counts group by source
),
city_end as (
    select d.city_id, max(e.source_last_day) as coverage_end
    from (select distinct city_id, source from daily_counts) d join source_end e using (source)
    group by d.city_id
),
incident_side as (
    select city_id,
           string_agg(distinct source, ', ' order by source) as incident_sources,
           min(day) as first_day,
           max(day) as last_day,
           sum(n)::bigint as offenses,
           count(distinct date_trunc('month', day)) as incident_months
    from daily_counts
    group by city_id
),
aggregate_side as (
    select city_id,
           string_agg(distinct source, ', ' order by source) as count_sources,
           min(month) as first_month,
           max(month) as last_month,
           count(distinct month) as count_months
    from monthly_counts
    where source not in (select distinct source from daily_counts)
    group by city_id
),
final as (
    select c.city_id, c.name, c.state,
           i.incident_sources, i.first_day, i.last_day, i.offenses, i.incident_months,
           case when e.coverage_end is null then null
                when e.coverage_end = last_day(e.coverage_end) then date_trunc('month', e.coverage_end)::date
                else (date_trunc('month', e.coverage_end) - interval 1 month)::date
           end as last_complete_month,
           a.count_sources, a.first_month, a.last_month, a.count_months
    from cities c
    left join incident_side i using (city_id)
    left join aggregate_side a using (city_id)
    left join city_end e using (city_id)
)
select * from final order by name
"""


def status_by_city(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per registry city: incident sources and span, aggregate sources and span."""
    return con.execute(STATUS_SQL).df()


def store_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every source with rows in the store (incident or aggregate), sorted."""
    rows = con.execute(
        "select distinct source from daily_counts union select distinct source from monthly_counts order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when anything in the store comes from the synthetic demo generator."""
    return "demo" in store_sources(con)


BREAKS_SQL = """
with {coverage},
published as (
    select v.city_id, v.source,
           unnest(generate_series(v.first_month, v.last_month, interval 1 month))::date as month
    from coverage v
    where v.kind = 'counts' and v.city_id in (select unnest(?::varchar[]))
),
final as (
    select p.city_id, c.name as city, p.month, p.source,
           'gap in published counts (' || p.source || ')' as label
    from published p
    join cities c using (city_id)
    where not exists (
        select 1 from monthly_counts m
        where m.city_id = p.city_id and m.source = p.source and m.month = p.month
    )
)
select * from final order by city, month
"""


def series_breaks(
    con: duckdb.DuckDBPyConnection, cov: Coverage, cities: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Months where a city's series breaks, to mark on trend charts.

    Columns: city_id, city, month, source, label. Today the store can show one kind of
    break: a month missing inside a city's published counts (the trend line has a hole
    there). A recorded change of counting rules (SRS to NIBRS, a new records system)
    belongs here too once the store keeps such events; the demo has no breaks.
    """
    wanted = list(cities) or sorted(cov.cities())
    sql = BREAKS_SQL.format(coverage=COVERAGE_CTE)
    return con.execute(sql, [*cov.sql_params(), wanted]).df()
