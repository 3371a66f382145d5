"""Figure builders for the Trends page: DataFrame in, Plotly figure out, no data access.

Every figure uses the colour-blind-safe palette of analysis.charts, names each line in
the legend and hover (colour is never the only carrier), and marks interventions and
series breaks with labelled vertical lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from analysis.charts import city_colours
from analysis.events import Marker

BLUE, ORANGE, GREY = "#0072B2", "#E69F00", "#9E9E9E"
BASE_LAYOUT: dict[str, object] = {
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.12},
    "font": {"size": 14},
    "height": 460,
}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def axis_title(measure: str, per: str) -> str:
    return f"Rate per 100,000 residents per {per}" if measure == "rate" else f"Offenses per {per}"


def _marker_layout(x: object, label: str, kind: str, row: int) -> tuple[dict[str, object], dict[str, object]]:
    """The shape and annotation of one labelled vertical line: dotted grey for an
    intervention, dashed red for a series break; `row` staggers the label downwards.
    (Plain layout dicts: Figure.add_vline costs several milliseconds a line.)"""
    colour = "#555555" if kind == "intervention" else "#B00020"
    shape = {
        "type": "line",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "yref": "paper",
        "line": {"color": colour, "dash": "dot" if kind == "intervention" else "dash", "width": 1},
    }
    note = {
        "x": x,
        "y": 1 - 0.08 * row,
        "yref": "paper",
        "text": label,
        "showarrow": False,
        "xanchor": "left",
        "yanchor": "top",
        "font": {"size": 12, "color": colour},
        "bgcolor": "rgba(255,255,255,0.7)",
    }
    return shape, note


def mark(fig: go.Figure, x: object, label: str, kind: str = "intervention") -> None:
    """Add one labelled vertical line at `x`."""
    shape, note = _marker_layout(x, label, kind, 0)
    fig.update_layout(shapes=[*fig.layout.shapes, shape], annotations=[*fig.layout.annotations, note])


def add_markers(fig: go.Figure, markers: Sequence[Marker], first: pd.Timestamp, last: pd.Timestamp) -> None:
    """The markers inside first..last, labels staggered so neighbours do not overprint."""
    inside = [m for m in markers if first <= pd.Timestamp(m.day) <= last]
    parts = [_marker_layout(pd.Timestamp(m.day), m.label, m.kind, i % 3) for i, m in enumerate(inside)]
    if parts:
        fig.update_layout(shapes=[p[0] for p in parts], annotations=[p[1] for p in parts])


def _lines(frame: pd.DataFrame, x: str, y: str, decimals: int, date_format: str) -> list[go.Scatter]:
    colours = city_colours(frame["city"].unique().tolist())
    traces = []
    for city, part in frame.groupby("city", sort=True):
        traces.append(
            go.Scatter(
                x=part[x],
                y=part[y],
                name=str(city),
                mode="lines",
                connectgaps=False,
                line={"color": colours[str(city)], "width": 2},
                hovertemplate=f"{city}<br>%{{x|{date_format}}}: %{{y:,.{decimals}f}}<extra></extra>",
            )
        )
    return traces


def series_chart(frame: pd.DataFrame, measure: str, granularity: str, markers: Sequence[Marker]) -> go.Figure:
    """Monthly or weekly counts or rates, one line per city, with markers."""
    fig = go.Figure()
    if frame.empty:
        return fig
    per = "week" if granularity == "week" else "month"
    fmt = "week of %d %b %Y" if per == "week" else "%b %Y"
    for trace in _lines(frame, "period", measure, 2 if measure == "rate" else 0, fmt):
        fig.add_trace(trace)
    add_markers(fig, markers, frame["period"].min(), frame["period"].max())
    fig.update_layout(yaxis_title=axis_title(measure, per), hovermode="x unified", **BASE_LAYOUT)
    return fig


def rolling_chart(rolling: pd.DataFrame, measure: str, markers: Sequence[Marker]) -> go.Figure:
    """Rolling 12-month sums (seasonality removed): an annual rate or a 12-month count."""
    fig = go.Figure()
    if rolling.empty:
        return fig
    y = "rate_12m" if measure == "rate" else "count_12m"
    for trace in _lines(rolling, "period", y, 1 if measure == "rate" else 0, "12 months to %b %Y"):
        fig.add_trace(trace)
    add_markers(fig, markers, rolling["period"].min(), rolling["period"].max())
    title = (
        "Rate per 100,000 residents, 12 months to date"
        if measure == "rate"
        else "Offenses in the 12 months to date"
    )
    fig.update_layout(yaxis_title=title, hovermode="x unified", **BASE_LAYOUT)
    return fig


def same_month_chart(table: pd.DataFrame, measure: str) -> go.Figure:
    """Horizontal bars per city: the last complete month against the same month a year
    before. Cities in alphabetical order (not ranked)."""
    fig = go.Figure()
    if table.empty:
        return fig
    table = table.sort_values("city", ascending=False)  # plotly draws bottom-up: A at the top
    now_col, before_col = ("rate_current", "rate_previous") if measure == "rate" else ("current", "previous")
    decimals = 1 if measure == "rate" else 0
    months = table["month"].dropna()
    label_now = f"{months.max():%b %Y}" if len(months) else "This month"
    label_before = f"{months.max() - pd.DateOffset(years=1):%b %Y}" if len(months) else "A year before"
    if months.nunique() > 1:
        label_now, label_before = "Last complete month", "Same month a year before"
    for col, name, colour in ((before_col, label_before, GREY), (now_col, label_now, BLUE)):
        fig.add_trace(
            go.Bar(
                y=table["city"],
                x=table[col],
                name=name,
                orientation="h",
                marker={"color": colour},
                text=[f"{v:,.{decimals}f}" if pd.notna(v) else "" for v in table[col]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"%{{y}}, {name}: %{{x:,.{decimals}f}}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="group",
        xaxis_title=axis_title(measure, "month"),
        **{**BASE_LAYOUT, "height": max(260, 60 + 48 * len(table))},
    )
    return fig


def seasonal_chart(profile: pd.DataFrame, measure: str) -> go.Figure:
    """Month of year on x, one line per year: the latest year in blue, the one before in
    orange (dashed), earlier years in grey."""
    fig = go.Figure()
    if profile.empty:
        return fig
    years = sorted(profile["year"].unique())
    decimals = 2 if measure == "rate" else 0
    for year in years:
        part = profile[profile["year"] == year].sort_values("month_of_year")
        latest, previous = year == years[-1], len(years) > 1 and year == years[-2]
        colour = BLUE if latest else ORANGE if previous else GREY
        fig.add_trace(
            go.Scatter(
                x=[MONTHS[m - 1] for m in part["month_of_year"]],
                y=part[measure],
                name=str(year),
                mode="lines+markers" if latest or previous else "lines",
                line={
                    "color": colour,
                    "width": 3 if latest else 2 if previous else 1,
                    "dash": "dash" if previous else "solid",
                },
                hovertemplate=f"{year} %{{x}}: %{{y:,.{decimals}f}}<extra></extra>",
            )
        )
    fig.update_layout(
        yaxis_title=axis_title(measure, "month"),
        xaxis={"categoryorder": "array", "categoryarray": MONTHS},
        hovermode="x unified",
        **BASE_LAYOUT,
    )
    return fig
