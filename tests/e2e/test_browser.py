"""Real browser: every page renders its charts with no Streamlit exception and makes no
request outside this machine. Screenshots land in tests/e2e/screenshots/ to look at."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.conftest import LOCAL_HOSTS, open_page

pytestmark = pytest.mark.e2e
__all__ = ["LOCAL_HOSTS", "open_page"]  # other browser tests import them from here


def nonblank_share(png: bytes) -> float:
    """Share of pixels that are not (near) white: a rendered chart has lines and text."""
    img = Image.open(io.BytesIO(png)).convert("L")
    pixels = list(img.getdata())
    return sum(1 for p in pixels if p < 235) / len(pixels)


def wait_for_charts(page: Any, plotly: int, decks: int = 0) -> None:
    """Wait until `plotly` Plotly charts (and `decks` deck canvases) are on the page."""
    page.wait_for_function(
        "([p, d]) => document.querySelectorAll(\"[data-testid='stPlotlyChart'] .main-svg\").length >= p"
        " && document.querySelectorAll(\"[data-testid='stDeckGlJsonChart'] canvas\").length >= d",
        arg=[plotly, decks],
        timeout=60_000,
    )
    page.wait_for_timeout(2000)  # let Plotly and deck.gl finish drawing


def open_demo_page(
    browser: Any, url: str, width: int, height: int, plotly: int, decks: int
) -> tuple[Any, list[str]]:
    """Open a page of the demo store at a window size, wait for its charts, check that no
    Streamlit exception shows. (A tall window: Streamlit scrolls inside the page, so a
    full-page screenshot only holds what fits the window.)"""
    page, external = open_page(browser, url, width=width, height=height)
    page.wait_for_selector("text=DEMO DATA", timeout=45_000)
    wait_for_charts(page, plotly, decks)
    assert page.locator("[data-testid='stException']").count() == 0
    return page, external


def assert_rendered(page: Any, screenshots: Path, name: str, plotly: int, decks: int = 0) -> None:
    """Every Plotly chart and deck canvas shows drawn pixels; element screenshots are saved."""
    charts = page.locator("[data-testid='stPlotlyChart']")
    assert charts.count() == plotly
    for i in range(plotly):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        png = chart.screenshot(path=str(screenshots / f"{name}_chart{i + 1}.png"))
        assert nonblank_share(png) > 0.02, f"{name}: chart {i + 1} is blank"
    maps = page.locator("[data-testid='stDeckGlJsonChart']")
    assert maps.count() == decks
    for i in range(decks):
        deck = maps.nth(i)
        deck.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        png = deck.screenshot(path=str(screenshots / f"{name}_map{i + 1}.png"))
        assert nonblank_share(png) > 0.01, f"{name}: map {i + 1} is blank"


@pytest.mark.parametrize(
    ("name", "path", "plotly", "decks"),
    [("overview", "/", 2, 1), ("trends", "/trends?measure=rate", 4, 0)],
)
def test_page_renders_every_chart_offline_wide_and_narrow(
    browser: Any,
    serve: Callable[[Path], Any],
    demo_store_path: Path,
    screenshots: Path,
    name: str,
    path: str,
    plotly: int,
    decks: int,
) -> None:
    url = serve(demo_store_path).url + path
    page, external = open_demo_page(browser, url, 1400, 5200, plotly, decks)
    page.screenshot(path=str(screenshots / f"{name}.png"))
    assert_rendered(page, screenshots, name, plotly, decks)
    if name == "trends":
        first = page.locator("[data-testid='stPlotlyChart']").first
        assert first.locator(".scatterlayer .trace").count() == 12  # one line per city
        assert first.get_by_text("PSP designation (Jun 2017)").count() == 1
    else:
        link = page.get_by_role("link", name="Memphis")
        assert link.get_attribute("href") == "city?city=memphis_tn"
    assert external == [], f"external requests: {external[:5]}"
    page.close()

    # A phone-sized window: charts shrink to fit and nothing but the YTD table's own
    # scroll box is wider than the window.
    page, external = open_demo_page(browser, url, 420, 7000, plotly, decks)
    page.screenshot(path=str(screenshots / f"{name}_narrow.png"))
    overflow = page.evaluate("document.querySelector(\"[data-testid='stMain']\").scrollWidth")
    assert overflow <= 420, f"the page scrolls sideways ({overflow}px)"
    for i in range(plotly):
        box = page.locator("[data-testid='stPlotlyChart']").nth(i).bounding_box()
        assert box is not None and box["width"] <= 420
    assert external == []
    page.close()


def test_hostile_link_shows_notice_in_browser(
    visit: Callable[..., Any], tiny_store_path: Path, screenshots: Path
) -> None:
    page, _ = visit(tiny_store_path, "/trends?city=%27%3BDROP%20TABLE%20incidents%3B--")
    page.wait_for_selector("text=unknown city", timeout=45_000)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(screenshots / "trends_hostile_link.png"), full_page=True)
    page.close()


def test_presenter_view_keyboard_navigation(
    visit: Callable[..., Any], demo_store_path: Path, screenshots: Path
) -> None:
    page, external = visit(demo_store_path, "/presenter")
    page.wait_for_selector("text=Slide 1 of", timeout=45_000)
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    page.screenshot(path=str(screenshots / "presenter_1.png"), full_page=True)
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("text=Slide 2 of", timeout=20_000)  # goal status
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("text=Slide 3 of", timeout=20_000)  # year to date
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("text=Slide 4 of", timeout=20_000)  # violent crime trend
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=20_000)
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid='stException']").count() == 0
    png = page.locator("[data-testid='stPlotlyChart']").first.screenshot()
    assert nonblank_share(png) > 0.02
    page.screenshot(path=str(screenshots / "presenter_2.png"), full_page=True)
    assert "slide=4" in page.url
    assert external == [], f"external requests: {external[:5]}"
    page.close()
