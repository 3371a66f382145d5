"""Figure builders for the Trends page: DataFrame in, Plotly figure out, no data access.

Every figure uses the colour-blind-safe palette of analysis.charts.figure, names each line in
the legend and hover (colour is never the only carrier), and marks interventions and
series breaks with labelled vertical lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts.figure import arr, city_colours, figure, title
from analysis.goals.events import Marker

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


def marker_layout(markers: Sequence[Marker], first: pd.Timestamp, last: pd.Timestamp) -> dict[str, object]:
    """The layout keys (shapes, annotations) of the markers inside first..last, labels
    staggered so neighbours do not overprint; {} when none falls inside."""
    inside = [m for m in markers if first <= pd.Timestamp(m.day) <= last]
    parts = [_marker_layout(pd.Timestamp(m.day), m.label, m.kind, i % 3) for i, m in enumerate(inside)]
    if not parts:
        return {}
    return {"shapes": [p[0] for p in parts], "annotations": [p[1] for p in parts]}


def _lines(frame: pd.DataFrame, x: str, y: str, decimals: int, date_format: str) -> list[dict[str, object]]:
    """One line per city (cities in name order, rows in frame order within a city), split
    from three sorted arrays rather than a DataFrame per group."""
    ordered = frame.sort_values("city", kind="stable")
    cities = ordered["city"].to_numpy()
    xs, ys = arr(ordered[x]), arr(ordered[y])
    starts = [0, *(np.flatnonzero(cities[1:] != cities[:-1]) + 1).tolist()]
    ends = [*starts[1:], len(cities)]
    colours = city_colours([str(c) for c in cities[starts]])
    traces: list[dict[str, object]] = []
    for start, end in zip(starts, ends, strict=True):
        city = str(cities[start])
        traces.append(
            {
                "connectgaps": False,
                "hovertemplate": f"{city}<br>%{{x|{date_format}}}: %{{y:,.{decimals}f}}<extra></extra>",
                "line": {"color": colours[city], "width": 2},
                "mode": "lines",
                "name": city,
                "x": arr(xs[start:end]),
                "y": arr(ys[start:end]),
                "type": "scatter",
            }
        )
    return traces


def series_chart(frame: pd.DataFrame, measure: str, granularity: str, markers: Sequence[Marker]) -> go.Figure:
    """Monthly or weekly counts or rates, one line per city, with markers."""
    if frame.empty:
        return go.Figure()
    per = "week" if granularity == "week" else "month"
    fmt = "week of %d %b %Y" if per == "week" else "%b %Y"
    traces = _lines(frame, "period", measure, 2 if measure == "rate" else 0, fmt)
    return figure(
        traces,
        {
            **marker_layout(markers, frame["period"].min(), frame["period"].max()),
            "yaxis": title(axis_title(measure, per)),
            "hovermode": "x unified",
            **BASE_LAYOUT,
        },
    )


def rolling_chart(rolling: pd.DataFrame, measure: str, markers: Sequence[Marker]) -> go.Figure:
    """Rolling 12-month sums (seasonality removed): an annual rate or a 12-month count."""
    if rolling.empty:
        return go.Figure()
    y = "rate_12m" if measure == "rate" else "count_12m"
    traces = _lines(rolling, "period", y, 1 if measure == "rate" else 0, "12 months to %b %Y")
    heading = (
        "Rate per 100,000 residents, 12 months to date"
        if measure == "rate"
        else "Offenses in the 12 months to date"
    )
    return figure(
        traces,
        {
            **marker_layout(markers, rolling["period"].min(), rolling["period"].max()),
            "yaxis": title(heading),
            "hovermode": "x unified",
            **BASE_LAYOUT,
        },
    )


def same_month_chart(table: pd.DataFrame, measure: str) -> go.Figure:
    """Horizontal bars per city: the last complete month against the same month a year
    before. Cities in alphabetical order (not ranked)."""
    if table.empty:
        return go.Figure()
    table = table.sort_values("city", ascending=False)  # plotly draws bottom-up: A at the top
    now_col, before_col = ("rate_current", "rate_previous") if measure == "rate" else ("current", "previous")
    decimals = 1 if measure == "rate" else 0
    months = table["month"].dropna()
    label_now = f"{months.max():%b %Y}" if len(months) else "This month"
    label_before = f"{months.max() - pd.DateOffset(years=1):%b %Y}" if len(months) else "A year before"
    if months.nunique() > 1:
        label_now, label_before = "Last complete month", "Same month a year before"
    traces = [
        {
            "cliponaxis": False,
            "hovertemplate": f"%{{y}}, {name}: %{{x:,.{decimals}f}}<extra></extra>",
            "marker": {"color": colour},
            "name": name,
            "orientation": "h",
            "text": arr([f"{v:,.{decimals}f}" if pd.notna(v) else "" for v in table[col]]),
            "textposition": "outside",
            "x": arr(table[col]),
            "y": arr(table["city"]),
            "type": "bar",
        }
        for col, name, colour in ((before_col, label_before, GREY), (now_col, label_now, BLUE))
    ]
    return figure(
        traces,
        {
            "barmode": "group",
            "xaxis": title(axis_title(measure, "month")),
            **{**BASE_LAYOUT, "height": max(260, 60 + 48 * len(table))},
        },
    )


def seasonal_chart(profile: pd.DataFrame, measure: str) -> go.Figure:
    """Month of year on x, one line per year: the latest year in blue, the one before in
    orange (dashed), earlier years in grey."""
    if profile.empty:
        return go.Figure()
    years = sorted(profile["year"].unique())
    decimals = 2 if measure == "rate" else 0
    traces = []
    for year, part in profile.sort_values("month_of_year", kind="stable").groupby("year", sort=True):
        latest, previous = year == years[-1], len(years) > 1 and year == years[-2]
        colour = BLUE if latest else ORANGE if previous else GREY
        traces.append(
            {
                "hovertemplate": f"{year} %{{x}}: %{{y:,.{decimals}f}}<extra></extra>",
                "line": {
                    "color": colour,
                    "dash": "dash" if previous else "solid",
                    "width": 3 if latest else 2 if previous else 1,
                },
                "mode": "lines+markers" if latest or previous else "lines",
                "name": str(year),
                "x": arr([MONTHS[m - 1] for m in part["month_of_year"]]),
                "y": arr(part[measure]),
                "type": "scatter",
            }
        )
    return figure(
        traces,
        {
            "yaxis": title(axis_title(measure, "month")),
            "xaxis": {"categoryorder": "array", "categoryarray": MONTHS},
            "hovermode": "x unified",
            **BASE_LAYOUT,
        },
    )
