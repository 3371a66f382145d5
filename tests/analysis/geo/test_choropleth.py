"""Districts and areas as a choropleth, and the basemap setting: hand-checked numbers on
the tiny geo store and the ZCTA area store, colour classes, tooltips, and the deck's
background with and without a tile service."""

from __future__ import annotations

import json
import urllib.parse

import duckdb
import pandas as pd
import pytest

from analysis.geo.basemap import Basemap, BasemapError, configured_basemap, deck_base, mosaic_zoom, tile_xy
from analysis.geo.cell_decks import CELL_COLOURS, crime_deck, rgb
from analysis.geo.cells import counts_by_cell
from analysis.geo.choropleth import AreaMap, area_layers, area_map, class_index, district_map, value_classes
from analysis.geo.choropleth_decks import choropleth_deck
from analysis.geo.outlines import city_outline
from analysis.query.profile import window_days
from analysis.query.scope import Window
from analysis.stats.exact import Change
from tests.analysis.geo.memphis import MEMPHIS_2024, memphis_window


def memphis_districts(con: duckdb.DuckDBPyConnection) -> tuple[AreaMap, Window]:
    """The district choropleth of MEMPHIS_2024, and its window."""
    window = memphis_window(con)
    amap = district_map(con, "memphis_tn", MEMPHIS_2024, window)
    assert amap is not None
    return amap, window


