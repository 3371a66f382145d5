"""series_dispersions (every series of a month grid fitted in one batch, as the CUSUM's
calibration uses it) gives, series by series, series_dispersion's phi."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.stats.dispersion import series_dispersion, series_dispersions


def _one_by_one(months: pd.DatetimeIndex, x: np.ndarray, in_range: np.ndarray) -> np.ndarray:
    out = np.ones(len(x))
    for i in range(len(x)):
        cols = np.flatnonzero(in_range[i])
        if len(cols):
            out[i] = series_dispersion(months[cols], x[i, cols]).phi
    return out


def test_batch_equals_series_by_series_on_awkward_series() -> None:
    rng = np.random.default_rng(11)
    months = pd.date_range("2015-01-01", "2024-12-01", freq="MS")
    n = 60
    mean = rng.uniform(0.3, 300, (n, 1)) * (1 + 0.3 * np.sin(2 * np.pi * (months.month.to_numpy() - 1) / 12))
    phi = rng.uniform(1, 8, (n, 1))
    x = rng.negative_binomial(mean / np.maximum(phi - 1, 1e-3), 1 / phi).astype(float)
    in_range = np.ones_like(x, dtype=bool)
    for i in range(n):  # spans that start late, end early, have holes, or are too short
        start, end = sorted(rng.integers(0, len(months), 2))
        in_range[i, :start] = in_range[i, end + 1 :] = False
        in_range[i, rng.integers(0, len(months), rng.integers(0, 6))] = False
    x[0, :24] = 0  # two years without an offense: left out
    x[1] = 0  # no offense at all: Poisson
    in_range[2] = False  # no month at all
    in_range[3, :] = False
    in_range[3, :8] = True  # too few months
    x[5, 30:40] = 10  # a flat stretch (a Poisson-looking series is floored at 1)
    expected = _one_by_one(months, x, in_range)
    got = series_dispersions(months, x, in_range)
    assert got == pytest.approx(expected, rel=1e-9)
    assert expected[1] == expected[2] == expected[3] == 1.0
    assert (expected > 1).sum() > n // 2  # the check is not only of floored values


def test_batch_equals_hand_checked_statsmodels_fit() -> None:
    """The series test_progress checks against statsmodels, through the batch."""
    rng = np.random.default_rng(3)
    months = pd.date_range("2022-01-01", "2024-12-01", freq="MS")
    mean = 100 * (1 + 0.3 * np.sin(2 * np.pi * (months.month - 1) / 12))
    counts = rng.negative_binomial(mean / 4, 1 / 5).astype(float)
    got = series_dispersions(months, counts[None, :], np.ones((1, len(months)), dtype=bool))
    assert got[0] == pytest.approx(series_dispersion(months, counts).phi, rel=1e-12)
    assert 3 < got[0] < 8


def test_empty_grid() -> None:
    months = pd.date_range("2022-01-01", periods=0, freq="MS")
    assert series_dispersions(months, np.zeros((2, 0)), np.zeros((2, 0), dtype=bool)).tolist() == [1.0, 1.0]
