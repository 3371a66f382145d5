"""Rollup tables maintained at ingest so that dashboard queries never scan incidents.

daily_counts: city x day x NIBRS code x firearm x district x source.
monthly_counts (incident-based part): FBI Part I offenses plus violent_crime and
property_crime totals per city x month x source, limited to the Part I offenses the
source's extract covers completely (imports.part1_scope, from its mapping). Imported aggregates (e.g. RTCI) live in
monthly_counts under their own source and are not touched here.
monthly_code_counts, cell_counts (H3 res 9, by month), yearly_cell_counts (by year),
hour_counts (weekday x hour): the place and time rollups of the Map and City profile
pages (migration 0004), and incident_months (city x source x month: rows, geocoded, no
time, date basis, first and last day) for data health and coverage (migration 0005), each
weekly_counts (city x ISO week x NIBRS code x firearm, migration 0006) for the weekly
trend, each defined once in its migration as a table macro `<table>_of(sources)` that this module calls.
"""

from __future__ import annotations

import duckdb

from kernel.sql import ident

DAILY_SQL = """
insert into daily_counts (city_id, day, nibrs_code, offense_group, firearm, district, source, n)
select city_id, cast(occurred_at as date) as day, nibrs_code, offense_group, firearm,
       district, source, count(*)::integer as n
from incidents
where source in (select unnest(?::varchar[])) and occurred_at is not null
group by all
"""

MONTHLY_SQL = """
insert into monthly_counts (city_id, month, offense, count, source)
with by_month as (
    select d.city_id, date_trunc('month', d.day)::date as month, o.part1_offense,
           d.offense_group, d.source, sum(d.n) as n
    from daily_counts d join offenses o using (nibrs_code)
    where d.source in (select unnest(?::varchar[])) and o.part1_offense is not null
    group by all
),
final as (
    select city_id, month, part1_offense as offense, sum(n) as count, source
    from by_month group by all
    union all
    select city_id, month, offense_group || '_crime' as offense, sum(n) as count, source
    from by_month where offense_group in ('violent', 'property') group by all
)
select city_id, month, offense, count::integer, source from final
"""


# Rollups defined by a table macro of the same name + "_of" (migration 0004), in the
# order they must be rebuilt (monthly_code_counts reads daily_counts, the others incidents).
MACRO_ROLLUPS: tuple[str, ...] = (
    "monthly_code_counts",
    "cell_counts",
    "yearly_cell_counts",
    "hour_counts",
    "incident_months",
    "weekly_counts",
)

# Every table derived from incidents at ingest, in the order they are computed: what the
# lake's Spark path recomputes (ingest/lake_spark.py) and compares. A new rollup defined by
# a `<table>_of(sources)` macro is one more entry in MACRO_ROLLUPS; one computed otherwise
# is one more line here.
ROLLUP_TABLES: tuple[str, ...] = ("daily_counts", "monthly_counts", *MACRO_ROLLUPS)

# An extract that covers only some Part I offenses completely (imports.part1_scope of the
# source's latest import) keeps only those in monthly_counts, and a total only when all
# its parts are covered: a burglary-only file must not pass for property crime. An
# extract of an area of the city (imports.coverage = 'area') keeps none: monthly_counts
# holds citywide counts.
SCOPE_SQL = """
delete from monthly_counts m using (
    select source, arg_max_null(part1_scope, import_id) as scope,
           coalesce(arg_max(coverage, import_id), 'city') as coverage
    from imports where source in (select unnest(?::varchar[])) group by source
) s
where m.source = s.source and (s.coverage <> 'city' or (s.scope is not null and (
    (m.offense = 'violent_crime'
        and not list_has_all(s.scope, ['murder', 'rape', 'robbery', 'aggravated_assault']))
    or (m.offense = 'property_crime' and not list_has_all(s.scope, ['burglary', 'theft', 'motor_vehicle_theft']))
    or (m.offense not in ('violent_crime', 'property_crime') and not list_contains(s.scope, m.offense)))))
"""


def rebuild_rollups(con: duckdb.DuckDBPyConnection, sources: list[str]) -> None:
    """Recompute the incident-based rollups of the given sources from incidents."""
    con.execute("delete from daily_counts where source in (select unnest(?::varchar[]))", [sources])
    con.execute("delete from monthly_counts where source in (select unnest(?::varchar[]))", [sources])
    con.execute(DAILY_SQL, [sources])
    con.execute(MONTHLY_SQL, [sources])
    con.execute(SCOPE_SQL, [sources])
    for table in MACRO_ROLLUPS:
        name = ident(table, MACRO_ROLLUPS)
        macro = ident(f"{table}_of", [f"{t}_of" for t in MACRO_ROLLUPS])
        con.execute(f"delete from {name} where source in (select unnest(?::varchar[]))", [sources])  # noqa: S608
        con.execute(f"insert into {name} select * from {macro}(?::varchar[])", [sources])  # noqa: S608
