"""Where the official series' counts come from (the series and its precedence:
analysis.series.official): each city's sources per year and as runs of years, a series'
sources in words, the candidates for one series, and where two qualifying sources
disagree."""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.series.official import AGREE_OFFENSES, AGREE_PCT, KIND_LABELS


def last_month_by_city(con: duckdb.DuckDBPyConnection, cities: tuple[str, ...] = ()) -> dict[str, object]:
    """city_id -> the last month (first day) of its official series, any offense: the one
    "last complete month" of a city (comparisons cut there)."""
    rows = con.execute(
        "select city_id, max(month) from official_monthly"
        " where len(?::varchar[]) = 0 or city_id in (select unnest(?::varchar[])) group by city_id",
        [list(cities), list(cities)],
    ).fetchall()
    return {str(r[0]): r[1] for r in rows}


INCIDENT_SOURCES_SQL = """
with src as (
    select city_id, source, sum(n) as n from incident_months
    where city_id in (select unnest(?::varchar[])) group by all
),
weapons as (
    select distinct city_id, source from monthly_code_counts
    where offense_group = 'violent' and firearm is not null and city_id in (select unnest(?::varchar[]))
)
select s.city_id, s.source
from src s left join source_spans p using (city_id, source)
where not ? or exists (select 1 from weapons w where w.city_id = s.city_id and w.source = s.source)
qualify row_number() over (
    partition by s.city_id
    order by coalesce(p.coverage, 'area') = 'city' desc, p.last_month - p.first_month desc nulls last,
             s.n desc, s.source) = 1
"""


def incident_sources(
    con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], firearm: bool = False
) -> dict[str, str]:
    """The one incident extract per city that views needing offense records (maps, City
    profile, weekly, firearm and district series) read: a citywide extract before an area
    one, then the official tie-break (more complete months), then more offenses, then the
    name. firearm=True: only extracts that record the weapon for violent offenses."""
    rows = con.execute(INCIDENT_SOURCES_SQL, [list(cities), list(cities), firearm]).fetchall()
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


def series_sources(
    con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], offenses: tuple[str, ...]
) -> pd.DataFrame:
    """Runs of months per city x offense with the source behind them (for chart captions):
    city_id, city, offense, source, kind, first_month, last_month, months."""
    return con.execute(
        """
        with o as (
            select o.*, c.name as city,
                   datediff('month', date '2000-01-01', o.month)
                   - row_number() over (partition by o.city_id, o.offense, o.source order by o.month) as run
            from official_monthly o join cities c using (city_id)
            where o.city_id in (select unnest(?::varchar[])) and o.offense in (select unnest(?::varchar[]))
        )
        select city_id, city, offense, source, any_value(kind) as kind, min(month) as first_month,
               max(month) as last_month, count(*) as months
        from o group by city_id, city, offense, source, run
        order by city, offense, first_month
        """,
        [list(cities), list(offenses)],
    ).df()


def caption(runs: pd.DataFrame) -> str:
    """'Sources: Houston: FBI Return A (ucr_return_a) Jan 2010–Dec 2023, ...' from series_sources,
    one entry per city x source (months merged across offenses)."""
    if runs.empty:
        return ""
    parts = []
    for city, part in runs.groupby("city", sort=True):
        items = []
        for source, spans in part.groupby("source", sort=False):
            first, last = pd.Timestamp(spans["first_month"].min()), pd.Timestamp(spans["last_month"].max())
            label = KIND_LABELS.get(str(spans["kind"].iloc[0]), "")
            items.append((first, f"{label} ({source}) {first:%b %Y}–{last:%b %Y}"))
        parts.append(f"{city}: " + "; ".join(text for _, text in sorted(items)))
    return "Sources of each line — " + " · ".join(parts) + "."


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
    return con.execute(
        "select month, source, count, kind, rank, qualifies, reason, chosen from official_candidates"
        " where city_id = ? and offense = ? order by month, rank nulls last, source",
        [city_id, offense],
    ).df()
