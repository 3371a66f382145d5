"""Read-only access to the store.

The dashboard never writes. Ingestion builds a new version of the store beside the old
one and renames it into place (ingest/store.py); a reader notices through `version()`
(inode + mtime change) and opens the new file on its next rerun, while connections to the
old file stay valid until closed. This is how an import can run while the dashboard is up.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from kernel.lake import attach_views, is_lake

# The highest migration this code knows: the largest NNNN in ingest/migrations/NNNN_*.sql.
# (Read from the file names, not imported: analysis/ does not import the write side.)
SCHEMA_VERSION = max(
    int(p.name.split("_", 1)[0])
    for p in (Path(__file__).resolve().parent.parent / "ingest" / "migrations").glob("[0-9]*_*.sql")
)


# The `source` of every row the synthetic demo generator writes (ingest/demo/).
DEMO_SOURCE = "demo"


class StoreError(RuntimeError):
    """The store is missing or cannot be used; the message says what to run."""


def version(path: Path) -> tuple[int, int]:
    """Identity of the store file now: (inode, mtime in ns). Changes on every write."""
    st = os.stat(path)
    return (st.st_ino, st.st_mtime_ns)


def connect_readonly(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the store read-only, or raise StoreError with the command that fixes it.
    A folder holding a lake (kernel/lake.py) opens as views over its Parquet files."""
    if is_lake(path):
        return connect_lake(path)
    if not path.exists():
        raise StoreError(
            f"No store at {path}. Build the public store with `make store` (`python -m ingest public`), "
            "the demo with `make demo`, or load your data with `python -m ingest import ...` (see README)."
        )
    # Attach to a fresh in-memory instance rather than duckdb.connect(path): DuckDB caches
    # database instances by path within a process, so after a swap connect(path) would
    # hand back the old file. An attached file is opened anew every time.
    con = duckdb.connect(":memory:")
    con.execute("attach ? as store (read_only)", [str(path)])
    con.execute("use store")
    applied = schema_version(con)
    if applied < SCHEMA_VERSION:
        con.close()
        raise StoreError(
            f"The store at {path} has schema version {applied}; this dashboard needs "
            f"{SCHEMA_VERSION}. Run `python -m ingest migrate` to upgrade it."
        )
    return con


def connect_lake(path: Path) -> duckdb.DuckDBPyConnection:
    """A lake folder as an in-memory database `store` of views over its Parquet files."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach ':memory:' as store")
        con.execute("use store")
        attach_views(con, path)
    except (OSError, ValueError, duckdb.Error) as exc:
        con.close()
        raise StoreError(f"The lake at {path} cannot be read: {exc}") from None
    applied = schema_version(con)
    if applied < SCHEMA_VERSION:
        con.close()
        raise StoreError(
            f"The lake at {path} has schema version {applied}; this dashboard needs {SCHEMA_VERSION}. "
            "Migrate the store it came from (`python -m ingest migrate`) and export it again."
        )
    return con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (own connection, same database) for one thread, pointed at the store."""
    cur = con.cursor()
    cur.execute("use store")
    return cur


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """Highest applied migration, 0 for an empty database."""
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_name = 'schema_migrations' and table_catalog = current_database()"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = con.execute("select coalesce(max(version), 0) from schema_migrations").fetchone()
    return int(row[0]) if row else 0


def _present(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> set[str]:
    """Which of `tables` exist (tables or views) in the current database."""
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_catalog = current_database() and table_name in (select unnest(?::varchar[]))",
        [list(tables)],
    ).fetchall()
    return {r[0] for r in rows}


def is_demo_store(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the store holds the synthetic demo: store_info says `dataset = demo`, or a
    demo row is in the citywide counts or the incident rollup. The one demo check: pages
    label the data with it, and the write side refuses to mix real rows into such a store.

    Asked on every page: small tables, stopping at the first demo row. A table an old
    store lacks (before its migration) is left out."""
    checks = {
        "store_info": "exists (select 1 from store_info where key = 'dataset' and value = $demo)",
        "monthly_counts": "exists (select 1 from monthly_counts where source = $demo)",
        "incident_months": "exists (select 1 from incident_months where source = $demo)",
    }
    try:  # a store with all three tables (every migrated one): one query, no catalog lookup
        row = con.execute("select " + " or ".join(checks.values()), {"demo": DEMO_SOURCE}).fetchone()
        return bool(row and row[0])
    except duckdb.CatalogException:
        pass
    present = _present(con, tuple(checks))
    if not present:
        return False
    sql = "select " + " or ".join(v for k, v in checks.items() if k in present)
    row = con.execute(sql, {"demo": DEMO_SOURCE}).fetchone()
    return bool(row and row[0])


def real_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources of the store's rows that are not the demo's (incidents and citywide
    counts), sorted: a demo build refuses a store where this is not empty."""
    rows = con.execute(
        "select distinct source from (select source from incidents where source <> $demo"
        " union all select source from monthly_counts where source <> $demo) order by source",
        {"demo": DEMO_SOURCE},
    ).fetchall()
    return [r[0] for r in rows]
