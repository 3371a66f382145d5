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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reliability.common import CODES, synthetic_csv  # noqa: E402
from harness.files import EXAMPLE_MAPPING, REAL_FILES  # noqa: E402
from ingest.importer import import_file  # noqa: E402

RAW = ROOT.parent / "shared" / "data" / "raw"


def synthetic_export(path: Path, rows: int) -> None:
    """A Springfield RMS export in the worked example's shape, 1% of rows with a bad date."""
    synthetic_csv(
        path, rows, codes=[*CODES, "LOITER"], days=365, bad_dates=True, box=(39.70, -89.72, 0.15, 0.12)
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
