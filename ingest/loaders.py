"""Dispatch an import to the loader of the mapping's kind."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.agencies import load_agencies
from ingest.counts.load import load_counts
from ingest.geography import load_geography
from ingest.incidents.load import load_incidents
from ingest.mapping.load import Mapping
from ingest.outcome import Outcome, Step


def load(con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Step) -> Outcome:
    """Run the loader for m.kind inside the caller's write transaction."""
    if m.kind == "incidents":
        return load_incidents(con, m, file, import_id, step)
    if m.kind in ("monthly_counts", "period_counts"):
        return load_counts(con, m, file, import_id, step)
    if m.kind == "agencies":
        return load_agencies(con, m, file, import_id, step)
    return load_geography(con, m, file, import_id, step)
