"""Import throughput: every real file of ../shared/data, then a synthetic records-system
export of N rows through the generic mapping. Prints rows/s per import.

    .venv/bin/python bench/import_speed.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.files import EXAMPLE_MAPPING, REAL_FILES  # noqa: E402
from ingest.importer import import_file  # noqa: E402

RAW = ROOT.parent / "shared" / "data" / "raw"


def synthetic_export(path: Path, rows: int) -> None:
    """A Springfield RMS export in the worked example's shape, 1% of rows with a bad date."""
    codes = [
        "MURDER",
        "ROB-STR",
        "AGG-ASLT",
        "AGG-ASLT-GUN",
        "BURG-RES",
        "THEFT",
        "THEFT-MV",
        "MVT",
        "VANDAL",
        "LOITER",
    ]
    duckdb.connect().execute(
        f"""
        copy (
            select 'SP-' || i as case_number, ($codes::varchar[])[1 + i % 10] as offense_code, 'x' as offense_desc,
                   case when i % 100 = 7 then '13/45/2023'
                        else strftime(date '2023-01-01' + cast(i % 365 as integer), '%m/%d/%Y') end as occurred_date,
                   lpad(((i * 7) % 24)::varchar, 2, '0') || lpad(((i * 13) % 60)::varchar, 2, '0') as occurred_time,
                   strftime(date '2023-01-01' + cast(i % 365 as integer), '%m/%d/%Y') || ' 12:00' as reported_date,
                   round(39.70 + (i * 0.6180339 % 1) * 0.15, 5) as latitude,
                   round(-89.72 + (i * 0.4142135 % 1) * 0.12, 5) as longitude,
                   'A' || (i % 30) as beat
            from range({int(rows)}) t(i)
        ) to '{path}' (header, delimiter ',')
        """,  # noqa: S608 - an int and a temp path of ours (COPY takes no parameter for its target)
        {"codes": codes},
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        print(
            f"{'source':<24}{'rows':>10}{'accepted':>10}{'quarant.':>10}{'dupl.':>11}{'skipped':>9}{'s':>8}{'rows/s':>10}"
        )
        for source, rel in REAL_FILES:
            r = import_file(db, source, RAW / rel)
            print(
                f"{source:<24}{r.rows_read:>10,}{r.rows_accepted:>10,}{r.rows_quarantined:>10,}"
                f"{r.rows_duplicate:>11,}{r.rows_skipped:>9,}{r.seconds:>8.2f}{r.rows_per_s:>10,.0f}"
            )
        csv = Path(tmp) / "export.csv"
        started = time.perf_counter()
        synthetic_export(csv, args.rows)
        print(
            f"(synthetic export of {args.rows:,} rows written in {time.perf_counter() - started:.1f} s,"
            f" {csv.stat().st_size / 1e6:.0f} MB)"
        )
        big = Path(tmp) / "big.duckdb"
        for attempt in ("first", "again"):
            r = import_file(big, "generic", csv, mapping=EXAMPLE_MAPPING)
            print(
                f"{'generic ' + attempt:<24}{r.rows_read:>10,}{r.rows_accepted:>10,}{r.rows_quarantined:>10,}"
                f"{r.rows_duplicate:>11,}{r.rows_skipped:>9,}{r.seconds:>8.2f}{r.rows_per_s:>10,.0f}"
            )


if __name__ == "__main__":
    main()
