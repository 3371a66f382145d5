"""The change tables of analysis.series.changes on the tiny and mixed stores, by hand."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analysis.query.filters import CrimeFilter
from analysis.series.changes import same_month_last_year, ytd_totals
from analysis.series.monthly import period_series
from analysis.series.periods import YtdWindow, coverage

MEMPHIS_2023, MEMPHIS_2024 = 622_878, 619_470


def test_same_month_last_year(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(tiny, CrimeFilter(), coverage(tiny))
    table = same_month_last_year(frame).set_index("city_id")
    # Feb 2024 against Feb 2023: Memphis 2 vs 1; Springfield 0 vs 0.
    assert table.loc["memphis_tn", ["current", "previous", "diff"]].tolist() == [2, 1, 1]
    # Exact test over 29 days against 28: 2 P(X >= 2 | X ~ Binomial(3, 29/57)) > 1, so p = 1.
    assert table.loc["memphis_tn", "change"] == "up 1 (1 → 2), not notable (p = 1.0)"
    assert table.loc["memphis_tn", ["days_current", "days_previous"]].tolist() == [29, 28]
    assert table.loc["springfield_il", "direction"] == "no change"
    assert table.loc["memphis_tn", "month"] == pd.Timestamp("2024-02-01")


def test_ytd_totals_need_every_month(
    tiny: duckdb.DuckDBPyConnection, mixed: duckdb.DuckDBPyConnection
) -> None:
    frame = period_series(tiny, CrimeFilter(), coverage(tiny))
    table = ytd_totals(frame, YtdWindow(date(2024, 2, 1))).set_index("city_id")
    # Jan-Feb 2024 vs Jan-Feb 2023: Memphis 5 + 2 = 7 vs 4 + 1 = 5; Springfield 3 vs 1.
    assert table.loc["memphis_tn", ["current", "previous"]].tolist() == [7, 5]
    assert table.loc["springfield_il", ["current", "previous"]].tolist() == [3, 1]
    assert table.loc["memphis_tn", "rate_current"] == pytest.approx(7 / MEMPHIS_2024 * 1e5)
    assert table.loc["memphis_tn", "rate_previous"] == pytest.approx(5 / MEMPHIS_2023 * 1e5)
    # Cut at Feb 2023 the prior side (Jan-Feb 2022) lies before the data: no value.
    early = ytd_totals(frame, YtdWindow(date(2023, 2, 1))).set_index("city_id")
    assert early.loc["memphis_tn", "current"] == 5 and pd.isna(early.loc["memphis_tn", "previous"])
    # Houston's June gap: Jan-Jul 2023 YTD is incomplete.
    houston = period_series(mixed, CrimeFilter(cities=("houston_tx",)), coverage(mixed))
    assert pd.isna(ytd_totals(houston, YtdWindow(date(2023, 7, 1))).iloc[0]["current"])
    assert ytd_totals(houston, YtdWindow(date(2024, 2, 1))).iloc[0][["current", "previous"]].tolist() == [
        200,
        190,
    ]


def test_same_month_last_year_with_a_gap_a_year_before() -> None:
    """A published-counts gap in the month a year before: no comparison, the count shown."""
    months = pd.to_datetime(["2023-02-01", "2023-03-01", "2024-02-01", "2024-03-01"])
    frame = pd.DataFrame(
        {
            "city_id": ["a"] * 4,
            "city": ["A"] * 4,
            "period": months,
            "offense": ["murder"] * 4,
            "source": ["ucr"] * 4,
            "kind": ["counts"] * 4,
            "count": pd.array([3, pd.NA, 4, 5], dtype="Float64"),
            "population": [1000] * 4,
            "rate": pd.array([300.0, pd.NA, 400.0, 500.0], dtype="Float64"),
        }
    )
    row = same_month_last_year(frame).iloc[0]
    assert row["month"] == pd.Timestamp("2024-03-01") and row["current"] == 5
    assert pd.isna(row["previous"]) and pd.isna(row["rate_previous"]) and row["change"] == "no comparison"
