"""`python -m bench.reliability`: the reliability proofs at full size; prints the figures
and writes them to bench/reliability_results.json.

    .venv/bin/python -m bench.reliability [--rows 1000000] [--kills 10] [--sessions 20]
        [--files 1000] [--queries 1000] [--only kill,disk,files,queries,sessions]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.reliability import disk, fuzz_files, fuzz_queries, kill, sessions
from kernel.settings import ROOT

PROOFS = ("kill", "disk", "files", "queries", "sessions")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__)
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows of the imports killed and run under load"
    )
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument(
        "--session-timeout", type=float, default=300, help="seconds a browser interaction may take"
    )
    parser.add_argument("--files", type=int, default=1000, help="hostile import files")
    parser.add_argument("--queries", type=int, default=1000, help="hostile query strings")
    parser.add_argument("--page-sample", type=int, help="of those through whole pages (default: all)")
    parser.add_argument(
        "--only", default=",".join(PROOFS), help="comma-separated subset of " + ", ".join(PROOFS)
    )
    parser.add_argument("--workdir", type=Path, help="where stores and files go (default: a temp dir)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "reliability_results.json")
    args = parser.parse_args()
    chosen = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(chosen) - set(PROOFS)
    if unknown:
        parser.error(f"unknown proof(s) {sorted(unknown)}; choose from {', '.join(PROOFS)}")
    # A subset run updates its proofs' figures and keeps the others already in the file.
    results: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    results.update(cpus=os.cpu_count(), load_before=os.getloadavg())
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        for name in chosen:
            started = time.perf_counter()
            if name == "kill":
                result, text = _kill(work, args)
            elif name == "disk":
                result = disk.run(work / "disk", args.rows)
                text = disk.describe(result)
            elif name == "files":
                result = fuzz_files.run(work / "files", args.files)
                text = fuzz_files.describe(result)
            elif name == "queries":
                result, text = _queries(work, args)
            else:
                result = sessions.run(work / "sessions", args.rows, args.sessions, args.session_timeout)
                text = sessions.describe(result)
            result["seconds"] = round(time.perf_counter() - started, 1)
            result["load"] = os.getloadavg()
            results[name] = result
            print(text, f"\n  ({result['seconds']} s; load average {result['load'][0]:.1f})\n", flush=True)
            args.out.write_text(json.dumps(results, indent=1, default=str))
    print(f"figures written to {args.out}")


def _kill(work: Path, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    result = kill.run(work / "kill", args.rows, args.kills)
    return result, kill.describe(result)


def _queries(work: Path, args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from harness.stores import build_demo_store

    store = build_demo_store(work / "queries.duckdb", scale=0.01)
    sample = args.queries if args.page_sample is None else args.page_sample
    result = fuzz_queries.run(store, args.queries, sample)
    return result, fuzz_queries.describe(result)


if __name__ == "__main__":
    main()
