"""Map glue shared by the Map page: the basemap setting, and the choropleth of districts
or small areas (drawn for cities with incident records and for cities that only publish
counts by area)."""

from __future__ import annotations

from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from analysis.geo.basemap import Basemap, BasemapError, configured_basemap
from analysis.geo.cell_decks import CELL_COLOURS
from analysis.geo.choropleth import (
    MEASURES,
    AreaLayer,
    AreaMap,
    Measure,
    area_map,
    choropleth_summary,
    value_classes,
)
from analysis.geo.choropleth_decks import choropleth_deck
from analysis.geo.layers import MAP_HEIGHT_PX
from analysis.geo.outlines import Outline, reference_points
from ui.components import swatch_legend
from ui.data import query
from ui.exhibits import footer, numbers_behind
from ui.url_state import url_choice, url_radio


def basemap_or_none() -> Basemap | None:
    """The configured basemap; a bad setting is said once on the page and ignored."""
    try:
        return configured_basemap()
    except BasemapError as exc:
        st.warning(f"{exc}. The map is drawn without a background.", icon="🗺️")
        return None


def background_words(basemap: Basemap | None) -> str:
    """What the footer says about the background map."""
    if basemap is None:
        return "No background map: the dashboard makes no request outside this machine."
    host = urlparse(basemap.url.replace("{", "").replace("}", "")).hostname or "the tile service"
    credit = f" ({basemap.attribution})" if basemap.attribution else ""
    return (
        f"Background map: tiles from {host}{credit}, requested by your browser (PSP_BASEMAP_URL); "
        "everything else on the map comes from this dashboard's store."
    )


def pick_layer(layers: list[AreaLayer]) -> AreaLayer:
    """The choropleth to draw, kept in the URL (`areas`)."""
    by_key = {layer.key: layer for layer in layers}
    if len(layers) == 1:
        return layers[0]
    key = url_choice(
        st.selectbox,
        "Polygons",
        list(by_key),
        key="areas",
        default=layers[0].key,
        format_func=lambda k: by_key[k].label,
        what="polygon layer",
        help="Police districts are coloured by the incident records; small areas (e.g. ZCTAs) by "
        "the counts their publisher gives, one category at a time.",
    )
    return by_key[str(key)]


def pick_measure() -> Measure:
    value = url_radio(
        "Colour by",
        MEASURES,
        key="per",
        default="count",
        what="choropleth measure",
        help="Per km² of the polygon's area: large districts do not look busy only because they "
        "are large. (No population is stored for districts or ZCTAs, so no rate per resident.)",
    )
    return "per_km2" if value == "per_km2" else "count"


def draw_choropleth(
    amap: AreaMap,
    outline: Outline,
    measure: Measure,
    basemap: Basemap | None,
    file_stem: str,
    bounds: tuple[float, float, float, float] | None = None,
    references: pd.DataFrame | None = None,
) -> None:
    """The choropleth deck, its legend in words, a summary, the note and the numbers."""
    deck = choropleth_deck(amap, outline, measure, bounds=bounds, basemap=basemap, references=references)
    st.pydeck_chart(
        deck,
        height=MAP_HEIGHT_PX,
        key="choropleth",
        alt=f"Map of {amap.words} coloured by {MEASURES[measure].lower()}; the numbers are in the table below.",
    )
    classes = value_classes(amap.values(measure), CELL_COLOURS)
    st.markdown(f"**{MEASURES[measure]}, {amap.label}** (lighter = fewer; hover a polygon for its change)")
    swatch_legend([(f"{c.label(measure)} ({c.polygons} {amap.words})", c.colour) for c in classes])
    footer(
        choropleth_summary(amap, measure),
        f"Polygons: {amap.words} ({amap.source}). Change against {amap.prior_label}: the badge every "
        f"page shows (exact Poisson test). {background_words(basemap)}",
    )
    numbers_behind(
        amap.table.drop(columns=["direction"]),
        f"{file_stem}.csv",
        label=f"Numbers per {amap.words.rstrip('s')}",
        column_config={
            "name": "Name",
            "current": amap.label,
            "previous": amap.prior_label,
            "change": "Change",
            "p": "p (exact test)",
            "judgement": "Judgement",
            "area_km2": "Area km²",
            "per_km2": "Per km²",
        },
    )


def areas_only(layers: list[AreaLayer], outline: Outline, city: str, name: str) -> bool:
    """For a city with published counts by area but no incident records: its area
    choropleth (True when drawn)."""
    if not layers:
        return False
    st.info(
        f"The store holds no incident records for {name}; it holds published counts by area, "
        "drawn below. The cell map and the districts need incident records."
    )
    layer = pick_layer(layers)
    measure = pick_measure()
    assert layer.area_kind is not None and layer.category is not None
    amap = query(area_map, city, layer.area_kind, layer.category)
    if amap is None:
        return False
    draw_choropleth(
        amap,
        outline,
        measure,
        basemap_or_none(),
        f"psp_{city}_{layer.category}_areas",
        references=query(reference_points, city),
    )
    return True
