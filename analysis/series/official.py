"""The official series: one count per city x month x offense, and the one precedence that picks it.

Every page, goal, alert, briefing and `ingest status` reads `official_monthly`; the
counts it did not choose stay in `monthly_counts`, each with its verdict in
`official_candidates`. Both tables, and `source_spans`, are rebuilt by `build_official`
after every write of the store, inside the same transaction (ingest.store.write_store).

Which months a source covers (`source_spans`, the one rule for "last complete month")
- Incident extracts: an extract covers one period for all its cities. It starts at its
  first month holding at least STRAY_SHARE of its busiest month's offenses (portals carry
  a trickle of offenses reported years late, which must not start a series of near
  zeros) and ends on the latest day it holds anywhere. A month is covered only when the
  extract runs through all of it: a first month whose earliest day is not the 1st, and a
  last month whose latest day is not the month's last, are partly covered and left out
  (an extract that stops on 12 July covers June, not July). A city joins at its own
  first month with offenses. "Runs through" allows the mean gap between the extract's
  offenses (its days / its offenses): a small extract with an offense every fortnight
  that starts on the 3rd covers its first month, a city's full extract must start on the
  1st and end on the month's last day.
- Published counts: a city's first to last published month; a month missing inside is a
  gap, never a zero.

Which counts qualify
- The source covers the whole city: its mapping says `[source] coverage = "city"`
  (imports before migration 0008, and stores built by code, count as the whole city).
  An area extract (a district, some ZIP codes) never stands for the city.
- The offense is one the source covers completely: an incident extract's
  `part1_scope` (a mapping lists them; nothing by default), a total only when all its
  parts are; published counts for the offenses they publish.
- The month is covered completely (above), and the source reports it: a Return A month
  the agency did not report is a gap, not a zero. Inside an incident extract's covered
  months a month without an offense of a covered kind is a true zero.

Precedence among qualifying counts (rank 1 first)
1. FBI Return A (`ucr_return_a`): the FBI's final, audited annual release of what the
   agency reported month by month, for the months the agency reported.
2. Real-Time Crime Index (`rtci`): the same FBI definitions, compiled monthly from state
   UCR programs, the FBI and agency portals; timely but revised, so it yields to the final
   release where both exist.
3. The city's own incident records rolled up to months (a complete, citywide extract):
   offense-level data the agency published, counted by the FBI hierarchy-free NIBRS rule.
4. Any other published citywide monthly counts (e.g. a third party's aggregation of an
   agency's records).
Ties inside a rank (two incident extracts of one city): the source covering more months
for that city and offense, then the source name.
"""

from __future__ import annotations

import duckdb

from kernel.vocabulary import PART1_OFFENSES, TOTALS

STRAY_SHARE = 0.05
# The precedence, by source name (ranks 3 and 4 are by kind: incident rollups, other counts).
NAMED_RANKS: dict[str, int] = {"ucr_return_a": 1, "rtci": 2}
INCIDENT_RANK = 3
COUNTS_RANK = 4
ALL_OFFENSES = [*PART1_OFFENSES, *TOTALS]  # the vocabulary of monthly_counts.offense, in order
# The tie-break inside a rank, as an ORDER BY over source_spans-like rows (first_month,
# last_month, source): the source covering more months, then the source name. The
# candidates query below applies it per city x offense; incident views (weekly, firearm,
# districts, maps) apply it to pick one incident extract.
INCIDENT_ORDER = "last_month - first_month desc, source"
PRECEDENCE_TEXT = (
    "One official count per city, month and offense. A source qualifies only for a city it covers "
    "whole, the offenses it covers completely and the whole months it covers. Of those that qualify: "
    "**1.** FBI Return A, the final annual release, where the agency reported the month; "
    "**2.** the Real-Time Crime Index; **3.** the city's own complete incident records rolled up "
    "to months; **4.** other published citywide counts. A month no source reports has no count "
    "(a gap, never a zero)."
)
# Agreement: a difference between two qualifying sources is flagged above both.
AGREE_PCT = 5.0
AGREE_OFFENSES = 5

