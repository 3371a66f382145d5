"""The cheap health look-ups the pages make on every rerun agree with the full status."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.series.provenance import last_month_by_city
from analysis.sources.health import status_by_city
from kernel.store import is_demo_store
from tests.fixtures.stores import build_monthly_store


def test_last_complete_month_by_city_on_tiny(tiny: duckdb.DuckDBPyConnection) -> None:
    # The 'fixture' source runs to 2024-03-04 (Springfield's last row), so both cities
    # have February 2024 as their last complete month; the other ten have no incidents.
    assert last_month_by_city(tiny) == {
        "memphis_tn": date(2024, 2, 1),
        "springfield_il": date(2024, 2, 1),
    }


def test_last_complete_month_matches_status_on_demo(demo: duckdb.DuckDBPyConnection) -> None:
    status = status_by_city(demo).dropna(subset=["last_complete_month"])
    expected = {r.city_id: pd.Timestamp(r.last_complete_month).date() for r in status.itertuples()}
    assert len(expected) == 12
    assert last_month_by_city(demo) == expected


def test_is_demo(tiny: duckdb.DuckDBPyConnection, demo: duckdb.DuckDBPyConnection) -> None:
    assert is_demo_store(demo)
    assert not is_demo_store(tiny)


def test_firearm_series_unchanged_by_city_restriction(demo: duckdb.DuckDBPyConnection) -> None:
    from analysis.query.filters import CrimeFilter
    from analysis.series.city_series import firearm_violent_by_city_month

    one = firearm_violent_by_city_month(demo, CrimeFilter(cities=("memphis_tn",)))
    every = firearm_violent_by_city_month(demo, CrimeFilter())
    assert len(one) and set(one["city_id"]) == {"memphis_tn"}
    expected = every[every["city_id"] == "memphis_tn"].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.reset_index(drop=True), expected)


def test_rate_of_a_large_monthly_count_does_not_overflow(tmp_path: Path) -> None:
    """A city-month above 21,474 offenses times 100,000 overflows INT32 (seen at scale 20)."""
    from analysis.query.filters import CrimeFilter
    from analysis.series.rates import counts_by_city_month

    path = build_monthly_store(
        tmp_path / "big.duckdb", [("houston_tx", date(2024, 1, 1), "property_crime", 30000, "x")]
    )
    ro = duckdb.connect(str(path), read_only=True)
    frame = counts_by_city_month(ro, CrimeFilter(offenses=("property_crime",)))
    ro.close()
    assert frame["count"].tolist() == [30000]
    assert frame["rate"].iloc[0] == pytest.approx(30000 * 100_000 / frame["population"].iloc[0])
