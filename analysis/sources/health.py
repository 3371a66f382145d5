"""Data health: what the store holds per city (sources, coverage, last complete month).

A month counts as complete for a city when the city's sources run to the end of it (a
source's extract is taken to cover the same period for every city in it, so a quiet last
day in a small city is not read as a gap). Comparisons cut at the last month that all
compared cities have complete.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.query import sqlfile
from analysis.query.sqlfile import Fragment
from analysis.series.periods import COVERAGE_CTE, Coverage
from kernel.months import month_indexes


def _with_source_kinds(name: str) -> str:
    """The .sql file `name` with source_kinds.sql in its {{ source_kinds }} slot."""
    return sqlfile.render(
        __package__, name, source_kinds=Fragment(sqlfile.load(__package__, "source_kinds.sql"))
    )


def status_by_city(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per registry city: incident sources and span, aggregate sources and span,
    last_complete_month (the last month of the city's official series)."""
    return con.execute(sqlfile.load(__package__, "data_status.sql")).df()


def store_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every source with rows in the store (incident or aggregate), sorted."""
    rows = con.execute(
        "select distinct source from incident_months union select distinct source from monthly_counts order by 1"
    ).fetchall()
    return [r[0] for r in rows]


# --- Data health of real imports: per source, per city x month, series breaks -------------


def coverage_by_source(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per city x source: kind, coverage ('city' or 'area', from its mapping),
    standard (NIBRS/SRS), part1_scope (the Part I offenses an incident extract covers
    completely; None = all), span, months with data and missing inside the span, rows,
    geocoded share, quarantined rows, first and last complete month (source_spans: the
    whole months it covers, by the rule of analysis/series/official.py; none for area counts).
    """
    return con.execute(_with_source_kinds("coverage_by_source.sql")).df()


def health_by_city_month(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per city x month from the city's first to its last month with any data:
    incidents (rows), incident_sources, geocoded_share, no_time (rows without a time),
    count_sources, derived_counts (totals derived from parts), quarantined rows,
    has_data (False = a month with no data inside the span), complete (a source covers
    the whole month: source_spans), official_sources (where its official counts come from)."""
    return con.execute(_with_source_kinds("health_by_city_month.sql")).df()


def series_breaks(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Detected series breaks per city: the month where the sources behind a city's
    incident data (or its published counts) change, where the reporting standard changes
    (SRS -> NIBRS, from each source's mapping) and where the date basis changes (offense
    date vs report date), and the breaks a source's mapping declares (e.g. the 2013 rape
    definition; `offense` names the series it affects, null = every series).
    Columns: city_id, name, month, data, kind, before, after, offense."""
    return con.execute(_with_source_kinds("series_breaks.sql")).df()


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
    run = month_indexes(month) - grid.groupby("city_id").cumcount()
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


def _gap_runs(gaps: pd.DataFrame) -> pd.DataFrame:
    """One marker per run of consecutive missing months (at its first month), not one per month."""
    if gaps.empty:
        return gaps
    month = pd.to_datetime(gaps["month"])
    gaps = gaps.assign(run=month_indexes(month) - gaps.groupby(["city_id", "source"]).cumcount())
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
    sql = sqlfile.render(__package__, "gap_breaks.sql", coverage=COVERAGE_CTE)
    gaps = _gap_runs(con.execute(sql, {**cov.sql_params(), "cities": wanted}).df())
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
    return con.execute(sqlfile.load(__package__, "months_not_reported.sql")).df()


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
