"""Figure builders for the City profile: DataFrame in, Plotly figure out. No data access.

Colours: the offense mix compares two periods with two colours of the CARTO "Safe"
palette (light blue = a year before, dark purple = now), named in the legend; the hour x
weekday heat map uses viridis (light = few, dark = many), readable with colour-vision
deficiencies and in greyscale, with the count in every cell's hover text.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.figure import PALETTE
from analysis.query.profile import WEEKDAYS

PRIOR_COLOUR, CURRENT_COLOUR = PALETTE[0], PALETTE[4]
MIX_TOP = 12


def offense_mix_chart(
    mix: pd.DataFrame, current_label: str, prior_label: str, top: int = MIX_TOP
) -> go.Figure:
    """Horizontal bars of the `top` offenses by count: this window against a year before."""
    shown = mix.head(top).iloc[::-1]  # largest at the top
    fig = go.Figure()
    for label, column, colour in (
        (prior_label, "previous", PRIOR_COLOUR),
        (current_label, "current", CURRENT_COLOUR),
    ):
        fig.add_trace(
            go.Bar(
                y=shown["offense"],
                x=shown[column],
                name=label,
                orientation="h",
                marker={"color": colour},
                hovertemplate=f"%{{y}}<br>{label}: %{{x:,}}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        xaxis_title="Offenses",
        yaxis_title=None,
        # Listed in the order the bars stand in each group (now on top).
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "reversed"},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        font={"size": 14},
        height=max(320, 38 * len(shown) + 120),
    )
    return fig


def hour_weekday_chart(grid: pd.DataFrame, title: str | None = None) -> go.Figure:
    """Heat map of offenses by hour of day (columns) and weekday (rows, Monday on top)."""
    table = grid.pivot(index="weekday", columns="hour", values="n").reindex(
        index=range(1, 8), columns=range(24)
    )
    days = list(WEEKDAYS)
    hover = [
        [f"{days[d]} {h:02d}:00–{h:02d}:59: {int(table.iloc[d, h]):,} offenses" for h in range(24)]
        for d in range(7)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy(),
            x=[f"{h:02d}" for h in range(24)],
            y=days,
            colorscale="Viridis",
            reversescale=True,
            colorbar={"title": {"text": "Offenses"}},
            text=hover,
            hoverinfo="text",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        title=title,
        xaxis={
            "title": "Hour of the day (local time)",
            "type": "category",
            "tickmode": "array",
            "tickvals": [f"{h:02d}" for h in range(0, 24, 3)],
        },
        yaxis={"autorange": "reversed", "title": None},
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        font={"size": 14},
        height=360,
    )
    return fig
