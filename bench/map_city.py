"""Server-side time of interactions on the Map and City profile pages, and what each map
sends to the browser.

    .venv/bin/python bench/map_city.py --db /tmp/demo1.duckdb [--city houston_tx]

Each interaction is one widget change followed by a full script rerun in Streamlit's
AppTest (the same code path as the server, without the browser). Each page runs in a
fresh process (cold caches); the queries behind a changed offense are not cached yet, so
every timed rerun does its own DuckDB work. Run it on a quiet machine: the figures are wall
time on a shared 2-core box.
Prints per-page p50 / p95 / max in milliseconds and, for the map, the objects and bytes
of each deck.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from analysis.filters import OFFENSE_KEYS

ROOT = Path(__file__).resolve().parent.parent
# Every offense choice of the sidebar but the default the page opens with (violent crime),
# so that no timed rerun finds its answer in the cache.
OFFENSES = tuple(o for o in OFFENSE_KEYS if o != "violent_crime")


def deck_size(at: object) -> tuple[int, int]:
    charts = at.get("deck_gl_json_chart")  # type: ignore[attr-defined]
    spec = charts[0].proto.json
    objects = 0
    for layer in json.loads(spec)["layers"]:
        data = layer.get("data", [])
        objects += len(data["features"]) if isinstance(data, dict) else len(data)
    return objects, len(spec.encode())


def run(db: Path, city: str, page: str, cell: str | None = None) -> None:
    os.environ["PSP_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    at.query_params["city"] = city
    if cell:
        at.query_params["cell"] = cell
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, at.exception
    times, cpu, sizes = [], [], []
    for offense in OFFENSES:
        started, started_cpu = time.perf_counter(), time.process_time()
        at.selectbox(key="offense").set_value(offense).run()
        times.append(1000 * (time.perf_counter() - started))
        cpu.append(1000 * (time.process_time() - started_cpu))
        assert not at.exception, at.exception
        if page.endswith("map.py"):
            sizes.append((offense, *deck_size(at)))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    label = f"{page} {city}" + (f" cell={cell}" if cell else "")
    print(
        f"{label}: first load {1000 * first:.0f} ms; {len(times)} interactions (offense change): "
        f"wall p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms; "
        f"CPU (all threads) p50 {statistics.median(cpu):.0f} ms, max {max(cpu):.0f} ms; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for offense, objects, size in sizes:
        print(f"    map {offense:>20}: {objects:>6,} objects, {size / 1024:>7,.0f} kB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--city", action="append", help="city_id (repeatable)")
    parser.add_argument("--one", nargs=3, metavar=("PAGE", "CITY", "CELL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        page, city, cell = args.one
        run(args.db, city, page, None if cell == "-" else cell)
        return
    for city in args.city or ["memphis_tn", "houston_tx"]:
        for page, cell in (("views/map.py", "-"), ("views/map.py", "9"), ("views/city.py", "-")):
            subprocess.run(
                [sys.executable, __file__, "--db", str(args.db), "--one", page, city, cell],
                check=True,
                env=dict(os.environ, PYTHONPATH=str(ROOT)),
            )


if __name__ == "__main__":
    main()
