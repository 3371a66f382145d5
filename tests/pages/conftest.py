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

    With `page` the page file runs directly, as a link to that page would, so its query
    parameters reach it untouched by the default page."""

    def make(
        store: Path, page: str | None = None, query: dict[str, str | list[str]] | None = None
    ) -> AppTest:
        monkeypatch.setenv("PSP_DB", str(store))
        at = AppTest.from_file(str(ROOT / (page or "dashboard.py")), default_timeout=60)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at.run()

    yield make
