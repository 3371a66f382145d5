"""Map: where offenses happen in one city, as H3 cells, a heat map, or districts and
areas as a choropleth; over a tile basemap when one is configured."""

import streamlit as st

from analysis.access import Capability
from analysis.geo.cell_decks import colour_bins, crime_deck
from analysis.geo.cells import CELL_SIZES, cell_area_km2, cell_summary, cell_table
from analysis.geo.choropleth import area_layers, area_map, district_map
from analysis.geo.districts import district_words, view_bounds
from analysis.geo.layers import MAP_HEIGHT_PX, deck_objects
from analysis.geo.outlines import city_outline
from analysis.geo.points import (
    POINT_DECIMALS,
    POINT_LIMIT,
    POINTS_BY_DEFAULT,
    points,
)
from analysis.pages.map import cell_map_data, map_frame
from analysis.query.scope import comparison_window
from kernel.settings import suppress_k
from ui.auth import can
from ui.data import query
from ui.exhibits import footer, lazy_csv, legend, numbers_behind
from ui.filters import View
from ui.maps import areas_only, background_words, basemap_or_none, draw_choropleth, pick_layer, pick_measure
from ui.one_city import one_city
from ui.url_state import url_choice, url_radio

SIZE_LABELS = {
    "auto": "Automatic",
    **{str(r): f"≈ {cell_area_km2(r):.2g} km² (H3 res {r})" for r in (7, 8, 9)},
}
MODE_LABELS = {"cells": "Cells with counts", "heat": "Heat map", "districts": "Districts and areas"}
TABLE_ROWS = 1_000  # cells listed under the map; the CSV has all


def published_areas(view: View, city: str, name: str) -> bool:
    """A city without incident records: its published counts by area, if any have polygons."""
    return areas_only(query(area_layers, city, False), query(city_outline, city), city, name)


page = one_city("Map", "The map needs offenses with a date and a location.", otherwise=published_areas)
filt, cov, city, name, offense = page.filt, page.cov, page.city, page.name, page.offense
st.subheader(f"{offense} in {name}" + (" — firearm involved" if filt.firearm_only else ""))
shown = cov.shown(filt)

left, middle, right = st.columns([1.2, 1.2, 1])
mode = url_radio("Show as", MODE_LABELS, key="layer", default="cells", what="map layer", where=left)
basemap = basemap_or_none()
frame = query(map_frame, city)
outline, shapes = frame.outline, frame.shapes
if mode == "districts":
    layers = query(area_layers, city, shapes is not None)
    if not layers:
        st.info(
            f"No district or area polygons are loaded for {name}: load a districts layer (or area "
            "polygons for published counts) with `python -m ingest import` (see the README)."
        )
        st.stop()
    with middle:
        layer = pick_layer(layers)
    with right:
        measure = pick_measure()
    window = comparison_window(cov, filt)
    if layer.key == "districts" and window is not None:
        amap = query(district_map, city, filt, window)
    elif layer.area_kind is not None and layer.category is not None:
        amap = query(area_map, city, layer.area_kind, layer.category)
    else:
        amap = None
    if amap is None:
        st.info("Nothing to colour for this selection (no complete months in the chosen period).")
        st.stop()
    draw_choropleth(
        amap,
        outline,
        measure,
        basemap,
        f"psp_{city}_{filt.offenses[0]}_{layer.key.replace(':', '_')}",
        bounds=view_bounds(outline, shapes, filt.districts) if layer.key == "districts" else None,
        references=frame.references,
    )
    st.stop()
size = url_choice(
    middle.selectbox,
    "Cell size",
    CELL_SIZES,
    key="cell",
    default="auto",
    format_func=SIZE_LABELS.get,
    help="Automatic fits the cells to the area shown and the number of offenses. Pick a fixed "
    "size to compare two maps (two cities, two periods) cell for cell.",
)
data = query(cell_map_data, filt, size)
cells, district_counts, drawable = data.cells, data.district_counts, data.drawable
small = drawable <= POINT_LIMIT
show_points = can(Capability.POINTS) and right.toggle(
    "Offenses as points",
    value=0 < drawable <= POINTS_BY_DEFAULT,
    disabled=not small or drawable == 0,
    help=f"Only for selections of at most {POINT_LIMIT:,} offenses (a district or a short period). "
    "Points are generalised to about 100 m; sex offenses are never shown as points.",
)

