"""Server-side time of interactions on the Map and City profile pages, and what each map
sends to the browser.

    .venv/bin/python bench/map_city.py --db /tmp/demo1.duckdb [--city houston_tx]

Each interaction is one widget change followed by a full script rerun in Streamlit's
AppTest (the same code path as the server, without the browser); the page's script run is
timed from inside (WRAPPER). Each page runs in a
fresh process (cold caches); the queries behind a changed offense are not cached yet, so
every timed rerun does its own DuckDB work. Run it on a quiet machine: the figures are wall
time on a shared 2-core box.
Prints per page the p50 / p95 / max of the script runs in milliseconds and, for the map,
the objects and bytes of each deck.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.query.filters import OFFENSE_KEYS  # noqa: E402

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


# The page runs inside this wrapper so that the script's own run is timed: the server-side
# time of an interaction, without AppTest's polling and element-tree parsing around it.
WRAPPER = """
import runpy, time
import _psp_bench_times as bench
started, started_cpu = time.perf_counter(), time.process_time()
try:
    runpy.run_path({page!r}, run_name="__main__")
finally:
    bench.SCRIPT_TIMES.append((time.perf_counter() - started, time.process_time() - started_cpu))
"""
SCRIPT_TIMES: list[tuple[float, float]] = []
_holder = types.ModuleType("_psp_bench_times")
_holder.SCRIPT_TIMES = SCRIPT_TIMES  # type: ignore[attr-defined]
sys.modules["_psp_bench_times"] = _holder


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(db: Path, city: str, page: str, cell: str | None = None) -> None:
    os.environ["PSP_DB"] = str(db)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(WRAPPER.format(page=str(ROOT / page)), default_timeout=120)
    at.query_params["city"] = city
    if cell:
        at.query_params["cell"] = cell
    at.run()
    assert not at.exception, at.exception
    first = SCRIPT_TIMES[-1][0]
    SCRIPT_TIMES.clear()
    wall, sizes = [], []
    for offense in OFFENSES:
        started = time.perf_counter()
        at.selectbox(key="offense").set_value(offense).run()
        wall.append(1000 * (time.perf_counter() - started))
        assert not at.exception, at.exception
        if page.endswith("map.py"):
            sizes.append((offense, *deck_size(at)))
    script = [1000 * t for t, _ in SCRIPT_TIMES]
    cpu = [1000 * c for _, c in SCRIPT_TIMES]
    label = f"{page} {city}" + (f" cell={cell}" if cell else "")
    print(
        f"{label}: first load {1000 * first:.0f} ms; {len(script)} interactions (offense change), "
        f"server-side script run: p50 {statistics.median(script):.0f} ms, p95 {p95(script):.0f} ms, "
        f"max {max(script):.0f} ms (CPU, all threads: p50 {statistics.median(cpu):.0f} ms); "
        f"with AppTest around it p50 {statistics.median(wall):.0f} ms; "
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
