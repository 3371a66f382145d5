"""Export the store as a lake: Hive-partitioned Parquet that other engines and app replicas read.

    python -m ingest export-lake DIR            # every table of the store, as Parquet
    PSP_DB=DIR streamlit run dashboard.py       # the dashboard on the lake, read-only

Layout: DIR/_lake.json (format, schema version, tables and their row counts) and one folder
per table. incidents, the one table that grows with the offenses, is split by city and
calendar year of occurred_at: DIR/incidents/city=<city_id>/year=<YYYY>/data_0.parquet
(year=NULL for rows without a date), so an engine can read or replace one city-year. The
partition keys are copies: every file holds all of the table's own columns, so a reader
needs no partition discovery (DuckDB reads with hive_partitioning = false, Spark with
recursiveFileLookup). Every other table, the rollups included, is a folder of a few files
(one written by DuckDB, one per task by Spark) in the order the rollup SQL gives (by city):
the rollups are small, and one file per city x year x table made both engines spend their
time opening, writing and committing thousands of tiny files (bench/lake_engines.py).

Which tables are rollups (recomputed by ingest.lake_spark from the lake's incidents) is
ingest.rollups.ROLLUP_TABLES: one list, so a new rollup is one more line there.

The export is atomic like the store: it is written beside DIR and swapped in by rename, so a
failed export leaves the previous lake as it was and a reader never sees half a lake.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import duckdb

from kernel.lake import LAKE_FORMAT, MANIFEST, read_manifest
from kernel.sql import ident

# Temporary partition columns: DuckDB names the folders after them; renamed to city=/year=.
_CITY, _YEAR = "__lake_city", "__lake_year"

# The tables split into city=/year= folders (see the module doc); every other one is flat.
PARTITIONED: tuple[str, ...] = ("incidents",)


def store_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The base tables of the open store (its main schema), by name."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
        " and table_type = 'BASE TABLE' and table_catalog = current_database() order by table_name"
    ).fetchall()
    return [r[0] for r in rows]


def partition_columns(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, str] | None:
    """(city column, date column) a table of PARTITIONED is split on, or None for a flat
    table: city_id and the first DATE or TIMESTAMP column in the table's order."""
    if table not in PARTITIONED:
        return None
    cols = con.execute(
        "select column_name, data_type from duckdb_columns() where table_name = ?"
        " and schema_name = 'main' and database_name in (current_database(), 'temp') order by column_index",
        [table],
    ).fetchall()
    names = [c[0] for c in cols]
    dates = [c[0] for c in cols if c[1] in ("DATE", "TIMESTAMP")]
    if "city_id" not in names or not dates:
        return None
    return "city_id", dates[0]


def rename_partitions(folder: Path) -> None:
    """DuckDB's and Spark's folder names for the temporary columns -> city=... / year=..."""
    for city_dir in sorted(folder.glob(f"{_CITY}=*")):
        for year_dir in sorted(city_dir.glob(f"{_YEAR}=*")):
            year = year_dir.name.split("=", 1)[1]
            if year in ("__HIVE_DEFAULT_PARTITION__", "null"):
                year = "NULL"
            year_dir.rename(city_dir / f"year={year}")
        city_dir.rename(folder / ("city=" + city_dir.name.split("=", 1)[1]))


def copy_table(con: duckdb.DuckDBPyConnection, table: str, folder: Path, allowed: list[str]) -> int:
    """Write `table` of the open store into `folder` as Parquet; returns its row count."""
    name = ident(table, allowed)
    folder.mkdir(parents=True)
    parts = partition_columns(con, table)
    row = con.execute(f"select count(*) from {name}").fetchone()  # noqa: S608 - allow-listed name
    rows = int(row[0]) if row else 0
    if parts is None or rows == 0:
        # One file (with the schema even when empty, so a reader always finds the columns).
        con.execute(f"copy (select * from {name}) to ? (format parquet)", [str(folder / "data_0.parquet")])  # noqa: S608
        return rows
    city = ident(parts[0], parts)
    day = ident(parts[1], parts)
    con.execute(
        f"copy (select *, {city} as {_CITY}, year({day}) as {_YEAR} from {name})"  # noqa: S608 - allow-listed names
        f" to ? (format parquet, partition_by ({_CITY}, {_YEAR}), overwrite_or_ignore)",
        [str(folder)],
    )
    rename_partitions(folder)
    return rows


@contextlib.contextmanager
def _swap_dir(out: Path) -> Any:
    """Yield a fresh folder beside `out`; on success it replaces `out` (rename), on error
    it is removed and `out` is untouched."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.with_name(f".{out.name}.{os.getpid()}.old")
    if out.exists():
        if not (out / MANIFEST).exists() and any(out.iterdir()):
            shutil.rmtree(tmp, ignore_errors=True)
            raise FileExistsError(f"{out} exists and is not a lake (no {MANIFEST}): not replacing it")
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def export_lake(db: Path, out: Path) -> dict[str, int]:
    """Write every table of the store at `db` under `out` (see the module doc). Returns
    table -> rows. The store is opened read-only; `out` is replaced only on success."""
    from kernel.store import connect_readonly, schema_version

    con = connect_readonly(Path(db))
    try:
        tables = store_tables(con)
        with _swap_dir(Path(out)) as tmp:
            written = {t: copy_table(con, t, tmp / t, tables) for t in tables}
            manifest = {
                "format": LAKE_FORMAT,
                "schema_version": schema_version(con),
                "exported_from": str(Path(db).resolve()),
                "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "tables": {
                    t: {"rows": n, "partitioned": partition_columns(con, t) is not None and n > 0}
                    for t, n in written.items()
                },
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    finally:
        con.close()
    return written


def replace_tables(lake: Path, computed: Path, written: dict[str, int]) -> None:
    """Move the table folders of `computed` into the lake in place of its own, one rename
    per table, and record their row counts in the manifest (written last, by rename)."""
    lake = Path(lake)
    manifest = read_manifest(lake)
    for table, rows in written.items():
        old = lake / f".{table}.{os.getpid()}.old"
        if (lake / table).exists():
            (lake / table).rename(old)
        (computed / table).rename(lake / table)
        shutil.rmtree(old, ignore_errors=True)
        manifest["tables"][table] = {"rows": rows, "partitioned": table in PARTITIONED and rows > 0}
    manifest["rollups_by"] = "recomputed from the lake"
    tmp = lake / f".{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp.replace(lake / MANIFEST)
