"""Benchmark: connector throughput against the local portal server (no network).

    .venv/bin/python bench/fetch_bench.py [--rows 200000] [--page 50000]

Serves the Memphis robbery sample, repeated with new ids up to --rows, as Socrata JSON
pages, and times `fetch_source('memphis_socrata')` (with --import: and the import): the connector's
own cost per row (JSON decoding, renames, point split, CSV writing) with a local server
standing in for the portal. A real portal's latency adds to this per page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.portal_samples import build_samples  # noqa: E402
from harness.portals import PortalServer, start  # noqa: E402
from ingest.connectors import RetryPolicy, fetch_source  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--page", type=int, default=50_000)
    parser.add_argument("--import", dest="load", action="store_true", help="also import into a fresh store")
    args = parser.parse_args()
    samples = build_samples(ROOT.parent / "shared" / "data")
    base = samples.memphis
    rows = [{**base[i % len(base)], "crime_id": str(10_000_000 + i)} for i in range(args.rows)]
    server = PortalServer()
    server.add_soda("puh4-eea4", rows)
    stop = start(server)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            report = fetch_source(
                "memphis_socrata",
                db=Path(tmp) / "none.duckdb",
                out=Path(tmp),
                base_url=server.url,
                import_data=args.load,
                page_size=args.page,
                policy=RetryPolicy(attempts=1),
            )
            seconds = time.perf_counter() - started
            size = report.file.stat().st_size / 1e6
            if report.imported is not None:
                print(report.imported.summary())
    finally:
        stop()
    print(
        f"memphis_socrata: {report.rows:,} rows in {report.requests} pages of {args.page:,}: "
        f"{seconds:.2f} s, {report.rows / seconds:,.0f} rows/s, file {size:.1f} MB"
    )


if __name__ == "__main__":
    main()