def test_district_map_counts_and_changes(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    amap, window = memphis_districts(tiny_geo)
    table = amap.table.set_index("name")
    # Violent crime Jan-Feb 2024 vs Jan-Feb 2023 (tests/fixtures/tiny_incidents.csv + X2):
    # North Main M11 M12 M15 M17 vs M1 M2 M4 M7; Raines M13 M14 M18 X2 vs M3.
    assert table.loc["North Main", ["current", "previous"]].tolist() == [4, 4]
    assert table.loc["Raines", ["current", "previous"]].tolist() == [4, 1]
    # the badge every page shows: the exact test over the days of each window
    assert table.loc["Raines", "change"] == Change(4, 1, *window_days(window)).text()
    assert sorted(table.index) == ["North Main", "Raines"]  # the layer matching the incidents
    # 0.05 x 0.03 degrees at 35.145 N: 4.551 km x 3.327 km.
    assert table.loc["North Main", "area_km2"] == pytest.approx(15.14, abs=0.05)
    assert table.loc["North Main", "per_km2"] == pytest.approx(4 / 15.14, abs=0.01)
    assert amap.label == "Jan–Feb 2024" and amap.prior_label == "Jan–Feb 2023" and amap.prior_covered


def test_district_map_without_polygons_is_none(tiny: duckdb.DuckDBPyConnection) -> None:
    assert district_map(tiny, "memphis_tn", MEMPHIS_2024, memphis_window(tiny)) is None


def test_area_counts_become_a_choropleth_once_polygons_are_loaded(area_store_path: object) -> None:
    con = duckdb.connect(str(area_store_path), read_only=True)
    layers = area_layers(con, "houston_tx", has_districts=False)
    assert [layer.key for layer in layers] == ["area:zcta:robbery", "area:zcta:theft"]
    amap = area_map(con, "houston_tx", "zcta", "robbery")
    assert amap is not None
    table = amap.table.set_index("name")
    assert table[["current", "previous"]].to_dict("index") == {
        "77002": {"current": 9, "previous": 5},
        "77003": {"current": 1, "previous": 3},
        "77004": {"current": 0, "previous": 0},
    }
    assert amap.unplaced == 4  # 77099 has counts but no polygon
    assert amap.label == "Jan–Dec 2024" and amap.prior_label == "Jan–Dec 2023" and amap.prior_covered
    # 0.02 x 0.02 degrees at 29.75 N: 1.933 km x 2.217 km.
    assert table.loc["77002", "area_km2"] == pytest.approx(4.29, abs=0.02)
    theft = area_map(con, "houston_tx", "zcta", "theft")
    assert theft is not None and not theft.prior_covered  # Dec 2024 only: nothing a year before
    assert theft.table.set_index("name").loc["77002", "current"] == 30
    con.close()


def test_area_layers_need_polygons(registry_only_store_path: object) -> None:
    con = duckdb.connect(str(registry_only_store_path), read_only=True)
    assert area_layers(con, "houston_tx", has_districts=False) == []
    assert [layer.key for layer in area_layers(con, "houston_tx", has_districts=True)] == ["districts"]
    con.close()


def test_value_classes_are_quantiles_with_words() -> None:
    values = pd.Series([0, 1, 2, 3, 4, 5, 6, 7, 8, 100], dtype=float)
    classes = value_classes(values, CELL_COLOURS)
    assert [(c.lo, c.hi) for c in classes] == [(0, 1), (2, 3), (4, 5), (6, 7), (8, 100)]
    assert [c.polygons for c in classes] == [2, 2, 2, 2, 2]
    assert classes[-1].label("count") == "8–100 offenses"
    assert classes[0].label("per_km2") == "0.0–1.0 offenses per km²"
    assert class_index(values, classes).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    same = value_classes(pd.Series([3.0, 3.0, 3.0]), CELL_COLOURS)
    assert len(same) == 1 and same[0].polygons == 3


def test_choropleth_deck_colours_and_tooltips(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    amap, window = memphis_districts(tiny_geo)
    spec = json.loads(choropleth_deck(amap, city_outline(tiny_geo, "memphis_tn"), "per_km2").to_json())
    layers = {layer["id"]: layer for layer in spec["layers"]}
    features = {
        f["properties"]["t"].split(":")[0]: f["properties"] for f in layers["choropleth"]["data"]["features"]
    }
    raines = features["Raines"]
    assert raines["t"].startswith("Raines: 4 offenses in Jan–Feb 2024 (")
    assert f"against Jan–Feb 2023: {Change(4, 1, *window_days(window)).text()}" in raines["t"]
    # Raines (0.04 x 0.03 degrees) is smaller than North Main with the same count: denser, darker.
    colours = [rgb(c) for c in CELL_COLOURS]
    assert raines["c"][:3] == colours[-1] and features["North Main"]["c"][:3] == colours[0]
    assert "choropleth-names" in layers and "city-outline" in layers
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec  # offline by default


def test_basemap_setting_and_style(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PSP_BASEMAP_URL", raising=False)
    assert configured_basemap() is None
    assert deck_base(None) == {"map_provider": None}
    monkeypatch.setenv("PSP_BASEMAP_URL", "https://tiles.example.gov/{z}/{x}/{y}.png")
    monkeypatch.setenv("PSP_BASEMAP_ATTRIBUTION", "© City GIS")
    monkeypatch.setenv("PSP_BASEMAP_MAX_ZOOM", "17")
    basemap = configured_basemap()
    assert basemap == Basemap("https://tiles.example.gov/{z}/{x}/{y}.png", "© City GIS", 17)
    base = deck_base(basemap)
    style_url = str(base["map_style"])
    assert style_url.startswith("data:application/json;charset=utf-8,")
    style = json.loads(urllib.parse.unquote(style_url.split(",", 1)[1]))
    assert style["sources"]["basemap"] == {
        "type": "raster",
        "tiles": ["https://tiles.example.gov/{z}/{x}/{y}.png"],
        "tileSize": 256,
        "maxzoom": 17,
        "attribution": "© City GIS",
    }
    assert style["layers"] == [{"id": "basemap", "type": "raster", "source": "basemap"}]
    monkeypatch.setenv("PSP_BASEMAP_MAX_ZOOM", "many")
    with pytest.raises(BasemapError, match="whole number"):
        configured_basemap()
    with pytest.raises(BasemapError, match=r"\{y\}"):
        Basemap("https://tiles.example.gov/{z}/{x}.png")
    with pytest.raises(BasemapError, match="http"):
        Basemap("file:///etc/{z}/{x}/{y}")


def test_crime_deck_draws_over_the_basemap(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    cells = counts_by_cell(tiny_geo, MEMPHIS_2024, 8)
    outline = city_outline(tiny_geo, "memphis_tn")
    basemap = Basemap("http://127.0.0.1:9/{z}/{x}/{y}.png")
    spec = json.loads(crime_deck(cells, outline, basemap=basemap).to_json())
    assert spec["mapProvider"] == "carto" and spec["mapStyle"] == basemap.map_style()
    assert [layer["id"] for layer in spec["layers"]] == ["cells", "city-outline"]
    offline = json.loads(crime_deck(cells, outline).to_json())
    assert offline["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in offline


def test_tile_arithmetic() -> None:
    assert tile_xy(0.0, 0.0, 1) == pytest.approx((1.0, 1.0))
    assert tile_xy(-180.0, 85.0511, 0) == pytest.approx((0.0, 0.0), abs=1e-4)
    # Memphis (about 0.5 x 0.4 degrees) fits 36 tiles at zoom 11 (4 x 5), not at 12.
    assert mosaic_zoom((-90.31, 34.99, -89.64, 35.27), 19) == 11
    assert mosaic_zoom((-90.31, 34.99, -89.64, 35.27), 9) == 9


def test_every_setting_is_in_the_readme_settings_table() -> None:
    from kernel.settings import ROOT, SETTINGS

    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    for name, setting in SETTINGS.items():
        assert f"| `{name}` |" in table, name
        if setting.name.startswith("PSP_BASEMAP_") and setting.default:
            assert f"| `{name}` | `{setting.default}` |" in table
