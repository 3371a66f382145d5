"""Published counts for a period (the RTCI year-to-date table): period_counts for this
year's period and, from the `previous` column, the same period a year earlier."""

from __future__ import annotations

import duckdb

from ingest.counts.parse import dedupe_lines
from ingest.mapping.load import Mapping
from ingest.outcome import Outcome
from ingest.rowchecks import tally


def load_period(con: duckdb.DuckDBPyConnection, m: Mapping, out: Outcome, import_id: int) -> None:
    """Year-to-date counts: period_counts for this year's period and, if given, last year's."""
    dedupe_lines(con, "city_id", "month", "category")
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
