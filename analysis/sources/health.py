"""Data health: what the store holds per city (sources, coverage, last complete month).

A month counts as complete for a city when the city's sources run to the end of it (a
source's extract is taken to cover the same period for every city in it, so a quiet last
day in a small city is not read as a gap). Comparisons cut at the last month that all
compared cities have complete.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.series.periods import COVERAGE_CTE, Coverage

STATUS_SQL = """
with by_month as (
    -- city x source x month summary of the incidents (migration 0005): a few thousand
    -- rows whatever the store's size.
    select city_id, source, month, first_day, last_day, n as offenses
    from incident_months
),
official_end as (
    -- The city's last complete month: the end of its official series (analysis/series/official.py).
    select city_id, max(month) as last_complete_month from official_monthly group by city_id
),
incident_side as (
    select city_id,
           string_agg(distinct source, ', ' order by source) as incident_sources,
           min(first_day) as first_day,
           max(last_day) as last_day,
           sum(offenses)::bigint as offenses,
           count(distinct month) as incident_months
    from by_month
    group by city_id
),
aggregate_side as (
    select city_id,
           string_agg(distinct source, ', ' order by source) as count_sources,
           min(month) as first_month,
           max(month) as last_month,
           count(distinct month) as count_months
    from monthly_counts
    where source not in (select distinct source from by_month)
    group by city_id
),
final as (
    select c.city_id, c.name, c.state,
           i.incident_sources, i.first_day, i.last_day, i.offenses, i.incident_months,
           e.last_complete_month,
           a.count_sources, a.first_month, a.last_month, a.count_months
    from cities c
    left join incident_side i using (city_id)
    left join aggregate_side a using (city_id)
    left join official_end e using (city_id)
)
select * from final order by name
"""


def status_by_city(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per registry city: incident sources and span, aggregate sources and span,
    last_complete_month (the last month of the city's official series)."""
    return con.execute(STATUS_SQL).df()


def store_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every source with rows in the store (incident or aggregate), sorted."""
    rows = con.execute(
        "select distinct source from incident_months union select distinct source from monthly_counts order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """True when anything in the store comes from the synthetic demo generator.

    Asked on every page: two small tables, stopping at the first demo row."""
    row = con.execute(
        "select exists (select 1 from monthly_counts where source = 'demo')"
        " or exists (select 1 from incident_months where source = 'demo')"
    ).fetchone()
    return bool(row and row[0])


# --- Data health of real imports: per source, per city x month, series breaks -------------

SOURCE_KINDS_SQL = """
with inc as (
    -- migration 0005's city x source x month summary of incidents (not the incidents).
    select city_id, source, 'incidents' as kind, month, n as rows, geocoded, no_time, date_basis, last_day
    from incident_months
),
cnt as (
    select city_id, source, 'monthly counts' as kind, month, count(*) as rows, null::bigint as geocoded,
           null::bigint as no_time, null::varchar as date_basis, last_day(month) as last_day
    from monthly_counts where source not in (select distinct source from incident_months) group by all
    union all
    select city_id, source, 'area counts', month, count(*), null, null, null, last_day(month)
    from area_counts where source not in (select distinct source from monthly_counts) group by all
),
final as (select * from inc union all select * from cnt)
select * from final
"""

COVERAGE_SQL = f"""
with months as ({SOURCE_KINDS_SQL}),
standards as (
    select source, arg_max(standard, import_id) as standard, arg_max_null(part1_scope, import_id) as part1_scope,
           max(finished_at) as last_import
    from imports where finished_at is not null group by source
),
quarantined as (
    select source, city_id, count(*) filter (where not kept) as quarantined,
           count(*) filter (where kept) as kept_unmapped
    from quarantine group by all
),
final as (
    select m.city_id, c.name, m.source, m.kind, any_value(sp.coverage) as coverage, s.standard,
           any_value(s.part1_scope) as part1_scope,
           any_value(m.date_basis) as date_basis,
           min(m.month) as first_month, max(m.month) as last_month,
           count(*) as months_with_data,
           datediff('month', min(m.month), max(m.month)) + 1 - count(*) as months_missing,
           sum(m.rows)::bigint as rows,
           sum(m.geocoded) / nullif(sum(m.rows) filter (where m.kind = 'incidents'), 0) as geocoded_share,
           coalesce(any_value(q.quarantined), 0)::bigint as quarantined,
           coalesce(any_value(q.kept_unmapped), 0)::bigint as kept_unmapped,
           any_value(sp.first_month) as first_complete_month,
           any_value(sp.last_month) as last_complete_month,
           any_value(s.last_import) as last_import
    from months m
    join cities c using (city_id)
    left join standards s using (source)
    left join source_spans sp on sp.city_id = m.city_id and sp.source = m.source
    left join quarantined q on q.source = m.source and q.city_id = m.city_id
    group by m.city_id, c.name, m.source, m.kind, s.standard
)
select * from final order by name, first_month, source
"""  # noqa: S608 - composed of this module's constant SQL only


def coverage_by_source(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per city x source: kind, coverage ('city' or 'area', from its mapping),
    standard (NIBRS/SRS), part1_scope (the Part I offenses an incident extract covers
    completely; None = all), span, months with data and missing inside the span, rows,
    geocoded share, quarantined rows, first and last complete month (source_spans: the
    whole months it covers, by the rule of analysis/series/official.py; none for area counts).
    """
    return con.execute(COVERAGE_SQL).df()


