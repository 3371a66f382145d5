"""Registry look-ups from the store (cities and their names) for pages and reports."""

from __future__ import annotations

import duckdb


def city_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """city_id -> display name ("Memphis, TN"), in name order."""
    rows = con.execute("select city_id, name || ', ' || state from cities order by name").fetchall()
    return {r[0]: r[1] for r in rows}
