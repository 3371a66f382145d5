"""Published counts, wide layout (one column per offense, e.g. the Real-Time Crime
Index): monthly_counts, with derived totals, the publisher's population and the
declared series breaks."""

from __future__ import annotations

import duckdb

from ingest.counts.months import choose_copies, lump_sums, mark_not_reported, record_months
from ingest.counts.parse import dedupe_lines
from ingest.mapping.load import Mapping
from ingest.outcome import Outcome
from ingest.rowchecks import tally
from kernel.vocabulary import TOTAL_PARTS

NEGATIVE_FLAG = "negative: a net adjustment (more earlier reports unfounded than new ones), as published"


def wide_values(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """Temp table cvals(line, city_id, month, offense, count, flag) for wide layouts,
    with the derived totals. Offenses whose 0 means "not reported" are dropped (listed in
    temp table missing_parts), and so is a published total one of whose parts is missing."""
    c = m.counts
    con.execute("create or replace temp table flag_map (value varchar primary key, flag varchar)")
    if c.flag_values:
        con.executemany("insert into flag_map values (?, ?)", [[k, v] for k, v in c.flag_values.items()])
    con.execute(
        """
        create or replace temp table cvals as
        with v as (
            select p.line, p.city_id, p.month, unnest(p.names) as offense, unnest(p.nums)::integer as count,
                   f.flag as card_flag
            from parsed p left join flag_map f on f.value = p.flag_raw
            where p.reason is null and not p.skip and p.dup is null
        )
        select line, city_id, month, offense, count,
               nullif(concat_ws('; ', card_flag, case when count < 0 then ? end), '') as flag
        from v
        """,
        [NEGATIVE_FLAG],
    )
    con.execute("delete from cvals where count is null")
    con.execute(
        "create or replace temp table missing_parts as select line, offense from cvals"
        " where count = 0 and offense in (select unnest(?::varchar[]))",
        [list(c.not_reported.zero_is_missing)],
    )
    con.execute("delete from cvals where (line, offense) in (select (line, offense) from missing_parts)")
    for total, parts in TOTAL_PARTS.items():
        # A published total over a part that was not reported is not the total either.
        con.execute(
            "insert into missing_parts select distinct line, ? from missing_parts"
            " where offense in (select unnest(?::varchar[]))",
            [total, list(parts)],
        )
    con.execute("delete from cvals where (line, offense) in (select (line, offense) from missing_parts)")
    if not c.derive_totals:
        return
    for total, parts in TOTAL_PARTS.items():
        con.execute(
            """
            insert into cvals
            select line, any_value(city_id), any_value(month), ?, sum(count)::integer,
                   'derived: sum of its parts; the source left the total empty'
            from cvals
            where offense in (select unnest(?::varchar[]))
            group by line
            having count(distinct offense) = len(?::varchar[])
               and line not in (select line from cvals where offense = ?)
               and line not in (select line from missing_parts where offense = ?)
            """,
            [total, list(parts), list(parts), total, total],
        )


def _population(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> int:
    """The publisher's agency population per city x year -> agency_population."""
    con.execute(
        """
        create or replace temp table pops as
        select city_id, year(month)::integer as year,
               mode(try_cast(replace(pop_raw, ',', '') as double))::integer as population
        from parsed where reason is null and not skip and dup is null and pop_raw is not null
        group by all having population is not null and population > 0
        """
    )
    con.execute(
        """
        insert or replace into agency_population (city_id, year, population, source, import_id)
        select p.city_id, p.year, p.population, ?, ? from pops p left join agency_population a
          on a.source = ? and a.city_id = p.city_id and a.year = p.year
        where a.population is distinct from p.population
        """,
        [m.source, import_id, m.source],
    )
    n = con.execute("select count(*) from pops").fetchone()
    return int(n[0]) if n else 0


def _breaks(con: duckdb.DuckDBPyConnection, m: Mapping) -> int:
    """The mapping's declared series breaks, for every city the file covers."""
    cities = [r[0] for r in con.execute("select distinct city_id from cvals order by 1").fetchall()]
    rows = [
        [m.source, city, b.month, b.offense, b.kind, b.before, b.after, b.note]
        for b in m.breaks
        for city in cities
    ]
    if rows:
        con.executemany("insert or replace into source_breaks values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def _upsert_monthly(con: duckdb.DuckDBPyConnection, source: str, import_id: int) -> tuple[int, int, int]:
    """Write cvals into monthly_counts. Returns (lines accepted, values written, revised)."""
    con.execute(
        """
        create or replace temp table cmp as
        select v.*, mc.count as old_count, mc.flag as old_flag,
               case when mc.count is null then 'new'
                    when mc.count = v.count and mc.flag is not distinct from v.flag then 'same'
                    else 'revised' end as status
        from cvals v
        left join monthly_counts mc
          on mc.city_id = v.city_id and mc.month = v.month and mc.offense = v.offense and mc.source = ?
        """,
        [source],
    )
    con.execute(
        "insert or replace into monthly_counts (city_id, month, offense, count, source, flag)"
        " select city_id, month, offense, count, ?, flag from cmp where status <> 'same'",
        [source],
    )
    con.execute(
        "update parsed set dup = 'already in store' where dup is null and reason is null and not skip"
        " and line not in (select line from cmp where status <> 'same')"
    )
    row = con.execute(
        "select count(distinct line) filter (where status <> 'same'), count(*) filter (where status <> 'same'),"
        " count(*) filter (where status = 'revised') from cmp"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


def load_wide(con: duckdb.DuckDBPyConnection, m: Mapping, out: Outcome, import_id: int) -> None:
    mark_not_reported(con, m)
    chosen: dict[str, int] = {}
    if m.counts.duplicates is None:
        dedupe_lines(con, "city_id", "month")
    else:
        chosen = choose_copies(con, m, import_id)
    lumps = lump_sums(con, m, import_id) if m.counts.not_reported.lump_after_zeros else {}
    if lumps:
        out.notes.append(
            "months that carry the offenses of the not-reported months before them (late reports), kept as "
            "period_counts, not as monthly figures: "
            + "; ".join(f"{k} ({v} months)" for k, v in lumps.items())
        )
    wide_values(con, m)
    out.accepted, written, revised = _upsert_monthly(con, m.source, import_id)
    out.written["monthly_counts"] = written
    if chosen:
        n = con.execute("select count(distinct line) from parsed where dup like 'superseded%'").fetchone()
        shown = "; ".join(f"{k} ({v} months)" for k, v in chosen.items())
        out.notes.append(
            f"months listed more than once, never summed: {shown}; the {n[0] if n else 0:,} copies not "
            "kept are in superseded_counts"
        )
    gaps = record_months(con, m, import_id)
    if gaps:
        out.notes.append(
            "months without figures (gaps, never 0; see source_months): "
            + ", ".join(f"{status}: {k}" for status, k in gaps.items())
        )
    missing = tally(
        con,
        "select ci.name || ' ' || mp.offense, count(*) from missing_parts mp join parsed p using (line)"
        " join cities ci on ci.city_id = p.city_id group by 1 order by 1",
    )
    if missing:
        out.notes.append(
            "counts of 0 read as not reported (zero_is_missing), with the totals over them: "
            + "; ".join(f"{k}: {v} months" for k, v in missing.items())
        )
    if m.counts.population:
        out.written["agency_population"] = _population(con, m, import_id)
    if m.breaks:
        out.written["source_breaks"] = _breaks(con, m)
    derived = tally(
        con,
        "select c.name || ' ' || v.offense, count(*) from cmp v join cities c using (city_id)"
        " where v.flag like 'derived%' and v.status <> 'same' group by 1 order by 1",
    )
    if derived:
        shown = "; ".join(f"{k}: {n} months" for k, n in derived.items())
        out.notes.append(
            f"{sum(derived.values()):,} totals the source left empty were derived from their complete parts "
            f"and flagged 'derived' in monthly_counts.flag ({shown})"
        )
    if revised:
        out.notes.append(
            f"{revised:,} counts differ from the store's and were replaced (publisher revisions)"
        )
