"""Published counts -> monthly_counts (and area_counts, period_counts).

Three shapes, one loader:
- wide monthly (the Real-Time Crime Index): one row per city x month, one column per
  offense. A violent_crime / property_crime total the source left empty is derived
  from its parts when every part is present, and flagged 'derived' in
  monthly_counts.flag; when a part is missing too, nothing is invented.
- long monthly by small area (ZCTA x crime type): every row goes to area_counts with
  the publisher's category; categories that map honestly to an FBI Part I offense are
  summed per city x month into monthly_counts (a month in the file without a row for a
  mapped category counts 0 -- the publisher aggregated incidents, so no row = none).
- period counts (the RTCI year-to-date table): period_counts rows for the year to date
  and, from the `previous` column, the same period a year earlier.

Counts are keyed on (source, city, month/period, offense/category). Re-importing the
same figures adds nothing; a publisher's revised figure replaces the old one (counted
as accepted and reported as revised).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from ingest.errors import MappingError
from ingest.importer import Outcome
from ingest.incidents import run
from ingest.mapping import TOTAL_PARTS, Mapping
from ingest.rowchecks import (
    Params,
    begin,
    city_check_sql,
    city_sql,
    col,
    counts,
    date_sql,
    tally,
    write_quarantine,
)
from ingest.staging import LINE, RAW

Step = Callable[[str, float], None]


def _month_sql(m: Mapping, header: tuple[str, ...], p: Params) -> tuple[str, str]:
    """(month expression: first day of the month, raw text expression)."""
    c = m.counts
    if c.month is not None:
        value, _, raw = date_sql(c.month, header, p, "mon")
        return f"date_trunc('month', {value})::date", raw
    assert c.year_column and c.month_column
    p["month_fmt"] = "%Y-" + c.month_format
    year, month = col(c.year_column, header), col(c.month_column, header)
    raw = f"({year} || '-' || {month})"
    return f"try_strptime({raw}, $month_fmt)::date", raw


def _number(expr: str) -> str:
    """A count from text: thousands separators allowed, must be a whole number."""
    return f"try_cast(replace({expr}, ',', '') as double)"


def parse(con: duckdb.DuckDBPyConnection, m: Mapping, header: tuple[str, ...]) -> None:
    """Temp table `parsed` (one row per source row) and `cvals` (one row per value)."""
    c = m.counts
    p: Params = {"source": m.source}
    city_join, city_id, city_raw = city_sql(m.city, header, p)
    month, month_raw = _month_sql(m, header, p)
    p["skip_other"] = m.city.other == "skip"
    p["month_field"] = c.month.column if c.month else c.month_column
    p["city_field"] = m.city.column
    if c.layout == "wide":
        offenses = list(c.columns)
        p["offenses"] = offenses
        p["value_fields"] = [c.columns[o] for o in offenses]
        raw_values = "[" + ", ".join(col(c.columns[o], header) for o in offenses) + "]"
        values = f"list_transform({raw_values}, lambda v: {_number('v')})"
        extra = (
            f"$offenses::varchar[] as names, {raw_values} as raw_values, {values} as nums,"
            " null::varchar as category, null::varchar as area, null::varchar as prev_raw,"
        )
    else:
        assert c.category and c.value
        p["value_fields"] = [c.value]
        raw_values = f"[{col(c.value, header)}]"
        values = f"[{_number(col(c.value, header))}]"
        area = col(c.area, header) if c.area else "null::varchar"
        prev = col(c.previous, header) if c.previous else "null::varchar"
        extra = (
            f"[lower({col(c.category, header)})] as names, {raw_values} as raw_values, {values} as nums,"
            f" lower({col(c.category, header)}) as category, {area} as area, {prev} as prev_raw,"
        )
    p["keep_negative"] = c.negative == "keep"
    pop = col(c.population, header) if c.population else "null::varchar"
    flag = col(c.flag_column, header) if c.flag_column else "null::varchar"
    compare = col(c.duplicates.compare, header) if c.duplicates and c.duplicates.compare else "null::varchar"
    extra += f" {pop} as pop_raw, lower({flag}) as flag_raw, {_number(compare)} as compare_value,"
    skip_cols, city_reasons = city_check_sql("b")
    sql = f"""
    create or replace temp table parsed as
    with base as (
        select s.{LINE} as line, s.{RAW} as raw, {city_id} as city_id, {city_raw} as city_raw,
               {month} as month, {month_raw} as month_raw, {extra}
               list_position(list_transform(list_zip({raw_values}, {values}),
                   lambda z: z[1] is not null
                   and (z[2] is null or (z[2] < 0 and not $keep_negative) or z[2] <> floor(z[2]))), true) as bad_at
        from stage s {city_join}
        left join cities ci on ci.city_id = {city_id}
    )
    select b.*, null::varchar as dup, null::varchar as field, b.month as q_month,
           {skip_cols},
           case {city_reasons}
                when b.month_raw is null then 'missing date'
                when b.month is null then 'bad date'
                when b.month < date '1900-01-01' or b.month > current_date + interval 31 day
                    then 'date out of range'
                when b.bad_at > 0 and b.nums[b.bad_at] < 0 then 'negative count'
                when b.bad_at > 0 then 'bad count'
                when b.category is not null and b.raw_values[1] is null then 'missing count'
           end as reason
    from base b
    """  # noqa: S608 - identifiers come from kernel.sql.ident (allow-list: the file's header)
    run(con, sql, p)
    run(
        con,
        """
        update parsed set field = case
            when reason in ('missing city', 'unknown city') then $city_field::varchar
            when reason in ('missing date', 'bad date', 'date out of range') then $month_field::varchar
            else list_extract($value_fields::varchar[], greatest(coalesce(bad_at, 1), 1)) end
        where reason is not null
        """,
        p,
    )


def _dedupe_lines(con: duckdb.DuckDBPyConnection, key: str) -> None:
    con.execute(
        f"""
        update parsed set dup = 'repeated in file' where line in (
            select line from (
                select line, row_number() over (partition by {key} order by line) as rn
                from parsed where reason is null and not skip
            ) where rn > 1)
        """  # noqa: S608 - key is one of the fixed column lists below
    )


NEGATIVE_FLAG = "negative: a net adjustment (more earlier reports unfounded than new ones), as published"


def _values(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
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


def _mark_not_reported(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """Rows that say "not reported" (blank, all zeros) are skipped: nothing is written for
    them, and source_months records the month as not reported."""
    nr = m.counts.not_reported
    rules = []
    if nr.blank:
        rules.append(("list_bool_and(list_transform(raw_values, lambda v: v is null))", "blank month"))
    if nr.all_zero:
        rules.append(("list_bool_and(list_transform(nums, lambda v: v = 0))", "every count 0"))
    for condition, why in rules:
        con.execute(
            f"update parsed set skip = true, skip_reason = 'not reported: ' || ?"  # noqa: S608 - fixed SQL above
            f" where reason is null and not skip and {condition}",
            [why],
        )


LUMP = "not reported monthly: a lump sum of the months since "


def _lump_sums(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> dict[str, int]:
    """[counts.not_reported] lump_after_zeros: the month that ends a run of all-zero months
    begun in the same calendar year carries the whole run's offenses. Its figures go to
    period_counts (run start .. end of the month) and the month is skipped as not reported
    monthly. Returns "city: first..month" -> months covered."""
    con.execute(
        """
        create or replace temp table lumps as
        with zeros as (
            select city_id, month from parsed where skip and skip_reason = 'not reported: every count 0'
        ),
        runs as (
            select city_id, min(month) as first, max(month) as last from (
                select *, year(month) * 12 + month(month)
                          - row_number() over (partition by city_id order by month) as grp
                from zeros
            ) group by city_id, grp
        )
        select p.line, p.city_id, r.first, p.month
        from runs r join parsed p
          on p.city_id = r.city_id and p.month = (r.last + interval 1 month)::date
        where p.reason is null and not p.skip and p.dup is null and year(p.month) = year(r.first)
        """
    )
    con.execute(
        """
        insert or replace into period_counts (city_id, offense, period_start, period_end, count, source, import_id)
        select v.city_id, v.offense, v.first, last_day(v.month), v.count, $source, $import_id
        from (
            select l.city_id, l.first, l.month, unnest(p.names) as offense, unnest(p.nums)::integer as count
            from lumps l join parsed p using (line)
        ) v
        left join period_counts pc
          on pc.source = $source and pc.city_id = v.city_id and pc.offense = v.offense
         and pc.period_start = v.first and pc.period_end = last_day(v.month)
        where v.count is not null and pc.count is distinct from v.count
        """,
        {"source": m.source, "import_id": import_id},
    )
    con.execute(
        "update parsed set skip = true, skip_reason = ? || strftime(l.first, '%Y-%m') || ' (period_counts)'"
        " from lumps l where parsed.line = l.line",
        [LUMP],
    )
    return tally(
        con,
        "select ci.name || ' ' || strftime(l.first, '%Y-%m') || '..' || strftime(l.month, '%Y-%m'),"
        " (year(l.month) * 12 + month(l.month)) - (year(l.first) * 12 + month(l.first)) + 1"
        " from lumps l join cities ci using (city_id) order by 1",
    )


def _choose_copies(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> dict[str, int]:
    """A month listed more than once: keep one copy by the mapping's rule, set the others
    aside in superseded_counts (never summed). Returns "city year: copy k" -> months."""
    d = m.counts.duplicates
    assert d is not None
    order = {
        "first": "copy",
        "last": "copy desc",
        "lowest": "score asc nulls last, copy",
        "highest": "score desc nulls last, copy",
    }[d.keep]
    con.execute(
        f"""
        create or replace temp table copies as
        with numbered as (
            select line, city_id, month, compare_value,
                   case when $per = 'year' then date_trunc('year', month)::date else month end as period,
                   row_number() over (partition by city_id, month order by line) as copy,
                   count(*) over (partition by city_id, month) as copies
            from parsed where reason is null and not skip
        ),
        scores as (
            select city_id, period, copy, sum(compare_value) as score
            from numbered where copies > 1 group by all
        ),
        winner as (
            select city_id, period, arg_min(copy, rk) as chosen from (
                select city_id, period, copy,
                       row_number() over (partition by city_id, period order by {order}) as rk
                from scores
            ) group by all
        )
        -- A month with fewer copies than the period's winner keeps its first (its last for 'last').
        select n.*, case when n.copies = 1 then 1
                         when w.chosen <= n.copies then w.chosen
                         when $keep = 'last' then n.copies else 1 end as chosen
        from numbered n left join winner w using (city_id, period)
        """,  # noqa: S608 - `order` is one of the fixed choices above
        {"per": d.per, "keep": d.keep},
    )
    con.execute(
        "update parsed set dup = 'superseded copy (kept in superseded_counts)'"
        " where line in (select line from copies where copies > 1 and copy <> chosen)"
    )
    reason = f"{d.keep} {d.compare or 'copy'} per {d.per}" + (f": {d.why}" if d.why else "")
    con.execute(
        """
        insert or replace into superseded_counts
            (city_id, month, offense, count, source, copy, chosen_copy, reason, import_id)
        select city_id, month, offense, count, ?, copy, chosen, ?, ? from (
            select c.city_id, c.month, c.copy, c.chosen,
                   unnest(p.names) as offense, unnest(p.nums)::integer as count
            from copies c join parsed p using (line)
            where c.copies > 1 and c.copy <> c.chosen
        ) where count is not null
        """,
        [m.source, reason, import_id],
    )
    return tally(
        con,
        "select ci.name || ' ' || year(c.month) || ': copy ' || c.chosen, count(distinct c.month)"
        " from copies c join cities ci using (city_id) where c.copies > 1 group by 1 order by 1",
    )


def _record_months(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> dict[str, int]:
    """source_months: every month of each city's span in the file, reported or not (a
    month with no row at all is 'not in file'). Returns status -> months."""
    con.execute(
        """
        create or replace temp table month_status as
        with rows as (
            select line, city_id, month, skip, skip_reason from parsed
            where reason is null and city_id is not null and month is not null
              and coalesce(skip_reason, '') <> 'not a PSP city'
        ),
        missing as (
            select r.city_id, r.month, list(distinct mp.offense order by mp.offense) as offenses
            from missing_parts mp join rows r using (line) group by all
        ),
        per as (
            select city_id, month, bool_or(not skip) as reported,
                   min(skip_reason) filter (where skip) as why
            from rows group by all
        ),
        span as (select city_id, min(month) as lo, max(month) as hi from per group by city_id),
        grid as (
            select city_id, unnest(generate_series(lo, hi, interval 1 month))::date as month from span
        )
        select g.city_id, g.month,
               case when p.month is null then 'not in file' when p.reported then 'reported'
                    else 'not reported' end as status,
               case when p.month is null then 'no row for this month in the file'
                    when not p.reported then p.why end as reason,
               case when p.reported then x.offenses end as offenses_missing
        from grid g left join per p using (city_id, month) left join missing x using (city_id, month)
        """
    )
    con.execute(
        """
        insert or replace into source_months
        select ?, t.city_id, t.month, t.status, t.reason, t.offenses_missing, ?
        from month_status t left join source_months s
          on s.source = ? and s.city_id = t.city_id and s.month = t.month
        where s.month is null or s.status <> t.status or s.reason is distinct from t.reason
           or s.offenses_missing is distinct from t.offenses_missing
        """,
        [m.source, import_id, m.source],
    )
    return tally(con, "select status, count(*) from month_status where status <> 'reported' group by 1")


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


def _load_wide(con: duckdb.DuckDBPyConnection, m: Mapping, out: Outcome, import_id: int) -> None:
    _mark_not_reported(con, m)
    chosen: dict[str, int] = {}
    if m.counts.duplicates is None:
        _dedupe_lines(con, "city_id, month")
    else:
        chosen = _choose_copies(con, m, import_id)
    lumps = _lump_sums(con, m, import_id) if m.counts.not_reported.lump_after_zeros else {}
    if lumps:
        out.notes.append(
            "months that carry the offenses of the not-reported months before them (late reports), kept as "
            "period_counts, not as monthly figures: "
            + "; ".join(f"{k} ({v} months)" for k, v in lumps.items())
        )
    _values(con, m)
    out.accepted, written, revised = _upsert_monthly(con, m.source, import_id)
    out.written["monthly_counts"] = written
    if chosen:
        n = con.execute("select count(distinct line) from parsed where dup like 'superseded%'").fetchone()
        shown = "; ".join(f"{k} ({v} months)" for k, v in chosen.items())
        out.notes.append(
            f"months listed more than once, never summed: {shown}; the {n[0] if n else 0:,} copies not "
            "kept are in superseded_counts"
        )
    gaps = _record_months(con, m, import_id)
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


def _categories(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    con.execute("create or replace temp table categories (category varchar primary key, offense varchar)")
    rows = [[k, v] for k, v in m.counts.categories.items()]
    if rows:
        con.executemany("insert into categories values (?, ?)", rows)


def _load_area(con: duckdb.DuckDBPyConnection, m: Mapping, out: Outcome, import_id: int) -> None:
    """Long layout by small area: area_counts, then the mapped categories into monthly_counts."""
    if not m.counts.area:
        raise MappingError(f"{m.path}: [counts] layout = 'long' for monthly_counts needs the area column")
    _dedupe_lines(con, "city_id, month, area, category")
    con.execute(
        """
        create or replace temp table avals as
        select p.line, p.city_id, p.month, p.area, p.category, c.offense, (c.category is null) as unknown,
               p.nums[1]::integer as count
        from parsed p left join categories c using (category)
        where p.reason is null and not p.skip and p.dup is null
        """
    )
    con.execute(
        """
        create or replace temp table cmp as
        select v.*, case when a.count is null then 'new' when a.count = v.count then 'same' else 'revised' end
               as status
        from avals v left join area_counts a
          on a.source = ? and a.city_id = v.city_id and a.month = v.month and a.area_kind = ?
         and a.area = v.area and a.category = v.category
        """,
        [m.source, m.counts.area_kind],
    )
    con.execute(
        "insert or replace into area_counts (city_id, month, area_kind, area, category, offense, count, source,"
        " import_id) select city_id, month, ?, area, category, offense, count, ?, ? from cmp where status <> 'same'",
        [m.counts.area_kind, m.source, import_id],
    )
    con.execute(
        "update parsed set dup = 'already in store' where dup is null and reason is null and not skip"
        " and line not in (select line from cmp where status <> 'same')"
    )
    # Unknown categories (not in the mapping) are kept and listed, like unknown codes.
    con.execute(
        "insert into quarantine (import_id, source, line, reason, raw, field, kept, city_id, month)"
        " select ?, ?, c.line, 'unknown category', p.raw, ?, true, c.city_id, c.month"
        " from cmp c join parsed p using (line)"
        " where c.unknown and c.status <> 'same' order by c.line",
        [import_id, m.source, m.counts.category],
    )
    row = con.execute(
        "select count(*) filter (where status <> 'same'), count(*) filter (where status = 'revised') from cmp"
    ).fetchone()
    assert row is not None
    out.accepted, revised = int(row[0]), int(row[1])
    out.written["area_counts"] = out.accepted
    out.unmapped = tally(
        con, "select category, count(*) from cmp where offense is null and status <> 'same' group by 1"
    )
    # monthly_counts of this source are a pure function of its area_counts: rebuild them.
    con.execute("delete from monthly_counts where source = ?", [m.source])
    con.execute(
        """
        insert into monthly_counts (city_id, month, offense, count, source, flag)
        with months as (select distinct city_id, month from area_counts where source = $source),
        mapped as (select distinct offense from categories where offense is not null),
        sums as (
            select city_id, month, offense, sum(count)::integer as count
            from area_counts where source = $source and offense is not null group by all
        )
        select m.city_id, m.month, o.offense, coalesce(s.count, 0), $source, null
        from months m cross join mapped o
        left join sums s on s.city_id = m.city_id and s.month = m.month and s.offense = o.offense
        """,
        {"source": m.source},
    )
    n = con.execute("select count(*) from monthly_counts where source = ?", [m.source]).fetchone()
    out.written["monthly_counts"] = int(n[0]) if n else 0
    mapped = sorted({v for v in m.counts.categories.values() if v})
    unmapped = sorted(k for k, v in m.counts.categories.items() if not v)
    out.notes.append(
        f"categories summed into monthly_counts: {', '.join(mapped) or 'none'}; kept in area_counts only "
        f"(no honest Part I match): {', '.join(unmapped) or 'none'}"
    )
    if revised:
        out.notes.append(f"{revised:,} area counts differ from the store's and were replaced")


def _load_period(con: duckdb.DuckDBPyConnection, m: Mapping, out: Outcome, import_id: int) -> None:
    """Year-to-date counts: period_counts for this year's period and, if given, last year's."""
    _dedupe_lines(con, "city_id, month, category")
    con.execute(
        """
        create or replace temp table pvals as
        select p.line, p.city_id, c.offense, (c.category is null) as unknown, p.category,
               make_date(year(p.month), 1, 1) as period_start, last_day(p.month) as period_end,
               p.nums[1]::integer as count, try_cast(p.prev_raw as integer) as prev
        from parsed p left join categories c using (category)
        where p.reason is null and not p.skip and p.dup is null
        """
    )
    con.execute(
        """
        create or replace temp table pnew as
        select line, city_id, offense, period_start, period_end, count from pvals where offense is not null
        union all
        select line, city_id, offense, period_start - interval 1 year, last_day(period_end - interval 1 year), prev
        from pvals where offense is not null and prev is not null
        """
    )
    con.execute(
        """
        create or replace temp table cmp as
        select v.*, case when pc.count is null then 'new' when pc.count = v.count then 'same' else 'revised' end
               as status
        from pnew v left join period_counts pc
          on pc.source = ? and pc.city_id = v.city_id and pc.offense = v.offense
         and pc.period_start = v.period_start and pc.period_end = v.period_end
        """,
        [m.source],
    )
    con.execute(
        "insert or replace into period_counts (city_id, offense, period_start, period_end, count, source, import_id)"
        " select city_id, offense, period_start, period_end, count, ?, ? from cmp where status <> 'same'",
        [m.source, import_id],
    )
    con.execute(
        "update parsed set dup = 'already in store' where dup is null and reason is null and not skip"
        " and line not in (select line from cmp where status <> 'same')"
        " and line not in (select line from pvals where unknown)"
    )
    row = con.execute(
        "select count(distinct line) filter (where status <> 'same'), count(*) filter (where status <> 'same')"
        " from cmp"
    ).fetchone()
    assert row is not None
    unknown = con.execute("select count(*) from pvals where unknown").fetchone()
    out.accepted = int(row[0]) + (int(unknown[0]) if unknown else 0)
    out.written["period_counts"] = int(row[1])
    out.unmapped = tally(con, "select category, count(*) from pvals where offense is null group by 1")


def load_counts(
    con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Step
) -> Outcome:
    staged = begin(con, m, file, step)
    out = Outcome(rows_read=staged.rows)
    _categories(con, m)
    parse(con, m, staged.columns)
    step("checking duplicates", 0.6)
    out.quarantine_reasons = write_quarantine(con, m.source, import_id)
    step("writing", 0.75)
    if m.kind == "period_counts":
        _load_period(con, m, out, import_id)
    elif m.counts.layout == "wide":
        _load_wide(con, m, out, import_id)
    else:
        _load_area(con, m, out, import_id)
    out.quarantined, out.duplicate, out.skipped, out.skip_reasons = counts(con)
    return out
