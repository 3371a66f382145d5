"""The count-scale CUSUM on series with a known step, computed by hand; the alerts list on
the goals fixture store (tests/fixtures/goals.py); and, by seeded simulation, its false
alarm rate on overdispersed series against the stated in-control run length."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.stats.cusum import (
    CUSUM,
    CusumParams,
    alerts_by_series,
    calibrate_thresholds,
    count_cusum,
    cusum_by_series,
    cusum_matrix,
    seasonal_baseline,
    series_watched,
)

LN = math.log(1.2)
K100 = 100 * 0.2 / LN  # reference value for a baseline of 100: 109.696...
H = 5 / LN  # the former log-likelihood threshold h = 5, on the count scale: 27.42 offenses
FIXED = CusumParams(threshold=H)


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
    result = count_cusum(counts, seasonal_baseline(counts, 3), shift=1.2, threshold=H)
    # Before the step every scored month adds 100 - 109.70 < 0: S stays 0.
    assert (result["score"].iloc[:48] == 0).all()
    assert not result["signal"].iloc[:48].any()
    # After it each month adds 130 - 109.70 = 20.30 offenses: S = 20.30, 40.61 >= 27.42 ->
    # signal, restart, 20.30, 40.61 -> signal, ...
    step = 130 - K100
    assert step == pytest.approx(20.3037, abs=1e-4)
    assert result["score"].iloc[48:].tolist() == pytest.approx([step, 2 * step] * 3)
    assert result.index[result["signal"]].tolist() == [49, 51, 53]
    assert result["k"].iloc[40] == pytest.approx(K100)


def test_cusum_validates_its_parameters() -> None:
    counts = step_series()
    with pytest.raises(ValueError):
        count_cusum(counts, counts.astype(float), shift=0.9, threshold=H)
    with pytest.raises(ValueError):
        CusumParams(arl0_months=0).validate()


def test_cusum_and_alerts_on_the_store(goals_store_path: Path) -> None:
    con = duckdb.connect(str(goals_store_path), read_only=True)
    cusum = cusum_by_series(con, FIXED)
    violent = cusum[cusum["offense"] == "violent_crime"].set_index("month")
    # Jul 2024: baseline 100; S = 0.30 (May 110) + 10.30 (Jun 120) + 20.30 (Jul 130) = 30.91.
    assert violent.loc["2024-07-01", "score"] == pytest.approx(110 + 120 + 130 - 3 * K100)
    # Jun 2025: baseline (100 + 100 + 120) / 3 = 106.67; 150 adds 32.99 from zero -> signal.
    assert violent.loc["2025-06-01", "baseline"] == pytest.approx(320 / 3)
    assert violent.loc["2025-06-01", "score"] == pytest.approx(150 - 320 / 3 * 0.2 / LN)
    assert violent.index[violent["signal"]].strftime("%Y-%m").tolist() == ["2024-07", "2025-06"]
    assert np.allclose(violent["threshold"], H)
    alerts = alerts_by_series(con, FIXED)
    assert alerts[["city_id", "offense", "count", "signals"]].values.tolist() == [
        ["memphis_tn", "violent_crime", 150, 1]
    ]
    assert alerts["link"].iloc[0] == "./trends?city=memphis_tn&offense=violent_crime"
    assert alerts["month"].iloc[0] == pd.Timestamp("2025-06-01")
    # A wider window also holds the July 2024 signal.
    assert alerts_by_series(con, FIXED.with_lookback(12))["signals"].tolist() == [2]
    # By default each series has its own calibrated threshold and dispersion.
    calibrated = cusum_by_series(con, CUSUM)
    per_series = calibrated.groupby(["city_id", "offense"])[["threshold", "dispersion"]].first()
    assert (per_series["dispersion"] >= 1).all() and per_series["threshold"].notna().any()
    assert series_watched(calibrated) == int(per_series["threshold"].notna().sum())
    con.close()


def test_parameters_on_one_scale_and_false_alarms_stated() -> None:
    words = CUSUM.describe()
    assert "count scale" in words and "k = baseline × 1.097" in words and "H (in offenses)" in words
    assert "once in 60 months" in words
    assert CUSUM.false_alarms_note(100) == (
        "100 series are watched. With no real change anywhere, about 20 false alarms a year are expected "
        "across them (about 5.0 in any 3-month window): read an alert as a prompt to look, not as proof."
    )


def nb_series(rng: np.random.Generator, profile: np.ndarray, phi: float, months: int, n: int) -> np.ndarray:
    """n in-control monthly series: negative binomial with the seasonal mean `profile` and
    variance phi x mean (gamma-Poisson)."""
    mean = np.tile(profile, months // 12 + 1)[:months]
    rate = rng.gamma(np.broadcast_to(mean / (phi - 1), (n, months)), phi - 1)
    return rng.poisson(rate).astype(float)


@pytest.mark.parametrize(("level", "phi"), [(8.0, 3.0), (60.0, 6.0)])
def test_false_alarm_rate_matches_the_stated_run_length(level: float, phi: float) -> None:
    """Seeded simulation: 80 overdispersed series with no change, 20 years each, scored
    by the production code (own baseline, own dispersion estimate, calibrated threshold).
    Signals per scored month match 1 / arl0 (60 months): within 25%, while a threshold
    calibrated for pure Poisson counts fires several times as often."""
    rng = np.random.default_rng(int(level * 10 + phi))
    season = 1 + 0.25 * np.sin(2 * np.pi * np.arange(12) / 12)
    months = pd.date_range("2000-01-01", periods=240, freq="MS")
    x = nb_series(rng, level * season, phi, len(months), 80)
    in_range = np.ones(x.shape, dtype=bool)
    m = cusum_matrix(x, months, in_range, CUSUM)
    assert np.all(m.dispersion > phi * 0.6) and np.all(m.dispersion < phi * 1.5)
    scored = ~np.isnan(m.k)
    rate = m.signal[scored].mean()
    assert rate == pytest.approx(1 / CUSUM.arl0_months, rel=0.25)
    poisson_h = calibrate_thresholds(np.tile(level * season, (1, 1)), np.array([1.0]), CUSUM)[0]
    naive = cusum_matrix(x, months, in_range, CusumParams(threshold=poisson_h))
    assert naive.signal[scored].mean() > 2.5 / CUSUM.arl0_months
