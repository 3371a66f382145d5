"""Figures for data health: the city x month coverage heat map."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

# Colour-blind-safe, ordered categories; the hover text says the category in words.
STATES = (
    ("no data", "#D9D9D9"),
    ("partial (after last complete month)", "#E69F00"),
    ("published counts only", "#56B4E9"),
    ("incidents", "#0072B2"),
)


def coverage_state(row: pd.Series) -> int:
    if not row["has_data"]:
        return 0
    if not row["complete"]:
        return 1
    if not row["incidents"]:
        return 2
    return 3


def coverage_chart(frame: pd.DataFrame) -> go.Figure:
    """Heat map of city (rows) x month (columns): no data / partial / counts only / incidents.

    `frame` is analysis.sources.health.health_by_city_month."""
    fig = go.Figure()
    if frame.empty:
        return fig
    data = frame.assign(state=frame.apply(coverage_state, axis=1))
    grid = data.pivot(index="name", columns="month", values="state")
    rows = data.pivot(index="name", columns="month", values="incidents").reindex_like(grid)
    labels = [
        [STATES[int(v)][0] if pd.notna(v) else "outside the city's span" for v in r] for r in grid.to_numpy()
    ]
    n = len(STATES)
    scale = []
    for i, (_, colour) in enumerate(STATES):
        scale += [[i / n, colour], [(i + 1) / n, colour]]
    fig.add_trace(
        go.Heatmap(
            z=grid.to_numpy(),
            x=list(grid.columns),
            y=list(grid.index),
            zmin=-0.5,
            zmax=n - 0.5,
            colorscale=scale,
            customdata=[
                [[lab, "" if pd.isna(c) else f"{int(c):,}"] for lab, c in zip(lr, cr, strict=True)]
                for lr, cr in zip(labels, rows.to_numpy(), strict=True)
            ],
            hovertemplate="%{y}, %{x|%b %Y}: %{customdata[0]}<br>incidents: %{customdata[1]}<extra></extra>",
            colorbar={
                "tickvals": list(range(n)),
                "ticktext": [label for label, _ in STATES],
                "title": {"text": "Coverage"},
            },
            xgap=1,
            ygap=2,
        )
    )
    fig.update_layout(
        height=max(260, 34 * len(grid.index) + 120),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"autorange": "reversed"},
        font={"size": 14},
    )
    return fig
