"""Browser sessions through every page while an import writes the store, scaled down from
`python -m bench.reliability` (20 sessions and 1M rows there)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.reliability import sessions
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(1800)  # not a speed check: a shared 2-core machine can be very slow
def test_sessions_see_no_error_while_an_import_runs(tmp_path: Path) -> None:
    if not Path(sessions.CHROMIUM).exists() and not shutil.which("chromium"):
        skip_or_fail("Debian chromium is not installed (apt-get install chromium)")
    result = sessions.run(tmp_path, rows=20_000, sessions=4, timeout_s=240)
    print(sessions.describe(result))
    assert result["import_rc"] == 0, result["import_err"]
    assert result["errors"] == []
    assert result["server_tracebacks"] == 0 and result["server_alive"]
    assert result["sessions_seen"] == 4
    assert result["phases"]["before"]["n"] == 4 * result["pages"]  # each session through every page
    assert result["phases"]["during"]["n"] >= 4  # every session was busy while the import ran
    assert result["phases"]["after"]["n"] >= 4 * 2  # a load and a click on the new store
    assert len(result["during_pages"]) == 4 * result["pages"]  # ... and went through every page while it ran
