"""The Map and City profile on a store holding only real files from ../shared/data, with
figures computed independently from the raw Memphis file (2,245 personal robberies in
2019, every one with coordinates)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import h3.api.numpy_int as h3
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.realdata


def memphis_raw(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "raw/memphis/memphis_personal_robberies_2019.csv.gz")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def test_memphis_map(app: Callable[..., AppTest], real_store_path: Path, shared_data: Path) -> None:
    raw = memphis_raw(shared_data)
    at = app(real_store_path, "views/map.py", {"city": "memphis_tn", "cell": "8"})
    assert not at.exception
    assert not any("DEMO DATA" in w.value for w in at.warning)
    assert f"{len(raw):,} offenses (violent crime) with a location" in text(at)
    layers = {
        layer["id"]: layer for layer in json.loads(at.get("deck_gl_json_chart")[0].proto.json)["layers"]
    }
    assert layers["city-outline"]["data"]["features"][0]["properties"]["name"] == "City boundary"
    assert len(layers["district-lines"]["data"]["features"]) == 9  # MPD precincts
    # The busiest res-8 cell, counted from the raw coordinates with the h3 package.
    cells = pd.Series(
        [
            int(h3.cell_to_parent(h3.latlng_to_cell(a, b, 9), 8))
            for a, b in zip(raw.latitude, raw.longitude, strict=True)
        ]
    ).value_counts()
    busiest = max(layers["cells"]["data"], key=lambda c: int(c["t"].split()[0].replace(",", "")))
    assert int(busiest["h"], 16) == cells.index[0]
    assert busiest["t"] == f"{cells.iloc[0]} offenses"
    assert "Source: memphis (incident records), Jan–Dec 2019" in text(at)


def test_memphis_profile_hours_match_the_raw_file(
    app: Callable[..., AppTest], real_store_path: Path, shared_data: Path
) -> None:
    raw = memphis_raw(shared_data)
    at = app(real_store_path, "views/city.py", {"city": "memphis_tn", "offense": "robbery"})
    assert not at.exception
    assert "**Jan–Dec 2019**" in text(at)
    assert any("no full year before" in w.value for w in at.warning)  # data start in 2019
    heat = json.loads(at.get("plotly_chart")[1].proto.spec)["data"][0]
    from tests.plotly_json import values

    flat = values(heat, "z")
    expected = pd.crosstab(raw["date"].dt.dayofweek, raw["date"].dt.hour).reindex(
        index=range(7), columns=range(24), fill_value=0
    )
    assert flat == expected.to_numpy().ravel().tolist()


def test_kansas_city_without_coordinates_is_explained(
    app: Callable[..., AppTest], real_store_path: Path
) -> None:
    at = app(real_store_path, "views/map.py", {"city": "kansas_city_mo"})
    assert not at.exception
    assert "has a location (the source gives none for them)" in text(at)
    at = app(real_store_path, "views/city.py", {"city": "kansas_city_mo"})
    assert not at.exception
    assert "have a date but no time of day and are not in the chart" in text(at)


def test_cincinnati_profile_offers_what_the_source_has(
    app: Callable[..., AppTest], real_store_path: Path
) -> None:
    at = app(real_store_path, "views/city.py", {"city": "cincinnati_oh"})
    assert not at.exception
    assert any("hold no violent crime" in i.value and "Burglary" in i.value for i in at.info)
    at.selectbox(key="offense").set_value("burglary").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2 and "Rows 1–100 of" in text(at)


def test_memphis_precinct_choropleth(
    app: Callable[..., AppTest], real_store_path: Path, shared_data: Path
) -> None:
    """The district choropleth on real data: 2019 robberies per MPD precinct, counted
    independently by a spatial join of the raw points with the raw precinct polygons."""
    import geopandas as gpd

    raw = memphis_raw(shared_data)
    precincts = gpd.read_file(shared_data / "raw/memphis/memphis_police_precincts.geojson")
    points = gpd.GeoDataFrame(raw, geometry=gpd.points_from_xy(raw.longitude, raw.latitude), crs="EPSG:4326")
    expected = gpd.sjoin(points, precincts, predicate="within")["precinct"].value_counts()
    at = app(
        real_store_path, "views/map.py", {"city": "memphis_tn", "offense": "robbery", "layer": "districts"}
    )
    assert not at.exception
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    features = next(layer for layer in spec["layers"] if layer["id"] == "choropleth")["data"]["features"]
    assert len(features) == 9
    found = {}
    for feature in features:
        name, rest = feature["properties"]["t"].split(": ", 1)
        found[name] = int(rest.split(" ")[0].replace(",", ""))
    assert found == {str(k): int(v) for k, v in expected.items()} | {
        str(p): 0 for p in precincts["precinct"] if str(p) not in set(map(str, expected.index))
    }
    assert any("no data a year before" in f["properties"]["t"] for f in features)  # 2019 only
