"""Poisson CUSUM on series with a known step, computed by hand, and the alerts list on
the goals fixture store (tests/fixtures/goals.py)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.alerts import CUSUM, alerts_by_series, cusum_by_series, poisson_cusum, seasonal_baseline

LN = math.log(1.2)
K100 = 100 * 0.2 / LN  # reference value for a baseline of 100: 109.696...


def step_series() -> pd.Series:
    """48 months at 100, then 6 months at 130 (the step starts at index 48, Jan 2024)."""
    months = pd.date_range("2020-01-01", periods=54, freq="MS")
    return pd.Series([100] * 48 + [130] * 6, index=months)


def test_seasonal_baseline_is_the_mean_of_the_same_month_before() -> None:
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    counts = pd.Series(range(48), index=months, dtype=float)
    baseline = seasonal_baseline(counts, 3)
    assert baseline.iloc[:36].isna().all()  # fewer than three earlier years
    # Jan 2023 (index 36): mean of Jan 2022, 2021, 2020 = (24 + 12 + 0) / 3 = 12.
    assert baseline.iloc[36] == pytest.approx(12.0)
    assert baseline.iloc[47] == pytest.approx((35 + 23 + 11) / 3)


def test_cusum_signals_after_the_step_not_before() -> None:
    counts = step_series()
    result = poisson_cusum(counts, seasonal_baseline(counts, 3), shift=1.2, h=5.0)
    # Before the step every scored month adds ln(1.2) * (100 - 109.70) < 0: S stays 0.
    assert (result["score"].iloc[:48] == 0).all()
    assert not result["signal"].iloc[:48].any()
    # After it each month adds ln(1.2) * (130 - 109.70) = 3.70: S = 3.70, 7.40 -> signal,
    # restart, 3.70, 7.40 -> signal, ...
    step = LN * (130 - K100)
    assert step == pytest.approx(3.7018, abs=1e-4)
    assert result["score"].iloc[48:].tolist() == pytest.approx([step, 2 * step] * 3)
    assert result.index[result["signal"]].tolist() == [49, 51, 53]
    assert result["k"].iloc[40] == pytest.approx(K100)


def test_cusum_validates_its_parameters() -> None:
    counts = step_series()
    with pytest.raises(ValueError):
        poisson_cusum(counts, counts.astype(float), shift=0.9, h=5.0)


def test_cusum_and_alerts_on_the_store(goals_store_path: Path) -> None:
    con = duckdb.connect(str(goals_store_path), read_only=True)
    cusum = cusum_by_series(con, CUSUM)
    violent = cusum[cusum["offense"] == "violent_crime"].set_index("month")
    # Jul 2024: baseline 100; S = 0.055 (May 110) + 1.878 (Jun 120) + 3.702 (Jul 130) = 5.635.
    assert violent.loc["2024-07-01", "score"] == pytest.approx(LN * (110 + 120 + 130 - 3 * K100))
    # Jun 2025: baseline (100 + 100 + 120) / 3 = 106.67; 150 adds 6.01 from zero -> signal.
    assert violent.loc["2025-06-01", "baseline"] == pytest.approx(320 / 3)
    assert violent.loc["2025-06-01", "score"] == pytest.approx(LN * (150 - 320 / 3 * 0.2 / LN))
    assert violent.index[violent["signal"]].strftime("%Y-%m").tolist() == ["2024-07", "2025-06"]
    alerts = alerts_by_series(con, CUSUM)
    assert alerts[["city_id", "offense", "count", "signals"]].values.tolist() == [
        ["memphis_tn", "violent_crime", 150, 1]
    ]
    assert alerts["link"].iloc[0] == "./trends?city=memphis_tn&offense=violent_crime"
    assert alerts["month"].iloc[0] == pd.Timestamp("2025-06-01")
    # A wider window also holds the July 2024 signal.
    assert alerts_by_series(con, CUSUM.with_lookback(12))["signals"].tolist() == [2]
    con.close()
