"""The bench run: per scale, ingest, cold start, browser RSS, interactions, pandas baseline.

For each scale (a demo store of about 1M, 10M or 100M offenses):
- ingest: demo build throughput (rows/s, end to end incl. rollups and the atomic swap)
  and store size; CSV import throughput through the generic importer when available.
- cold start: a fresh process imports the app, opens the store read-only and computes
  the default page's data (bench/coldstart.py); median of 3 runs.
- RSS: the peak resident memory (VmHWM) of `streamlit run dashboard.py` driven through
  every page by a real browser (bench/browser.py).
- interactions: for every page in dashboard.py, the analysis calls of one filter change
  (bench/pages.py) over N varied filter combinations: cold = first call on a fresh
  read-only connection, warm = median of 3 repeats on it. No Streamlit cache is involved:
  this is the analysis layer's own speed.
- pandas: the same outputs from an in-memory DataFrame of the incidents, on the same
  combinations, in the same process; ratio = pandas p50 / analysis warm p50. The frames
  both sides produce are compared, and the result says whether they matched.
- payload: objects and bytes of every chart and map the page would send.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from bench import payload
from bench.baseline import PandasStore
from bench.build_store import ensure_store, rows_for_scale, scale_for_rows
from bench.combos import Combo, make_combos
from bench.pages import PAGES, PageBench, Timer, dashboard_pages, default_page, new_call_seconds
from kernel.settings import ROOT
from kernel.store import connect_readonly

TARGETS = {
    "p95_ms_at_10M": 100.0,
    "p95_ms_at_100M": 150.0,
    "cached_p95_ms_at_10M": 100.0,
    "cached_p95_ms_at_100M": 150.0,
    "pandas_ratio_at_10M": 20.0,
    "cold_start_s_at_10M": 3.0,
    "rss_mb_at_10M": 1024.0,
    "map_objects": 50_000,
    "ingest_rows_per_s": 1_000_000,
    "browser_ratio_at_10M": 2.0,
    "browser_ratio_at_100M": 2.5,
    "import_to_bare_read": 0.5,
}
TARGET_TEXT = {
    "p95_ms_at_10M": "p95 per interaction at ~10M, slowest page ≤ 100 ms",
    "p95_ms_at_100M": "p95 per interaction at ~100M, slowest page ≤ 150 ms",
    "cached_p95_ms_at_10M": "as the app runs it (cache) at ~10M, slowest page p95 ≤ 100 ms",
    "cached_p95_ms_at_100M": "as the app runs it (cache) at ~100M, slowest page p95 ≤ 150 ms",
    "pandas_ratio_at_10M": "faster than pandas at ~10M (data calls), lowest page ≥ 20×",
    "cold_start_s_at_10M": "cold start at ~10M ≤ 3 s",
    "rss_mb_at_10M": "dashboard peak RSS at ~10M ≤ 1,024 MB",
    "map_objects": "objects per map, any scale ≤ 50,000",
    "ingest_rows_per_s": "CSV import ≥ 1,000,000 rows/s",
    "browser_ratio_at_10M": "browser, filter change to idle at ~10M, slowest page median ≤ 2× floor",
    "browser_ratio_at_100M": "browser, filter change to idle at ~100M, slowest page median ≤ 2.5× floor",
    "import_to_bare_read": "CSV import ≥ 50% of DuckDB's bare read_csv rows/s, same file, same run",
}
CHART_BUILDERS = ("_chart", "_deck")


@dataclass
class Config:
    """What to run. `targets` are row counts; `scales` (demo scales) override them."""

    targets: list[float] = field(default_factory=lambda: [1e6, 1e7, 1e8])
    scales: list[float] | None = None
    seed: int = 42
    combos: int = 24
    pandas_combos: int | None = None  # default: all combos
    warm_reps: int = 3
    cold_runs: int = 3
    store_dir: Path = Path("/tmp/psp-bench")
    out: Path | None = ROOT / "bench" / "results.json"
    browser: bool = True
    browser_views: int = 3
    browser_changes: int = 12  # filter changes per page in the browser (bench/browser_changes.py)
    pandas: bool = True
    csv: bool = True
    rebuild: bool = False
    screenshots: Path | None = None
    quiet: bool = False
    append: bool = False  # keep the other scales already in `out` (replace equal targets)
    # At this many rows and above, repeats are cut so the largest scale fits in a run
    # (reported in results.json): 1 warm repeat, `big_pandas_combos` pandas combinations,
    # `big_browser_views` views per page, no CSV import (the CSV figure is per 10M rows).
    big_rows: float = 5e7
    big_pandas_combos: int = 3
    big_browser_views: int = 2
    fixed_page_combos: int = 5  # a page without filters (Data) repeats the same view


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) with linear interpolation; values in seconds -> ms."""
    if not values:
        return float("nan")
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(s) - 1)
    return 1000 * (s[lo] + (s[hi] - s[lo]) * (pos - lo))


