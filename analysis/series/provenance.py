"""Where the official series' counts come from (the series and its precedence:
analysis.series.official): each city's one incident extract, its sources per year and as
runs of years, the candidates for one series, and where two qualifying sources disagree."""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.query import sqlfile
from analysis.query.filters import INCIDENT_MONTHS, MONTH_CODES, OFFICIAL, OFFICIAL_CANDIDATES, CrimeFilter
from analysis.query.sqlfile import Fragment
from analysis.series.official import AGREE_OFFENSES, AGREE_PCT


def last_month_by_city(con: duckdb.DuckDBPyConnection, cities: tuple[str, ...] = ()) -> dict[str, object]:
    """city_id -> the last month (first day) of its official series, any offense: the one
    "last complete month" of a city (comparisons cut there)."""
    where, params = CrimeFilter(cities=cities, offenses=()).bind(OFFICIAL)
    rows = con.execute(
        sqlfile.render(__package__, "last_month.sql", where=Fragment(where)), params
    ).fetchall()
    return {str(r[0]): r[1] for r in rows}


def incident_sources(
    con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], firearm: bool = False
) -> dict[str, str]:
    """The one incident extract per city that views needing offense records (maps, City
    profile, weekly, firearm and district series) read: a citywide extract before an area
    one, then the official tie-break (more complete months), then more offenses, then the
    name. firearm=True: only extracts that record the weapon for violent offenses."""
    if not cities:
        return {}
    scope = CrimeFilter(cities=cities, offenses=())
    where_months, params = scope.bind(INCIDENT_MONTHS)
    where_codes, _ = scope.bind(MONTH_CODES)  # the same $f_cities
    sql = sqlfile.render(
        __package__,
        "incident_sources.sql",
        where_months=Fragment(where_months),
        where_codes=Fragment(where_codes),
    )
    rows = con.execute(sql, {**params, "firearm": firearm}).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def sources_by_city_year(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Which sources the official series takes its counts from, per city and year:
    city_id, city, year, source, kind, cells (city x month x offense counts it supplies),
    months (distinct months), first_month, last_month."""
    return con.execute(
        """
        select o.city_id, c.name as city, year(o.month) as year, o.source, any_value(o.kind) as kind,
               count(*) as cells, count(distinct o.month) as months,
               min(o.month) as first_month, max(o.month) as last_month
        from official_monthly o join cities c using (city_id)
        group by all order by city, year, cells desc, source
        """
    ).df()


def source_runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The official series' sources per city as runs of years: city_id, city, first_year,
    last_year, sources ('ucr_return_a', or 'rtci + houston_zcta' when a year draws on
    several, the source supplying most counts first)."""
    years = sources_by_city_year(con)
    columns = ["city_id", "city", "first_year", "last_year", "sources"]
    if years.empty:
        return pd.DataFrame(columns=columns)
    per_year = (
        years.sort_values(["city", "year", "cells", "source"], ascending=[True, True, False, True])
        .groupby(["city_id", "city", "year"], sort=True)["source"]
        .agg(" + ".join)
        .reset_index()
    )
    rows: list[dict[str, object]] = []
    for r in per_year.itertuples(index=False):
        last = rows[-1] if rows else None
        if (
            last
            and last["city_id"] == r.city_id
            and last["sources"] == r.source
            and last["last_year"] == r.year - 1
        ):
            last["last_year"] = r.year
        else:
            rows.append(
                {
                    "city_id": r.city_id,
                    "city": r.city,
                    "first_year": r.year,
                    "last_year": r.year,
                    "sources": r.source,
                }
            )
    return pd.DataFrame(rows, columns=columns)


AGREEMENT_SQL = """
with q as (select * from official_candidates where qualifies),
pairs as (
    select a.city_id, year(a.month) as year, a.offense, a.source as official_source,
           b.source as other_source, a.month, a.count as official, b.count as other
    from q a join q b on a.city_id = b.city_id and a.month = b.month and a.offense = b.offense
        and a.chosen and not b.chosen
),
final as (
    select p.city_id, c.name as city, p.offense, p.year, p.official_source, p.other_source,
           count(*) as months, sum(p.official)::bigint as official, sum(p.other)::bigint as other,
           (sum(p.other) - sum(p.official))::bigint as diff,
           round(100.0 * (sum(p.other) - sum(p.official)) / nullif(sum(p.official), 0), 1) as pct
    from pairs p join cities c using (city_id)
    group by all
)
select *, (abs(diff) > ? and coalesce(abs(pct) > ?, true)) as flagged
from final order by city, offense, year, other_source
"""


def agreement(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Where two qualifying sources cover the same city x month x offense: per city,
    offense and year, the official source's count and the other's over the months both
    report, the difference (other - official) and its percent of the official count;
    flagged when the gap is over AGREE_PCT % and over AGREE_OFFENSES offenses.

    Columns: city_id, city, offense, year, official_source, other_source, months,
    official, other, diff, pct, flagged."""
    return con.execute(AGREEMENT_SQL, [AGREE_OFFENSES, AGREE_PCT]).df()


def candidates(con: duckdb.DuckDBPyConnection, city_id: str, offense: str) -> pd.DataFrame:
    """Every count the store holds for one city and offense, with its verdict."""
    where, params = CrimeFilter(cities=(city_id,), offenses=(offense,)).bind(OFFICIAL_CANDIDATES)
    return con.execute(sqlfile.render(__package__, "candidates.sql", where=Fragment(where)), params).df()
