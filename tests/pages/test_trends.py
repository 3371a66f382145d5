"""The Trends page: loads on every store, reacts to the filters, survives hostile links."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.plotly_json import values


def chart_traces(at: AppTest) -> list[dict[str, object]]:
    charts = at.get("plotly_chart")
    assert charts, "no Plotly chart on the page"
    spec = json.loads(charts[0].proto.spec)
    return list(spec["data"])


def test_loads_on_demo_store_with_banner(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path)
    assert not at.exception
    assert any("DEMO DATA" in w.value for w in at.warning)
    assert len(chart_traces(at)) == 12  # one line per city
    assert "12 cities" in at.markdown[0].value or any("12 cities" in m.value for m in at.markdown)


def test_tiny_store_has_no_demo_banner_and_exact_numbers(
    app: Callable[..., AppTest], tiny_store_path: Path
) -> None:
    at = app(tiny_store_path)
    assert not at.exception
    assert not any("DEMO DATA" in w.value for w in at.warning)
    at.radio(key="measure").set_value("count").run()
    traces = {t["name"]: t for t in chart_traces(at)}
    assert set(traces) == {"Memphis", "Springfield"}
    memphis = traces["Memphis"]
    assert values(memphis, "y") == [4, 1, 5, 2]


def test_changing_offense_changes_the_numbers(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path)
    at.radio(key="measure").set_value("count").run()
    before = " ".join(m.value for m in at.markdown)
    at.selectbox(key="offense").set_value("property_crime").run()
    assert not at.exception
    after = " ".join(m.value for m in at.markdown)
    assert "Property crime" in after and before != after
    # Property crime in the 12 months to Mar 2024: Memphis Jan 2024 (1) + Springfield Mar 2024 (1).
    assert "recorded 2 offenses" in after


def test_hostile_query_string_shows_notice_not_exception(
    app: Callable[..., AppTest], tiny_store_path: Path
) -> None:
    at = app(tiny_store_path, query={"city": "';DROP TABLE incidents;--", "offense": "<script>"})
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown city" in notices and "unknown offense" in notices
    assert chart_traces(at)  # the page falls back to defaults and still draws


def test_link_reopens_the_same_view(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(
        tiny_store_path, query={"city": "springfield_il", "offense": "property_crime", "measure": "count"}
    )
    assert not at.exception
    assert [t["name"] for t in chart_traces(at)] == ["Springfield"]
    assert at.selectbox(key="offense").value == "property_crime"
