"""The Trends page: loads on every store, reacts to the filters, survives hostile links."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.plotly_json import values

PAGE = "views/trends.py"


def charts(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def series_traces(at: AppTest) -> dict[str, dict[str, Any]]:
    found = charts(at)
    assert found, "no Plotly chart on the page"
    return {t["name"]: t for t in found[0]["data"]}


def annotations(at: AppTest) -> list[str]:
    return [a["text"] for a in charts(at)[0]["layout"].get("annotations", [])]


def words(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def test_loads_on_demo_store_with_banner(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page=PAGE)
    assert not at.exception
    assert any("DEMO DATA" in w.value for w in at.warning)
    assert len(charts(at)) == 4  # series, rolling 12 months, same month last year, seasonal
    assert len(series_traces(at)) == 12  # one line per city
    assert "in 12 cities" in words(at)
    assert "PSP designation (Jun 2017)" in annotations(at)
    assert "Operation Relentless Pursuit: Kansas City, Memphis (Dec 2019)" in annotations(at)
    assert len(at.get("download_button")) == 5  # four charts and the YTD table


def test_tiny_store_exact_numbers(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path, page=PAGE)
    assert not at.exception
    assert not any("DEMO DATA" in w.value for w in at.warning)
    at.radio(key="measure").set_value("count").run()
    traces = series_traces(at)
    assert set(traces) == {"Memphis", "Springfield"}
    # Jan 2023 .. Feb 2024, complete months, zeros where no offense was recorded.
    assert values(traces["Memphis"], "y") == [4, 1] + [0] * 10 + [5, 2]
    same = {t["name"]: values(t, "x") for t in charts(at)[2]["data"]}
    assert same == {"Feb 2023": [0, 1], "Feb 2024": [0, 2]}  # Springfield, Memphis (bottom-up)
    table = next(m.value for m in at.markdown if "<table" in m.value)
    assert "up 2 (5 → 7), not notable" in table and "up 2 (1 → 3), not notable" in table


def test_changing_offense_changes_the_numbers(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path, page=PAGE, query={"measure": "count"})
    at.selectbox(key="offense").set_value("property_crime").run()
    assert not at.exception
    assert "Property crime" in words(at)
    # Memphis property crime: 2 burglaries (Jan 2023), 3 thefts (Feb 2023), 1 burglary (Jan 2024).
    assert values(series_traces(at)["Memphis"], "y") == [2, 3] + [0] * 10 + [1, 0]
    table = next(m.value for m in at.markdown if "<table" in m.value)
    assert "down 4 (5 → 1)" in table


def test_firearm_toggle(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path, page=PAGE, query={"measure": "count"})
    at.toggle[0].set_value(True).run()
    assert not at.exception
    # Firearm-involved violent crime, Memphis: M1, M2 (Jan 2023); M11-M14 (Jan 2024); M17 (Feb 2024).
    assert values(series_traces(at)["Memphis"], "y") == [2] + [0] * 11 + [4, 1]
    assert at.query_params["firearm"] == "1"


def test_weekly_view_names_cities_with_monthly_counts_only(
    app: Callable[..., AppTest], mixed_store_path: Path
) -> None:
    at = app(mixed_store_path, page=PAGE, query={"gran": "week"})
    assert not at.exception
    assert set(series_traces(at)) == {"Jackson", "Memphis", "Springfield"}
    notes = " ".join(i.value for i in at.info)
    assert "Only published monthly counts, so no weekly series: Houston, TX." in notes
    # The monthly charts below still include Houston (the same-month bars).
    assert any("Houston" in list(bar["y"]) for bar in charts(at)[2]["data"])


def test_series_breaks_are_marked(app: Callable[..., AppTest], mixed_store_path: Path) -> None:
    at = app(mixed_store_path, page=PAGE, query={"city": "houston_tx"})
    assert not at.exception
    # A break is a numbered line; its words show on hover and in the caption under the chart.
    notes = charts(at)[0]["layout"].get("annotations", [])
    assert [(a["text"], a["hovertext"]) for a in notes if a["text"] == "1"] == [
        ("1", "Houston: gap in published counts (published)")
    ]
    assert "1 Jun 2023, Houston: gap in published counts (published)" in words(at)
    assert "Operation Relentless Pursuit: Kansas City, Memphis (Dec 2019)" not in annotations(at)


def test_hostile_query_string_shows_notice_not_exception(
    app: Callable[..., AppTest], tiny_store_path: Path
) -> None:
    hostile = dict(city="';DROP TABLE incidents;--", offense="<script>", season="x'--", start="2023-13-01")
    at = app(tiny_store_path, page=PAGE, query=hostile)
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown city" in notices and "unknown offense" in notices
    assert "unknown city for the seasonal profile" in notices and "unknown date" in notices
    assert series_traces(at)  # the page falls back to defaults and still draws


def test_link_reopens_the_same_view(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    link = dict(city="springfield_il", offense="property_crime", measure="count", season="springfield_il")
    at = app(tiny_store_path, page=PAGE, query=link)
    assert not at.exception
    assert list(series_traces(at)) == ["Springfield"]
    assert at.selectbox(key="offense").value == "property_crime"
    assert at.selectbox(key="season").value == "springfield_il"


def test_store_without_crime_data(app: Callable[..., AppTest], registry_only_store_path: Path) -> None:
    at = app(registry_only_store_path, page=PAGE)
    assert not at.exception
    assert "No data for this selection" in " ".join(i.value for i in at.info)
