"""The Map page: loads on every store, explains a city without incidents, reacts to the
filters, survives hostile links, and never sends a basemap or too many objects."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

from analysis.geo.cells import MAX_MAP_OBJECTS
from tests.pages.expanders import open_numbers

PAGE = "views/map.py"
MEMPHIS_2024 = {"city": "memphis_tn", "start": "2024-01-01", "end": "2024-02-29"}


def deck(at: AppTest) -> dict[str, Any]:
    charts = at.get("deck_gl_json_chart")
    assert charts, "no map on the page"
    spec: dict[str, Any] = json.loads(charts[0].proto.json)
    return spec


def layers(at: AppTest) -> dict[str, Any]:
    return {layer["id"]: layer for layer in deck(at)["layers"]}


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def objects(spec: dict[str, Any]) -> int:
    total = 0
    for layer in spec["layers"]:
        data = layer.get("data", [])
        total += len(data["features"]) if isinstance(data, dict) else len(data)
    return total


def test_demo_store_map(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, PAGE, {"city": "houston_tx"})
    assert not at.exception
    assert any("DEMO DATA" in w.value for w in at.warning)
    spec = deck(at)
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec  # no basemap request
    assert "cells" in layers(at) and "district-lines" in layers(at)
    assert layers(at)["reference-names"]["data"] == [
        {"p": [-95.45197, 29.82707], "d": "Houston (Census centre point)"}
    ]
    assert 0 < objects(spec) <= MAX_MAP_OBJECTS
    words = text(at)
    assert "offenses (violent crime) with a location" in words
    assert "never drawn as points" in words and "The black line is the city boundary" in words
    assert [e.label for e in at.expander] == ["Numbers behind this map", "Offenses per district"]
    assert len(open_numbers(at).dataframe) == 2 and len(at.download_button) == 2


def test_city_without_incidents_is_explained(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path, PAGE, {"city": "houston_tx"})
    assert not at.exception
    assert any("no incident records for Houston" in i.value for i in at.info)
    assert not at.get("deck_gl_json_chart")


def test_tiny_store_numbers_points_and_interaction(
    app: Callable[..., AppTest], tiny_geo_store_path: Path
) -> None:
    at = app(tiny_geo_store_path, PAGE, MEMPHIS_2024)
    assert not at.exception
    words = text(at)
    # Memphis violent crime Jan-Feb 2024: 8 offenses, 7 with a location (X2 has none).
    assert "7 offenses (violent crime) with a location" in words and "1 more have no location" in words
    assert "Points: 7 offenses at 7 places" in words
    assert len(layers(at)["points"]["data"]) == 7
    assert layers(at)["city-outline"]["data"]["features"][0]["properties"]["name"] == "City boundary"
    at.selectbox(key="offense").set_value("murder").run()
    assert not at.exception
    assert "2 offenses (murder) with a location" in text(at)  # M11, M12
    at.selectbox(key="cell").set_value("9").run()
    cells = layers(at)["cells"]["data"]
    assert all(int(c["h"], 16) >> 52 & 15 == 9 for c in cells)  # resolution field of the H3 index


def test_heat_map_mode(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, {**MEMPHIS_2024, "layer": "heat"})
    assert not at.exception
    assert "heat" in layers(at) and "cells" not in layers(at)
    assert sum(d["w"] for d in layers(at)["heat"]["data"]) == 7


def test_sensitive_offense_never_as_points(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, {"city": "springfield_il", "offense": "rape", "start": "2024-01-01"})
    assert not at.exception
    assert "1 offenses (rape) with a location" in text(at)  # S6 is counted in a cell
    assert "points" not in layers(at)


def test_hostile_query_string(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, {"city": "';DROP TABLE incidents;--", "offense": "x'--"})
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown city" in notices and "unknown offense" in notices
    # The link's city is ignored: the page opens on the first city with incident records
    # (Memphis; Baton Rouge, first of the twelve, has none in this store).
    assert at.selectbox(key="city").value == "memphis_tn"
    assert not any("no incident records" in i.value for i in at.info)


def test_hostile_map_controls(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, {**MEMPHIS_2024, "cell": "<script>", "layer": "1 or 1=1"})
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown cell size" in notices and "unknown map layer" in notices
    assert at.selectbox(key="cell").value == "auto" and at.radio(key="layer").value == "cells"
    assert "cells" in layers(at)


def test_district_choropleth_mode(app: Callable[..., AppTest], tiny_geo_store_path: Path) -> None:
    at = app(tiny_geo_store_path, PAGE, {**MEMPHIS_2024, "layer": "districts"})
    assert not at.exception
    features = layers(at)["choropleth"]["data"]["features"]
    tips = sorted(f["properties"]["t"] for f in features)
    assert tips[0].startswith("North Main: 4 offenses in Jan–Feb 2024; against Jan–Feb 2023: ")
    assert tips[1].startswith("Raines: 4 offenses in Jan–Feb 2024; against Jan–Feb 2023: ")
    assert "Raines has the most" not in text(at)  # a tie: alphabetical first
    assert "North Main has the most (4 offenses) of 2 precincts" in text(at)
    at.radio(key="per").set_value("per_km2").run()
    assert not at.exception
    assert "Raines has the most" in text(at)  # the smaller precinct is denser
    assert [e.label for e in at.expander] == ["Numbers per precinct"]


def test_map_areas_for_a_city_with_published_counts_only(
    app: Callable[..., AppTest], area_store_path: Path
) -> None:
    at = app(area_store_path, PAGE, {"city": "houston_tx"})
    assert not at.exception
    assert any("published counts by area" in i.value for i in at.info)
    features = layers(at)["choropleth"]["data"]["features"]
    assert sorted(f["properties"]["t"].split(";")[0] for f in features) == [
        "77002: 9 offenses in Jan–Dec 2024",
        "77003: 1 offense in Jan–Dec 2024",
        "77004: 0 offenses in Jan–Dec 2024",
    ]
    assert "4 more are recorded without a place on this map" in text(at)
    at.selectbox(key="areas").set_value("area:zcta:theft").run()
    assert not at.exception
    assert "77002: 30 offenses in Jan–Dec 2024; no data a year before" in json.dumps(
        deck(at), ensure_ascii=False
    )


def test_basemap_setting_reaches_the_deck(
    app: Callable[..., AppTest], tiny_geo_store_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PSP_BASEMAP_URL", "http://127.0.0.1:9/{z}/{x}/{y}.png")
    monkeypatch.setenv("PSP_BASEMAP_ATTRIBUTION", "Test tiles")
    at = app(tiny_geo_store_path, PAGE, MEMPHIS_2024)
    assert not at.exception
    spec = deck(at)
    assert spec["mapProvider"] == "carto" and spec["mapStyle"].startswith("data:application/json")
    assert "Background map: tiles from 127.0.0.1 (Test tiles)" in text(at)
    monkeypatch.setenv("PSP_BASEMAP_URL", "tiles.example.gov/{z}/{x}.png")
    at = app(tiny_geo_store_path, PAGE, MEMPHIS_2024)
    assert not at.exception
    assert any("PSP_BASEMAP_URL must be" in w.value for w in at.warning)
    assert deck(at)["mapStyle"] == "__MAP_STYLE__"
