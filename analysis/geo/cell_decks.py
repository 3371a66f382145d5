"""Deck builders for the Map page: H3 cell counts and outlines in, a pydeck Deck out.

Design decisions
- Offline by default: no basemap. A Deck with map_provider=None keeps pydeck's
  "__MAP_STYLE__" placeholder as its style, which Streamlit's frontend drops without
  substituting a Carto basemap (it does substitute one for map_style=None). Layers draw on
  a blank background with zero external requests; the city outline, district outlines
  and district names give the context tiles would. tests/analysis/geo/test_decks.py pins it.
  When a tile service is configured (analysis.geo.basemap, PSP_BASEMAP_URL) its tiles are
  drawn under every layer; nothing else changes.
- Compact: pydeck serialises with indent=2, which more than doubles what a large layer
  sends; CompactDeck writes the same JSON without whitespace. Cells carry only their id,
  colour and tooltip text.
- Colour: five classes of the viridis scale (perceptually uniform, readable with
  colour-vision deficiencies), light = few, dark = many. Classes are quantiles of the
  cells on this map (half of the cells, the next quarter, ..., the top 2.5%), so the
  legend says in words what each colour holds.
- Tooltips are plain text ("text" mode, values not interpreted as HTML).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from analysis.geo.basemap import Basemap, deck_base
from analysis.geo.cells import CellMap, with_centres
from analysis.geo.choropleth import AreaMap, Measure, class_index, value_classes
from analysis.geo.districts import DistrictShapes
from analysis.geo.outlines import Outline

MapMode = Literal["cells", "heat"]
# viridis, light to dark
CELL_COLOURS: tuple[str, ...] = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
HEAT_COLOURS: tuple[str, ...] = ("#fde725", "#b5de2b", "#35b779", "#26828e", "#3e4989", "#440154")
CELL_QUANTILES: tuple[float, ...] = (0.5, 0.75, 0.9, 0.975)
CELL_OPACITY = 0.85
OUTLINE = [20, 20, 20]
DISTRICT_LINE = [90, 90, 90]
POINT_FILL = [0, 0, 0]
MAP_HEIGHT_PX = 560
ASSUMED_WIDTH_PX = 760  # the zoom that fits the view is computed for a map this wide


def rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]


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


@dataclass(frozen=True)
class ColourBin:
    """One colour class of the cell map: cells holding lo..hi offenses."""

    lo: int
    hi: int
    colour: str
    cells: int

    @property
    def label(self) -> str:
        unit = "offense" if self.hi == 1 else "offenses"
        span = f"{self.lo:,}" if self.lo == self.hi else f"{self.lo:,}–{self.hi:,}"
        return f"{span} {unit} per cell"


def colour_bins(counts: pd.Series) -> list[ColourBin]:
    """Quantile classes (CELL_QUANTILES of the cells) of positive counts, merged where
    quantiles coincide; at most len(CELL_COLOURS) classes."""
    values = np.sort(counts.to_numpy(dtype="int64"))
    if len(values) == 0:
        return []
    uppers = sorted({int(np.quantile(values, q, method="lower")) for q in CELL_QUANTILES})
    uppers = [u for u in uppers if u < values[-1]] + [int(values[-1])]
    bins, lo = [], int(values[0])
    # Spread the colours over the classes present: two classes use the two ends.
    picks = np.linspace(0, len(CELL_COLOURS) - 1, len(uppers)).round().astype(int)
    for i, hi in enumerate(uppers):
        inside = int(((values >= lo) & (values <= hi)).sum())
        bins.append(ColourBin(lo, hi, CELL_COLOURS[picks[i]], inside))
        lo = hi + 1
    return bins


def bin_colours(counts: pd.Series, bins: list[ColourBin]) -> list[list[int]]:
    """The RGB colour of each count's class."""
    uppers = np.array([b.hi for b in bins])
    index = np.searchsorted(uppers, counts.to_numpy(dtype="int64"), side="left")
    palette = [rgb(b.colour) for b in bins]
    return [palette[i] for i in index.tolist()]


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


def _offense_words(counts: list[int]) -> list[str]:
    """JSON strings '"1 offense"', '"1,234 offenses"' for counts (each distinct count once)."""
    words = {n: json.dumps(f"{n:,} {'offense' if n == 1 else 'offenses'}") for n in set(counts)}
    return [words[n] for n in counts]


