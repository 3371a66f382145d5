"""An import while the dashboard is running: a real `streamlit run` process holds the
store open, `python -m ingest import` writes into it from another process, and the page
shows the new data after a rerun (reload) -- with the server never restarted."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING, import_cmd
from ingest.importer import import_file
from tests.conftest import ROOT
from tests.e2e.test_browser import nonblank_share, open_page

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]

TRACES = ".scatterlayer .trace"  # lines of the page's first (main trend) chart


def chart_traces(page: Any) -> int:
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=45_000)
    page.wait_for_timeout(1500)  # let Plotly finish drawing the lines
    assert page.locator("[data-testid='stException']").count() == 0
    return int(page.locator("[data-testid='stPlotlyChart']").first.locator(TRACES).count())


def test_import_into_the_store_a_running_dashboard_reads(
    browser: Any, serve: Callable[[Path], Any], shared_data: Path, tmp_path: Path, screenshots: Path
) -> None:
    store = tmp_path / "live.duckdb"
    import_file(store, "generic", EXAMPLE_CSV, mapping=EXAMPLE_MAPPING)  # Springfield only, Jan-Feb 2024
    server = serve(store)
    page, external = open_page(browser, server.url + "/trends?measure=count")
    assert chart_traces(page) == 1
    assert page.locator("text=DEMO DATA").count() == 0
    page.screenshot(path=str(screenshots / "live_import_before.png"), full_page=True)

    # Import from another process while the server (and this browser session) hold the store.
    rtci = shared_data / "raw/multi_city/rtci_monthly_by_agency_2018_2024.csv.gz"
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "import", "rtci", str(rtci), "--db", str(store)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "accepted" in done.stderr and "709" in done.stderr
    with urllib.request.urlopen(server.url + "/_stcore/health", timeout=5) as r:
        assert r.status == 200
    assert server.proc.poll() is None, "the dashboard process died during the import"

    page.reload(wait_until="domcontentloaded")
    assert chart_traces(page) == 9  # the nine PSP cities in the RTCI file (Springfield from RTCI now)
    chart = page.locator("[data-testid='stPlotlyChart']").first
    png = chart.screenshot(path=str(screenshots / "live_import_after_chart.png"))
    page.screenshot(path=str(screenshots / "live_import_after.png"), full_page=True)
    assert nonblank_share(png) > 0.02
    assert page.locator("text=rtci").count() >= 1  # the source note names the new source
    assert external == [], f"external requests: {external[:5]}"
    page.close()


def test_failed_import_while_serving_leaves_the_page_as_it_was(
    browser: Any, serve: Callable[[Path], Any], tmp_path: Path
) -> None:
    store = tmp_path / "live2.duckdb"
    import_file(store, "generic", EXAMPLE_CSV, mapping=EXAMPLE_MAPPING)
    server = serve(store)
    before = store.read_bytes()
    bad = tmp_path / "bad.csv"
    shutil.copyfile(EXAMPLE_CSV, bad)
    with bad.open("a") as fh:
        fh.write("SP-100,MURDER,x,01/03/2024\n")  # too few fields
    done = subprocess.run(import_cmd(store, bad), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "line 14" in done.stderr
    assert store.read_bytes() == before
    page, _ = open_page(browser, server.url + "/trends?measure=count")
    assert chart_traces(page) == 1
    page.close()
