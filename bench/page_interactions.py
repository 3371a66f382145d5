"""Server-side time of one interaction on the Overview and Trends pages.

    .venv/bin/python bench/page_interactions.py --db /tmp/demo.duckdb

Each page runs under Streamlit's AppTest inside a thin wrapper that times the page
script itself (wall clock and CPU time of the process, which includes DuckDB's threads),
so the figures leave out AppTest's own polling. An interaction is one widget change and
the rerun it triggers; "not cached" means the analysis call for the new filter had not
run before in this process, "cached" that it had (st.cache_data hit). The machine's load
shows in the wall times: compare them with the CPU times.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OFFENSES = ["murder", "robbery", "aggravated_assault", "burglary", "property_crime", "theft", "rape"]
WRAPPER = """
import sys, time
sys.path.insert(0, {root!r})
import streamlit as st
_t0, _c0 = time.perf_counter(), time.process_time()
try:
    exec(compile(open({page!r}).read(), {page!r}, "exec"), {{"__name__": "__main__"}})
finally:
    st.session_state.setdefault("_times", []).append(
        ((time.perf_counter() - _t0) * 1000, (time.process_time() - _c0) * 1000)
    )
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="store to read (e.g. a demo store)")
    args = parser.parse_args()
    os.environ["PSP_DB"] = str(Path(args.db).resolve())
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as tmp:
        for name in ("overview", "trends"):
            script = Path(tmp) / f"{name}.py"
            script.write_text(WRAPPER.format(root=str(ROOT), page=str(ROOT / "pages" / f"{name}.py")))
            at = AppTest.from_file(str(script), default_timeout=120)
            at.run()
            report(f"{name}: first load", [times(at)[-1]])

            def offense(value: str, at: AppTest = at) -> None:
                at.selectbox(key="offense").set_value(value).run()

            report(f"{name}: change offense, not cached", step(at, offense, OFFENSES))
            report(f"{name}: change offense, cached", step(at, offense, OFFENSES))
            if name == "overview":

                def base(value: str, at: AppTest = at) -> None:
                    at.selectbox(key="base").set_value(value).run()

                years = [
                    y
                    for y in ("2015", "2016", "2018", "2019", "2020")
                    if y in at.selectbox(key="base").options
                ]
                report("overview: change baseline year", step(at, base, years))
            else:
                at.radio(key="gran").set_value("week").run()
                report(
                    "trends: weekly, change offense, not cached",
                    step(at, offense, ["violent_crime", *OFFENSES]),
                )
            if at.exception:
                sys.exit(f"{name}: the page raised {at.exception[0].message}")


def times(at: object) -> list[tuple[float, float]]:
    return list(at.session_state["_times"])  # type: ignore[attr-defined]


def step(at: object, change: Callable[[str], None], values: list[str]) -> list[tuple[float, float]]:
    out = []
    for value in values:
        change(value)
        out.append(times(at)[-1])
    return out


def report(label: str, runs: list[tuple[float, float]]) -> None:
    wall, cpu = [r[0] for r in runs], [r[1] for r in runs]
    print(
        f"{label:45s} wall median {statistics.median(wall):6.0f} ms (max {max(wall):5.0f}),"
        f" CPU median {statistics.median(cpu):6.0f} ms (max {max(cpu):5.0f}), n={len(runs)}"
    )


if __name__ == "__main__":
    main()
