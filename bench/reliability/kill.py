"""Kill -9 mid-import: SIGKILL `python -m ingest import` at random moments.

Each round starts from the same store, starts the import of a big CSV as its own
process, waits until it has begun writing (its copy of the store appears beside it: the
Python start-up before that cannot touch the store), sends SIGKILL after a further random
delay within the write phase of an uninterrupted run, then
checks: the store is byte-identical to before (sha256) -- or, if the kill came after the
atomic rename, it is the complete new version --, what the killed writer left beside the
store, and that the next import succeeds and removes those leftovers.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.reliability.common import (
    incident_count,
    leftovers,
    registry_store,
    run_import,
    start_import,
    synthetic_csv,
)
from ingest.hashing import file_sha256


def _wait_for_copy(store: Path, proc: subprocess.Popen[str], timeout: float = 3600) -> float | None:
    """Seconds until the writer's copy of `store` appears (it is writing from then on);
    None if the process ended first (a small import on a busy machine can be that quick)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout and proc.poll() is None:
        if any(name.endswith(".tmp") for name in leftovers(store)):
            return time.perf_counter() - started
        time.sleep(0.005)
    if proc.poll() is None:
        raise RuntimeError(f"the import did not begin writing within {timeout:.0f} s")
    return None


@dataclass
class Kill:
    delay_s: float
    outcome: str  # "untouched" | "complete" (the kill came after the swap) | "CORRUPT"
    left_after_kill: list[str]
    next_import_rc: int
    next_import_rows: int
    left_after_next: list[str]
    ok: bool


def run(workdir: Path, rows: int, kills: int, seed: int = 14) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    csv = synthetic_csv(workdir / "export.csv", rows)
    pristine = registry_store(workdir / "pristine.duckdb")
    store = workdir / "store" / "psp.duckdb"
    store.parent.mkdir(exist_ok=True)

    def reset() -> str:
        for p in store.parent.iterdir():
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        shutil.copyfile(pristine, store)
        return file_sha256(store)

    reset()
    started = time.perf_counter()
    proc = start_import(store, csv)
    startup = _wait_for_copy(store, proc)
    _, err = proc.communicate()
    if startup is None:
        raise RuntimeError(
            f"the uninterrupted import ended before its copy was seen (exit {proc.returncode}): {err[-2000:]}"
        )
    duration = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"the uninterrupted import failed: {err[-2000:]}")
    writing = duration - startup
    expected = incident_count(store)

    rng = random.Random(seed)
    results: list[Kill] = []
    for _ in range(kills):
        before = reset()
        delay = rng.uniform(0.0, writing)
        proc = start_import(store, csv)
        to_copy = _wait_for_copy(store, proc)
        if to_copy is None:  # it ended before it could be killed in its write phase
            to_copy = 0.0
        else:
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
        proc.communicate()
        after_kill = leftovers(store)
        if file_sha256(store) == before:
            outcome = "untouched"
        elif incident_count(store) == expected:
            outcome = "complete"
        else:
            outcome = "CORRUPT"
        nxt = run_import(store, csv)
        rows_after = incident_count(store) if nxt.returncode == 0 else -1
        after_next = leftovers(store)
        results.append(
            Kill(
                delay_s=round(to_copy + delay, 2),
                outcome=outcome,
                left_after_kill=after_kill,
                next_import_rc=nxt.returncode,
                next_import_rows=rows_after,
                left_after_next=after_next,
                ok=outcome != "CORRUPT" and nxt.returncode == 0 and rows_after == expected and not after_next,
            )
        )
    return {
        "rows": rows,
        "import_s": round(duration, 2),
        "writing_s": round(writing, 2),
        "kills": [asdict(k) for k in results],
        "untouched": sum(k.outcome == "untouched" for k in results),
        "complete": sum(k.outcome == "complete" for k in results),
        "failures": sum(not k.ok for k in results),
    }


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"kill -9 mid-import: {len(result['kills'])} kills of a {result['rows']:,}-row import"
        f" (uninterrupted: {result['import_s']} s, of which writing the store {result['writing_s']} s)",
    ]
    for k in result["kills"]:
        lines.append(
            f"  kill at {k['delay_s']:>6.2f} s after start: store {k['outcome']:<9} left {k['left_after_kill'] or 'nothing'};"
            f" next import rc={k['next_import_rc']} rows={k['next_import_rows']:,}"
            f" left {k['left_after_next'] or 'nothing'}"
        )
    lines.append(
        f"  => {result['untouched']} byte-identical, {result['complete']} complete (kill after the swap),"
        f" {result['failures']} failures"
    )
    return "\n".join(lines)
