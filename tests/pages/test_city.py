"""The City profile page: loads on every store, explains a city without incidents, shows
hand-checked numbers on the tiny store, reacts to the filters and pages, survives hostile
links."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGE = "views/city.py"
MEMPHIS_2024 = {"city": "memphis_tn", "start": "2024-01-01", "end": "2024-02-29"}


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def test_demo_store_profile(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, PAGE, {"city": "memphis_tn"})
    assert not at.exception
    assert any("DEMO DATA" in w.value for w in at.warning)
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # offense mix, hour x weekday
    heat = json.loads(charts[1].proto.spec)["data"][0]
    assert heat["type"] == "heatmap" and len(heat["y"]) == 7
    words = text(at)
    assert "compared with the same months a year before" in words
    assert "aoristic" in words and "Source: demo" in words
    assert len(at.expander) == 2  # numbers behind both charts
    downloads = [b.label for b in at.download_button]
    assert downloads.count("Download this table (CSV)") == 2  # districts, hot spots
    assert "Rows 1–100 of" in words


def test_city_without_incidents_is_explained(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path, PAGE, {"city": "houston_tx"})
    assert not at.exception
    assert any("no incident records for Houston" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_tiny_store_numbers(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, MEMPHIS_2024)
    assert not at.exception
    words = text(at)
    assert "**Jan–Feb 2024** compared with the same months a year before (**Jan–Feb 2023**)" in words
    # Memphis violent crime: 5 -> 8 (tests/analysis/query/test_profile.py works it out).
    assert "up 3 (5 → 8), not notable (p = 0.60)" in words
    assert "None of the 2 districts changed notably from a year before" in words  # Raines 1 -> 4: p = 0.39
    districts = next(
        d.value for d in at.dataframe if list(d.value.columns[:3]) == ["district", "current", "previous"]
    )
    assert districts[["district", "current", "previous"]].values.tolist() == [
        ["North Main", 4, 4],
        ["Raines", 4, 1],
    ]
    assert districts["p"].round(4).tolist() == [1.0, 0.3856]  # in the table and its CSV
    assert "Rows 1–8 of 8 offenses (page 1 of 1)." in words


def test_changing_offense_changes_the_numbers(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, MEMPHIS_2024)
    at.selectbox(key="offense").set_value("property_crime").run()
    assert not at.exception
    # Property crime: 2023 M5, M6 (burglary), M8, M9, M10 (larceny) = 5; 2024 M16 = 1.
    assert "down 4 (5 → 1)" in text(at)
    assert "Rows 1–1 of 1 offenses" in text(at)


def test_incident_table_filters_and_pages(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, MEMPHIS_2024)
    at.multiselect(key="inc_codes").set_value(["09A"]).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert table["source_id"].tolist() == ["M12", "M11"]
    assert "Rows 1–2 of 2 offenses" in text(at)
    at.multiselect(key="inc_codes").set_value([]).run()
    at.multiselect(key="inc_districts").set_value(["Raines"]).run()
    assert at.dataframe[-1].value["source_id"].tolist() == ["M18", "X2", "M14", "M13"]
    assert at.download_button(key="inc_csv").label == "Download CSV (first 4 rows)"


def test_hostile_query_string(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(
        tiny_geo_store_path,
        PAGE,
        {"city": "';DROP TABLE incidents;--", "start": "1' or '1", "district": "<b>x</b>"},
    )
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown city" in notices and "unknown date" in notices
    # The link's city is ignored: the page opens on the first city with incident records
    # (Memphis; Baton Rouge, first of the twelve, has none in this store).
    assert at.selectbox(key="city").value == "memphis_tn"
    assert not any("no incident records" in i.value for i in at.info)
