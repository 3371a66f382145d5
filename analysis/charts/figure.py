"""Figure builders: DataFrame in, plotly Figure out. No data access here.

Colours: the CARTO "Safe" qualitative palette (designed to stay distinguishable with
colour-vision deficiencies) extended by a neutral grey, so 12 cities get 12 colours;
lines are also labelled by name in the legend and hover, never by colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.basevalidators import DataArrayValidator
from plotly.colors import qualitative

from analysis.query.filters import OFFENSE_LABELS

PALETTE: list[str] = list(qualitative.Safe) + ["#4D4D4D"]
PSP_LAUNCH = date(2017, 6, 1)


_ARRAY = DataArrayValidator("x", "scatter")


def figure(traces: Sequence[Mapping[str, Any]], layout: Mapping[str, Any]) -> go.Figure:
    """A Figure from plain trace and layout dicts, without plotly's property-by-property
    validation.

    Design decision: building a figure from validated objects (go.Scatter, add_trace,
    update_layout) costs 5-20 ms a chart, most of a page's chart time and a real share
    of a rerun (bench/); Streamlit serialises the figure without validating it again.
    The builders therefore write the dicts a validated figure holds (titles as
    {"text": ...}, data arrays through `arr`), and tests/analysis/charts/test_chart_dicts.py
    compares their JSON with that of the validated form.
    """
    return go.Figure({"data": list(traces), "layout": dict(layout)}, _validate=False)


def arr(values: Any) -> Any:
    """A data array (x, y, customdata, text ...) as plotly's validator would store it:
    numpy arrays for homogeneous data (sent as typed arrays), lists otherwise. A pandas
    Series is turned into numpy here as the validator's narwhals path would (nullable
    numbers: NaN for a missing value), at a fraction of its cost."""
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iuf":
            values = (
                values.to_numpy(dtype="float64", na_value=np.nan)
                if values.hasnans
                else values.to_numpy(dtype=dtype.numpy_dtype)
            )
        elif not (isinstance(dtype, pd.DatetimeTZDtype)):
            values = values.to_numpy()
    return _ARRAY.validate_coerce(values)


def title(text: str | None) -> dict[str, dict[str, str]]:
    """An axis or legend title in the form plotly stores it."""
    return {} if text is None else {"title": {"text": text}}


def city_colours(cities: list[str]) -> dict[str, str]:
    """A stable colour per city name (sorted order), cycling if more than the palette."""
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(sorted(cities))}


def trend_chart(frame: pd.DataFrame, measure: str = "count") -> go.Figure:
    """Monthly lines, one per city x offense, with the PSP launch marked.

    `frame` is the output of analysis.series.rates.counts_by_city_month.
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
