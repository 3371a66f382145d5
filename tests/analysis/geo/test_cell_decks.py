"""The map deck: offline by construction, compact, within the object budget, and its
colour classes and legend words computed by hand."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pandas as pd
import pydeck as pdk
import pytest

from analysis.geo import cell_decks
from analysis.geo import cells as geo
from analysis.geo import districts as geo_districts
from analysis.geo import layers as geo_layers
from analysis.geo import outlines as geo_outlines
from analysis.geo import points as geo_points
from analysis.query.filters import CrimeFilter
from analysis.query.scope import scoped

MEMPHIS_2024 = CrimeFilter(cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2024, 2, 29))


def test_colour_bins_by_hand() -> None:
    counts = pd.Series([1] * 50 + [2] * 25 + [3] * 15 + [5] * 7 + [9] * 3)
    bins = cell_decks.colour_bins(counts)
    # 'lower' quantiles of 100 sorted values: q50 -> value #49 = 1, q75 -> #74 = 2,
    # q90 -> #89 = 3, q97.5 -> #96 = 5; the top class runs to the maximum, 9.
    assert [(b.lo, b.hi, b.cells) for b in bins] == [(1, 1, 50), (2, 2, 25), (3, 3, 15), (4, 5, 7), (6, 9, 3)]
    assert [b.colour for b in bins] == list(cell_decks.CELL_COLOURS)
    assert [b.label for b in bins][:2] == ["1 offense per cell", "2 offenses per cell"]
    assert bins[3].label == "4–5 offenses per cell"
    assert cell_decks.bin_colours(pd.Series([1, 4, 9]), bins) == [
        cell_decks.rgb(cell_decks.CELL_COLOURS[0]),
        cell_decks.rgb(cell_decks.CELL_COLOURS[3]),
        cell_decks.rgb(cell_decks.CELL_COLOURS[4]),
    ]


def test_class_colour_expression() -> None:
    bins = [
        cell_decks.ColourBin(1, 1, "#fde725", 5),
        cell_decks.ColourBin(2, 3, "#21918c", 2),
        cell_decks.ColourBin(4, 9, "#440154", 1),
    ]
    assert cell_decks.class_colour_expression(bins) == "k==0?[253,231,37]:k==1?[33,145,140]:[68,1,84]"
    assert cell_decks.class_colour_expression(bins[:1]) == "[253,231,37]"


def test_colour_bins_edge_cases() -> None:
    assert cell_decks.colour_bins(pd.Series([], dtype="int64")) == []
    one = cell_decks.colour_bins(pd.Series([4, 4, 4]))
    assert [(b.lo, b.hi, b.cells, b.colour) for b in one] == [(4, 4, 3, cell_decks.CELL_COLOURS[0])]
    two = cell_decks.colour_bins(pd.Series([1, 1, 1, 1, 7]))
    assert [(b.lo, b.hi) for b in two] == [(1, 1), (2, 7)]
    assert [b.colour for b in two] == [cell_decks.CELL_COLOURS[0], cell_decks.CELL_COLOURS[-1]]


@pytest.fixture()
def memphis_deck(tiny_geo: duckdb.DuckDBPyConnection) -> pdk.Deck:
    filt = scoped(tiny_geo, MEMPHIS_2024)
    assert filt is not None
    return cell_decks.crime_deck(
        geo.counts_by_cell(tiny_geo, filt, 9),
        geo_outlines.city_outline(tiny_geo, "memphis_tn"),
        geo_districts.district_shapes(tiny_geo, "memphis_tn"),
        geo_districts.counts_by_district(tiny_geo, filt),
        geo_points.points(tiny_geo, filt),
    )


def test_deck_is_offline_by_construction(memphis_deck: pdk.Deck) -> None:
    spec = json.loads(memphis_deck.to_json())
    # The placeholder Streamlit's frontend drops without substituting a Carto basemap.
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in spec
    text = memphis_deck.to_json().lower()
    for word in ("http", "carto", "mapbox", "google", "token", "apikey", "api_key"):
        assert word not in text, word


def test_deck_layers_counts_and_tooltips(memphis_deck: pdk.Deck) -> None:
    spec = json.loads(memphis_deck.to_json())
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert list(layers) == [
        "district-areas",
        "cells",
        "district-lines",
        "city-outline",
        "district-names",
        "points",
    ]
    cells = layers["cells"]["data"]
    assert sum(int(c["t"].split()[0]) for c in cells) == 7
    assert {c["t"] for c in cells} <= {"1 offense", "2 offenses", "3 offenses", "4 offenses"}
    # The colour is a class index, turned into the class's colour by one deck.gl JSON
    # expression the layer carries once, not three numbers per cell.
    bins = cell_decks.colour_bins(pd.Series([int(c["t"].split()[0]) for c in cells]))
    assert layers["cells"]["getFillColor"] == "@@=" + cell_decks.class_colour_expression(bins)
    assert all(0 <= c["k"] < len(bins) for c in cells)
    areas = {f["properties"]["t"] for f in layers["district-areas"]["data"]["features"]}
    assert areas == {"North Main: 4 offenses", "Raines: 4 offenses"}
    assert [d["d"] for d in layers["district-names"]["data"]] == ["North Main", "Raines"]
    assert len(layers["points"]["data"]) == 7
    assert "location generalised" in layers["points"]["data"][0]["t"]
    assert memphis_deck._tooltip == {"text": "{t}"}  # plain text: no HTML from the data
    assert geo_layers.deck_objects(memphis_deck) == len(cells) + 2 + 2 + 1 + 2 + 7


def test_deck_is_compact(memphis_deck: pdk.Deck) -> None:
    compact = memphis_deck.to_json()
    assert "\n" not in compact and "@@raw" not in compact
    cells = next(layer for layer in json.loads(compact)["layers"] if layer["id"] == "cells")["data"]
    assert cells and set(cells[0]) == {"h", "k", "t"}  # pre-serialised records spliced in
    # The same deck through pydeck's own serialiser (indent=2, objects as dicts) is larger.
    plain = pdk.Deck(layers=[], map_provider=None)
    assert len(geo_layers.CompactDeck.to_json(plain)) < len(plain.to_json())


def test_raw_records_round_trip() -> None:
    raw = geo_layers.RawRecords.of(
        '{{"h":"{}","k":{},"t":{}}}', ["8a2659a06c37fff", "x"], ["0", "4"], ['"1 offense"', '"a \\"quote\\""']
    )
    assert raw.count == 2 and json.loads(raw.text) == [
        {"h": "8a2659a06c37fff", "k": 0, "t": "1 offense"},
        {"h": "x", "k": 4, "t": 'a "quote"'},
    ]
    assert geo_layers.RawRecords.of("{}", []).text == "[]"


def test_heat_mode_sends_weights_not_cells(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(tiny_geo, MEMPHIS_2024)
    assert filt is not None
    cells = geo.counts_by_cell(tiny_geo, filt, 9)
    deck = cell_decks.crime_deck(cells, geo_outlines.city_outline(tiny_geo, "memphis_tn"), mode="heat")
    layers = {layer["id"]: layer for layer in json.loads(deck.to_json())["layers"]}
    assert list(layers) == ["heat", "city-outline"]
    assert sum(d["w"] for d in layers["heat"]["data"]) == 7
    assert len(layers["heat"]["colorRange"]) == len(cell_decks.HEAT_COLOURS)


def test_view_state_fits_the_bounds() -> None:
    # Width: 760 px for 0.3 of 360 degrees of a 512-px world: log2(760 / 512 * 1200) = 10.80.
    # Height: 0.25 degrees of latitude at 35.1 N are 0.25 * pi / 180 * sec(35.125) = 0.005334
    # of 2 * pi Mercator units: log2(560 / 512 * 2 * pi / 0.005334) = 10.33. The smaller,
    # less a margin of 0.15: 10.18.
    view = geo_layers.view_state((-90.10, 35.00, -89.80, 35.25))
    assert view.zoom == pytest.approx(10.18, abs=0.01)
    assert (view.longitude, view.latitude) == pytest.approx((-89.95, 35.125))


def test_empty_selection_draws_outline_only(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(
        tiny_geo, CrimeFilter(cities=("memphis_tn",), start=date(2022, 1, 1), end=date(2022, 3, 31))
    )
    assert filt is not None
    cells = geo.counts_by_cell(tiny_geo, filt, 9)
    assert cells.total == 0 and cells.cells.empty
    deck = cell_decks.crime_deck(cells, geo_outlines.city_outline(tiny_geo, "springfield_il"))
    assert [layer["id"] for layer in json.loads(deck.to_json())["layers"]] == ["city-outline"]
