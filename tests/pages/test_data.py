"""The Data page: coverage heat map, sources, import log, quarantine, upload box."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.plotly_json import values


def test_demo_store_coverage(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page="views/data.py")
    assert not at.exception
    assert any("DEMO DATA" in w.value for w in at.warning)
    text = " ".join(m.value for m in at.markdown)
    assert "12 cities have data; the last month complete for all of them is December 2025" in text
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert len(heat["y"]) == 12
    # Every demo city-month is complete incident data (state 3).
    assert set(values(heat, "z")) == {3} or all(set(row) == {3} for row in heat["z"])
    assert [b.label for b in at.get("form_submit_button")] == ["Import"]


def test_tiny_store_import_log_and_partial_month(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path, page="views/data.py", query={"city": "';DROP TABLE incidents;--"})
    assert not at.exception
    assert not any("DEMO DATA" in w.value for w in at.warning)
    text = " ".join(m.value for m in at.markdown)
    # Memphis and Springfield; the fixture source runs to 2024-03-04, so Feb 2024 is the last complete month.
    assert "2 cities have data; the last month complete for all of them is February 2024" in text
    # Months inside the spans with no data: Springfield Jan 2023-Mar 2024 has 15 months,
    # 3 with data (12 empty); Memphis Jan 2023-Feb 2024 has 14, 4 with data (10 empty).
    assert "22 city-months inside their spans have no data at all" in text
    log = next(d.value for d in at.dataframe if "rows_accepted" in d.value.columns)  # the import log
    assert list(log["source"]) == ["fixture"] and int(log["rows_accepted"].iloc[0]) == 26
