"""Figure builders: DataFrame in, plotly Figure out. No data access here.

Colours: the CARTO "Safe" qualitative palette (designed to stay distinguishable with
colour-vision deficiencies) extended by a neutral grey, so 12 cities get 12 colours;
lines are also labelled by name in the legend and hover, never by colour alone.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from analysis.filters import OFFENSE_LABELS

PALETTE: list[str] = list(qualitative.Safe) + ["#4D4D4D"]
PSP_LAUNCH = date(2017, 6, 1)


def city_colours(cities: list[str]) -> dict[str, str]:
    """A stable colour per city name (sorted order), cycling if more than the palette."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(sorted(cities))}


def trend_chart(frame: pd.DataFrame, measure: str = "count") -> go.Figure:
    """Monthly lines, one per city x offense, with the PSP launch marked.

    `frame` is the output of analysis.metrics.counts_by_city_month.
    """
    value = "rate" if measure == "rate" else "count"
    fig = go.Figure()
    colours = city_colours(frame["city"].unique().tolist()) if len(frame) else {}
    offenses = frame["offense"].unique().tolist() if len(frame) else []
    dashes = ["solid", "dash", "dot", "dashdot"]
    for (city, offense), part in frame.groupby(["city", "offense"], sort=True):
        label = city if len(offenses) == 1 else f"{city} – {OFFENSE_LABELS.get(offense, offense)}"
        fig.add_trace(
            go.Scatter(
                x=part["month"],
                y=part[value],
                name=label,
                mode="lines",
                line={
                    "color": colours[city],
                    "width": 2,
                    "dash": dashes[offenses.index(offense) % len(dashes)],
                },
                hovertemplate=f"{label}<br>%{{x|%b %Y}}: %{{y:,.{2 if value == 'rate' else 0}f}}<extra></extra>",
            )
        )
    if len(frame) and frame["month"].min() <= pd.Timestamp(PSP_LAUNCH):
        fig.add_vline(x=pd.Timestamp(PSP_LAUNCH), line={"color": "#555", "dash": "dot", "width": 1})
        fig.add_annotation(
            x=pd.Timestamp(PSP_LAUNCH),
            y=1,
            yref="paper",
            text="PSP launch (Jun 2017)",
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": 12},
        )
    fig.update_layout(
        yaxis_title="Rate per 100,000 residents (per month)" if value == "rate" else "Offenses per month",
        xaxis_title=None,
        hovermode="x unified",
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.08},
        font={"size": 14},
        height=480,
    )
    return fig
