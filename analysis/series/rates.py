"""Counts and rates per city over time, from the official series.

One count per city x month x offense: `official_monthly`, where analysis/series/official.py's
one precedence has already chosen among the sources (FBI Return A, then the Real-Time
Crime Index, then complete citywide incident records, then other citywide counts). Each
row says which source it came from. A month without a row has no official count (a gap,
never a zero).
Rates are per 100,000 residents with the population of the row's own year.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.query import sqlfile
from analysis.query.filters import OFFICIAL, CrimeFilter
from analysis.query.sqlfile import Fragment
from kernel.vocabulary import RATE_BASE


def counts_by_city_month(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Monthly official count and rate per 100k for each city and offense in the filter.

    Columns: city_id, city, month, offense, count, source, population, rate.
    """
    where, params = filt.bind(OFFICIAL)
    sql = sqlfile.render(__package__, "official_counts.sql", where=Fragment(where))
    return con.execute(sql, {**params, "rate_base": RATE_BASE}).df()
