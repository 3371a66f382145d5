"""What the Overview and Trends pages show, each computed in one call.

Design decision: a page interaction should cost one cached look-up. The ui layer caches
analysis calls on their arguments, and hashing DataFrames passed from call to call costs
more than the work, so each page gets one function of small hashable arguments (filter,
coverage, granularity) that runs the queries and the pure derivations (analysis.series,
analysis.compare, analysis.decks) and returns every frame the page draws. Only what
depends on a page's own widgets (baseline year, seasonal city) is derived in the page
call, from these frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from analysis.compare import (
    OVERVIEW_OFFENSES,
    Funnel,
    YtdComparison,
    annual_rates,
    funnel,
    ytd_filter,
    ytd_from_monthly,
    ytd_from_series,
)
from analysis.decks import deck_points, profile_line
from analysis.filters import CrimeFilter, Granularity
from analysis.health import chart_breaks
from analysis.official import incident_sources
from analysis.periods import Coverage
from analysis.places import city_places
from analysis.registry_read import city_names
from analysis.series import absent_cities, period_series, rolling_12, rolling_change, same_month_last_year


@dataclass(frozen=True)
class OverviewData:
    """ytd: violent crime, murder, firearm-involved violent crime and the chosen offense;
    monthly: the chosen offense per city; annual: its complete calendar years; funnel:
    the 12 months to the YTD cutoff; places/points: the map; missing: notes on cities
    without data."""

    ytd: YtdComparison
    monthly: pd.DataFrame
    annual: pd.DataFrame
    funnel: Funnel
    places: pd.DataFrame
    points: pd.DataFrame
    missing: list[str]
    profiles: str = ""  # the "City profiles" line: which cities have one, and why not the others


def overview_data(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, cov: Coverage) -> OverviewData:
    """Everything the Overview draws for the filter's cities and (first) offense."""
    offense = filt.offenses[0]
    base = ytd_filter(filt, (*OVERVIEW_OFFENSES, offense))
    series = period_series(con, base, cov)
    ytd = ytd_from_monthly(con, base, cov, series)
    if filt.end is None:
        # The same query as below: each city x offense series is chosen on its own.
        monthly = series[series["offense"] == offense].reset_index(drop=True)
    else:
        scope = replace(filt, offenses=(offense,), start=None, end=None, firearm_only=False, districts=())
        monthly = period_series(con, scope, cov)
    end = pd.Timestamp(ytd.window.cutoff) if ytd.window else None
    places = city_places(con)
    return OverviewData(
        ytd=ytd,
        monthly=monthly,
        annual=annual_rates(monthly),
        funnel=funnel(monthly, end),
        places=places,
        points=deck_points(places, ytd.table, offense),
        missing=absent_cities(monthly, filt.cities, cov, city_names(con)),
        profiles=profile_line(
            {
                c: n
                for c, n in zip(places["city_id"], places["city"], strict=True)
                if not filt.cities or c in filt.cities
            },
            tuple(incident_sources(con, filt.cities or tuple(places["city_id"]))),
        ),
    )


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
    con: duckdb.DuckDBPyConnection, filt: CrimeFilter, cov: Coverage, granularity: Granularity
) -> TrendsData:
    """Everything the Trends page draws for the filter."""
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
