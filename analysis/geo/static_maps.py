"""Static hot-spot maps for exported briefings: the Map page's own H3 cell counts
(analysis.geo.cells.map_cells) and city outline, drawn as Plotly polygons so kaleido can
render them to PNG with no WebGL. Same aggregates, same colour classes idea (viridis,
darker = more offenses, log-spaced classes), a legend in words. With a basemap
configured (PSP_BASEMAP_URL) the same tiles lie under the cells: fetched here, stitched
and resampled to the chart's plain longitude/latitude axes (analysis.geo.basemap.tile_mosaic),
with the attribution in the corner; if the tiles cannot be fetched the map is drawn
without them and says so."""

from __future__ import annotations

from typing import Any

import h3.api.numpy_int as h3
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts.theme import BLACK, NOTE_GREY, TEXT_GREY, VIRIDIS_CLASSES, margin
from analysis.geo.basemap import Basemap, tile_mosaic
from analysis.geo.cells import CellMap
from analysis.geo.outlines import Outline

CLASSES = VIRIDIS_CLASSES


def _rings(geojson: dict[str, Any]) -> list[list[tuple[float, float]]]:
    rings: list[list[tuple[float, float]]] = []
    for feature in geojson.get("features", []):
        geom = feature["geometry"]
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        for poly in polys:
            rings.append([(float(x), float(y)) for x, y in poly[0]])
    return rings


def _hexagon_paths(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of closed cell outlines, one NaN between cells (a gap in
    the line). Arrays, not lists: Plotly checks a list element by element, which made a
    city's map cost a quarter of a second."""
    points: list[tuple[float, float]] = []
    gap = (np.nan, np.nan)
    for cell in cells:
        ring = h3.cell_to_boundary(int(cell))
        points += [*ring, ring[0], gap]
    flat = np.asarray(points, dtype=float).reshape(-1, 2)
    return flat[:, 1], flat[:, 0]


def _add_basemap(fig: go.Figure, basemap: Basemap, bounds: tuple[float, float, float, float]) -> bool:
    """The tiles under the chart, with their attribution; False (and a note) when they
    cannot be fetched."""
    import base64

    try:
        mosaic = tile_mosaic(basemap, bounds)
    except Exception as exc:  # network, HTTP or image errors: the map still draws without tiles
        fig.add_annotation(
            text=f"Background map unavailable ({type(exc).__name__})",
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font={"size": 10, "color": NOTE_GREY},
        )
        return False
    min_lon, min_lat, max_lon, max_lat = mosaic.bounds
    fig.add_layout_image(
        source="data:image/png;base64," + base64.b64encode(mosaic.png).decode(),
        xref="x",
        yref="y",
        x=min_lon,
        y=max_lat,
        sizex=max_lon - min_lon,
        sizey=max_lat - min_lat,
        sizing="stretch",
        xanchor="left",
        yanchor="top",
        layer="below",
        opacity=1.0,
    )
    if basemap.attribution:
        fig.add_annotation(
            text=basemap.attribution,
            xref="x",  # the map's own corner: the plot area is letterboxed to the city's shape
            yref="y",
            x=max_lon,
            y=min_lat,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            font={"size": 10, "color": TEXT_GREY},
            bgcolor="rgba(255,255,255,0.8)",
        )
    return True


def _add_cells(fig: go.Figure, frame: pd.DataFrame, tiles: bool) -> None:
    """One filled trace of hexagons per count class."""
    counts = frame["n"].to_numpy()
    # Log-spaced classes: cell counts are very skewed, and the map is about the busiest.
    top = max(int(counts.max()), 2)
    edges = np.unique(np.ceil(top ** (np.arange(1, 5) / 5)).astype(int))
    klass = np.searchsorted(edges, counts, side="right")
    for k in range(len(CLASSES)):
        sel = frame[klass == k]
        if sel.empty:
            continue
        xs, ys = _hexagon_paths(sel["cell"].to_numpy())
        lo, hi = int(sel["n"].min()), int(sel["n"].max())
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=CLASSES[k],
                line={"width": 0.3, "color": CLASSES[k]},
                opacity=0.8 if tiles else 1.0,
                name=f"{lo:,}–{hi:,} offenses per cell" if lo != hi else f"{lo:,} per cell",
                hoverinfo="skip",
            )
        )


def _add_outline(fig: go.Figure, outline: Outline) -> None:
    """The city outline, one trace per ring (one legend entry)."""
    for i, ring in enumerate(_rings(outline.geojson)):
        coords = np.asarray(ring, dtype=float)
        fig.add_trace(
            go.Scatter(
                x=coords[:, 0],
                y=coords[:, 1],
                mode="lines",
                line={"color": BLACK, "width": 1.5},
                name="City boundary"
                if outline.kind == "boundary"
                else "City bounding box (no boundary loaded)",
                showlegend=i == 0,
                hoverinfo="skip",
            )
        )


def hotspot_chart(
    cells: CellMap, outline: Outline, title: str = "", basemap: Basemap | None = None
) -> go.Figure:
    """Hexagons in five log-spaced count classes, over the city outline (and over the
    basemap's tiles when one is given)."""
    fig = go.Figure()
    tiles = basemap is not None and _add_basemap(fig, basemap, outline.bounds)
    if not cells.cells.empty:
        _add_cells(fig, cells.cells, tiles)
    _add_outline(fig, outline)
    min_lon, min_lat, max_lon, max_lat = outline.bounds
    mid_lat = (min_lat + max_lat) / 2
    fig.update_layout(
        title=title or None,
        xaxis={"visible": False, "range": [min_lon, max_lon]},
        yaxis={
            "visible": False,
            "range": [min_lat, max_lat],
            "scaleanchor": "x",
            "scaleratio": 1 / float(np.cos(np.radians(mid_lat))),
        },
        plot_bgcolor="white",
        legend={"orientation": "v", "x": 1.01, "y": 1},
        margin=margin(40 if title else 10),
        height=700,
    )
    return fig
