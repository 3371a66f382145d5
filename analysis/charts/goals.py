"""Figure builders for goals and interventions: data in, plotly Figure out.

Colours from the Okabe-Ito colour-blind-safe set; every line is also named in the legend
and the hover, and dashes tell the expected path and the counterfactual apart from the
observed counts without colour.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.goals.interventions import Its
from analysis.goals.progress import INTERVAL_LEVEL, Progress

ACTUAL = "#000000"
EXPECTED = "#0072B2"
BAND = "rgba(86, 180, 233, 0.25)"  # sky blue, translucent
TARGET = "#D55E00"
PROJECTED = "#555555"
BASELINE = "#999999"
COUNTERFACTUAL = "#E69F00"
LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.1},
    "font": {"size": 14},
    "height": 460,
    "hovermode": "x unified",
}


def progress_chart(p: Progress) -> go.Figure:
    """Cumulative count since the goal's start: actual, the expected-by-now path with its
    interval (allowing for the series' own overdispersion), the no-change baseline, the target for the whole period, and the
    projection at the current pace. Points sit at the end of each month (the count
    *through* that month), starting from zero at the start."""
    path = p.path
    fig = go.Figure()
    if "expected_cum" not in path:
        return fig
    start = pd.Timestamp(path["month"].iloc[0])
    ends = [m + pd.offsets.MonthEnd(0) for m in pd.to_datetime(path["month"])]
    x = [start, *ends]

    def with_origin(values: pd.Series) -> list[float]:
        return [0.0, *values.astype(float).tolist()]

    fig.add_trace(
        go.Scatter(
            x=x, y=with_origin(path["high"]), mode="lines", line={"width": 0}, showlegend=False,
            hoverinfo="skip", name="interval high",
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x,
            y=with_origin(path["low"]),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND,
            name=f"{INTERVAL_LEVEL:.0%} interval (φ = {p.dispersion.phi:.1f})",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=with_origin(path["baseline_cum"]),
            mode="lines",
            line={"color": BASELINE, "width": 1.5, "dash": "dot"},
            name=f"Baseline ({p.goal.baseline_label}, no change)",
            hovertemplate="Baseline: %{y:,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=with_origin(path["expected_cum"]),
            mode="lines",
            line={"color": EXPECTED, "width": 2.5, "dash": "dash"},
            name="Expected by now (target path)",
            hovertemplate="Expected: %{y:,.0f}<extra></extra>",
        )
    )
    fig.add_hline(
        y=p.target_total,
        line={"color": TARGET, "width": 2},
        annotation_text=f"Target: at most {p.target_total:,.0f} by {pd.Timestamp(path['month'].iloc[-1]):%b %Y}",
        annotation_position="top left",
        annotation_font={"color": TARGET, "size": 13},
    )
    if p.as_of is not None and "actual_cum" in path:
        done = path[path["month"] <= p.as_of]
        fig.add_trace(
            go.Scatter(
                x=[start, *ends[: len(done)]],
                y=with_origin(done["actual_cum"]),
                mode="lines+markers",
                line={"color": ACTUAL, "width": 3},
                marker={"size": 6},
                name="Actual",
                hovertemplate="Actual: %{y:,.0f}<extra></extra>",
            )
        )
        if p.projected_end is not None and p.phase == "in progress":
            fig.add_trace(
                go.Scatter(
                    x=[ends[len(done) - 1], ends[-1]],
                    y=[p.actual, p.projected_end],
                    mode="lines",
                    line={"color": PROJECTED, "width": 2, "dash": "dot"},
                    name="Projected at the current pace",
                    hovertemplate="Projected: %{y:,.0f}<extra></extra>",
                )
            )
    fig.update_layout(yaxis_title="Offenses since the start (cumulative)", xaxis_title=None, **LAYOUT)
    # Points are month ends: the hover says "through 31 Dec 2025", not a bare date.
    fig.update_xaxes(hoverformat="through %d %b %Y")
    fig.update_yaxes(rangemode="tozero")
    return fig


def its_chart(its: Its, name: str, title: str = "") -> go.Figure:
    """Observed monthly counts, the fitted segmented model, and the counterfactual (the
    pre-intervention trend and season carried on) after the intervention `name`."""
    frame = its.frame
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=frame["month"],
            y=frame["count"],
            mode="markers",
            marker={"color": ACTUAL, "size": 7},
            name="Observed",
            hovertemplate="Observed: %{y:,}<extra></extra>",
        )
    )
    for segment, label in ((~frame["post"], "Fitted (before)"), (frame["post"], "Fitted (after)")):
        part = frame[segment]
        fig.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["fitted"],
                mode="lines",
                line={"color": EXPECTED, "width": 2.5},
                name="Fitted model",
                showlegend=label == "Fitted (before)",
                hovertemplate="Fitted: %{y:,.0f}<extra></extra>",
            )
        )
    post = frame[frame["post"]]
    fig.add_trace(
        go.Scatter(
            x=post["month"],
            y=post["counterfactual"],
            mode="lines",
            line={"color": COUNTERFACTUAL, "width": 2.5, "dash": "dash"},
            name="Counterfactual (no intervention)",
            hovertemplate="Counterfactual: %{y:,.0f}<extra></extra>",
        )
    )
    marker = its.first_post - pd.Timedelta(days=15)
    fig.add_vline(x=marker, line={"color": "#555", "dash": "dot", "width": 1})
    fig.add_annotation(
        x=marker,
        y=1,
        yref="paper",
        text=name,
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font={"size": 13},
    )
    fig.update_layout(
        title={"text": title} if title else None,
        yaxis_title="Offenses per month",
        xaxis_title=None,
        **LAYOUT,
    )
    fig.update_yaxes(rangemode="tozero")
    return fig
