"""Figure builders for comparing cities (Overview): the cohort index and the funnel plot.

No league table: the index compares each city with its own baseline year, the funnel plot
places each city's rate against its population with chance limits around the pooled rate.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.charts import city_colours
from analysis.charts_trends import BASE_LAYOUT, mark
from analysis.compare import Funnel
from analysis.events import INTERVENTIONS

INK = "#222222"
POPULATION_TICKS = [20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000]


def cohort_chart(indexed: pd.DataFrame, baseline_year: int) -> go.Figure:
    """One line per city, its own `baseline_year` = 100, with the PSP designation marked."""
    fig = go.Figure()
    if indexed.empty:
        return fig
    colours = city_colours(indexed["city"].unique().tolist())
    for city, part in indexed.groupby("city", sort=True):
        part = part.sort_values("year")
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["index"],
                name=str(city),
                mode="lines+markers",
                line={"color": colours[str(city)], "width": 2},
                customdata=part[["rate", "count"]].to_numpy(),
                hovertemplate=(
                    f"{city} %{{x}}: index %{{y:.0f}}<br>rate %{{customdata[0]:,.1f}} per 100,000"
                    " (%{customdata[1]:,} offenses)<extra></extra>"
                ),
            )
        )
    fig.add_hline(y=100, line={"color": INK, "width": 1})
    fig.add_annotation(
        x=baseline_year,
        y=100,
        text=f"{baseline_year} = 100",
        showarrow=True,
        arrowhead=0,
        ay=-30,
        font={"size": 12},
    )
    psp = INTERVENTIONS[0]
    if indexed["year"].min() <= psp.day.year <= indexed["year"].max():
        # years on a numeric axis: June 2017 sits 5/12 of the way through 2017
        mark(fig, psp.day.year + (psp.day.month - 1) / 12, psp.label)
    fig.update_layout(
        yaxis_title=f"Rate as index, {baseline_year} = 100",
        xaxis={"dtick": 1, "title": None},
        hovermode="closest",
        **BASE_LAYOUT,
    )
    return fig


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


def funnel_chart(f: Funnel, offense_label: str) -> go.Figure:
    """Rate against population (log axis) with the pooled rate and its 95% / 99.8%
    control limits (of the funnel's method: allowing for the cohort's overdispersion, or
    plain Poisson); each city a labelled point."""
    fig = go.Figure()
    if f.points.empty or f.pooled_rate is None:
        return fig
    adjusted = f.method != "poisson" and f.overdispersion is not None and f.overdispersion.adjusts
    kind = "overdispersed" if adjusted else "Poisson"
    styles = {0.95: (f"95% limits ({kind})", "dash"), 0.998: (f"99.8% limits ({kind})", "dot")}
    for level, part in f.limits.groupby("level", sort=True):
        name, dash = styles.get(float(level), (f"{level:.1%} limits", "dash"))
        for side in ("lower", "upper"):
            fig.add_trace(
                go.Scatter(
                    x=part["size"],
                    y=part[side],
                    mode="lines",
                    name=name,
                    legendgroup=name,
                    showlegend=side == "upper",
                    line={"color": "#555555", "dash": dash, "width": 1.5},
                    hovertemplate=f"{name} ({side}) at %{{x:,.0f}} residents: %{{y:,.1f}}<extra></extra>",
                )
            )
    sizes = f.limits["size"]
    fig.add_trace(
        go.Scatter(
            x=[sizes.min(), sizes.max()],
            y=[f.pooled_rate, f.pooled_rate],
            mode="lines",
            name=f"Pooled rate ({f.pooled_rate:,.1f})",
            line={"color": INK, "width": 1.5},
            hoverinfo="skip",
        )
    )
    points = f.points.sort_values("person_years")
    fig.add_trace(
        go.Scatter(
            x=points["person_years"],
            y=points["rate"],
            mode="markers+text",
            name="City",
            text=points["city"],
            textposition=label_positions(points["person_years"].tolist(), points["rate"].tolist()),
            marker={"color": "#0072B2", "size": 11, "line": {"color": "white", "width": 1}},
            customdata=points[["count", "band"]].to_numpy(),
            hovertemplate=(
                "%{text}: %{y:,.1f} per 100,000 (%{customdata[0]:,} offenses,"
                " %{x:,.0f} residents)<br>%{customdata[1]}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        xaxis={
            "type": "log",
            "title": "Population (residents, log scale)",
            "tickvals": [v for v in POPULATION_TICKS if sizes.min() <= v <= sizes.max()],
            "ticktext": [f"{v:,.0f}" for v in POPULATION_TICKS if sizes.min() <= v <= sizes.max()],
        },
        yaxis_title=f"{offense_label}: rate per 100,000 residents, 12 months",
        hovermode="closest",
        **BASE_LAYOUT,
    )
    return fig
