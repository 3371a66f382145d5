"""The cheap health look-ups the pages make on every rerun agree with the full status."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analysis.health import is_demo, last_complete_month_by_city, status_by_city


def test_last_complete_month_by_city_on_tiny(tiny: duckdb.DuckDBPyConnection) -> None:
    # The 'fixture' source runs to 2024-03-04 (Springfield's last row), so both cities
    # have February 2024 as their last complete month; the other ten have no incidents.
    assert last_complete_month_by_city(tiny) == {
        "memphis_tn": date(2024, 2, 1),
        "springfield_il": date(2024, 2, 1),
    }


def test_last_complete_month_matches_status_on_demo(demo: duckdb.DuckDBPyConnection) -> None:
    status = status_by_city(demo).dropna(subset=["last_complete_month"])
    expected = {r.city_id: pd.Timestamp(r.last_complete_month).date() for r in status.itertuples()}
    assert len(expected) == 12
    assert last_complete_month_by_city(demo) == expected


def test_is_demo(tiny: duckdb.DuckDBPyConnection, demo: duckdb.DuckDBPyConnection) -> None:
    assert is_demo(demo)
    assert not is_demo(tiny)