CITY_MONTH_SQL = f"""
with months_src as ({SOURCE_KINDS_SQL}),
inc as (
    select city_id, month, sum(rows)::bigint as incidents, sum(geocoded) / sum(rows) as geocoded_share,
           sum(no_time)::bigint as no_time,
           string_agg(distinct source, ', ' order by source) as incident_sources
    from months_src where kind = 'incidents' group by all
),
cnt as (
    select city_id, month, string_agg(distinct source, ', ' order by source) as count_sources
    from months_src where kind <> 'incidents' group by all
),
flags as (
    select city_id, month, count(*) as derived_counts from monthly_counts where flag like 'derived%' group by all
),
q as (
    select city_id, month, count(*) as quarantined from quarantine
    where not kept and city_id is not null and month is not null group by all
),
span as (
    select city_id, min(month) as first_month, max(month) as last_month from months_src group by city_id
),
grid as (
    select city_id, unnest(generate_series(first_month, last_month, interval 1 month))::date as month from span
),
official as (
    select city_id, month, string_agg(distinct source, ', ' order by source) as official_sources
    from official_monthly group by all
),
final as (
    select g.city_id, c.name, g.month,
           coalesce(i.incidents, 0) as incidents, i.incident_sources, i.geocoded_share,
           coalesce(i.no_time, 0) as no_time, n.count_sources,
           coalesce(f.derived_counts, 0) as derived_counts,
           coalesce(q.quarantined, 0) as quarantined,
           (i.city_id is not null or n.city_id is not null) as has_data,
           exists (select 1 from source_spans s where s.city_id = g.city_id
                   and g.month between s.first_month and s.last_month) as complete,
           o.official_sources
    from grid g
    join cities c using (city_id)
    left join inc i using (city_id, month)
    left join cnt n using (city_id, month)
    left join flags f using (city_id, month)
    left join q using (city_id, month)
    left join official o using (city_id, month)
)
select * from final order by name, month
"""  # noqa: S608 - composed of this module's constant SQL only


