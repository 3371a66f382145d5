"""Points, only for small selections: never for sensitive offenses (sex offenses:
offenses.sensitive) or unmapped local codes, and generalised: coordinates rounded to
POINT_DECIMALS (about 100 m, block level), offenses at one spot merged."""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.geo.cells import cell_sql
from analysis.query import sqlfile
from analysis.query.filters import INCIDENTS, CrimeFilter
from analysis.query.sqlfile import Fragment

POINT_LIMIT = 3_000  # offenses; above this no points, only cells
POINTS_BY_DEFAULT = 300  # offenses; up to this the Map shows points without being asked
POINT_DECIMALS = 3  # lat/lon rounding of points: about 110 m north-south, 90 m east-west


def drawable_points(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> int:
    """How many offenses in the filter could be drawn as points (located, not sensitive)."""
    sql, params = cell_sql("drawable_points.sql", filt)
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row else 0


def points(
    con: duckdb.DuckDBPyConnection, filt: CrimeFilter, limit: int = POINT_LIMIT
) -> pd.DataFrame | None:
    """Generalised points (lat, lon, n, offenses, first_day, last_day) for a selection of
    at most `limit` drawable offenses; None when the selection is larger. Sensitive
    offenses are never among them."""
    if drawable_points(con, filt) > limit:
        return None
    where, params = filt.bind(INCIDENTS, "i")
    sql = sqlfile.render(__package__, "points.sql", where=Fragment(where))
    return con.execute(sql, {**params, "decimals": POINT_DECIMALS}).df()


def sensitive_offenses(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the offenses never drawn as points (offenses.sensitive: sex offenses)."""
    rows = con.execute("select name from offenses where sensitive order by nibrs_code").fetchall()
    return [str(r[0]) for r in rows]
