"""`python -m ingest export-lake | lake-rollups`: the store as Parquet, and its rollups by Spark."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from ingest.cli.common import DbOption, console, fail, store_path
from ingest.lake import export_lake, replace_tables
from ingest.lake_spark import spark_rollups
from kernel.store import StoreError


def _print_written(written: dict[str, int]) -> None:
    for table, rows in written.items():
        console.print(f"  {table:<24}{rows:>14,}", markup=False)


def export_lake_cmd(
    out: Annotated[Path, typer.Argument(help="Folder to write (replaced as a whole on success).")],
    db: DbOption = None,
) -> None:
    """Write incidents and every rollup as Hive-partitioned Parquet (city=/year=), the other
    tables as one file each: a lake that Spark and read-only dashboard replicas can use
    (PSP_DB=FOLDER make run)."""
    path = store_path(db)
    try:
        written = export_lake(path, out)
    except (StoreError, duckdb.Error, OSError) as exc:
        raise fail(exc) from None
    _print_written(written)
    console.print(f"lake: {out}", markup=False)


def lake_rollups_cmd(
    lake: Annotated[Path, typer.Argument(help="A folder written by export-lake.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the rollups here instead of replacing the lake's own."),
    ] = None,
) -> None:
    """Recompute every rollup from the lake's incidents with Apache Spark (local mode), from
    the same SQL as ingest (transpiled with sqlglot); by default they replace the lake's."""
    target = out or lake / f".spark-rollups.{os.getpid()}.tmp"
    try:
        written = spark_rollups(lake, target)
        if out is None:
            replace_tables(lake, target, written)
    except (FileNotFoundError, ValueError, LookupError) as exc:
        raise fail(exc) from None
    finally:
        if out is None:
            shutil.rmtree(target, ignore_errors=True)
    _print_written(written)
    console.print(f"rollups: {out or lake}", markup=False)
