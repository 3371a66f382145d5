"""CSV import throughput through the importer's generic path.

The demo store's incidents are exported with DuckDB COPY as a records-system export
would look (case number, city, NIBRS code, local date-times as text, WGS84 coordinates,
district) and imported into a fresh store with `import_file(..., "generic", csv,
mapping=...)`, the same call as `python -m ingest import generic FILE --mapping M`.
Every row goes through the full path: parse, crosswalk, coordinate and boundary checks,
H3 cells, de-duplication, the write and the rollups, in one copy-and-swap transaction.
rows/s = rows read / wall time of import_file.

Beside it, in the same run and on the same file, DuckDB's own floor: a bare
`create table t as select * from read_csv(file)` (types sniffed, no checks) into a fresh
store file, committed and closed. `ratio_to_bare_read` = import rows/s / bare rows/s
(target ≥ 0.5). The bare read runs before and after the import and the faster of the two
counts, so a burst of load from other processes on the machine cannot flatter the ratio.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb

MAPPING = """
# Bench mapping: the demo incidents exported as a records-system CSV (bench/csv_import.py).
[source]
name = "bench_rms"
kind = "incidents"
format = "csv"
title = "Bench export of the demo incidents"
standard = "NIBRS"

[city]
column = "city"
match = "city_id"

[id]
columns = ["case_number"]

[occurred]
column = "occurred"
format = "%Y-%m-%d %H:%M:%S"

[reported]
column = "reported"
format = "%Y-%m-%d %H:%M:%S"

[offense]
code = "offense_code"
codes_are_nibrs = true

[location]
x = "longitude"
y = "latitude"

[district]
column = "district"
"""

EXPORT_SQL = """
copy (
    select source_id as case_number, city_id as city, nibrs_code as offense_code,
           strftime(occurred_at, '%Y-%m-%d %H:%M:%S') as occurred,
           strftime(reported_at, '%Y-%m-%d %H:%M:%S') as reported,
           lat as latitude, lon as longitude, district
    from incidents
    where incident_id <= {limit}
) to '{path}' (header, delimiter ',')
"""


def export_csv(store: Path, out: Path, rows: int) -> tuple[int, float]:
    """Write the first `rows` incidents of `store` as a CSV; (rows written, MB)."""
    if out.exists() and out.with_suffix(".rows").exists():
        written = int(out.with_suffix(".rows").read_text())
        if written == rows or written >= rows:
            return written, out.stat().st_size / 1e6
    con = duckdb.connect(str(store), read_only=True)
    try:
        # Bench-only file paths and an int: no user input reaches this SQL text.
        con.execute(EXPORT_SQL.format(limit=int(rows), path=str(out).replace("'", "''")))
        n = int(con.execute("select count(*) from incidents where incident_id <= ?", [rows]).fetchall()[0][0])
    finally:
        con.close()
    out.with_suffix(".rows").write_text(str(n))
    return n, out.stat().st_size / 1e6


def bare_read(csv_path: Path, work_dir: Path) -> dict[str, Any]:
    """DuckDB's bare read_csv of `csv_path` into a table of a fresh store file: the floor."""
    target = work_dir / "bare_read.duckdb"
    for stale in (target, target.with_name(target.name + ".wal")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    con = duckdb.connect(str(target))
    try:
        con.execute("create table t as select * from read_csv(?)", [str(csv_path)])
        row = con.execute("select count(*) from t").fetchone()
        con.execute("checkpoint")
    finally:
        con.close()
    wall = time.perf_counter() - started
    rows = int(row[0]) if row else 0
    target.unlink(missing_ok=True)
    return {"rows": rows, "seconds": wall, "rows_per_s": rows / wall if wall else None}


def measure(store: Path, work_dir: Path, max_rows: int = 10_000_000) -> dict[str, Any]:
    """Import up to `max_rows` of the store's incidents from CSV into a fresh store."""
    from ingest.importer import import_file

    work_dir.mkdir(parents=True, exist_ok=True)
    csv_path = work_dir / f"{store.stem}.export.csv"
    rows, csv_mb = export_csv(store, csv_path, max_rows)
    mapping = work_dir / "bench_rms.toml"
    mapping.write_text(MAPPING)
    target = work_dir / f"{store.stem}.import.duckdb"
    for stale in (target, target.with_name(target.name + ".wal")):
        stale.unlink(missing_ok=True)
    steps: dict[str, float] = {}
    mark = {"at": time.perf_counter()}
    label_now = ["start"]

    def progress(label: str, fraction: float) -> None:
        now = time.perf_counter()
        steps[label_now[0]] = steps.get(label_now[0], 0.0) + now - mark["at"]
        mark["at"], label_now[0] = now, label

    bare = [bare_read(csv_path, work_dir)]
    started = time.perf_counter()
    report = import_file(target, "generic", csv_path, mapping=mapping, progress=progress)
    wall = time.perf_counter() - started
    progress("end", 1.0)
    steps.pop("start", None)
    bare.append(bare_read(csv_path, work_dir))
    floor = max(bare, key=lambda b: b["rows_per_s"] or 0.0)
    rate = report.rows_read / wall if wall else None
    result = {
        "rows": report.rows_read,
        "rows_accepted": report.rows_accepted,
        "rows_quarantined": report.rows_quarantined,
        "csv_mb": round(csv_mb, 1),
        "seconds": wall,
        "rows_per_s": rate,
        "bare_read_rows_per_s": floor["rows_per_s"],
        "bare_read_s": floor["seconds"],
        "bare_read_runs_s": [round(b["seconds"], 3) for b in bare],
        "ratio_to_bare_read": rate / floor["rows_per_s"] if rate and floor["rows_per_s"] else None,
        "importer_rows_per_s": report.rows_per_s,
        "store_mb": round(target.stat().st_size / 1e6, 1),
        "steps_s": {k: round(v, 3) for k, v in steps.items()},
    }
    target.unlink(missing_ok=True)
    return result


def main() -> None:
    """`python -m bench.csv_import --store S [--store S2 ...]`: the import and the bare read
    of each store's CSV export side by side, as a JSON document (also written to --out)."""
    import argparse
    import json
    import os
    import platform

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "--store", type=Path, action="append", required=True, help="a demo store (bench/build_store.py)"
    )
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/psp-bench"))
    parser.add_argument("--max-rows", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result: dict[str, Any] = {
        "command": "python -m bench.csv_import " + " ".join(f"--store {s}" for s in args.store),
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "load_avg_at_start": list(os.getloadavg()),
        "runs": [],
    }
    for store in args.store:
        run = measure(store, args.work_dir, args.max_rows)
        run["store"] = str(store)
        result["runs"].append(run)
        print(
            f"{run['rows']:>12,} rows: import {run['rows_per_s']:>10,.0f} rows/s, bare read_csv"
            f" {run['bare_read_rows_per_s']:>10,.0f} rows/s, ratio {run['ratio_to_bare_read']:.2f}",
            flush=True,
        )
    result["load_avg_at_end"] = list(os.getloadavg())
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
