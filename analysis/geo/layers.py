"""What the Map's decks share: compact JSON, the view that frames a city, the outline,
name and reference-point layers, and the deck around them.

Design decisions
- Offline by default: no basemap. A Deck with map_provider=None keeps pydeck's
  "__MAP_STYLE__" placeholder as its style, which Streamlit's frontend drops without
  substituting a Carto basemap (it does substitute one for map_style=None). Layers draw on
  a blank background with zero external requests; the city outline, district outlines
  and district names give the context tiles would. tests/analysis/geo/test_decks.py pins it.
  When a tile service is configured (analysis.geo.basemap, PSP_BASEMAP_URL) its tiles are
  drawn under every layer; nothing else changes.
- Compact: pydeck serialises with indent=2, which more than doubles what a large layer
  sends; CompactDeck writes the same JSON without whitespace.
- Tooltips are plain text ("text" mode, values not interpreted as HTML).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from analysis.geo.basemap import Basemap, deck_base
from analysis.geo.outlines import Outline

OUTLINE = [20, 20, 20]
# A thin white edge keeps touching fills (districts, areas) and overlapping dots apart.
WHITE_EDGE: dict[str, object] = {
    "stroked": True,
    "get_line_color": [255, 255, 255],
    "line_width_min_pixels": 1,
}
MAP_HEIGHT_PX = 560
ASSUMED_WIDTH_PX = 760  # the zoom that fits the view is computed for a map this wide


@dataclass(frozen=True)
class RawRecords:
    """Layer data already serialised as a JSON array, spliced into the deck's JSON as it
    is: building and encoding tens of thousands of Python dicts would cost more than the
    query behind them."""

    text: str
    count: int

    @classmethod
    def of(cls, template: str, *columns: list[str]) -> RawRecords:
        """Records from a `template` with one {} per column, filled row by row with the
        columns' values, which must already be JSON (numbers, or json.dumps of strings)."""
        rows = [template.format(*values) for values in zip(*columns, strict=True)]
        return cls("[" + ",".join(rows) + "]", len(rows))


class CompactDeck(pdk.Deck):  # type: ignore[misc]
    """A pydeck Deck serialised without indentation (same JSON, fewer bytes), with
    RawRecords layer data spliced in unchanged."""

    def to_json(self) -> str:
        raw: dict[str, str] = {}

        def default(o: object) -> object:
            if isinstance(o, RawRecords):
                token = f"@@raw{len(raw)}@@"
                raw[token] = o.text
                return token
            return default_serialize(o)

        text = json.dumps(self, default=default, separators=(",", ":"))
        for token, records in raw.items():
            text = text.replace(f'"{token}"', records, 1)
        return text


def view_state(bounds: tuple[float, float, float, float]) -> pdk.ViewState:
    """A view centred on `bounds` (min_lon, min_lat, max_lon, max_lat) at the zoom that
    fits them into a map of ASSUMED_WIDTH_PX x MAP_HEIGHT_PX (Web Mercator)."""
    min_lon, min_lat, max_lon, max_lat = bounds

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(max_lon - min_lon, 1e-4) / 360
    lat_span = max(merc_y(max_lat) - merc_y(min_lat), 1e-6) / (2 * math.pi)
    # deck.gl's Web Mercator world is 512 px wide at zoom 0.
    zoom = min(math.log2(ASSUMED_WIDTH_PX / 512 / lon_span), math.log2(MAP_HEIGHT_PX / 512 / lat_span))
    return pdk.ViewState(
        longitude=(min_lon + max_lon) / 2,
        latitude=(min_lat + max_lat) / 2,
        zoom=round(max(zoom - 0.15, 1), 2),
        min_zoom=7,
        max_zoom=17,
        pitch=0,
        bearing=0,
    )


def outline_layer(outline: Outline) -> pdk.Layer:
    colour = OUTLINE if outline.kind == "boundary" else [120, 120, 120]
    return pdk.Layer(
        "GeoJsonLayer",
        outline.geojson,
        id="city-outline",
        stroked=True,
        filled=False,
        get_line_color=colour,
        line_width_min_pixels=2.5 if outline.kind == "boundary" else 1.5,
        pickable=False,
    )


def names_layer(labels: pd.DataFrame, name: str, layer_id: str) -> pdk.Layer:
    """A name (column `name` of `labels`) at each label point (lat, lon), on a white box."""
    return pdk.Layer(
        "TextLayer",
        [
            {"p": [round(lon, 5), round(lat, 5)], "d": str(d)}
            for d, lat, lon in labels[[name, "lat", "lon"]].itertuples(index=False)
        ],
        id=layer_id,
        get_position="p",
        get_text="d",
        get_size=13,
        get_color=[30, 30, 30],
        background=True,
        get_background_color=[255, 255, 255, 200],
        pickable=False,
    )


def reference_layers(references: pd.DataFrame) -> list[pdk.Layer]:
    """A small ringed dot and a name for each reference point (orientation only)."""
    data = [
        {"p": [round(float(lon), 5), round(float(lat), 5)], "d": str(name)}
        for name, lat, lon in references[["name", "lat", "lon"]].itertuples(index=False)
    ]
    return [
        pdk.Layer(
            "ScatterplotLayer",
            data,
            id="reference-dots",
            get_position="p",
            get_radius=5,
            radius_units="'pixels'",
            get_fill_color=[255, 255, 255],
            get_line_color=[20, 20, 20],
            line_width_min_pixels=2,
            stroked=True,
            pickable=False,
        ),
        pdk.Layer(
            "TextLayer",
            data,
            id="reference-names",
            get_position="p",
            get_text="d",
            get_size=12,
            get_color=[20, 20, 20],
            get_text_anchor="'start'",
            get_alignment_baseline="'center'",
            get_pixel_offset=[9, 0],
            background=True,
            get_background_color=[255, 255, 255, 190],
            pickable=False,
        ),
    ]


def map_deck(
    layers: list[pdk.Layer],
    outline: Outline,
    bounds: tuple[float, float, float, float] | None,
    basemap: Basemap | None,
    references: pd.DataFrame | None,
) -> pdk.Deck:
    """The deck of `layers` (bottom to top), the reference points on top, framing `bounds`
    (default: the city's outline), over the basemap's tiles when one is given."""
    if references is not None and len(references):
        layers = [*layers, *reference_layers(references)]
    return CompactDeck(
        layers=layers,
        initial_view_state=view_state(bounds or outline.bounds),
        tooltip={"text": "{t}"},
        **deck_base(basemap),  # no basemap = no request: see the module docstring
    )


def deck_objects(deck: pdk.Deck) -> int:
    """How many objects (cells, points, features, labels) the deck sends to the browser."""
    total = 0
    for layer in deck.layers:
        data: Any = layer.data
        if isinstance(data, RawRecords):
            total += data.count
        elif isinstance(data, dict):
            total += len(data.get("features", []))
        elif data is not None:
            total += len(data)
    return total
