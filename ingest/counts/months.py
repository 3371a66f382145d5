"""Published counts, the months: months not reported (skipped, or a lump sum of the
months before), months listed more than once (one copy kept), and source_months."""

from __future__ import annotations

import duckdb

from ingest.mapping.load import Mapping
from ingest.rowchecks import tally

# The rows a mapping's [counts.not_reported] rule skips, by the reason it records.
NOT_REPORTED = {
    "blank month": "list_bool_and(list_transform(raw_values, lambda v: v is null))",
    "every count 0": "list_bool_and(list_transform(nums, lambda v: v = 0))",
}
# Which copy of a month listed more than once comes first, by the mapping's `keep`.
KEEP_ORDER = {
    "first": "copy",
    "last": "copy desc",
    "lowest": "score asc nulls last, copy",
    "highest": "score desc nulls last, copy",
}


def mark_not_reported(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """Rows that say "not reported" (blank, all zeros) are skipped: nothing is written for
    them, and source_months records the month as not reported."""
    nr = m.counts.not_reported
    for why, on in (("blank month", nr.blank), ("every count 0", nr.all_zero)):
        if not on:
            continue
        con.execute(
            "update parsed set skip = true, skip_reason = 'not reported: ' || ?"  # noqa: S608 - a fixed rule
            f" where reason is null and not skip and {NOT_REPORTED[why]}",
            [why],
        )


LUMP = "not reported monthly: a lump sum of the months since "


def lump_sums(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> dict[str, int]:
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
                select *, datediff('month', date '2000-01-01', month)
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
        " datediff('month', l.first, l.month) + 1"
        " from lumps l join cities ci using (city_id) order by 1",
    )


def choose_copies(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> dict[str, int]:
    """A month listed more than once: keep one copy by the mapping's rule, set the others
    aside in superseded_counts (never summed). Returns "city year: copy k" -> months."""
    d = m.counts.duplicates
    assert d is not None
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
                       row_number() over (partition by city_id, period order by {KEEP_ORDER[d.keep]}) as rk
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
    _set_aside(con, m, import_id)
    return tally(
        con,
        "select ci.name || ' ' || year(c.month) || ': copy ' || c.chosen, count(distinct c.month)"
        " from copies c join cities ci using (city_id) where c.copies > 1 group by 1 order by 1",
    )


def _set_aside(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> None:
    """The copies not chosen go to superseded_counts, with the rule that set them aside."""
    d = m.counts.duplicates
    assert d is not None
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


def record_months(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int) -> dict[str, int]:
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
