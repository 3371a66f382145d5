"""DuckDB against local Spark on one lake: every rollup recomputed from the lake's incidents
by each engine, in one run, with the same SQL (ingest/lake_spark.py).

    .venv/bin/python -m bench.lake_engines --store STORE --label 10M [--out bench/lake_engines.json]

Exports the store as a lake first (timed too) unless --lake names an existing one, then
runs DuckDB and Spark (local[2]) one after the other. Per engine: wall seconds, CPU seconds
(the DuckDB process; Spark's JVM, read from /proc) and, per table, rows and seconds. On a
machine shared with other jobs the wall times stretch with the load (recorded at start
and end); the CPU seconds much less. The result is merged into --out under --label, and
rewritten after every table, so a run stopped part-way keeps the stages it finished.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from pathlib import Path
from typing import Any


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _jvm_cpu(spark: Any) -> float | None:
    """CPU seconds of Spark's JVM (the gateway process pyspark started), or None."""
    try:
        pid = spark.sparkContext._gateway.proc.pid
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError, IndexError, ValueError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--label", required=True, help="the scale's name in --out, e.g. 1M")
    parser.add_argument("--lake", type=Path, help="an existing lake (default: export the store)")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/psp-bench"))
    parser.add_argument("--out", type=Path, default=Path("bench/lake_engines.json"))
    parser.add_argument("--spark-memory", default="2g", help="Spark driver memory (local mode)")
    parser.add_argument("--no-spark", action="store_true", help="DuckDB only")
    args = parser.parse_args()

    from ingest.lake import export_lake
    from ingest.lake_spark import duckdb_rollups, spark_rollups, spark_session
    from kernel.lake import read_manifest

    everything: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    result: dict[str, Any] = {
        "store": str(args.store),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cores": os.cpu_count(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    everything.setdefault("runs", {})[args.label] = result

    def save() -> None:
        args.out.write_text(json.dumps(everything, indent=2) + "\n")

    lake = args.lake or args.work_dir / f"{args.store.stem}.lake"
    if args.lake is None:
        started = time.perf_counter()
        export_lake(args.store, lake)
        result["export_lake_s"] = round(time.perf_counter() - started, 2)
    manifest = read_manifest(lake)
    result["incidents"] = manifest["tables"]["incidents"]["rows"]
    result["lake_mb"] = round(sum(p.stat().st_size for p in lake.rglob("*.parquet")) / 1e6, 1)
    result["lake_incidents_mb"] = round(
        sum(p.stat().st_size for p in (lake / "incidents").rglob("*.parquet")) / 1e6, 1
    )
    result["lake_files"] = sum(1 for _ in lake.rglob("*.parquet"))
    save()
    out = args.work_dir / f"lake_engines_out.{os.getpid()}"
    shutil.rmtree(out, ignore_errors=True)

    def stage(engine: dict[str, Any]) -> Any:
        def on_table(table: str, rows: int, seconds: float) -> None:
            engine.setdefault("tables", {})[table] = {"rows": rows, "s": round(seconds, 2)}
            save()
            print(f"{table:<22}{rows:>12,}{seconds:>9.1f} s", flush=True)

        return on_table

    try:
        duck: dict[str, Any] = {}
        result["duckdb"] = duck
        cpu, started = _own_cpu(), time.perf_counter()
        rows = duckdb_rollups(lake, out / "duckdb", on_table=stage(duck))
        duck["wall_s"] = round(time.perf_counter() - started, 2)
        duck["cpu_s"] = round(_own_cpu() - cpu, 2)
        duck["rows"] = sum(rows.values())
        print(f"duckdb: {duck['wall_s']} s wall, {duck['cpu_s']} s CPU", flush=True)
        save()
        if not args.no_spark:
            spark_result: dict[str, Any] = {"finished": False, "memory": args.spark_memory}
            result["spark"] = spark_result
            started = time.perf_counter()
            spark = spark_session(memory=args.spark_memory)
            spark_result["session_s"] = round(time.perf_counter() - started, 2)
            cpu0 = _jvm_cpu(spark)
            save()
            try:
                started = time.perf_counter()
                spark_rows = spark_rollups(lake, out / "spark", spark=spark, on_table=stage(spark_result))
                spark_result["wall_s"] = round(time.perf_counter() - started, 2)
                cpu1 = _jvm_cpu(spark)
                if cpu0 is not None and cpu1 is not None:
                    spark_result["cpu_s"] = round(cpu1 - cpu0, 2)
                spark_result["finished"] = True
                spark_result["same_rows_per_table"] = rows == spark_rows
                spark_result["wall_to_duckdb"] = round(spark_result["wall_s"] / duck["wall_s"], 1)
                print(
                    f"spark: {spark_result['wall_s']} s wall, {spark_result.get('cpu_s')} s CPU", flush=True
                )
            finally:
                spark.stop()
    finally:
        result["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
        save()
        shutil.rmtree(out, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
