"""AppTest helpers: run the app against a store chosen by PSP_DB, not by mocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """`app(store_path, page=None, query=None)` -> an AppTest that has run once."""

    def make(
        store: Path, page: str | None = None, query: dict[str, str | list[str]] | None = None
    ) -> AppTest:
        monkeypatch.setenv("PSP_DB", str(store))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    yield make


@pytest.fixture()
def open_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """`open_page(store_path, page, query=None)` -> an AppTest whose FIRST run is `page`
    (as when a shared link is opened), so the page itself reads and checks the link."""

    def make(store: Path, page: str, query: dict[str, str | list[str]] | None = None) -> AppTest:
        monkeypatch.setenv("PSP_DB", str(store))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.switch_page(page)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at.run()

    yield make