def environment() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for dist in ("duckdb", "pandas", "numpy", "pyarrow", "streamlit", "plotly", "pydeck", "h3", "playwright"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "git_commit": commit,
        "load_avg_at_start": list(os.getloadavg()),
    }


def _norm(frame: pd.DataFrame) -> pd.DataFrame:
    """Comparable form: plain index, numbers as float, dates as datetime64[ns], text as str."""
    out = frame.reset_index(drop=True).copy()
    for col in out.columns:
        if out[col].dtype.kind in "iuf" or str(out[col].dtype) in ("Int64", "Float64"):
            out[col] = out[col].astype("float64")
        elif out[col].dtype.kind == "M":
            out[col] = pd.to_datetime(out[col]).astype("datetime64[ns]")
        else:
            out[col] = out[col].map(lambda v: "" if v is None or v is pd.NA or v != v else str(v))
    return out


def same_frames(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """None when every frame present in both outputs is equal; else what differs."""
    for key in sorted(set(a) & set(b)):
        if not key.startswith("frame"):
            continue
        try:
            pd.testing.assert_frame_equal(_norm(a[key]), _norm(b[key]), check_exact=False, rtol=1e-9)
        except AssertionError as exc:
            return f"{key}: {str(exc).splitlines()[0:3]}"
    return None


def bench_page(
    path: Path, bench: PageBench, combos: list[Combo], reps: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Cold and warm times of one page over the combos; also returns each combo's outputs."""
    con = connect_readonly(path)  # warm-up: imports and first-use costs are not "cold"
    bench.run(Timer(), con, combos[0])
    con.close()
    cold, warm, connect = [], [], []
    calls: dict[str, list[float]] = {}
    outputs: list[dict[str, Any]] = []
    per_combo: list[dict[str, float]] = []
    cache_keys: set[Any] = set()
    cached: list[float] = []
    elements: dict[str, dict[str, Any]] = {}
    for combo in combos:
        started = time.perf_counter()
        con = connect_readonly(path)
        connect.append(time.perf_counter() - started)
        t = Timer()
        out = bench.run(t, con, combo)
        cold.append(t.total)
        repeats = []
        for _ in range(reps):
            r = Timer()
            bench.run(r, con, combo)
            repeats.append(r)
        con.close()
        mid = sorted(repeats, key=lambda r: r.total)[len(repeats) // 2]
        warm.append(mid.total)
        per_combo.append(mid.times)
        cached.append(new_call_seconds(mid, cache_keys))
        for name, sec in mid.times.items():
            calls.setdefault(name, []).append(sec)
        for name, m in payload.measure(out).items():
            seen = elements.setdefault(name, {"kind": m["kind"], "objects": 0, "bytes": 0})
            seen["objects"] = max(seen["objects"], m["objects"])
            seen["bytes"] = max(seen["bytes"], m["bytes"])
        outputs.append({k: v for k, v in out.items() if k.startswith("frame")})
    data = [sum(s for n, s in times.items() if not n.endswith(CHART_BUILDERS)) for times in per_combo]
    result = {
        "combos": len(combos),
        "p50_ms": pct(warm, 0.5),
        "p95_ms": pct(warm, 0.95),
        "max_ms": pct(warm, 1.0),
        "cold_p50_ms": pct(cold, 0.5),
        "cold_p95_ms": pct(cold, 0.95),
        "connect_p50_ms": pct(connect, 0.5),
        # With the app's st.cache_data: what a filter change recomputes (first view excluded).
        "cached_p50_ms": pct(cached[1:], 0.5),
        "cached_p95_ms": pct(cached[1:], 0.95),
        "data_p50_ms": pct(data, 0.5),
        "calls_p50_ms": {n: pct(v, 0.5) for n, v in sorted(calls.items(), key=lambda kv: -sum(kv[1]))},
        "max_objects": max((e["objects"] for e in elements.values()), default=0),
        "bytes": max((e["bytes"] for e in elements.values()), default=0),
        "elements": elements,
        "slowest_combo": combos[max(range(len(warm)), key=warm.__getitem__)].label(),
    }
    return result, outputs


def bench_pandas(
    pdx: PandasStore, bench: PageBench, combos: list[Combo], reference: list[dict[str, Any]]
) -> dict[str, Any]:
    assert bench.baseline is not None
    bench.baseline(Timer(), pdx, combos[0])  # warm-up
    times, data = [], []
    mismatch = None
    for combo, ref in zip(combos, reference, strict=False):
        t = Timer()
        out = bench.baseline(t, pdx, combo)
        times.append(t.total)
        data.append(sum(s for n, s in t.times.items() if not n.endswith(CHART_BUILDERS)))
        if mismatch is None:
            diff = same_frames(ref, out)
            if diff:
                mismatch = f"{combo.label()}: {diff}"
    return {
        "pandas_ms": pct(times, 0.5),
        "pandas_p95_ms": pct(times, 0.95),
        "pandas_data_ms": pct(data, 0.5),
        "same_output": mismatch is None,
        "mismatch": mismatch,
    }


def cold_start(path: Path, runs: int = 3) -> dict[str, Any]:
    page = default_page()
    totals, phases = [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bench.coldstart", "--db", str(path), "--page", page],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(f"cold start failed:\n{result.stderr[-2000:]}")
        phase = json.loads(result.stdout.strip().splitlines()[-1])
        phases.append(phase)
        totals.append(elapsed - phase["bench_import_s"])
    mid = sorted(range(runs), key=totals.__getitem__)[runs // 2]
    return {
        "cold_start_s": totals[mid],
        "cold_start_runs_s": totals,
        "cold_start_phases_s": phases[mid],
        "cold_start_page": page,
    }


def csv_import(store: dict[str, Any], cfg: Config) -> dict[str, Any] | None:
    """CSV import throughput through the generic importer (bench/csv_import.py), if the
    importer is available on this branch."""
    try:
        from bench import csv_import as ci
    except ImportError:
        return None
    return ci.measure(Path(store["path"]), cfg.store_dir, max_rows=int(store["rows"]))


def log(cfg: Config, msg: str) -> None:
    if not cfg.quiet:
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bench_scale(scale: float, target: float | None, cfg: Config) -> dict[str, Any]:
    log(cfg, f"scale {scale}: store")
    store = ensure_store(cfg.store_dir, scale, cfg.seed, rebuild=cfg.rebuild)
    path = Path(store["path"])
    row: dict[str, Any] = {
        "target_rows": target,
        "scale": scale,
        "seed": cfg.seed,
        "rows": store["rows"],
        "store": str(path),
        "store_mb": round(store["store_mb"], 1),
        "ingest_rows_per_s": store["ingest_rows_per_s"],
        "ingest_s": store["ingest_s"],
        "ingest_measured": "this run" if not store["reused"] else f"build of {store.get('built_at')}",
        "table_rows": store["table_rows"],
    }
    big = store["rows"] >= cfg.big_rows
    reps = 1 if big else cfg.warm_reps
    row["settings"] = {
        "warm_reps": reps,
        "pandas_combos": cfg.big_pandas_combos if big else (cfg.pandas_combos or cfg.combos),
        "browser_views_per_page": cfg.big_browser_views if big else cfg.browser_views,
        "combos_for_pages_without_filters": cfg.fixed_page_combos,
    }
    if cfg.csv:  # every row of the store, 100M included (about 10 GB of CSV there)
        log(cfg, f"scale {scale}: csv import")
        row["csv_import"] = csv_import(store, cfg)
    log(cfg, f"scale {scale}: cold start")
    row.update(cold_start(path, cfg.cold_runs))
    if cfg.browser:
        log(cfg, f"scale {scale}: browser drive (RSS)")
        con = connect_readonly(path)
        views = make_combos(con, row["settings"]["browser_views_per_page"], seed=cfg.seed + 1)
        con.close()
        from bench.browser import drive

        shots = cfg.screenshots / f"scale{scale:g}" if cfg.screenshots else None
        browser = drive(path, views, shots)
        row["rss_mb"] = browser["rss_mb"]
        row["rss_idle_mb"] = browser["rss_idle_mb"]
        row["browser"] = browser["pages"]
        log(cfg, f"scale {scale}: browser filter changes against the one-chart floor")
        from bench.browser_changes import measure as measure_changes

        row["browser_changes"] = measure_changes(path, cfg.browser_changes)
    else:
        row["rss_mb"] = None
    con = connect_readonly(path)
    combos = make_combos(con, cfg.combos, seed=cfg.seed)
    con.close()
    pages: dict[str, Any] = {}
    references: dict[str, list[dict[str, Any]]] = {}
    for spec in dashboard_pages():
        file = spec["file"]
        log(cfg, f"scale {scale}: page {file}")
        mine = combos if PAGES[file].varies else combos[: cfg.fixed_page_combos]
        result, outputs = bench_page(path, PAGES[file], mine, reps)
        pages[file] = {"title": spec.get("title", file), **result}
        references[file] = outputs
    if cfg.pandas:
        log(cfg, f"scale {scale}: pandas load")
        con = connect_readonly(path)
        pdx = PandasStore.load(con)
        con.close()
        row["pandas_load_s"] = pdx.load_s
        row["pandas_frame_mb"] = round(pdx.memory_mb(), 1)
        n = row["settings"]["pandas_combos"]
        for file, page in pages.items():
            if PAGES[file].baseline is None:
                page.update(pandas_ms=None, ratio=None, data_ratio=None, same_output=None)
                continue
            log(cfg, f"scale {scale}: pandas {file}")
            base = bench_pandas(pdx, PAGES[file], combos[:n], references[file][:n])
            base["ratio"] = base["pandas_ms"] / page["p50_ms"] if page["p50_ms"] else None
            base["data_ratio"] = base["pandas_data_ms"] / page["data_p50_ms"] if page["data_p50_ms"] else None
            page.update(base)
        del pdx
    row["pages"] = pages
    return row


def check_targets(scales: list[dict[str, Any]]) -> dict[str, Any]:
    """Which targets hold, with the measured figure (None = not measured in this run)."""

    def at(target: float) -> dict[str, Any] | None:
        return next((s for s in scales if s.get("target_rows") == target), None)

    out: dict[str, Any] = {}
    ten, hundred = at(1e7), at(1e8)

    def verdict(value: float | None, limit: float, higher_is_better: bool = False) -> dict[str, Any]:
        if value is None:
            return {"value": None, "limit": limit, "holds": None}
        ok = value >= limit if higher_is_better else value <= limit
        return {"value": value, "limit": limit, "holds": ok}

    if ten:
        out["p95_ms_at_10M"] = verdict(
            max(p["p95_ms"] for p in ten["pages"].values()), TARGETS["p95_ms_at_10M"]
        )
        out["cached_p95_ms_at_10M"] = verdict(
            max(p["cached_p95_ms"] for p in ten["pages"].values()), TARGETS["cached_p95_ms_at_10M"]
        )
        # Judged on the data calls of each page (issue 16): chart builders are the same
        # code on both sides.
        ratios = [p.get("data_ratio") for p in ten["pages"].values() if p.get("data_ratio")]
        out["pandas_ratio_at_10M"] = verdict(
            min(ratios) if ratios else None, TARGETS["pandas_ratio_at_10M"], True
        )
        out["cold_start_s_at_10M"] = verdict(ten["cold_start_s"], TARGETS["cold_start_s_at_10M"])
        out["rss_mb_at_10M"] = verdict(ten.get("rss_mb"), TARGETS["rss_mb_at_10M"])
    if hundred:
        out["p95_ms_at_100M"] = verdict(
            max(p["p95_ms"] for p in hundred["pages"].values()), TARGETS["p95_ms_at_100M"]
        )
        out["cached_p95_ms_at_100M"] = verdict(
            max(p["cached_p95_ms"] for p in hundred["pages"].values()), TARGETS["cached_p95_ms_at_100M"]
        )
    maps = [
        e["objects"]
        for s in scales
        for p in s["pages"].values()
        for e in p["elements"].values()
        if e["kind"] == "map"
    ]
    for name, scale in (("browser_ratio_at_10M", ten), ("browser_ratio_at_100M", hundred)):
        changes = (scale or {}).get("browser_changes")
        if changes:
            worst = max(p["ratio"] for p in changes["pages"].values())
            out[name] = verdict(worst, TARGETS[name])
    out["map_objects"] = verdict(max(maps) if maps else None, TARGETS["map_objects"])
    csv_rates = [s["csv_import"]["rows_per_s"] for s in scales if s.get("csv_import")]
    out["ingest_rows_per_s"] = verdict(
        min(csv_rates) if csv_rates else None, TARGETS["ingest_rows_per_s"], True
    )
    bare = [
        s["csv_import"]["ratio_to_bare_read"]
        for s in scales
        if (s.get("csv_import") or {}).get("ratio_to_bare_read")
    ]
    out["import_to_bare_read"] = verdict(min(bare) if bare else None, TARGETS["import_to_bare_read"], True)
    return out


def run(cfg: Config) -> dict[str, Any]:
    started = time.perf_counter()
    env = environment()
    plan: list[tuple[float, float | None]]
    if cfg.scales:
        plan = [(s, None) for s in cfg.scales]
    else:
        plan = [(scale_for_rows(t, cfg.seed), t) for t in cfg.targets]
    scales = []
    for scale, target in plan:
        log(cfg, f"scale {scale} (~{rows_for_scale(scale, cfg.seed):,} rows)")
        scales.append(bench_scale(scale, target, cfg))
    if cfg.append and cfg.out is not None and cfg.out.exists():
        earlier = json.loads(cfg.out.read_text())
        mine = {(s["target_rows"], s["scale"]) for s in scales}
        kept = [s for s in earlier.get("scales", []) if (s["target_rows"], s["scale"]) not in mine]
        scales = sorted(kept + scales, key=lambda s: s["rows"])
    result = {
        "command": "make bench  (.venv/bin/python -m bench)",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "environment": env,
        "config": {
            "combos": cfg.combos,
            "pandas_combos": cfg.pandas_combos or cfg.combos,
            "warm_reps": cfg.warm_reps,
            "seed": cfg.seed,
            "browser_views_per_page": cfg.browser_views if cfg.browser else 0,
            "browser_changes_per_page": cfg.browser_changes if cfg.browser else 0,
        },
        "targets": check_targets(scales),
        "scales": scales,
        "load_avg_at_end": list(os.getloadavg()),
        "elapsed_s": time.perf_counter() - started,
    }
    if cfg.out is not None:
        cfg.out.parent.mkdir(parents=True, exist_ok=True)
        cfg.out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return result
