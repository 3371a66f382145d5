"""Figure plumbing shared by the builders: a figure from plain dicts, data arrays, titles
and the colour of each city (the palette: analysis.charts.theme). No data access here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.basevalidators import DataArrayValidator

from analysis.charts.theme import PALETTE

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
