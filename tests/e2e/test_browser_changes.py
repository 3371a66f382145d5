"""The browser bench's filter-change timing works on a real page and on the floor app:
each change is seen to rerun the script and to redraw every chart. (No time is asserted:
speed is measured by `python -m bench`.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.browser_changes import FLOOR, FLOOR_APP, TARGETS, drive_page, offense_values, summarise
from harness.browser import IDLE_JS
from harness.server import Server


def test_offense_values_visit_every_other_offense_first() -> None:
    values, fresh = offense_values(12)
    assert fresh == 8 and len(values) == 12
    assert "Violent crime" not in values[:fresh] and len(set(values[:fresh])) == fresh


def test_summarise_reports_median_p95_and_fresh() -> None:
    runs = [
        {
            "seconds": s,
            "charts": 2,
            "updated": 2,
            "errors": 0,
            "to_last_message_s": s - d,
            "drawing_after_s": d,
        }
        for s, d in ((0.4, 0.1), (0.2, 0.05), (0.3, 0.2), (1.0, 0.3))
    ]
    out = summarise(runs, fresh=2)
    assert out["p50_s"] == 0.35 and out["max_s"] == 1.0 and out["fresh_p50_s"] == 0.30000000000000004
    assert out["charts_updated_min"] == 2
    # where the time went: medians of (0.3, 0.15, 0.1, 0.7) and of (0.1, 0.05, 0.2, 0.3)
    assert round(out["to_last_message_p50_s"], 9) == 0.225 and round(out["drawing_after_p50_s"], 9) == 0.15


def test_trends_changes_redraw_every_chart(
    browser: Any, serve: Callable[[Path], Any], demo_store_path: Path
) -> None:
    server = serve(demo_store_path)
    trends = next(t for t in TARGETS if t.name == "Trends")
    out = drive_page(browser, server.url, trends, 2, demo_store_path)
    assert out["changes"] == 2 and out["errors"] == 0
    assert out["charts"] == 4 and out["charts_updated_min"] == 4
    assert [r["shown"] for r in out["runs"]] == offense_values(2)[0]
    assert all(r["seconds"] > 0 for r in out["runs"])


def test_floor_app_changes(browser: Any, demo_store_path: Path) -> None:
    with Server(demo_store_path, script=FLOOR_APP) as server:
        out = drive_page(browser, server.url, FLOOR, 2, demo_store_path)
    assert out["charts"] == 1 and out["charts_updated_min"] == 1 and out["errors"] == 0


def test_numbers_csv_is_written_on_click(
    browser: Any, serve: Callable[[Path], Any], demo_store_path: Path
) -> None:
    """The CSV behind a chart is made when its button is clicked (not on every rerun)."""
    server = serve(demo_store_path)
    page = browser.new_page(accept_downloads=True)
    try:
        page.goto(f"{server.url}/trends")
        page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=120_000)
        # Click only once the page's run has ended: a run still drawing can redraw the
        # expander or the button away under the click (seen with two test workers).
        page.wait_for_function(IDLE_JS, timeout=120_000)
        page.get_by_text("Numbers behind this chart").first.click()
        button = page.get_by_role("button", name="Download CSV").first
        button.wait_for(timeout=60_000)
        page.wait_for_function(IDLE_JS, timeout=120_000)
        with page.expect_download(timeout=120_000) as info:
            button.click()
        text = Path(info.value.path()).read_text()
    finally:
        page.close()
    assert text.splitlines()[0].startswith("city_id,city,period,offense")
    assert len(text.splitlines()) > 12
