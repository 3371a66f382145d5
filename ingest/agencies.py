"""An aggregator's table of agencies -> agency_sources (one row per PSP city).

For the Real-Time Crime Index sources table: where RTCI gets each city's counts (state
UCR program, FBI Crime Data Explorer, the agency's own system), the link, the latest
month and the population it uses. Rows of agencies that are not PSP cities are skipped.
A city listed again with the same values is a duplicate; changed values replace the row.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from ingest.importer import Outcome
from ingest.incidents import run
from ingest.mapping import DateSpec, Mapping
from ingest.rowchecks import Params, begin, city_check_sql, city_sql, col, counts, write_quarantine
from ingest.staging import LINE, RAW


def _date(spec: DateSpec | None, header: tuple[str, ...], p: Params, name: str) -> tuple[str, str]:
    if spec is None:
        return "null::date", "null::varchar"
    p[f"{name}_fmt"] = spec.format
    raw = col(spec.column, header)
    return f"try_strptime({raw}, ${name}_fmt)::date", raw


def load_agencies(
    con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Callable[[str, float], None]
) -> Outcome:
    a = m.agencies
    assert a is not None
    staged = begin(con, m, file, step)
    header = staged.columns
    out = Outcome(rows_read=staged.rows)
    p: Params = {"skip_other": m.city.other == "skip", "city_field": m.city.column}
    city_join, city_id, city_raw = city_sql(m.city, header, p)
    text = {
        k: col(v, header) if v else "null::varchar"
        for k, v in (
            ("agency", a.agency),
            ("source_type", a.source_type),
            ("source_method", a.source_method),
            ("source_link", a.source_link),
            ("population", a.population),
        )
    }
    recent, recent_raw = _date(a.most_recent_month, header, p, "recent")
    as_of, as_of_raw = _date(a.as_of, header, p, "as_of")
    skip_cols, city_reasons = city_check_sql("b")
    p["recent_field"] = a.most_recent_month.column if a.most_recent_month else None
    p["as_of_field"] = a.as_of.column if a.as_of else None
    p["population_field"] = a.population
    run(
        con,
        f"""
        create or replace temp table parsed as
        with base as (
            select s.{LINE} as line, s.{RAW} as raw, {city_id} as city_id, {city_raw} as city_raw,
                   {text["agency"]} as agency, {text["source_type"]} as source_type,
                   {text["source_method"]} as source_method, {text["source_link"]} as source_link,
                   {text["population"]} as population_raw,
                   try_cast(replace({text["population"]}, ',', '') as integer) as population,
                   {recent} as most_recent_month, {recent_raw} as recent_raw, {as_of} as as_of, {as_of_raw} as as_of_raw
            from stage s {city_join}
        )
        select b.*, null::varchar as dup, null::date as q_month, {skip_cols},
               case {city_reasons}
                    when b.recent_raw is not null and b.most_recent_month is null then 'bad date'
                    when b.as_of_raw is not null and b.as_of is null then 'bad date'
                    when b.population_raw is not null and (b.population is null or b.population < 0)
                        then 'bad population'
               end as reason,
               case when b.city_id is null then $city_field::varchar
                    when b.recent_raw is not null and b.most_recent_month is null then $recent_field::varchar
                    when b.as_of_raw is not null and b.as_of is null then $as_of_field::varchar
                    else $population_field::varchar end as field
        from base b
        """,  # noqa: S608 - identifiers come from kernel.sql.ident (allow-list: the file's header)
        p,
    )
    con.execute("update parsed set field = null where reason is null")
    con.execute(
        """
        update parsed set dup = 'repeated in file' where line in (
            select line from (select line, row_number() over (partition by city_id order by line) as rn
                              from parsed where reason is null and not skip) where rn > 1)
        """
    )
    con.execute(
        """
        update parsed set dup = 'already in store' where reason is null and not skip and dup is null
          and exists (select 1 from agency_sources a where a.source = ? and a.city_id = parsed.city_id
                      and (a.agency, a.source_type, a.source_method, a.source_link, a.most_recent_month,
                           a.population, a.as_of) is not distinct from
                          (parsed.agency, parsed.source_type, parsed.source_method, parsed.source_link,
                           parsed.most_recent_month, parsed.population, parsed.as_of))
        """,
        [m.source],
    )
    out.quarantine_reasons = write_quarantine(con, m.source, import_id)
    con.execute(
        """
        insert or replace into agency_sources (city_id, agency, source_type, source_method, source_link,
                                               most_recent_month, population, as_of, source, import_id)
        select city_id, agency, source_type, source_method, source_link, most_recent_month, population, as_of, ?, ?
        from parsed where reason is null and not skip and dup is null
        """,
        [m.source, import_id],
    )
    out.quarantined, out.duplicate, out.skipped, out.skip_reasons = counts(con)
    row = con.execute(
        "select count(*) from parsed where reason is null and not skip and dup is null"
    ).fetchone()
    out.accepted = int(row[0]) if row else 0
    out.written["agency_sources"] = out.accepted
    return out
