"""Cold start: process start to the default page's first chart data.

`python -m bench.coldstart --db PATH` imports what the app imports (Streamlit, the ui
and analysis modules), opens the store read-only and computes the default page's
interaction (queries and figures) for its default filter, then prints one JSON line
with its own phase times. The caller times the whole process from spawn to that line.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import ast  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def app_modules(path: Path) -> list[str]:
    """Top-level modules a page or app file imports."""
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--page", required=True, help="page file of the default page, e.g. views/trends.py")
    args = parser.parse_args()

    # What the app process imports before the default page has data: Streamlit and the
    # modules dashboard.py and the page file import (read from their source).
    import importlib

    for module in ["streamlit", *app_modules(ROOT / "dashboard.py"), *app_modules(ROOT / args.page)]:
        importlib.import_module(module)
    imported = time.perf_counter()
    # The bench's own modules are not part of the app: their import is timed apart and
    # subtracted by the caller.
    from bench.combos import DEFAULT, make_combos
    from bench.pages import PAGES, Timer
    from kernel.store import connect_readonly

    bench_imported = time.perf_counter()
    con = connect_readonly(args.db)
    connected = time.perf_counter()
    combo = make_combos(con, 1)[0] if args.page == "views/presenter.py" else DEFAULT
    t = Timer()
    PAGES[args.page].run(t, con, combo)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "import_s": imported - STARTED,
                "bench_import_s": bench_imported - imported,
                "connect_s": connected - bench_imported,
                "data_s": done - connected,
                "calls_s": t.times,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
