"""`python -m bench`: run the benchmark suite, print the table, write bench/results.json."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.report import table
from bench.run import Config, run


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--rows",
        type=_floats,
        default=[1e6, 1e7, 1e8],
        help="target row counts, comma-separated (default 1e6,1e7,1e8); the demo scale is chosen to match",
    )
    parser.add_argument("--scales", type=_floats, help="demo scales instead of --rows, e.g. 0.01,0.2")
    parser.add_argument("--combos", type=int, default=24, help="filter combinations per page (default 24)")
    parser.add_argument(
        "--pandas-combos", type=int, help="combinations for the pandas baseline (default: all)"
    )
    parser.add_argument(
        "--store-dir", type=Path, default=Path("/tmp/psp-bench"), help="where the bench stores live"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"), help="results file")
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the real browser (RSS drive and filter changes)"
    )
    parser.add_argument(
        "--changes", type=int, default=12, help="filter changes per page in the browser (default 12)"
    )
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baseline")
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV import measurement")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the stores even if they are current")
    parser.add_argument("--screenshots", type=Path, help="save one browser screenshot per page here")
    parser.add_argument(
        "--append", action="store_true", help="keep the other scales already in --out (run scales one by one)"
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    cfg = Config(
        targets=args.rows,
        scales=args.scales,
        seed=args.seed,
        combos=args.combos,
        pandas_combos=args.pandas_combos,
        store_dir=args.store_dir,
        out=args.out,
        browser=not args.no_browser,
        browser_changes=args.changes,
        pandas=not args.no_pandas,
        csv=not args.no_csv,
        rebuild=args.rebuild,
        screenshots=args.screenshots,
        append=args.append,
    )
    print(table(run(cfg)))


if __name__ == "__main__":
    main()
