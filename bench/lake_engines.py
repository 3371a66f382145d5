"""DuckDB against local Spark on one lake: every rollup recomputed from the lake's
incidents by each engine, in one run, with the same SQL (ingest/lake_spark.py).

    .venv/bin/python -m bench.lake_engines --store STORE [--lake DIR] [--out FILE.json]

Exports the store as a lake first (timed too) unless --lake names an existing one. Spark
runs in local mode (2 cores); its session start (JVM) is reported apart from the work.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument(
        "--lake", type=Path, help="an existing lake (default: export the store to a temp one)"
    )
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/psp-bench"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from ingest.lake import export_lake
    from ingest.lake_spark import duckdb_rollups, spark_rollups, spark_session
    from kernel.lake import read_manifest

    result: dict[str, Any] = {"store": str(args.store), "load_avg_at_start": list(os.getloadavg())}
    lake = args.lake or args.work_dir / f"{args.store.stem}.lake"
    if args.lake is None:
        started = time.perf_counter()
        export_lake(args.store, lake)
        result["export_lake_s"] = time.perf_counter() - started
    result["incidents"] = read_manifest(lake)["tables"]["incidents"]["rows"]
    result["lake_mb"] = round(sum(p.stat().st_size for p in lake.rglob("*.parquet")) / 1e6, 1)
    out = args.work_dir / "lake_engines_out"
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    rows = duckdb_rollups(lake, out / "duckdb")
    result["duckdb_s"] = time.perf_counter() - started
    started = time.perf_counter()
    spark = spark_session()
    result["spark_session_s"] = time.perf_counter() - started
    started = time.perf_counter()
    spark_rows = spark_rollups(lake, out / "spark", spark=spark)
    result["spark_s"] = time.perf_counter() - started
    spark.stop()
    result["rows"] = rows
    result["same_row_counts"] = rows == spark_rows
    result["spark_to_duckdb"] = result["spark_s"] / result["duckdb_s"]
    result["load_avg_at_end"] = list(os.getloadavg())
    shutil.rmtree(out, ignore_errors=True)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
