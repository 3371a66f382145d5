"""Reading a lake (ingest/lake.py writes it): one view per table over its Parquet files.

A store path that is a folder holding _lake.json is a lake: kernel.store.connect_readonly
opens it as an in-memory DuckDB whose views read the Parquet files, read-only by nature, so
any number of dashboard replicas can serve one lake (on a shared or object-store mount).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from kernel.sql import ident, path_literal

MANIFEST = "_lake.json"
LAKE_FORMAT = 1


def is_lake(path: Path) -> bool:
    return Path(path).is_dir() and (Path(path) / MANIFEST).is_file()


def read_manifest(lake: Path) -> dict[str, Any]:
    path = Path(lake) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(
            f"{lake} is not a lake: no {MANIFEST} (write one with `python -m ingest export-lake`)"
        )
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != LAKE_FORMAT:
        raise ValueError(f"{path}: lake format {manifest.get('format')!r}, this code reads {LAKE_FORMAT}")
    return manifest


def table_glob(lake: Path, table: str) -> str:
    """Every Parquet file of one table of the lake (partitioned or not)."""
    return str(Path(lake) / table / "**" / "*.parquet")


def attach_views(con: duckdb.DuckDBPyConnection, lake: Path, only: list[str] | None = None) -> list[str]:
    """Create one view per lake table (or per table of `only`) in the connection's current
    schema; their names."""
    tables = [t for t in read_manifest(lake)["tables"] if only is None or t in only]
    for table in tables:
        files = f"read_parquet({path_literal(table_glob(lake, table))}, hive_partitioning = false)"
        # Parquet's UINT64 (DuckDB's UBIGINT, e.g. h3_r9) comes back from Spark as DECIMAL(20,0).
        kinds = con.execute(f"describe select * from {files}").fetchall()  # noqa: S608 - a quoted path
        names = [k[0] for k in kinds]
        casts = ", ".join(
            f"{ident(k[0], names)}::ubigint as {ident(k[0], names)}" for k in kinds if k[1] == "DECIMAL(20,0)"
        )
        replace = f" replace ({casts})" if casts else ""
        con.execute(f"create or replace view {ident(table, tables)} as select *{replace} from {files}")  # noqa: S608
    return tables
