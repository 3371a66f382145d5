"""What a page sends to the browser: objects (points, cells, rows) and bytes per chart
or map, measured on the figure and deck objects the page hands to Streamlit.

Bytes are the JSON Streamlit ships: `plotly.io.to_json` for st.plotly_chart and
`Deck.to_json()` for st.pydeck_chart. Objects: for a figure, the data points of every
trace (a heat map's cells count one each); for a deck, the rows of every layer's data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

POINT_ATTRS = ("x", "y", "z", "lat", "lon", "locations", "values", "r", "cells")


def _figure_objects(fig: go.Figure) -> int:
    total = 0
    for trace in fig.data:
        sizes = [0]
        for attr in POINT_ATTRS:
            value = getattr(trace, attr, None) if attr in trace else None
            if value is None or isinstance(value, str | dict):
                continue
            try:
                sizes.append(int(np.size(np.asarray(value, dtype=object))))
            except (TypeError, ValueError):
                continue
        total += max(sizes)
    return total


def _deck_objects(deck: Any) -> int:
    try:  # the Map's own count knows its pre-serialised cell records
        from analysis.geo.layers import deck_objects

        return int(deck_objects(deck))
    except (ImportError, TypeError, AttributeError):
        pass
    total = 0
    for layer in getattr(deck, "layers", []) or []:
        data = getattr(layer, "data", None)
        if data is None or isinstance(data, str):
            continue
        try:
            total += len(data.get("features", [])) if isinstance(data, dict) else len(data)
        except TypeError:
            continue
    return total


def elements(outputs: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(name, figure-or-deck) for everything in a page's outputs that reaches the browser."""
    for name, value in outputs.items():
        if isinstance(value, go.Figure) or any(c.__name__ == "Deck" for c in type(value).__mro__):
            yield name, value
        figure = getattr(value, "figure", None)
        if isinstance(figure, go.Figure):
            yield f"{name}.{getattr(value, 'key', 'figure')}", figure
        slides = getattr(value, "slides", None)
        if slides is not None:
            for slide in slides:
                if getattr(slide, "figure", None) is not None:
                    yield f"{name}.{slide.key}", slide.figure


def measure(outputs: dict[str, Any]) -> dict[str, dict[str, int]]:
    """name -> {kind, objects, bytes} for each chart or map in the outputs."""
    result: dict[str, dict[str, int | str]] = {}
    for name, element in elements(outputs):
        if isinstance(element, go.Figure):
            result[name] = {
                "kind": "chart",
                "objects": _figure_objects(element),
                "bytes": len(pio.to_json(element, validate=False).encode()),
            }
        else:
            result[name] = {
                "kind": "map",
                "objects": _deck_objects(element),
                "bytes": len(element.to_json().encode()),
            }
    return result  # type: ignore[return-value]
