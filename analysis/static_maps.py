"""Static hot-spot maps for exported briefings: the Map page's own H3 cell counts
(analysis.geo.map_cells) and city outline, drawn as Plotly polygons so kaleido can
render them to PNG with no tiles and no WebGL. Same aggregates, same colour classes
idea (viridis, darker = more offenses, log-spaced classes), a legend in words."""

from __future__ import annotations

from typing import Any

import h3.api.numpy_int as h3
import numpy as np
import plotly.graph_objects as go

from analysis.geo import CellMap, Outline

CLASSES = ("#FDE725", "#5DC863", "#21908C", "#3B528B", "#440154")  # viridis, light = few


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


def hotspot_chart(cells: CellMap, outline: Outline, title: str = "") -> go.Figure:
    """Hexagons in five log-spaced count classes, over the city outline."""
    fig = go.Figure()
    frame = cells.cells
    if not frame.empty:
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
                    name=f"{lo:,}–{hi:,} offenses per cell" if lo != hi else f"{lo:,} per cell",
                    hoverinfo="skip",
                )
            )
    for i, ring in enumerate(_rings(outline.geojson)):
        coords = np.asarray(ring, dtype=float)
        fig.add_trace(
            go.Scatter(
                x=coords[:, 0],
                y=coords[:, 1],
                mode="lines",
                line={"color": "#000000", "width": 1.5},
                name="City boundary"
                if outline.kind == "boundary"
                else "City bounding box (no boundary loaded)",
                showlegend=i == 0,
                hoverinfo="skip",
            )
        )
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
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        height=700,
    )
    return fig
