"""Figure builders for comparing cities (Overview): the cohort index and the funnel plot.

No league table: the index compares each city with its own baseline year, the funnel plot
places each city's rate against its population with chance limits around the pooled rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from analysis.charts.figure import arr, city_colours, figure, title
from analysis.charts.theme import BLUE, DARK_GREY, INK, NOTE_SIZE
from analysis.charts.trends import BASE_LAYOUT, _marker_layout
from analysis.goals.events import Marker
from analysis.series.funnel import Funnel

POPULATION_TICKS = [20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000]


def _cohort_traces(indexed: pd.DataFrame) -> list[dict[str, object]]:
    """One line per city, in city order."""
    colours = city_colours(indexed["city"].unique().tolist())
    traces: list[dict[str, object]] = []
    for city, part in indexed.groupby("city", sort=True):
        part = part.sort_values("year")
        traces.append(
            {
                "customdata": arr(part[["rate", "count"]].to_numpy()),
                "hovertemplate": (
                    f"{city} %{{x}}: index %{{y:.0f}}<br>rate %{{customdata[0]:,.1f}} per 100,000"
                    " (%{customdata[1]:,} offenses)<extra></extra>"
                ),
                "line": {"color": colours[str(city)], "width": 2},
                "mode": "lines+markers",
                "name": str(city),
                "x": arr(part["year"]),
                "y": arr(part["index"]),
                "type": "scatter",
            }
        )
    return traces


def _baseline_marks(baseline_year: int) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(shapes, annotations): a full-width line at 100 (as Figure.add_hline draws it) and
    its label."""
    line: dict[str, object] = {
        "line": {"color": INK, "width": 1},
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": 100,
        "y1": 100,
        "yref": "y",
    }
    note: dict[str, object] = {
        "arrowhead": 0,
        "ay": -30,
        "font": {"size": NOTE_SIZE},
        "showarrow": True,
        "text": f"{baseline_year} = 100",
        "x": baseline_year,
        "y": 100,
    }
    return [line], [note]


def cohort_chart(indexed: pd.DataFrame, baseline_year: int, markers: Sequence[Marker] = ()) -> go.Figure:
    """One line per city, its own `baseline_year` = 100, with `markers` (the interventions
    common to every city shown, e.g. the PSP designation: events.cohort_markers) drawn."""
    if indexed.empty:
        return go.Figure()
    shapes, notes = _baseline_marks(baseline_year)
    for row, m in enumerate(
        m for m in markers if indexed["year"].min() <= m.day.year <= indexed["year"].max()
    ):
        # years on a numeric axis: June 2017 sits 5/12 of the way through 2017
        shape, note = _marker_layout(m.day.year + (m.day.month - 1) / 12, m.label, m.kind, row)
        shapes.append(shape)
        notes.append(note)
    return figure(
        _cohort_traces(indexed),
        {
            "shapes": shapes,
            "annotations": notes,
            "yaxis": title(f"Rate as index, {baseline_year} = 100"),
            "xaxis": {"dtick": 1, "title": {}},
            "hovermode": "closest",
            **BASE_LAYOUT,
        },
    )


def label_positions(sizes: list[float], rates: list[float], near: float = 1.25) -> list[str]:
    """Above each point, except that of two cities of about the same size (within a
    factor `near`) the lower one gets its name below, so the two names do not overprint."""
    out = []
    for i, (size, rate) in enumerate(zip(sizes, rates, strict=True)):
        close = [
            r
            for j, (s, r) in enumerate(zip(sizes, rates, strict=True))
            if j != i and max(s, size) / min(s, size) < near
        ]
        out.append("bottom center" if close and rate < max(close) else "top center")
    return out


def _limit_traces(f: Funnel) -> list[dict[str, object]]:
    """The lower and upper control limits of each level (one legend entry a level)."""
    adjusted = f.method != "poisson" and f.overdispersion is not None and f.overdispersion.adjusts
    kind = "overdispersed" if adjusted else "Poisson"
    styles = {0.95: (f"95% limits ({kind})", "dash"), 0.998: (f"99.8% limits ({kind})", "dot")}
    traces: list[dict[str, object]] = []
    for level, part in f.limits.groupby("level", sort=True):
        name, dash = styles.get(float(level), (f"{level:.1%} limits", "dash"))
        for side in ("lower", "upper"):
            traces.append(
                {
                    "hovertemplate": f"{name} ({side}) at %{{x:,.0f}} residents: %{{y:,.1f}}<extra></extra>",
                    "legendgroup": name,
                    "line": {"color": DARK_GREY, "dash": dash, "width": 1.5},
                    "mode": "lines",
                    "name": name,
                    "showlegend": side == "upper",
                    "x": arr(part["size"]),
                    "y": arr(part[side]),
                    "type": "scatter",
                }
            )
    return traces


def _city_points(points: pd.DataFrame) -> dict[str, object]:
    """Each city a labelled point, smallest population first."""
    points = points.sort_values("person_years")
    return {
        "customdata": arr(points[["count", "band"]].to_numpy()),
        "hovertemplate": (
            "%{text}: %{y:,.1f} per 100,000 (%{customdata[0]:,} offenses,"
            " %{x:,.0f} residents)<br>%{customdata[1]}<extra></extra>"
        ),
        "marker": {"color": BLUE, "line": {"color": "white", "width": 1}, "size": 11},
        "mode": "markers+text",
        "name": "City",
        "text": arr(points["city"]),
        "textposition": label_positions(points["person_years"].tolist(), points["rate"].tolist()),
        "x": arr(points["person_years"]),
        "y": arr(points["rate"]),
        "type": "scatter",
    }


def funnel_chart(f: Funnel, offense_label: str) -> go.Figure:
    """Rate against population (log axis) with the pooled rate and its 95% / 99.8%
    control limits (of the funnel's method: allowing for the cohort's overdispersion, or
    plain Poisson); each city a labelled point."""
    if f.points.empty or f.pooled_rate is None:
        return go.Figure()
    traces = _limit_traces(f)
    sizes = f.limits["size"]
    traces.append(
        {
            "hoverinfo": "skip",
            "line": {"color": INK, "width": 1.5},
            "mode": "lines",
            "name": f"Pooled rate ({f.pooled_rate:,.1f})",
            "x": arr([sizes.min(), sizes.max()]),
            "y": arr([f.pooled_rate, f.pooled_rate]),
            "type": "scatter",
        }
    )
    traces.append(_city_points(f.points))
    ticks = [v for v in POPULATION_TICKS if sizes.min() <= v <= sizes.max()]
    return figure(
        traces,
        {
            "xaxis": {
                "type": "log",
                **title("Population (residents, log scale)"),
                "tickvals": ticks,
                "ticktext": [f"{v:,.0f}" for v in ticks],
            },
            "yaxis": title(f"{offense_label}: rate per 100,000 residents, 12 months"),
            "hovermode": "closest",
            **BASE_LAYOUT,
        },
    )
