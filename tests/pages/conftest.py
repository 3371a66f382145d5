"""AppTest helpers: run the app against a store chosen by PSP_DB, not by mocks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., AppTest]]:
    """`app(store_path, page=None, query=None)` -> an AppTest that has run once.

    With `page` the first run is that page, as when a link to it opens a new session
    (its query string seeds the sidebar); without, the default page."""

    def make(
        store: Path, page: str | None = None, query: dict[str, str | list[str]] | None = None
    ) -> AppTest:
        monkeypatch.setenv("PSP_DB", str(store))
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        at.run()
        return at

    yield make
