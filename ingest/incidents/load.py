"""An incident import, step by step (see ingest/incidents/__init__.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from ingest.incidents.cells import h3_cells, located_points, numbered_cells
from ingest.incidents.locate import locate
from ingest.incidents.parse import crosswalk_table, parse
from ingest.incidents.write import accepted_notes, fill_raw, key_and_dedupe, write
from ingest.mapping.load import Mapping
from ingest.outcome import Outcome, Step
from ingest.rollups import rebuild_rollups
from ingest.rowchecks import begin, counts, tally, write_quarantine


def load_incidents(
    con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Step
) -> Outcome:
    staged = begin(con, m, file, step, clean=False)
    out = Outcome(rows_read=staged.rows)
    crosswalk_table(con, m)
    parse(con, m, staged.columns)
    out.notes += locate(con, m, step)
    step("checking duplicates", 0.7)
    # H3 cells in a worker thread while DuckDB de-duplicates and writes quarantine (DuckDB
    # releases the GIL while a statement runs): the two use the two cores at once.
    line_xy, lat, lon = located_points(con)
    with ThreadPoolExecutor(max_workers=1) as pool:
        cells = pool.submit(h3_cells, lat, lon)
        key_and_dedupe(con, m)
        fill_raw(con)
        out.quarantine_reasons = write_quarantine(con, m.source, import_id)
        step("H3 cells", 0.75)
        numbered = numbered_cells(con, (line_xy, cells.result()))
    step("writing", 0.8)
    out.accepted = write(con, m, import_id, numbered)
    out.quarantined, out.duplicate, out.skipped, out.skip_reasons = counts(con)
    out.unmapped = tally(
        con,
        "select coalesce(local_code, '(no code) ' || coalesce(local_desc, '?')), count(*) from parsed"
        " where reason is null and not skip and dup is null and nibrs_code is null group by 1",
    )
    out.written = {"incidents": out.accepted}
    out.notes += accepted_notes(con, m)
    step("rollups", 0.9)
    rebuild_rollups(con, [m.source])
    return out
