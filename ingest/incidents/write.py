"""Step 4 of an incident import: key and de-duplicate, write incidents and quarantine,
and the notes the report shows."""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from ingest.mapping.load import Mapping
from ingest.rowchecks import WRITTEN
from ingest.staging import RAW_JSON_SQL


def key_and_dedupe(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """First row per key (source_id, from parse) wins; keys already stored are duplicates.
    Only keys seen more than once in the file are ranked (no window over the whole file)."""
    con.execute(
        """
        update parsed set dup = 'repeated in file' where line in (
            select line from (
                select line, row_number() over (partition by source_id order by line) as rn
                from parsed where reason is null and not skip and source_id in (
                    select source_id from parsed where reason is null and not skip
                    group by source_id having count(*) > 1)
            ) where rn > 1)
        """
    )
    con.execute(
        "update parsed set dup = 'already in store' where reason is null and not skip and dup is null"
        " and source_id in (select source_id from incidents where source = ?)",
        [m.source],
    )


def fill_raw(con: duckdb.DuckDBPyConnection) -> None:
    """parsed.raw (the record as JSON) for the rows quarantine will list: rejected rows and
    rows kept with an unknown or missing code. The others never need it."""
    need = "reason is not null or code_status in ('unknown', 'missing')"
    row = con.execute(f"select count(*) from parsed where {need}").fetchone()  # noqa: S608 - fixed text
    if not row or not row[0]:
        return
    con.execute(
        f"update parsed set raw = j.raw from ({RAW_JSON_SQL}) j"  # noqa: S608 - fixed text
        f" where parsed.line = j.line and ({need})"
    )


def write(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int, cells: pa.Table) -> int:
    """Insert the accepted rows into incidents (ids and H3 cells from `cells`) and list
    the rows kept with an unknown or missing code in quarantine. Returns rows written."""
    con.register("numbered_cells_arrow", cells)
    try:
        # A DuckDB table, not the Arrow one, on the build side of the join: a join with
        # the Arrow scan runs several times slower.
        con.execute(
            "create or replace temp table numbered_cells as"
            " select line, incident_id, h3_r9 from numbered_cells_arrow where incident_id is not null"
        )
    finally:
        con.unregister("numbered_cells_arrow")
    con.execute(
        """
        insert into incidents (incident_id, city_id, occurred_at, reported_at, nibrs_code, offense,
                               local_offense, part1_offense, offense_group, crime_against, firearm,
                               lat, lon, h3_r9, district, source, source_id, import_id, time_known,
                               date_basis, district_layer)
        select c.incident_id,
               p.city_id, p.occurred_at, coalesce(p.reported_at, case when p.date_basis = 'reported'
               then p.occurred_at end), p.nibrs_code, coalesce(o.name, p.local_desc, p.local_code),
               coalesce(p.local_code, p.local_desc), o.part1_offense, coalesce(o.offense_group, 'other'),
               o.crime_against, p.firearm, p.lat, p.lon, c.h3_r9, p.district, ?, p.source_id, ?,
               p.time_known, p.date_basis, p.district_layer
        from parsed p join numbered_cells c on c.line = p.line
        left join offenses o on o.nibrs_code = p.nibrs_code
        where p.reason is null and not p.skip and p.dup is null
        """,
        [m.source, import_id],
    )
    con.execute("drop table numbered_cells")
    # Unknown or missing codes are kept (above) AND listed for the user to fix the crosswalk.
    con.execute(
        """
        insert into quarantine (import_id, source, line, reason, raw, field, kept, city_id, month)
        select ?, ?, line, case code_status when 'missing' then 'no offense code' else 'unknown offense code' end,
               raw, ?, true, city_id, q_month
        from parsed
        where reason is null and not skip and dup is null and code_status in ('unknown', 'missing')
        order by line
        """,
        [import_id, m.source, m.offense.code or m.offense.description],
    )
    row = con.execute(f"select count(*) from parsed where {WRITTEN}").fetchone()  # noqa: S608 - fixed text
    return int(row[0]) if row else 0


def accepted_notes(con: duckdb.DuckDBPyConnection, m: Mapping) -> list[str]:
    """What the user should know about the accepted rows (report dates, unknown times,
    rows without coordinates, unmapped codes, ids repeated per victim)."""
    stats: Any = con.execute(
        """
        select count(*) filter (where not time_known),
               count(*) filter (where lat is null),
               count(*) filter (where code_status in ('unknown', 'missing')),
               count(*)
        from parsed where reason is null and not skip and dup is null
        """
    ).fetchone()
    no_time, no_xy, unknown, total = (int(v) for v in stats)
    notes = []
    if m.date_basis == "reported":
        notes.append("occurred_at holds the REPORT date: the file has no offense date")
    if no_time and m.occurred and (m.occurred.time_column or m.date_basis == "occurred"):
        notes.append(f"{no_time:,} rows have a date but no usable time: kept with time_known = false")
    if no_xy and total and m.location.x:
        notes.append(f"{no_xy:,} of {total:,} accepted rows have no coordinates: kept, not on maps")
    if unknown:
        notes.append(
            f"{unknown:,} rows have an unknown or missing offense code: kept as unmapped (offense_group "
            "'other', nibrs_code NULL) and listed in quarantine with kept = true"
        )
    file_dups = con.execute("select count(*) from parsed where dup = 'repeated in file'").fetchone()
    if file_dups and file_dups[0] and m.id.per == "offense":
        notes.append(
            f"{file_dups[0]:,} rows repeat an id and offense already seen in the file (one row per "
            "victim or person at the source): one offense kept per id and NIBRS code"
        )
    return notes