def class_colour_expression(bins: list[ColourBin]) -> str:
    """A deck.gl JSON expression giving each object's class colour from its `k`:
    'k==0?[253,231,37]:k==1?[...]:[...]'. (Its expression parser reads no member access on
    an array literal, so not '[[...],[...]][k]'.)"""
    colours = [json.dumps(rgb(b.colour), separators=(",", ":")) for b in bins]
    expression = colours[-1]
    for k in range(len(colours) - 2, -1, -1):
        expression = f"k=={k}?{colours[k]}:{expression}"
    return expression


def _cell_layer(cells: CellMap, bins: list[ColourBin]) -> pdk.Layer:
    """H3 cells: id, colour class (an index into the palette the layer carries once) and
    tooltip text."""
    frame = cells.cells
    counts = frame["n"].tolist()
    uppers = np.array([b.hi for b in bins])
    classes = np.searchsorted(uppers, frame["n"].to_numpy(dtype="int64"), side="left").astype(str).tolist()
    records = RawRecords.of(
        '{{"h":"{}","k":{},"t":{}}}', frame["h3"].tolist(), classes, _offense_words(counts)
    )
    return pdk.Layer(
        "H3HexagonLayer",
        records,
        id="cells",
        get_hexagon="h",
        get_fill_color=class_colour_expression(bins),
        opacity=CELL_OPACITY,
        stroked=False,
        extruded=False,
        pickable=True,
    )


def _heat_layer(cells: CellMap) -> pdk.Layer:
    frame = with_centres(cells.cells)
    records = RawRecords.of(
        '{{"p":[{},{}],"w":{}}}',
        frame["lon"].round(5).astype(str).tolist(),
        frame["lat"].round(5).astype(str).tolist(),
        frame["n"].astype(str).tolist(),
    )
    return pdk.Layer(
        "HeatmapLayer",
        records,
        id="heat",
        get_position="p",
        get_weight="w",
        radius_pixels=30,
        intensity=1,
        threshold=0.05,
        color_range=[rgb(c) for c in HEAT_COLOURS],
        aggregation="SUM",
    )


def _district_layers(
    districts: DistrictShapes, counts: pd.DataFrame | None
) -> tuple[pdk.Layer, pdk.Layer, pdk.Layer]:
    """(areas, lines, names): an almost transparent pickable fill drawn under the cells
    (its tooltip gives the district's count where no cell is), the outlines drawn over
    the cells, and the district names on top."""
    by_name = {} if counts is None else dict(zip(counts["district"], counts["n"], strict=True))
    features = []
    for feature in districts.geojson["features"]:
        name = feature["properties"]["district"]
        raw = by_name.get(name, 0)
        if counts is None:
            text = name
        elif pd.isna(raw):  # suppressed for this role (analysis/access.py): a small count
            text = f"{name}: a few offenses (small counts are not shown)"
        else:
            text = f"{name}: {int(raw):,} {'offense' if int(raw) == 1 else 'offenses'}"
        features.append({**feature, "properties": {"t": text}})
    areas = pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id="district-areas",
        stroked=False,
        filled=True,
        get_fill_color=[255, 255, 255, 1],
        pickable=True,
    )
    lines = pdk.Layer(
        "GeoJsonLayer",
        districts.geojson,
        id="district-lines",
        stroked=True,
        filled=False,
        get_line_color=DISTRICT_LINE,
        line_width_min_pixels=1.5,
        pickable=False,
    )
    names = pdk.Layer(
        "TextLayer",
        [
            {"p": [round(lon, 5), round(lat, 5)], "d": d}
            for d, lat, lon in zip(
                districts.labels["district"], districts.labels["lat"], districts.labels["lon"], strict=True
            )
        ],
        id="district-names",
        get_position="p",
        get_text="d",
        get_size=13,
        get_color=[30, 30, 30],
        background=True,
        get_background_color=[255, 255, 255, 200],
        pickable=False,
    )
    return areas, lines, names


def _outline_layer(outline: Outline) -> pdk.Layer:
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


def _reference_layers(references: pd.DataFrame) -> list[pdk.Layer]:
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


def _point_layer(points: pd.DataFrame) -> pdk.Layer:
    data = []
    for lat, lon, n, offenses, first, last in points[
        ["lat", "lon", "n", "offenses", "first_day", "last_day"]
    ].itertuples(index=False):
        when = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
        head = f"{n:,} {'offense' if n == 1 else 'offenses'} near here"
        data.append(
            {"p": [lon, lat], "r": n, "t": f"{head}: {offenses}, {when} (location generalised to ~100 m)"}
        )
    return pdk.Layer(
        "ScatterplotLayer",
        data,
        id="points",
        get_position="p",
        get_radius="r",
        radius_scale=25,
        radius_min_pixels=3,
        radius_max_pixels=14,
        get_fill_color=POINT_FILL,
        stroked=True,
        get_line_color=[255, 255, 255],
        line_width_min_pixels=1,
        pickable=True,
    )