def health_by_city_month(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per city x month from the city's first to its last month with any data:
    incidents (rows), incident_sources, geocoded_share, no_time (rows without a time),
    count_sources, derived_counts (totals derived from parts), quarantined rows,
    has_data (False = a month with no data inside the span), complete (a source covers
    the whole month: source_spans), official_sources (where its official counts come from)."""
    return con.execute(CITY_MONTH_SQL).df()


BREAKS_SQL = f"""
with months_src as (select * from ({SOURCE_KINDS_SQL}) where kind <> 'area counts'),
standards as (select source, arg_max(standard, import_id) as standard from imports group by source),
per_month as (
    select m.city_id, m.month, (m.kind = 'incidents') as incident_side,
           string_agg(distinct m.source, ', ' order by m.source) as sources,
           string_agg(distinct s.standard, ', ' order by s.standard) as standards,
           string_agg(distinct m.date_basis, ', ' order by m.date_basis) as date_basis
    from months_src m left join standards s using (source)
    group by all
),
lagged as (
    select *, lag(sources) over w as prev_sources, lag(standards) over w as prev_standards,
           lag(date_basis) over w as prev_basis, lag(month) over w as prev_month
    from per_month
    window w as (partition by city_id, incident_side order by month)
),
changes as (
    select city_id, month, incident_side, 'source change' as kind, prev_sources as before, sources as after,
           null::varchar as offense
    from lagged where prev_sources is not null and sources <> prev_sources
    union all
    select city_id, month, incident_side, 'reporting standard change',
           prev_standards, standards, null
    from lagged where prev_standards is not null and standards is not null and standards <> prev_standards
    union all
    select city_id, month, incident_side, 'date basis change', prev_basis, date_basis, null
    from lagged where prev_basis is not null and date_basis is not null and date_basis <> prev_basis
    union all
    -- Breaks a source's mapping declares (e.g. the FBI's 2013 rape definition), where the
    -- city has that source's counts on both sides of the month.
    select b.city_id, b.month, false, b.kind || ': ' || b.offense || ' (' || b.source || ')', b.before, b.after,
           b.offense
    from source_breaks b
    where exists (select 1 from monthly_counts m where m.source = b.source and m.city_id = b.city_id
                  and m.offense = b.offense and m.month < b.month)
      and exists (select 1 from monthly_counts m where m.source = b.source and m.city_id = b.city_id
                  and m.offense = b.offense and m.month >= b.month)
),
final as (
    select ch.city_id, c.name, ch.month,
           case when ch.incident_side then 'incidents' else 'counts' end as data, ch.kind, ch.before, ch.after,
           ch.offense
    from changes ch join cities c using (city_id)
)
select * from final order by name, month, data, kind
"""  # noqa: S608 - composed of this module's constant SQL only


def series_breaks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Detected series breaks per city: the month where the sources behind a city's
    incident data (or its published counts) change, where the reporting standard changes
    (SRS -> NIBRS, from each source's mapping) and where the date basis changes (offense
    date vs report date), and the breaks a source's mapping declares (e.g. the 2013 rape
    definition; `offense` names the series it affects, null = every series).
    Columns: city_id, name, month, data, kind, before, after, offense."""
    return con.execute(BREAKS_SQL).df()


