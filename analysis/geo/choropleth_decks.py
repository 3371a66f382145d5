"""The choropleth of the Map page: districts or small areas filled by their class colour
(count or per km²), in a pydeck Deck (what every map deck shares: analysis.geo.layers)."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

from analysis.geo.basemap import Basemap
from analysis.geo.cell_decks import CELL_COLOURS, rgb
from analysis.geo.choropleth import AreaMap, Measure, class_index, value_classes
from analysis.geo.layers import WHITE_EDGE, map_deck, names_layer, outline_layer
from analysis.geo.outlines import Outline


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


def _fill_layer(amap: AreaMap, measure: Measure) -> pdk.Layer:
    """The polygons, each filled by its class colour, with its tooltip text."""
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
    return pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id="choropleth",
        filled=True,
        get_fill_color="properties.c",
        pickable=True,
        **WHITE_EDGE,
    )


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
    layers = [_fill_layer(amap, measure), outline_layer(outline)]
    if len(amap.labels) <= max_labels:
        layers.append(names_layer(amap.labels, "name", "choropleth-names"))
    return map_deck(layers, outline, bounds, basemap, references)
