"""Browser sessions through every page while an import writes the store, scaled down from
`python -m bench.reliability --only sessions` (same code; the bench runs 20 sessions and a
1M-row import). The proof runs in its own process: its asyncio driver may not start inside
the event loop the browser tests leave running in this one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.browser import chromium_missing
from harness.server import ROOT
from tests.conftest import skip_or_fail

SESSIONS, ROWS = 4, 50_000


@pytest.mark.timeout(1800)  # not a speed check: a shared 2-core machine can be very slow
def test_sessions_through_every_page_during_an_import_see_no_exception(tmp_path: Path) -> None:
    if reason := chromium_missing():
        skip_or_fail(reason)
    out = tmp_path / "figures.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.reliability",
            "--only",
            "sessions",
            "--sessions",
            str(SESSIONS),
            "--rows",
            str(ROWS),
            "--session-timeout",
            "300",
            "--workdir",
            str(tmp_path),
            "--out",
            str(out),
        ],  # fmt: skip
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1700,
    )
    print(proc.stdout[-4000:])
    assert proc.returncode == 0, proc.stderr[-4000:]
    result = json.loads(out.read_text())["sessions"]
    assert result["errors"] == [] and result["server_tracebacks"] == 0 and result["server_alive"]
    assert result["exceptions"] == 0
    assert result["import_rc"] == 0, result["import_err"]
    store = result["store"]
    assert store["ok"], store
    assert store["incidents"] == 2 * ROWS and store["left_beside"] == []
    # every session went through every page in a cycle begun after the import started
    pages = set(result["pages"])
    assert len(pages) == 8
    assert {tuple(p) for p in result["during_pages"]} == {(s, p) for s in range(SESSIONS) for p in pages}
    assert result["sessions_completed"] == SESSIONS
    # every interaction overlapping the import is timed: opens and filter changes of every page
    assert result["phases"]["before"]["n"] >= SESSIONS * 2 * len(pages)
    assert result["phases"]["during"]["n"] > 0
