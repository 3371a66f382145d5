"""Real-browser fixtures: a `streamlit run` server on a free port and Debian's chromium
driven by Playwright (both from harness/, which the benchmarks share)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from harness import browser as chromium
from harness.server import Server
from tests.conftest import skip_or_fail

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}


def open_page(browser: Any, url: str, width: int = 1400, height: int = 1000) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if reason := chromium.chromium_missing():
        skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = chromium.launch(pw.chromium)
        yield b
        b.close()


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[..., Server]]:
    """`serve(store_path, env=None)` -> a running Server (one per store and extra
    environment, stopped at the end)."""
    servers: dict[tuple[Path, tuple[tuple[str, str], ...]], Server] = {}

    def start(store: Path, env: dict[str, str] | None = None) -> Server:
        key = (store, tuple(sorted((env or {}).items())))
        if key not in servers:
            servers[key] = Server(store, env)
        return servers[key]

    yield start
    for s in servers.values():
        s.stop()


@pytest.fixture(scope="session")
def visit(browser: Any, serve: Callable[..., Server]) -> Callable[..., tuple[Any, list[str]]]:
    """`visit(store, "/path?query")` -> a new page at that path of the store's server (see
    `serve`) and the list of its requests to other hosts (see `open_page`)."""

    def go(store: Path, path: str, width: int = 1400, height: int = 1000) -> tuple[Any, list[str]]:
        return open_page(browser, serve(store).url + path, width, height)

    return go


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
