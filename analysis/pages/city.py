"""What the City profile shows, computed in one call (the design: analysis.pages.overview).

The incident table pages through the records a page at a time, so its count and pages
are asked for on their own (analysis.query.profile.incident_count, incident_page), as the
page's paging widgets change; everything else the page draws comes from `city_data`.
Small counts are suppressed for a role that may not see them by analysis.access, on this
function's result (the districts and hot spots), as for the functions it calls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from analysis.query.filters import CrimeFilter
from analysis.query.profile import (
    counts_by_hour_weekday,
    district_changes,
    hotspot_cells,
    offense_codes,
    offense_mix,
)
from analysis.query.scope import Window


@dataclass(frozen=True)
class CityData:
    """mix: every offense of the city in the window (whatever the filter's offense);
    districts: the filter's offense per district; grid: by hour and weekday in the window;
    hot: the busiest cells; codes: the NIBRS codes the incident table can pick."""

    mix: pd.DataFrame
    districts: pd.DataFrame
    grid: pd.DataFrame
    hot: pd.DataFrame
    codes: pd.DataFrame


def city_data(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, window: Window) -> CityData:
    """Everything the City profile draws for one city's filter and comparison window,
    except the incident table's pages."""
    current = window.current(filt)
    return CityData(
        mix=offense_mix(con, replace(filt, offenses=()), window),  # every offense: not the sidebar's
        districts=district_changes(con, filt, window),
        grid=counts_by_hour_weekday(con, current),
        hot=hotspot_cells(con, filt, window),
        codes=offense_codes(con, current),
    )
