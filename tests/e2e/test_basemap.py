"""Real browser: the Map page over a basemap from a local tile server, the same page
without one (no request leaves the app's own origin), the district choropleth, and the
Overview map's names. Screenshots land in tests/e2e/screenshots/ (map_basemap*.png,
map_no_basemap.png, map_choropleth*.png, overview_map.png) to be looked at."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pytest
from PIL import Image

from analysis.geo.cell_decks import CELL_COLOURS, rgb
from tests.e2e.test_browser import nonblank_share
from tests.tile_server import TILE_GROUND, TileServer, tile_server

pytestmark = pytest.mark.e2e

DECK = "[data-testid='stDeckGlJsonChart']"


def origin(url: str) -> str:
    parts = urlparse(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.hostname}:{parts.port}"


def open_recording(browser: Any, url: str, width: int = 1400, height: int = 1100) -> tuple[Any, list[str]]:
    """A page that records every request it makes (documents, scripts, XHR, websockets,
    images, fonts), opened at `url`."""
    page = browser.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.goto(url, wait_until="domcontentloaded")
    return page, requests


def network(requests: list[str]) -> list[str]:
    """Requests that go over the network (not data: or blob: URLs made in the page)."""
    return [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]


def wait_for_deck(page: Any) -> Any:
    # Generous: on a shared, loaded machine the first run of a page can take a minute or two.
    page.wait_for_selector(f"{DECK} canvas", timeout=180_000)
    page.wait_for_timeout(6_000)  # deck.gl and MapLibre draw after their first frames
    return page.locator(DECK).first


def share_near(png: bytes, colour: tuple[int, int, int], tolerance: int = 12) -> float:
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return float((np.abs(px - np.array(colour)).sum(axis=2) < tolerance).mean())


@pytest.fixture(scope="module")
def tiles() -> Iterator[TileServer]:
    with tile_server() as server:
        yield server


def test_map_draws_tiles_from_the_tile_server(
    browser: Any, serve: Callable[..., Any], demo_store_path: Path, screenshots: Path, tiles: TileServer
) -> None:
    server = serve(demo_store_path, {"PSP_BASEMAP_URL": tiles.url, "PSP_BASEMAP_ATTRIBUTION": "Test tiles"})
    before = len(tiles.tile_requests())
    page, requests = open_recording(browser, server.url + "/map?city=memphis_tn")
    deck = wait_for_deck(page)
    assert page.locator("[data-testid='stException']").count() == 0
    png = deck.screenshot(path=str(screenshots / "map_basemap.png"), timeout=120_000)
    page.screenshot(path=str(screenshots / "map_basemap_page.png"), full_page=True, timeout=120_000)
    served = tiles.tile_requests()[before:]
    # The browser asked the tile server for tiles at the map's zoom, and they are drawn:
    # the tiles' beige ground fills the map around and between the cells.
    assert len(served) >= 4, served
    assert {urlparse(u).port for u in network(requests) if "/tiles/" in u} == {tiles.port}
    assert share_near(png, TILE_GROUND) > 0.15, "the tiles are not drawn"
    assert nonblank_share(png) > 0.5  # no white background left
    assert page.get_by_text("Test tiles").count() >= 1  # the attribution on the map
    assert page.get_by_text("Background map: tiles from 127.0.0.1").count() == 1
    others = {origin(u) for u in network(requests)} - {origin(server.url), origin(tiles.url)}
    assert others == set(), others
    page.close()


def test_map_without_basemap_requests_only_its_own_origin(
    browser: Any, serve: Callable[..., Any], demo_store_path: Path, screenshots: Path
) -> None:
    server = serve(demo_store_path)
    page, requests = open_recording(browser, server.url + "/map?city=memphis_tn")
    deck = wait_for_deck(page)
    png = deck.screenshot(path=str(screenshots / "map_no_basemap.png"), timeout=120_000)
    assert share_near(png, TILE_GROUND) < 0.001
    assert share_near(png, (255, 255, 255), 3) > 0.2  # a blank background around the city
    assert page.get_by_text("No background map").count() == 1
    origins = {origin(u) for u in network(requests)}
    assert origins == {origin(server.url)}, origins
    page.close()


def test_district_choropleth(
    browser: Any, serve: Callable[..., Any], demo_store_path: Path, screenshots: Path, tiles: TileServer
) -> None:
    server = serve(demo_store_path)
    url = server.url + "/map?city=memphis_tn&layer=districts"
    page, requests = open_recording(browser, url)
    png = wait_for_deck(page).screenshot(path=str(screenshots / "map_choropleth.png"), timeout=120_000)
    page.screenshot(path=str(screenshots / "map_choropleth_page.png"), full_page=True, timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0
    # The districts are filled with at least three of the classes' colours (alpha 215
    # over white).
    found = 0
    for colour in CELL_COLOURS:
        blended = tuple(round(c * 215 / 255 + 255 * 40 / 255) for c in rgb(colour))
        found += share_near(png, blended, 24) > 0.01
    assert found >= 3, found
    assert page.get_by_text("Numbers per demo district").count() == 1
    assert {origin(u) for u in network(requests)} == {origin(server.url)}
    page.close()
    # Per km², over the basemap.
    tiled = serve(demo_store_path, {"PSP_BASEMAP_URL": tiles.url, "PSP_BASEMAP_ATTRIBUTION": "Test tiles"})
    page, _ = open_recording(browser, tiled.url + "/map?city=memphis_tn&layer=districts&per=per_km2")
    png = wait_for_deck(page).screenshot(
        path=str(screenshots / "map_choropleth_basemap.png"), timeout=120_000
    )
    assert share_near(png, TILE_GROUND) > 0.02  # tiles show outside the city
    page.close()


def test_overview_map_names(
    browser: Any, serve: Callable[..., Any], demo_store_path: Path, screenshots: Path
) -> None:
    server = serve(demo_store_path)
    page, requests = open_recording(browser, server.url + "/", height=1600)
    page.wait_for_selector(f"{DECK} canvas", timeout=180_000)
    page.wait_for_timeout(5_000)
    deck = page.locator(DECK).first
    deck.scroll_into_view_if_needed()
    page.wait_for_timeout(1_000)
    png = deck.screenshot(path=str(screenshots / "overview_map.png"), timeout=120_000)
    assert nonblank_share(png) > 0.02
    line = page.get_by_text("City profiles:")
    assert line.count() == 1 and "No profile for" not in line.inner_text()  # the demo has all 12
    assert {origin(u) for u in network(requests)} == {origin(server.url)}
    page.close()
