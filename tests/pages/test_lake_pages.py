"""The dashboard on a lake folder (PSP_DB=DIR written by `python -m ingest export-lake`):
every page runs read-only on the Parquet views and shows what it shows on the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.lake import export_lake

PAGES = [
    "views/overview.py",
    "views/trends.py",
    "views/map.py",
    "views/city.py",
    "views/goals.py",
    "views/interventions.py",
    "views/data.py",
]


@pytest.fixture(scope="module")
def demo_lake(demo_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    lake = tmp_path_factory.mktemp("lake") / "demo_lake"
    export_lake(demo_store_path, lake)
    return lake


def shown(at: AppTest) -> tuple[list[str], list[str], list[object]]:
    charts = [json.loads(c.proto.spec)["data"] for c in at.get("plotly_chart")]
    return [m.value for m in at.markdown], [m.label + m.value for m in at.metric], charts


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_a_lake_as_on_its_store(
    app: Callable[..., AppTest], demo_store_path: Path, demo_lake: Path, page: str
) -> None:
    on_lake = app(demo_lake, page=page)
    assert not on_lake.exception, on_lake.exception
    assert not on_lake.error, [e.value for e in on_lake.error]
    on_store = app(demo_store_path, page=page)
    assert shown(on_lake) == shown(on_store)
    assert on_lake.title and on_lake.title[0].value == on_store.title[0].value
