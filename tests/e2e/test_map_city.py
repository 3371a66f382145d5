"""Real browser on the Map and City profile pages: the deck draws (non-blank WebGL canvas,
SwiftShader in headless chromium), the Plotly charts render, the CSV download works, no
Streamlit exception, no request leaves this machine. Screenshots land in
tests/e2e/screenshots/ (map_*.png, city_*.png) to be looked at."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.test_browser import nonblank_share

pytestmark = pytest.mark.e2e

DECK = "[data-testid='stDeckGlJsonChart']"
PLOTLY = "[data-testid='stPlotlyChart']"


def palette_classes(png: bytes) -> int:
    """How many of the cell palette's colours fill areas of a screenshot: the layer blends
    at 0.85 opacity, which deck.gl's blending renders at about 0.9 over white. Cells drawn
    black or in one colour find one class or none."""
    from collections import Counter

    from analysis.geo.cell_decks import CELL_COLOURS, rgb

    common = [
        px for px, n in Counter(Image.open(io.BytesIO(png)).convert("RGB").getdata()).items() if n >= 50
    ]
    found = 0
    for colour in CELL_COLOURS:
        target = [0.9 * c + 0.1 * 255 for c in rgb(colour)]
        if any(sum(abs(p - t) for p, t in zip(px, target, strict=True)) < 30 for px in common):
            found += 1
    return found


def colours(png: bytes) -> int:
    """Distinct colours in a screenshot (a drawn map has many, a blank canvas one)."""
    img = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return len(set(img.getdata()))


def wait_for_deck(page: Any) -> Any:
    page.wait_for_selector(f"{DECK} canvas", timeout=45_000)
    page.wait_for_timeout(5_000)  # deck.gl draws after its first animation frames
    return page.locator(DECK).first


def test_map_draws_cells_offline(visit: Callable[..., Any], demo_store_path: Path, screenshots: Path) -> None:
    page, external = visit(demo_store_path, "/map?city=memphis_tn")
    deck = wait_for_deck(page)
    page.wait_for_selector("text=DEMO DATA", timeout=10_000)
    assert page.locator("[data-testid='stException']").count() == 0
    png = deck.screenshot(path=str(screenshots / "map_cells.png"))
    page.screenshot(path=str(screenshots / "map.png"), full_page=True)
    assert nonblank_share(png) > 0.05, "the map is blank"
    assert palette_classes(png) >= 4, "the cells are not drawn in their colour classes"
    assert page.get_by_text("Offenses per cell (cells of about").count() == 1  # the legend in words
    assert page.locator("[data-testid='stSidebarNav']").get_by_text("City profile").count() == 1
    assert external == [], f"external requests: {external[:5]}"
    page.close()


def test_map_heat_and_points(visit: Callable[..., Any], demo_store_path: Path, screenshots: Path) -> None:
    page, external = visit(demo_store_path, "/map?city=memphis_tn&layer=heat")
    png = wait_for_deck(page).screenshot(path=str(screenshots / "map_heat.png"))
    assert nonblank_share(png) > 0.05 and colours(png) > 20, "the heat map is blank"
    page.close()
    query = "city=memphis_tn&offense=murder&start=2025-01-01&end=2025-06-30"
    page, more = visit(demo_store_path, f"/map?{query}")
    png = wait_for_deck(page).screenshot(path=str(screenshots / "map_points.png"))
    assert page.get_by_text("Points:").count() == 1
    assert nonblank_share(png) > 0.005 and colours(png) > 3  # outlines, cells and black dots
    assert page.locator("[data-testid='stException']").count() == 0
    assert external + more == [], f"external requests: {(external + more)[:5]}"
    page.close()


def test_city_profile_renders_and_downloads(
    visit: Callable[..., Any], demo_store_path: Path, screenshots: Path, tmp_path: Path
) -> None:
    page, external = visit(demo_store_path, "/city?city=memphis_tn")
    page.set_viewport_size({"width": 1400, "height": 4800})
    page.wait_for_selector(f"{PLOTLY} .main-svg", timeout=45_000)
    page.wait_for_function(f'document.querySelectorAll("{PLOTLY} .main-svg").length >= 2', timeout=30_000)
    page.wait_for_timeout(1_500)
    assert page.locator("[data-testid='stException']").count() == 0
    charts = page.locator(PLOTLY)
    assert charts.count() == 2
    for i, name in enumerate(("city_mix.png", "city_hours.png")):
        png = charts.nth(i).screenshot(path=str(screenshots / name))
        assert nonblank_share(png) > 0.05, f"chart {name} is blank"
    assert page.locator(f"{PLOTLY} .heatmaplayer image").count() == 1  # the hour x weekday cells
    page.screenshot(path=str(screenshots / "city.png"), full_page=True)
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download CSV (first").click()
    target = tmp_path / "incidents.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows and set(rows[0]) >= {"occurred_at", "offense", "district", "lat", "lon"}
    assert external == [], f"external requests: {external[:5]}"
    page.close()


@pytest.mark.parametrize("path", ["/map?city=memphis_tn", "/city?city=memphis_tn"])
def test_narrow_window(
    browser: Any, serve: Callable[[Path], Any], demo_store_path: Path, screenshots: Path, path: str
) -> None:
    server = serve(demo_store_path)
    page = browser.new_page(viewport={"width": 420, "height": 2400})
    page.goto(server.url + path, wait_until="domcontentloaded")
    target = DECK if path.startswith("/map") else PLOTLY
    page.wait_for_selector(target, timeout=45_000)
    page.wait_for_timeout(5_000)
    assert page.locator("[data-testid='stException']").count() == 0
    name = "map_narrow.png" if path.startswith("/map") else "city_narrow.png"
    png = page.screenshot(path=str(screenshots / name), full_page=True)
    assert nonblank_share(png) > 0.05
    page.close()
