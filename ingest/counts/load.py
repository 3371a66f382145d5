"""A counts import, step by step (see ingest/counts/__init__.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.counts.area import load_area
from ingest.counts.parse import parse
from ingest.counts.period import load_period
from ingest.counts.wide import load_wide
from ingest.mapping.load import Mapping
from ingest.outcome import Outcome, Step
from ingest.rowchecks import begin, counts, write_quarantine


def categories_table(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """Temp table categories(category, offense): the mapping's [counts.categories]."""
    con.execute("create or replace temp table categories (category varchar primary key, offense varchar)")
    rows = [[k, v] for k, v in m.counts.categories.items()]
    if rows:
        con.executemany("insert into categories values (?, ?)", rows)


def load_counts(
    con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Step
) -> Outcome:
    """Import a file of published counts (monthly or for a period) into the store."""
    staged = begin(con, m, file, step)
    out = Outcome(rows_read=staged.rows)
    categories_table(con, m)
    parse(con, m, staged.columns)
    step("checking duplicates", 0.6)
    out.quarantine_reasons = write_quarantine(con, m.source, import_id)
    step("writing", 0.75)
    if m.kind == "period_counts":
        load_period(con, m, out, import_id)
    elif m.counts.layout == "wide":
        load_wide(con, m, out, import_id)
    else:
        load_area(con, m, out, import_id)
    out.quarantined, out.duplicate, out.skipped, out.skip_reasons = counts(con)
    return out