dots = query(points, filt) if show_points and small else None
deck = crime_deck(
    cells,
    outline,
    shapes,
    district_counts,
    dots,
    mode="heat" if mode == "heat" else "cells",
    bounds=view_bounds(outline, shapes, filt.districts),
    basemap=basemap,
    references=frame.references,
)
st.pydeck_chart(
    deck,
    height=MAP_HEIGHT_PX,
    key="map",
    alt=f"Map of {offense.lower()} in {name} by H3 cell; the numbers are in the table below the map.",
)

if mode == "cells" and len(cells.cells):
    legend(colour_bins(cells.cells["n"]), f"Offenses per cell (cells of about {cells.area_km2:.2g} km²)")
elif mode == "heat":
    st.markdown(
        "**Heat map**: lighter yellow-green = fewer offenses, dark blue-purple = more, relative to "
        "the busiest place in this view (a density, not a count: hover the cells view for counts)."
    )
outline_words = (
    "The black line is the city boundary"
    if outline.kind == "boundary"
    else "No city boundary is loaded: the grey box is the city's bounding box (Census 2015), not its limits"
)
districts_note = (
    f"; grey lines are {district_words(shapes.kind)} ({shapes.source})" if shapes is not None else ""
) + "; the ringed dot is the city's Census centre point"
if cells.coarsened:
    st.warning(
        f"At the chosen cell size this selection would send more cells than the map may draw; "
        f"it is shown with larger cells (H3 res {cells.res}, about {cells.area_km2:.2g} km²).",
        icon="🔍",
    )
footer(
    cell_summary(cells, f"offenses ({offense.lower()})"),
    f"{cov.note(shown)} {outline_words}{districts_note}. {background_words(basemap)}",
)
sensitive = ", ".join(data.sensitive)
if dots is not None and len(dots):
    st.caption(
        f"Points: {drawable:,} offenses at {len(dots):,} places, each rounded to {POINT_DECIMALS} decimals "
        "of latitude and longitude (about 100 m, block level); a larger dot holds more offenses."
    )
elif not can(Capability.POINTS):
    st.caption(
        f"Offenses as points, and cells of fewer than {suppress_k()} offenses, are shown to analysts and admins."
    )
elif not small:
    st.caption(
        f"Points are off: this selection holds {drawable:,} offenses that could be drawn (more than "
        f"{POINT_LIMIT:,}). Pick a district or a shorter period to see them."
    )
st.caption(
    f"Privacy: sex offenses ({sensitive}) are never drawn as points; they are counted in the cells "
    "and the heat map only."
)
numbers_behind(
    cell_table(cells, TABLE_ROWS),
    f"psp_{city}_{filt.offenses[0]}_cells_res{cells.res}.csv",
    label="Numbers behind this map",
    column_config={
        "h3": "H3 cell",
        "resolution": "H3 resolution",
        "offenses": "Offenses",
        "share": st.column_config.NumberColumn("Share of located %", format="%.2f"),
        "lat": "Centre latitude",
        "lon": "Centre longitude",
    },
    note=f"One row per H3 cell of resolution {cells.res}, the busiest first"
    + (
        f" (the table shows the busiest {TABLE_ROWS:,} of {len(cells.cells):,}; the CSV has all)"
        if len(cells.cells) > TABLE_ROWS
        else ""
    )
    + f". The map draws {deck_objects(deck):,} objects.",
    csv=lazy_csv(cell_table, cells, cached=False),
)
if len(district_counts):
    numbers_behind(
        district_counts,
        f"psp_{city}_{filt.offenses[0]}_districts.csv",
        label="Offenses per district",
        column_config={"district": "District", "n": "Offenses"},
    )