# Each source's declaration from its latest import: coverage and Part I scope.
_DECLARED = """
declared as (
    select source, coalesce(arg_max(coverage, import_id), 'city') as coverage,
           arg_max_null(part1_scope, import_id) as scope
    from imports group by source
)"""

SPANS_SQL = f"""
with {_DECLARED},
source_months as (
    select source, month, sum(n) as n, min(first_day) as first_day, max(last_day) as last_day
    from incident_months group by all
),
source_start as (
    select source, min(month) filter (where n >= ? * typical) as first_month
    from (select *, max(n) over (partition by source) as typical from source_months)
    group by source
),
source_span as (
    -- the extract's first and last day, and the mean gap in days between its offenses
    select s.source, s.first_month, m.first_day, e.last_day,
           datediff('day', m.first_day, e.last_day) / greatest(e.n, 1) as gap
    from source_start s
    join source_months m on m.source = s.source and m.month = s.first_month
    join (
        select o.source, max(o.last_day) as last_day, sum(o.n) as n
        from source_months o join source_start t on t.source = o.source and o.month >= t.first_month
        group by o.source
    ) e on e.source = s.source
),
source_whole as (
    select source,
           case when datediff('day', first_month, first_day) <= gap then first_month
                else (first_month + interval 1 month)::date end as first_month,
           case when datediff('day', last_day, last_day(last_day)) <= gap then date_trunc('month', last_day)::date
                else (date_trunc('month', last_day) - interval 1 month)::date end as last_month
    from source_span
),
incident_spans as (
    select c.city_id, c.source, 'incidents' as kind,
           greatest(s.first_month, min(c.month)) as first_month, s.last_month
    from incident_months c join source_whole s using (source)
    group by c.city_id, c.source, s.first_month, s.last_month
),
count_spans as (
    select city_id, source, 'counts' as kind, min(month) as first_month, max(month) as last_month
    from monthly_counts
    where source not in (select source from incident_months)
    group by city_id, source
),
final as (
    select x.city_id, x.source, x.kind, coalesce(d.coverage, 'city') as coverage,
           x.first_month::date as first_month, x.last_month::date as last_month
    from (select * from incident_spans union all select * from count_spans) x
    left join declared d using (source)
    where x.first_month <= x.last_month
)
select * from final order by city_id, source
"""  # noqa: S608 - composed of this module's constant SQL only

