"""Figure builders for the Trends page: DataFrame in, Plotly figure out, no data access.

Every figure uses the colour-blind-safe colours of analysis.charts.theme, names each line in
the legend and hover (colour is never the only carrier), and marks interventions and
series breaks with labelled vertical lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis.charts.figure import arr, city_colours, figure, title
from analysis.charts.theme import ALERT_RED, BLUE, DARK_GREY, GREY, NOTE_SIZE, ORANGE, base_layout
from analysis.goals.events import Marker

BASE_LAYOUT = base_layout()
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def axis_title(measure: str, per: str) -> str:
    return f"Rate per 100,000 residents per {per}" if measure == "rate" else f"Offenses per {per}"


def _marker_layout(
    x: object, label: str, kind: str, row: int, hover: str | None = None, right: bool = False
) -> tuple[dict[str, object], dict[str, object]]:
    """The shape and annotation of one labelled vertical line: dotted grey for an
    intervention, dashed red for a series break; `row` staggers the label downwards and
    `right` puts it on the left of its line (in the right half of the chart), so that no
    label reaches past the data (plotly widens the x axis to fit every annotation).
    (Plain layout dicts: Figure.add_vline costs several milliseconds a line.)"""
    colour = DARK_GREY if kind == "intervention" else ALERT_RED
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
        "hovertext": label if hover is None else hover,
        "showarrow": False,
        "xanchor": "right" if right else "left",
        "yanchor": "top",
        "font": {"size": NOTE_SIZE, "color": colour},
        "bgcolor": "rgba(255,255,255,0.7)",
    }
    return shape, note


def shown_markers(
    markers: Sequence[Marker], first: pd.Timestamp, last: pd.Timestamp
) -> list[tuple[str, str, Marker]]:
    """The lines to draw inside first..last, in date order, as (tag, words, marker): an
    intervention is tagged with its own label; the series breaks of one day share one line
    tagged with a number ("1", "2", ... over all of `markers`' break days, so two charts of
    one page number them alike), whose words (every break of that day) `marker_key` lists
    under the chart: a dozen cities' breaks written on the chart overprint each other."""
    words: dict[object, list[str]] = {}
    for m in sorted(markers, key=lambda m: m.day):
        if m.kind == "break":
            words.setdefault(m.day, []).append(m.label)
    number = {day: str(i) for i, day in enumerate(words, start=1)}
    lines: list[tuple[str, str, Marker]] = []
    drawn: set[object] = set()  # break days with their line already
    for m in sorted(markers, key=lambda m: m.day):
        if not first <= pd.Timestamp(m.day) <= last:
            continue
        if m.kind == "intervention":
            lines.append((m.label, m.label, m))
        elif m.day not in drawn:
            drawn.add(m.day)
            lines.append((number[m.day], "; ".join(words[m.day]), m))
    return lines


# Roughly how many pixels wide the plot area of a full-width chart is, and one character of
# a marker label: enough to tell whether two labels would overprint.
PLOT_PX = 900
CHAR_PX = 0.6 * NOTE_SIZE


def _rows(spans: list[tuple[float, float]]) -> list[int]:
    """For labels spanning (start, end) in plot fractions, in order, the first row where a
    label overprints none already placed there."""
    taken: list[list[tuple[float, float]]] = []
    rows = []
    for start, end in spans:
        row = next(
            (i for i, placed in enumerate(taken) if all(end < a or start > b for a, b in placed)), len(taken)
        )
        if row == len(taken):
            taken.append([])
        taken[row].append((start, end))
        rows.append(row)
    return rows


def marker_layout(markers: Sequence[Marker], first: pd.Timestamp, last: pd.Timestamp) -> dict[str, object]:
    """The layout keys (shapes, annotations) of the markers inside first..last, each label
    on the first row where it overprints no other; {} when none falls inside."""
    lines = shown_markers(markers, first, last)
    if not lines:
        return {}
    span = max((last - first).total_seconds(), 1.0)
    where = [(pd.Timestamp(m.day) - first).total_seconds() / span for _, _, m in lines]
    widths = [len(tag) * CHAR_PX / PLOT_PX for tag, _, _ in lines]
    spans = [(x - w, x) if x > 0.5 else (x, x + w) for x, w in zip(where, widths, strict=True)]
    rows = _rows(spans)
    parts = [
        _marker_layout(pd.Timestamp(m.day), tag, m.kind, row, hover, x > 0.5)
        for (tag, hover, m), x, row in zip(lines, where, rows, strict=True)
    ]
    return {"shapes": [p[0] for p in parts], "annotations": [p[1] for p in parts]}


def marker_key(markers: Sequence[Marker], first: pd.Timestamp, last: pd.Timestamp) -> str:
    """The words behind the numbered series-break lines of `marker_layout`, for the
    chart's caption: "Series breaks (dashed red lines): 1 Jan 2012, Toledo: ...; 2 ..."."""
    listed = [
        f"{tag} {m.day:%b %Y}, {words}"
        for tag, words, m in shown_markers(markers, first, last)
        if m.kind == "break"
    ]
    return f"Series breaks (numbered dashed red lines): {'; '.join(listed)}." if listed else ""


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
