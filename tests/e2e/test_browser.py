"""Real browser: every page renders its charts with no Streamlit exception and makes no
request outside this machine. Screenshots land in tests/e2e/screenshots/ to look at."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from PIL import Image

pytestmark = pytest.mark.e2e

LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}


def nonblank_share(png: bytes) -> float:
    """Share of pixels that are not (near) white: a rendered chart has lines and text."""
    img = Image.open(io.BytesIO(png)).convert("L")
    pixels = list(img.getdata())
    return sum(1 for p in pixels if p < 235) / len(pixels)


def open_page(browser: Any, url: str) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    external: list[str] = []
    page.on(
        "request",
        lambda r: (
            external.append(r.url)
            if urlparse(r.url).scheme in ("http", "https", "ws", "wss")
            and urlparse(r.url).hostname not in LOCAL_HOSTS
            else None
        ),
    )
    page.goto(url, wait_until="domcontentloaded")
    return page, external


def test_trends_page_renders_chart(
    browser: Any, serve: Callable[[Path], Any], demo_store_path: Path, screenshots: Path
) -> None:
    server = serve(demo_store_path)
    page, external = open_page(browser, server.url + "/trends?measure=rate")
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=45_000)
    page.wait_for_selector("text=DEMO DATA", timeout=10_000)
    page.wait_for_timeout(1500)  # let Plotly finish drawing the lines
    assert page.locator("[data-testid='stException']").count() == 0
    chart = page.locator("[data-testid='stPlotlyChart']").first
    png = chart.screenshot(path=str(screenshots / "trends_chart.png"))
    page.screenshot(path=str(screenshots / "trends.png"), full_page=True)
    assert nonblank_share(png) > 0.02, "the chart area is blank"
    assert page.locator("[data-testid='stPlotlyChart'] .scatterlayer .trace").count() == 12
    assert external == [], f"external requests: {external[:5]}"
    page.close()


def test_hostile_link_shows_notice_in_browser(
    browser: Any, serve: Callable[[Path], Any], tiny_store_path: Path, screenshots: Path
) -> None:
    server = serve(tiny_store_path)
    page, _ = open_page(browser, server.url + "/trends?city=%27%3BDROP%20TABLE%20incidents%3B--")
    page.wait_for_selector("text=unknown city", timeout=45_000)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=30_000)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(screenshots / "trends_hostile_link.png"), full_page=True)
    page.close()


def test_presenter_view_keyboard_navigation(
    browser: Any, serve: Callable[[Path], Any], demo_store_path: Path, screenshots: Path
) -> None:
    server = serve(demo_store_path)
    page, external = open_page(browser, server.url + "/presenter")
    page.wait_for_selector("text=Slide 1 of", timeout=45_000)
    assert page.locator("[data-testid='stSidebar']").is_hidden()
    page.screenshot(path=str(screenshots / "presenter_1.png"), full_page=True)
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("text=Slide 2 of", timeout=20_000)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .main-svg", timeout=20_000)
    page.wait_for_timeout(1500)
    assert page.locator("[data-testid='stException']").count() == 0
    png = page.locator("[data-testid='stPlotlyChart']").first.screenshot()
    assert nonblank_share(png) > 0.02
    page.screenshot(path=str(screenshots / "presenter_2.png"), full_page=True)
    assert "slide=2" in page.url
    assert external == [], f"external requests: {external[:5]}"
    page.close()