def crime_deck(
    cells: CellMap,
    outline: Outline,
    districts: DistrictShapes | None = None,
    district_counts: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
    *,
    mode: MapMode = "cells",
    bounds: tuple[float, float, float, float] | None = None,
    basemap: Basemap | None = None,
    references: pd.DataFrame | None = None,
) -> pdk.Deck:
    """The crime map: H3 cells (or a heat map of them), district outlines with their
    names and counts, the city outline, reference points, and generalised points when
    given; over the basemap's tiles when one is given."""
    areas, lines, names = _district_layers(districts, district_counts) if districts else (None, None, None)
    cell_layer = None
    if len(cells.cells):
        cell_layer = (
            _cell_layer(cells, colour_bins(cells.cells["n"])) if mode == "cells" else _heat_layer(cells)
        )
    dots = _point_layer(points) if points is not None and len(points) else None
    # Bottom to top; the first pickable object under the pointer gives the tooltip.
    order = (areas, cell_layer, lines, _outline_layer(outline), names, dots)
    layers = [layer for layer in order if layer is not None]
    if references is not None and len(references):
        layers += _reference_layers(references)
    return CompactDeck(
        layers=layers,
        initial_view_state=view_state(bounds or outline.bounds),
        tooltip={"text": "{t}"},
        **deck_base(basemap),  # no basemap = no request: see the module docstring
    )


def _choropleth_text(amap: AreaMap, measure: Measure) -> list[str]:
    """Tooltip per polygon: its count (and rate), and the change badge in words."""
    texts = []
    for row in amap.table.itertuples(index=False):
        n = int(row.current)
        head = f"{row.name}: {n:,} {'offense' if n == 1 else 'offenses'} in {amap.label}"
        if measure == "per_km2" and row.per_km2 == row.per_km2:  # not NaN
            head += f" ({row.per_km2:,.1f} per km²)"
        change = f"against {amap.prior_label}: {row.change}" if amap.prior_covered else str(row.change)
        texts.append(f"{head}; {change}")
    return texts


def choropleth_deck(
    amap: AreaMap,
    outline: Outline,
    measure: Measure = "count",
    *,
    bounds: tuple[float, float, float, float] | None = None,
    basemap: Basemap | None = None,
    max_labels: int = 40,
    references: pd.DataFrame | None = None,
) -> pdk.Deck:
    """Districts or small areas filled by their class colour (count or per km²), their
    outlines and names (up to `max_labels` polygons), the city outline; tooltip: the
    numbers and the change badge."""
    classes = value_classes(amap.values(measure), CELL_COLOURS)
    index = class_index(amap.values(measure), classes)
    by_name = dict(
        zip(
            amap.table["name"], zip(index.tolist(), _choropleth_text(amap, measure), strict=True), strict=True
        )
    )
    features = []
    for feature in amap.geojson["features"]:
        k, text = by_name.get(feature["properties"]["name"], (-1, feature["properties"]["name"]))
        colour = [*rgb(classes[k].colour), 215] if k >= 0 and classes else [255, 255, 255, 0]
        features.append({**feature, "properties": {"t": text, "c": colour}})
    fill = pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id="choropleth",
        stroked=True,
        filled=True,
        get_fill_color="properties.c",
        get_line_color=[255, 255, 255],
        line_width_min_pixels=1,
        pickable=True,
    )
    layers = [fill, _outline_layer(outline)]
    if len(amap.labels) <= max_labels:
        layers.append(
            pdk.Layer(
                "TextLayer",
                [
                    {"p": [round(lon, 5), round(lat, 5)], "d": str(name)}
                    for name, lat, lon in amap.labels[["name", "lat", "lon"]].itertuples(index=False)
                ],
                id="choropleth-names",
                get_position="p",
                get_text="d",
                get_size=13,
                get_color=[30, 30, 30],
                background=True,
                get_background_color=[255, 255, 255, 200],
                pickable=False,
            )
        )
    if references is not None and len(references):
        layers += _reference_layers(references)
    return CompactDeck(
        layers=layers,
        initial_view_state=view_state(bounds or outline.bounds),
        tooltip={"text": "{t}"},
        **deck_base(basemap),
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