def quarantine_by_reason(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Quarantined rows per source, reason and column; kept = listed but also stored (unmapped codes)."""
    return con.execute(
        "select source, reason, field, kept, count(*) as rows from quarantine group by all"
        " order by source, kept, rows desc"
    ).df()


def months_without_data(con: duckdb.DuckDBPyConnection, health: pd.DataFrame | None = None) -> pd.DataFrame:
    """Runs of months with no data at all inside each city's span (gaps-and-islands):
    city_id, name, first_month, last_month, months. `health` = health_by_city_month's
    frame when the caller has it already (the Data page), else it is computed."""
    frame = health_by_city_month(con) if health is None else health
    grid = frame[~frame["has_data"].astype(bool)]
    if grid.empty:
        return pd.DataFrame(columns=["city_id", "name", "first_month", "last_month", "months"])
    month = pd.to_datetime(grid["month"])
    # Month number minus position in the city's list: constant along consecutive months.
    run = month.dt.year * 12 + month.dt.month - grid.groupby("city_id").cumcount()
    out = (
        grid.assign(run=run)
        .groupby(["city_id", "name", "run"], as_index=False, sort=False)
        .agg(first_month=("month", "min"), last_month=("month", "max"), months=("month", "size"))
        .drop(columns="run")
    )
    return out.sort_values(["name", "first_month"], ignore_index=True)


def upstream_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Where aggregators (the RTCI sources table) get each city's counts: source type and
    method, link, latest month covered, the population they use."""
    return con.execute(
        "select a.city_id, c.name, a.source, a.agency, a.source_type, a.source_method, a.source_link,"
        " a.most_recent_month, a.population, a.as_of from agency_sources a join cities c using (city_id)"
        " order by c.name, a.source"
    ).df()


GAP_BREAKS_SQL = """
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


def _gap_runs(gaps: pd.DataFrame) -> pd.DataFrame:
    """One marker per run of consecutive missing months (at its first month), not one per month."""
    if gaps.empty:
        return gaps
    month = pd.to_datetime(gaps["month"])
    gaps = gaps.assign(
        run=month.dt.year * 12 + month.dt.month - gaps.groupby(["city_id", "source"]).cumcount()
    )
    runs = gaps.groupby(["city_id", "city", "source", "run"], as_index=False, sort=False).agg(
        month=("month", "min"), last=("month", "max"), months=("month", "size")
    )
    span = (
        ", "
        + pd.to_datetime(runs["month"]).dt.strftime("%b %Y")
        + " – "
        + pd.to_datetime(runs["last"]).dt.strftime("%b %Y")
    ).where(runs["months"] > 1, "")
    runs["label"] = "gap in published counts" + span + " (" + runs["source"] + ")"
    return runs[["city_id", "city", "month", "source", "label"]]


def chart_breaks(
    con: duckdb.DuckDBPyConnection,
    cov: Coverage,
    cities: tuple[str, ...] = (),
    offenses: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Months to mark on trend charts as series breaks, for `cities` (empty = all covered).

    Columns: city_id, city, month, source, label. Two kinds: a run of months missing inside a
    city's published counts (the trend line has a hole there; one marker per run), and the breaks
    `series_breaks` detects (a change of source, of reporting standard such as SRS to
    NIBRS, or of date basis). The demo has none.
    """
    wanted = list(cities) or sorted(cov.cities())
    sql = GAP_BREAKS_SQL.format(coverage=COVERAGE_CTE)
    gaps = _gap_runs(con.execute(sql, [*cov.sql_params(), wanted]).df())
    detected = series_breaks(con)
    detected = detected[detected["city_id"].isin(wanted)]
    if offenses:  # a declared break marks only the series it affects
        detected = detected[detected["offense"].isna() | detected["offense"].isin(offenses)]
    changes = pd.DataFrame(
        {
            "city_id": detected["city_id"],
            "city": detected["name"],
            "month": detected["month"],
            "source": detected["after"],
            "label": detected["kind"]
            + " ("
            + detected["before"].fillna("?")
            + " → "
            + detected["after"].fillna("?")
            + ")",
        }
    )
    frames = [f for f in (gaps, changes) if not f.empty]
    if not frames:
        return gaps
    return pd.concat(frames, ignore_index=True).sort_values(["city", "month"], ignore_index=True)


def months_not_reported(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Runs of months a counts source did not report for a city (source_months: a blank
    or all-zero row, or no row inside the file's span), and reported months with an
    offense missing: city_id, name, source, status, reason, first_month, last_month,
    months. These months have no figure (a gap), never 0."""
    return con.execute(
        """
        with m as (
            select s.city_id, c.name, s.source,
                   case when s.status = 'reported' then 'offense not reported: '
                        || array_to_string(s.offenses_missing, ', ') else s.status end as status,
                   coalesce(s.reason, 'a 0 the mapping reads as not reported') as reason, s.month
            from source_months s join cities c using (city_id)
            where s.status <> 'reported' or len(coalesce(s.offenses_missing, [])) > 0
        ),
        runs as (
            select *, year(month) * 12 + month(month)
                      - row_number() over (partition by city_id, source, status, reason order by month) as run
            from m
        )
        select city_id, name, source, status, reason, strftime(min(month), '%Y-%m') as first_month,
               strftime(max(month), '%Y-%m') as last_month, count(*) as months
        from runs group by city_id, name, source, status, reason, run
        order by name, source, first_month
        """
    ).df()


def superseded_by_city_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Counts a source listed more than once and the copy kept, per city x year x offense:
    city_id, name, source, year, offense, kept (sum of the kept copy over the months listed
    twice), other (sum of the copy set aside), copy_kept, copy_other, months, reason."""
    return con.execute(
        """
        select s.city_id, c.name, s.source, year(s.month) as year, s.offense,
               sum(m.count)::bigint as kept, sum(s.count)::bigint as other,
               any_value(s.chosen_copy) as copy_kept, any_value(s.copy) as copy_other,
               count(*) as months, any_value(s.reason) as reason
        from superseded_counts s join cities c using (city_id)
        left join monthly_counts m
          on m.city_id = s.city_id and m.month = s.month and m.offense = s.offense and m.source = s.source
        group by all order by c.name, s.source, year, s.offense
        """
    ).df()


def source_descriptions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each source's title, publisher and note (its mapping's [source] table)."""
    return con.execute(
        "select source, kind, title, publisher, note, standard from source_info order by source"
    ).df()


def agency_population_by_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Publishers' agency populations beside the Census figures: city_id, name, year,
    source, agency_population, census_population, census_method."""
    return con.execute(
        """
        select a.city_id, c.name, a.year, a.source, a.population as agency_population,
               p.population as census_population, p.method as census_method
        from agency_population a join cities c using (city_id)
        left join city_population p on p.city_id = a.city_id and p.year = a.year
        order by c.name, a.year
        """
    ).df()
