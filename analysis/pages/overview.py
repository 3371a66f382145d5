"""What the Overview page shows, computed in one call (Trends: analysis.pages.trends).

Design decision: a page interaction should cost one cached look-up. The ui layer caches
analysis calls on their arguments, and hashing DataFrames passed from call to call costs
more than the work, so each page gets one function of small hashable arguments (filter,
coverage, granularity) that runs the queries and the pure derivations (analysis.series.monthly,
analysis.series.compare, analysis.geo.decks) and returns every frame the page draws. Only what
depends on a page's own widgets (baseline year, seasonal city) is derived in the page
call, from these frames.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from analysis.geo.decks import deck_points, profile_line
from analysis.geo.places import city_places
from analysis.query.filters import CrimeFilter
from analysis.query.registry import city_names
from analysis.series.compare import (
    OVERVIEW_OFFENSES,
    Funnel,
    YtdComparison,
    annual_rates,
    funnel,
    ytd_filter,
    ytd_from_monthly,
)
from analysis.series.monthly import (
    absent_cities,
    period_series,
)
from analysis.series.official import incident_sources
from analysis.series.periods import Coverage


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
