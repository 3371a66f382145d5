"""Registry look-ups from the store (cities and their names) for pages and reports."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analysis.query import sqlfile
from analysis.query.filters import MONTH_CODES, CrimeFilter
from analysis.query.sqlfile import Fragment


def city_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """city_id -> display name ("Memphis, TN"), in name order."""
    rows = con.execute("select city_id, name || ', ' || state from cities order by name").fetchall()
    return {r[0]: r[1] for r in rows}


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """First and last day with data in the store (incidents or monthly counts), or None."""
    row = con.execute(
        """
        select min(first_day), max(last_day) from (
            select min(first_day) as first_day, max(last_day) as last_day from incident_months
            union all
            select min(month), max(last_day(month)) from monthly_counts
        )
        """
    ).fetchone()
    if not row or row[0] is None:
        return None
    return (row[0], row[1])


def district_names(con: duckdb.DuckDBPyConnection, city_id: str) -> list[str]:
    """Districts that have incident data in `city_id`, sorted."""
    where, params = CrimeFilter(cities=(city_id,), offenses=()).bind(MONTH_CODES)
    rows = con.execute(
        sqlfile.render(__package__, "district_names.sql", where=Fragment(where)), params
    ).fetchall()
    return [r[0] for r in rows]


def import_log(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The newest imports first: what was loaded, when, from where, rows accepted/rejected."""
    return con.execute(
        """
        select import_id, source, kind, location, started_at, finished_at,
               rows_read, rows_accepted, rows_quarantined, rows_duplicate, note
        from imports order by import_id desc limit ?
        """,
        [limit],
    ).df()
