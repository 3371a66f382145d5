"""Figure builders for goals and interventions: data in, plotly Figure out.

Colours from the Okabe-Ito colour-blind-safe set (analysis.charts.theme); every line is also named in the legend
and the hover, and dashes tell the expected path and the counterfactual apart from the
observed counts without colour.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.theme import (
    BAND,
    BLACK,
    BLUE,
    DARK_GREY,
    MID_GREY,
    ORANGE,
    VERMILLION,
    base_layout,
    font,
)
from analysis.goals.interventions import Its
from analysis.goals.progress import Progress
from analysis.goals.rules import INTERVAL_LEVEL

ACTUAL, EXPECTED, TARGET = BLACK, BLUE, VERMILLION
PROJECTED, BASELINE, COUNTERFACTUAL = DARK_GREY, MID_GREY, ORANGE
LAYOUT = {**base_layout(top=30, legend_y=-0.1), "hovermode": "x unified"}
NOTE_FONT = 13


def _line(
    x: object,
    y: object,
    colour: str,
    width: float,
    dash: str | None,
    name: str,
    hover: str,
    showlegend: bool | None = None,
) -> go.Scatter:
    """A named line of one colour, width and dash, its hover `hover: value`."""
    style: dict[str, object] = {"color": colour, "width": width}
    if dash is not None:
        style["dash"] = dash
    legend = {} if showlegend is None else {"showlegend": showlegend}
    return go.Scatter(
        x=x,
        y=y,
        mode="lines",
        line=style,
        name=name,
        **legend,
        hovertemplate=f"{hover}: %{{y:,.0f}}<extra></extra>",
    )


def _interval(x: list[pd.Timestamp], high: list[float], low: list[float], p: Progress) -> list[go.Scatter]:
    """The expected path's interval: an invisible upper edge, the lower edge filled up to it."""
    return [
        go.Scatter(
            x=x, y=high, mode="lines", line={"width": 0}, showlegend=False,
            hoverinfo="skip", name="interval high",
        ),
        go.Scatter(
            x=x,
            y=low,
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=BAND,
            name=f"{INTERVAL_LEVEL:.0%} interval (φ = {p.dispersion.phi:.1f})",
            hoverinfo="skip",
        ),
    ]  # fmt: skip


def _actual(
    p: Progress,
    start: pd.Timestamp,
    ends: list[pd.Timestamp],
    with_origin: Callable[[pd.Series], list[float]],
) -> list[go.Scatter]:
    """The actual cumulative count so far, and the projection at the current pace while
    the goal is in progress."""
    done = p.path[p.path["month"] <= p.as_of]
    traces = [
        go.Scatter(
            x=[start, *ends[: len(done)]],
            y=with_origin(done["actual_cum"]),
            mode="lines+markers",
            line={"color": ACTUAL, "width": 3},
            marker={"size": 6},
            name="Actual",
            hovertemplate="Actual: %{y:,.0f}<extra></extra>",
        )
    ]
    if p.projected_end is not None and p.phase == "in progress":
        ends_xy = ([ends[len(done) - 1], ends[-1]], [p.actual, p.projected_end])
        projected = "Projected at the current pace"
        traces.append(_line(*ends_xy, PROJECTED, 2, "dot", projected, "Projected"))
    return traces


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

    for trace in _interval(x, with_origin(path["high"]), with_origin(path["low"]), p):
        fig.add_trace(trace)
    baseline = f"Baseline ({p.goal.baseline_label}, no change)"
    fig.add_trace(_line(x, with_origin(path["baseline_cum"]), BASELINE, 1.5, "dot", baseline, "Baseline"))
    expected = "Expected by now (target path)"
    fig.add_trace(_line(x, with_origin(path["expected_cum"]), EXPECTED, 2.5, "dash", expected, "Expected"))
    fig.add_hline(
        y=p.target_total,
        line={"color": TARGET, "width": 2},
        annotation_text=f"Target: at most {p.target_total:,.0f} by {pd.Timestamp(path['month'].iloc[-1]):%b %Y}",
        annotation_position="top left",
        annotation_font={"color": TARGET, "size": NOTE_FONT},
    )
    if p.as_of is not None and "actual_cum" in path:
        for trace in _actual(p, start, ends, with_origin):
            fig.add_trace(trace)
    fig.update_layout(yaxis_title="Offenses since the start (cumulative)", xaxis_title=None, **LAYOUT)
    # Points are month ends: the hover says "through 31 Dec 2025", not a bare date.
    fig.update_xaxes(hoverformat="through %d %b %Y")
    fig.update_yaxes(rangemode="tozero")
    return fig


def _mark_intervention(fig: go.Figure, marker: pd.Timestamp, name: str) -> None:
    """A dotted line where the intervention began, its name at the top."""
    # DARK_GREY in its short form, as the chart has always been drawn.
    fig.add_vline(x=marker, line={"color": "#555", "dash": "dot", "width": 1})
    fig.add_annotation(
        x=marker,
        y=1,
        yref="paper",
        text=name,
        showarrow=False,
        xanchor="left",
        yanchor="top",
        font=font(NOTE_FONT),
    )


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
    for segment, first in ((~frame["post"], True), (frame["post"], False)):
        part = frame[segment]
        fig.add_trace(
            _line(part["month"], part["fitted"], EXPECTED, 2.5, None, "Fitted model", "Fitted", first)
        )
    post = frame[frame["post"]]
    counterfactual = "Counterfactual (no intervention)"
    fig.add_trace(
        _line(
            post["month"],
            post["counterfactual"],
            COUNTERFACTUAL,
            2.5,
            "dash",
            counterfactual,
            "Counterfactual",
        )
    )
    _mark_intervention(fig, its.first_post - pd.Timedelta(days=15), name)
    fig.update_layout(
        title={"text": title} if title else None,
        yaxis_title="Offenses per month",
        xaxis_title=None,
        **LAYOUT,
    )
    fig.update_yaxes(rangemode="tozero")
    return fig
