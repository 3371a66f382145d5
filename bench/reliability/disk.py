"""A full disk: an import whose store cannot be written fails with one clear message and
leaves the store untouched.

Two ways to run out of room:
- a file-size limit (RLIMIT_FSIZE, `ulimit -f`) on the import process, set below the
  store's size (the copy fails) and between the store's size and what the import needs
  (DuckDB fails while writing the new rows or at the checkpoint); works without root;
- a small tmpfs mounted for the store (root only; skipped with a reason otherwise).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.reliability.common import leftovers, registry_store, start_import, synthetic_csv
from ingest.hashing import file_sha256

CLEAR = "not enough room to write the new version of the store"


def _limit(size: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


def _attempt(store: Path, csv: Path, preexec: Callable[[], None] | None, label: str) -> dict[str, Any]:
    before = file_sha256(store)
    proc = start_import(store, csv, preexec)
    out, err = proc.communicate(timeout=1800)
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    return {
        "case": label,
        "rc": proc.returncode,
        "messages": errors,
        "traceback": "Traceback" in err or "Traceback" in out,
        "untouched": file_sha256(store) == before,
        "left": leftovers(store),
        "ok": proc.returncode == 2
        and len(errors) == 1
        and CLEAR in errors[0]
        and "Traceback" not in err
        and file_sha256(store) == before
        and not leftovers(store),
    }


def run(workdir: Path, rows: int, tmpfs: bool = True) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    csv = synthetic_csv(workdir / "export.csv", rows)
    store = workdir / "limit" / "psp.duckdb"
    store.parent.mkdir(exist_ok=True)
    registry_store(store)
    size = store.stat().st_size
    cases = [
        _attempt(
            store,
            csv,
            _limit(size // 2),
            f"ulimit -f {size // 2 // 1024} KiB (below the store: the copy fails)",
        ),
        _attempt(
            store,
            csv,
            _limit(size + (1 << 20)),
            f"ulimit -f {(size >> 10) + 1024} KiB (the copy fits, the rows do not)",
        ),
    ]
    if tmpfs:
        cases.append(_tmpfs_case(workdir, csv, size))
    return {
        "rows": rows,
        "store_mb": round(size / 1e6, 1),
        "cases": cases,
        "failures": sum(not c["ok"] for c in cases if c["rc"] is not None),
    }


def _tmpfs_case(workdir: Path, csv: Path, size: int) -> dict[str, Any]:
    """The store on a tmpfs with room for one copy of it and 1 MB more."""
    label = f"tmpfs of {(2 * size >> 20) + 1} MiB holding the store"
    if os.geteuid() != 0 or not shutil.which("mount"):
        return {"case": label, "rc": None, "skipped": "needs root to mount a tmpfs", "ok": True}
    mnt = Path(tempfile.mkdtemp(prefix="psp-full-", dir=workdir))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={2 * size + (1 << 20)}", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        return {"case": label, "rc": None, "skipped": f"mount failed: {mounted.stderr.strip()}", "ok": True}
    try:
        store = mnt / "psp.duckdb"
        registry_store(store)
        return _attempt(store, csv, None, label)
    finally:
        subprocess.run(["umount", str(mnt)], check=False)
        mnt.rmdir()


def describe(result: dict[str, Any]) -> str:
    lines = [f"full disk: a {result['rows']:,}-row import into a {result['store_mb']} MB store"]
    for c in result["cases"]:
        if c["rc"] is None:
            lines.append(f"  {c['case']}: not run ({c['skipped']})")
            continue
        lines.append(
            f"  {c['case']}: exit {c['rc']}, {len(c['messages'])} message(s), traceback {c['traceback']},"
            f" store untouched {c['untouched']}, left {c['left'] or 'nothing'}"
        )
        lines += [f"    {m}" for m in c["messages"]]
    lines.append(f"  => {result['failures']} failures")
    return "\n".join(lines)
