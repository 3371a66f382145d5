"""What the Trends page shows, computed in one call; the design is explained in
analysis.pages.overview (one function of small hashable arguments per page)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.query.filters import CrimeFilter, Granularity
from analysis.query.registry import city_names
from analysis.series.changes import rolling_change, same_month_last_year
from analysis.series.compare import (
    YtdComparison,
    ytd_from_series,
)
from analysis.series.monthly import (
    absent_cities,
    period_series,
    rolling_12,
)
from analysis.series.periods import Coverage, coverage
from analysis.sources.health import chart_breaks


@dataclass(frozen=True)
class TrendsData:
    """series: monthly or weekly per city; monthly: the monthly series (the same frame when
    granularity is month); rolling / rolling_change: 12-month sums and their change on a
    year before; same_month: the last complete month against a year before; ytd; breaks;
    missing: notes on cities not shown."""

    series: pd.DataFrame
    monthly: pd.DataFrame
    rolling: pd.DataFrame
    rolling_change: pd.DataFrame
    same_month: pd.DataFrame
    ytd: YtdComparison
    breaks: pd.DataFrame
    missing: list[str]


def trends_data(
    con: duckdb.DuckDBPyConnection, filt: CrimeFilter, granularity: Granularity, cov: Coverage | None = None
) -> TrendsData:
    """Everything the Trends page draws for the filter. `cov` (the store's coverage) is
    read here unless a caller that already holds it passes it (report.briefing)."""
    cov = coverage(con) if cov is None else cov
    series = period_series(con, filt, cov, granularity)
    monthly = series if granularity == "month" else period_series(con, filt, cov, "month")
    rolling = rolling_12(monthly)
    view = "firearm" if filt.firearm_only else granularity
    return TrendsData(
        series=series,
        monthly=monthly,
        rolling=rolling,
        rolling_change=rolling_change(rolling),
        same_month=same_month_last_year(monthly),
        ytd=ytd_from_series(monthly),
        breaks=chart_breaks(con, cov, filt.cities, filt.offenses),
        missing=absent_cities(series, filt.cities, cov, city_names(con), view),
    )
