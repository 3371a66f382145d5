"""Published counts, long layout by small area (ZCTA x category): area_counts, and the
mapped categories summed into monthly_counts."""

from __future__ import annotations

import duckdb

from ingest.counts.parse import dedupe_lines
from ingest.errors import MappingError
from ingest.mapping.load import Mapping
from ingest.outcome import Outcome
from ingest.rowchecks import tally


def load_area(con: duckdb.DuckDBPyConnection, m: Mapping, out: Outcome, import_id: int) -> None:
    """Long layout by small area: area_counts, then the mapped categories into monthly_counts."""
    if not m.counts.area:
        raise MappingError(f"{m.path}: [counts] layout = 'long' for monthly_counts needs the area column")
    dedupe_lines(con, "city_id", "month", "area", "category")
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
    _rebuild_monthly(con, m)
    n = con.execute("select count(*) from monthly_counts where source = ?", [m.source]).fetchone()
    out.written["monthly_counts"] = int(n[0]) if n else 0
    out.notes += _notes(m, revised)


def _notes(m: Mapping, revised: int) -> list[str]:
    """What the import report says about the categories and the revised counts."""
    mapped = sorted({v for v in m.counts.categories.values() if v})
    unmapped = sorted(k for k, v in m.counts.categories.items() if not v)
    notes = [
        f"categories summed into monthly_counts: {', '.join(mapped) or 'none'}; kept in area_counts only "
        f"(no honest Part I match): {', '.join(unmapped) or 'none'}"
    ]
    if revised:
        notes.append(f"{revised:,} area counts differ from the store's and were replaced")
    return notes


def _rebuild_monthly(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """monthly_counts of this source are a pure function of its area_counts: rebuild them
    (a month without a row for a mapped category counts 0)."""
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
