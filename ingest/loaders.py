"""Dispatch an import to the loader of the mapping's kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from ingest.importer import Outcome
from ingest.mapping import Mapping


def load(
    con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Callable[[str, float], None]
) -> Outcome:
    """Run the loader for m.kind inside the caller's write transaction."""
    if m.kind == "incidents":
        from ingest.incidents import load_incidents

        return load_incidents(con, m, file, import_id, step)
    if m.kind in ("monthly_counts", "period_counts"):
        from ingest.counts import load_counts

        return load_counts(con, m, file, import_id, step)
    if m.kind == "agencies":
        from ingest.agencies import load_agencies

        return load_agencies(con, m, file, import_id, step)
    from ingest.geography import load_geography

    return load_geography(con, m, file, import_id, step)