CANDIDATES_SQL = f"""
with {_DECLARED},
ranks as (select unnest(?::varchar[]) as source, unnest(?::integer[]) as rank),
offense_parts as (
    select unnest(?::varchar[]) as offense
),
incident_offenses as (
    -- what each incident source covers completely: its scope (null = all), and a total
    -- only when all its parts are in it
    select d.source, o.offense from declared d cross join offense_parts o
    where d.source in (select source from incident_months)
      and (d.scope is null
        or (o.offense = 'violent_crime' and list_has_all(d.scope, ['murder', 'rape', 'robbery', 'aggravated_assault']))
        or (o.offense = 'property_crime' and list_has_all(d.scope, ['burglary', 'theft', 'motor_vehicle_theft']))
        or list_contains(d.scope, o.offense))
),
incident_grid as (
    -- the covered months x covered offenses of each city's incident extract: a month
    -- without a row in monthly_counts is a true zero there
    select s.city_id, s.source, o.offense,
           unnest(generate_series(s.first_month, s.last_month, interval 1 month))::date as month
    from source_spans s join incident_offenses o using (source)
    where s.kind = 'incidents' and s.coverage = 'city'
),
rows as (
    select m.city_id, m.month, m.offense, m.source, m.count,
           s.kind, s.coverage, (m.month between s.first_month and s.last_month) as in_span
    from monthly_counts m
    left join source_spans s using (city_id, source)
    union all
    select g.city_id, g.month, g.offense, g.source, 0, 'incidents', 'city', true
    from incident_grid g
    left join monthly_counts m using (city_id, source, offense, month)
    where m.city_id is null
),
judged as (
    select r.city_id, r.month, r.offense, r.source, r.count,
           case when k.rank is not null and r.source = 'ucr_return_a' then 'return_a'
                when k.rank is not null then r.source
                else coalesce(r.kind, 'counts') end as kind,
           coalesce(k.rank, case when r.kind = 'incidents' then ? else ? end) as base_rank,
           case when coalesce(r.coverage, 'city') <> 'city'
                    then 'covers an area of the city, not all of it ([source] coverage = "area")'
                when r.count is null then 'month not reported by the source'
                when r.kind = 'incidents' and io.source is null
                    then 'offense outside the extract''s part1_scope'
                when not coalesce(r.in_span, false)
                    then 'month not wholly inside the months the extract covers'
           end as why_not
    from rows r
    left join ranks k using (source)
    left join incident_offenses io on io.source = r.source and io.offense = r.offense
),
months_per as (
    select city_id, offense, source, count(*) as months from judged where why_not is null group by all
),
ranked as (
    select j.*, (j.why_not is null) as qualifies,
           case when j.why_not is null then row_number() over (
               partition by j.city_id, j.month, j.offense, (j.why_not is null)
               order by j.base_rank, p.months desc, j.source) end as position,
           count(*) filter (where j.why_not is null) over (partition by j.city_id, j.month, j.offense) as qualifying
    from judged j left join months_per p using (city_id, offense, source)
),
final as (
    select city_id, month, offense, source, count, kind,
           case when qualifies then base_rank end as rank, qualifies,
           coalesce(why_not, 'qualifies: ' || case kind
               when 'return_a' then 'FBI Return A'
               when 'rtci' then 'Real-Time Crime Index'
               when 'incidents' then 'complete citywide incident records'
               else 'published citywide counts' end || ' (rank ' || base_rank || ')') as reason,
           coalesce(position = 1, false) as chosen,
           qualifying
    from ranked
)
select * from final
"""  # noqa: S608 - composed of this module's constant SQL only


# What the official tables are a function of: a write that leaves these unchanged (a goal
# added, an intervention, polygons) leaves them as they are.
INPUTS_SQL = """
select (select count(*) || ':' || coalesce(sum(hash(city_id, month, offense, source, count)), 0) from monthly_counts)
    || '/' || (select count(*) || ':' || coalesce(sum(hash(city_id, source, month, n, first_day, last_day)), 0)
               from incident_months)
    || '/' || (select count(*) || ':' || coalesce(sum(hash(import_id, source, coverage, part1_scope)), 0) from imports)
"""
INPUTS_KEY = "official_inputs"


def refresh_official(con: duckdb.DuckDBPyConnection) -> bool:
    """build_official when its inputs changed since the last build (store_info records
    them); returns whether it rebuilt."""
    row = con.execute(INPUTS_SQL).fetchone()
    inputs = str(row[0]) if row else ""
    stored = con.execute("select value from store_info where key = ?", [INPUTS_KEY]).fetchone()
    if stored and stored[0] == inputs:
        return False
    build_official(con)
    con.execute("insert or replace into store_info (key, value) values (?, ?)", [INPUTS_KEY, inputs])
    return True


def build_official(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild source_spans, official_candidates and official_monthly from monthly_counts,
    incident_months and the imports' declarations (inside the caller's transaction)."""
    con.execute("delete from source_spans")
    con.execute("insert into source_spans " + SPANS_SQL, [STRAY_SHARE])
    con.execute("delete from official_candidates")
    con.execute("delete from official_monthly")
    con.execute("create or replace temp table _candidates as " + CANDIDATES_SQL, _candidate_params())
    con.execute(
        "insert into official_candidates select city_id, month, offense, source, count, kind, rank,"
        " qualifies, reason, chosen from _candidates"
    )
    con.execute(
        "insert into official_monthly select city_id, month, offense, count, source, kind, rank,"
        " reason, qualifying - 1 from _candidates where chosen"
    )
    con.execute("drop table _candidates")


def _candidate_params() -> list[object]:
    return [list(NAMED_RANKS), list(NAMED_RANKS.values()), ALL_OFFENSES, INCIDENT_RANK, COUNTS_RANK]


# --- Read side ----------------------------------------------------------------------------
