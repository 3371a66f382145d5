"""Real browser: the goal detail chart draws, and a goal added on the page is written
through the ingest path and shown by the running server on its rerun.
Screenshots: tests/e2e/screenshots/goal_detail_chart.png, goals_created.png,
interventions_chart.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.e2e.test_browser import nonblank_share, open_page

pytestmark = pytest.mark.e2e

CHART = "[data-testid='stPlotlyChart']"
GOAL_TOML = """[[goal]]
city = "memphis_tn"
offense = "violent_crime"
baseline = 2024
target_change_pct = -10
start = 2025-01-01
deadline = 2025-12-31
owner = "Browser test"
"""


def test_goal_detail_chart(visit: Callable[..., Any], demo_store_path: Path, screenshots: Path) -> None:
    page, external = visit(demo_store_path, "/goals?goal=3")
    page.wait_for_selector(f"{CHART} .main-svg", timeout=45_000)
    page.wait_for_selector("text=DEMO DATA", timeout=10_000)
    page.wait_for_timeout(1500)  # let Plotly finish drawing
    assert page.locator("[data-testid='stException']").count() == 0
    chart = page.locator(CHART).first
    png = chart.screenshot(path=str(screenshots / "goal_detail_chart.png"))
    assert nonblank_share(png) > 0.03, "the goal chart is blank"
    # interval (2 traces), baseline, expected, actual, projection
    assert page.locator(f"{CHART} .scatterlayer .trace").count() == 6
    assert page.get_by_text("Target: at most").count() >= 1
    assert page.get_by_text("expected by now").count() >= 1
    assert external == [], f"external requests: {external[:5]}"
    page.close()


def test_goal_created_in_the_browser_round_trip(
    browser: Any,
    serve: Callable[[Path], Any],
    goals_store_path: Path,
    tmp_path_factory: Any,
    screenshots: Path,
) -> None:
    store = tmp_path_factory.mktemp("browser_goals") / "g.duckdb"
    store.write_bytes(goals_store_path.read_bytes())
    server = serve(store)
    page, external = open_page(browser, server.url + "/goals")
    page.wait_for_selector("text=No goals yet", timeout=45_000)
    page.get_by_text("Add several goals at once").click()
    area = page.get_by_label("Goals as TOML")
    area.fill(GOAL_TOML)
    area.blur()
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Load these goals").click()
    page.wait_for_selector("text=1 goals loaded", timeout=30_000)
    page.wait_for_selector(f"{CHART} .main-svg", timeout=30_000)
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_text("577 so far vs 522 expected by now", exact=False).count() >= 1
    page.locator(CHART).first.screenshot(path=str(screenshots / "goals_created_chart.png"))
    page.screenshot(path=str(screenshots / "goals_created.png"))
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("select owner, source from goals").fetchall() == [("Browser test", "user")]
    con.close()
    assert external == []
    page.close()


def test_interventions_chart(visit: Callable[..., Any], demo_store_path: Path, screenshots: Path) -> None:
    page, _ = visit(demo_store_path, "/interventions?its_city=kansas_city_mo&its_offense=violent_crime")
    page.wait_for_selector(f"{CHART} .main-svg", timeout=45_000)
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid='stException']").count() == 0
    png = page.locator(CHART).first.screenshot(path=str(screenshots / "interventions_chart.png"))
    assert nonblank_share(png) > 0.02
    assert page.get_by_text("Association is not causation", exact=False).count() >= 1
    page.close()
