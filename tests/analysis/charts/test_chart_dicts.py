"""Figures built from plain dicts (analysis.charts.figure.figure) hold exactly what plotly's
validated objects would: re-validating each one changes nothing in its JSON, and no key
is rejected. Checked on every dict-built chart of the Overview and Trends pages."""

from __future__ import annotations

import json

import duckdb
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from analysis.charts.compare import cohort_chart, funnel_chart
from analysis.charts.trends import rolling_chart, same_month_chart, seasonal_chart, series_chart
from analysis.goals.events import markers_for
from analysis.pages.overview import overview_data
from analysis.pages.trends import trends_data
from analysis.query.filters import CrimeFilter
from analysis.series.compare import baseline_years, default_baseline, indexed_by_city_year
from analysis.series.monthly import cities_in, seasonal_profile
from analysis.series.periods import coverage


def _pruned(value: object) -> object:
    """JSON without empty objects (an unset property: validation drops `{}`)."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _same_when_validated(fig: go.Figure) -> None:
    assert fig.data, "the chart drew nothing: the check would prove nothing"
    validated = go.Figure(fig.to_dict())  # raises on any property plotly does not know
    before, after = (json.loads(pio.to_json(f, validate=False)) for f in (fig, validated))
    assert _pruned(before) == _pruned(after)


@pytest.mark.parametrize("measure", ["rate", "count"])
@pytest.mark.parametrize("granularity", ["month", "week"])
def test_trends_charts_are_valid_figures(
    demo: duckdb.DuckDBPyConnection, measure: str, granularity: str
) -> None:
    data = trends_data(demo, CrimeFilter(offenses=("violent_crime",)), coverage(demo), granularity)  # type: ignore[arg-type]
    markers = markers_for(list(cities_in(data.series)), data.breaks)
    _same_when_validated(series_chart(data.series, measure, granularity, markers))
    _same_when_validated(rolling_chart(data.rolling, measure, markers))
    _same_when_validated(same_month_chart(data.same_month, measure))
    _same_when_validated(seasonal_chart(seasonal_profile(data.monthly, None), measure))


def test_overview_charts_are_valid_figures(demo: duckdb.DuckDBPyConnection) -> None:
    data = overview_data(demo, CrimeFilter(offenses=("murder",)), coverage(demo))
    base = default_baseline(baseline_years(data.annual))
    assert base is not None
    _same_when_validated(cohort_chart(indexed_by_city_year(data.annual, base), base))
    _same_when_validated(funnel_chart(data.funnel, "Murder"))


def test_a_dict_built_figure_can_still_be_updated(demo: duckdb.DuckDBPyConnection) -> None:
    """The presenter view and the exports restyle figures after building them."""
    data = trends_data(demo, CrimeFilter(offenses=("violent_crime",)), coverage(demo), "month")
    fig = series_chart(data.series, "rate", "month", [])
    fig.update_layout(height=560, font={"size": 18})
    assert fig.to_dict()["layout"]["height"] == 560
    assert fig.to_dict()["layout"]["font"] == {"size": 18}
