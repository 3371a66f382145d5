"""The crime map of the Map page: H3 cell counts (or a heat map of them), districts and
points in, a pydeck Deck out (what every map deck shares: analysis.geo.layers).

Design decisions
- Cells carry only their id, colour class and tooltip text, serialised as RawRecords.
- Colour: five classes of the viridis scale (perceptually uniform, readable with
  colour-vision deficiencies), light = few, dark = many. Classes are quantiles of the
  cells on this map (half of the cells, the next quarter, ..., the top 2.5%), so the
  legend says in words what each colour holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import pydeck as pdk

from analysis.geo.basemap import Basemap
from analysis.geo.cells import CellMap, with_centres
from analysis.geo.districts import DistrictShapes
from analysis.geo.layers import WHITE_EDGE, RawRecords, map_deck, names_layer, outline_layer
from analysis.geo.outlines import Outline

MapMode = Literal["cells", "heat"]
# viridis, light to dark
CELL_COLOURS: tuple[str, ...] = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
HEAT_COLOURS: tuple[str, ...] = ("#fde725", "#b5de2b", "#35b779", "#26828e", "#3e4989", "#440154")
CELL_QUANTILES: tuple[float, ...] = (0.5, 0.75, 0.9, 0.975)
CELL_OPACITY = 0.85
DISTRICT_LINE = [90, 90, 90]
POINT_FILL = [0, 0, 0]


def rgb(colour: str) -> list[int]:
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]


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
    names = names_layer(districts.labels, "district", "district-names")
    return areas, lines, names


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
        pickable=True,
        **WHITE_EDGE,
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
    order = (areas, cell_layer, lines, outline_layer(outline), names, dots)
    layers = [layer for layer in order if layer is not None]
    return map_deck(layers, outline, bounds, basemap, references)
