"""Build (or reuse) the demo store for one bench scale; time it as ingest throughput.

Stores live outside the repo (default /tmp/psp-bench) and are reused across runs when
their store_info says the same scale and seed and the write side (ingest/, data/) has
not changed since they were built (a content hash kept beside the store). The build runs
in a child process so its memory does not count against later measurements:
`python -m bench.build_store --scale S --seed N --db PATH` prints one JSON line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb

from kernel.settings import ROOT


def ingest_key() -> str:
    """Hash of what decides what a demo build writes: the generator, rollups, schema and
    registry files (not the importers or their mappings)."""
    digest = hashlib.sha256()
    ingest = ROOT / "ingest"
    files = sorted((ingest / "demo").glob("*.py")) + [
        ingest / n for n in ("rollups.py", "store.py", "registry.py")
    ]
    files += sorted((ingest / "migrations").glob("*.sql"))
    files += sorted(p for p in (ROOT / "data").glob("*") if p.suffix in (".csv", ".toml"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def rows_for_scale(scale: float, seed: int = 42) -> int:
    """Exact number of offenses a demo build at `scale` writes (the sum of its plan)."""
    from ingest.demo.profile import load_profile, monthly_plan
    from ingest.registry import load_cities

    return int(monthly_plan(load_profile(), load_cities(), scale, seed)["n"].sum())


def scale_for_rows(target: float, seed: int = 42) -> float:
    """The demo scale whose build writes about `target` offenses (3 significant digits)."""
    per_scale = rows_for_scale(1.0, seed)
    scale = target / per_scale
    return float(f"{scale:.3g}")


def store_path(store_dir: Path, scale: float, seed: int) -> Path:
    return store_dir / f"demo_scale{scale:g}_seed{seed}.duckdb"


def _store_info(path: Path) -> dict[str, str]:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return {}
    try:
        return dict(con.execute("select key, value from store_info").fetchall())
    except duckdb.Error:
        return {}
    finally:
        con.close()


def ensure_store(store_dir: Path, scale: float, seed: int, rebuild: bool = False) -> dict[str, Any]:
    """The store for (scale, seed), built if missing or stale; with its build figures."""
    store_dir.mkdir(parents=True, exist_ok=True)
    path = store_path(store_dir, scale, seed)
    sidecar = path.with_suffix(".build.json")
    key = ingest_key()
    if not rebuild and path.exists() and sidecar.exists():
        built = json.loads(sidecar.read_text())
        info = _store_info(path)
        if (
            built.get("ingest_key") == key
            and info.get("demo_scale") == str(scale)
            and info.get("demo_seed") == str(seed)
        ):
            return {**built, "reused": True, "store_mb": path.stat().st_size / 1e6}
    for stale in (path, sidecar, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    argv = [sys.executable, "-m", "bench.build_store", "--scale", str(scale), "--seed", str(seed)]
    result = subprocess.run([*argv, "--db", str(path)], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"demo build failed:\n{result.stdout}\n{result.stderr}")
    built = json.loads(result.stdout.strip().splitlines()[-1])
    built.update(ingest_key=key, path=str(path), built_at=time.strftime("%Y-%m-%dT%H:%M:%S"))
    sidecar.write_text(json.dumps(built, indent=2))
    return {**built, "reused": False, "store_mb": path.stat().st_size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()

    from ingest.demo.build import build_demo
    from ingest.goals.goals_file import load_demo_goals
    from ingest.registry import load_registry
    from ingest.store import write_store

    # What `python -m ingest demo` does: the demo rows, then the demo goals.
    started = time.perf_counter()
    with write_store(args.db) as con:
        load_registry(con)
        result = build_demo(con, scale=args.scale, seed=args.seed)
        load_demo_goals(con)
    wall = time.perf_counter() - started
    con = duckdb.connect(str(args.db), read_only=True)
    tables = {
        t: con.execute(f"select count(*) from {t}").fetchall()[0][0]  # noqa: S608 (fixed names)
        for t in ("incidents", "daily_counts", "monthly_counts")
    }
    con.close()
    print(
        json.dumps(
            {
                "scale": args.scale,
                "seed": args.seed,
                "rows": result.rows,
                "generate_s": result.seconds,
                "ingest_s": wall,
                "ingest_rows_per_s": result.rows / wall,
                "table_rows": tables,
            }
        )
    )


if __name__ == "__main__":
    main()
