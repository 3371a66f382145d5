"""Funnel-plot limits and Spiegelhalter's overdispersion estimate, against hand calculations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.stats.funnel_limits import estimate_overdispersion, funnel_limits, poisson_limit


def poisson_cdf(k: int, mean: float) -> float:
    return sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k + 1))


def test_poisson_limit_by_hand() -> None:
    # Poisson(4): F(7) = 0.948866, F(8) = 0.978637, so the 97.5% quantile is r = 8 and the
    # interpolated limit is 8 - (F(8) - 0.975) / (F(8) - F(7)) = 8 - 0.003637 / 0.029771 = 7.8778.
    f7, f8 = poisson_cdf(7, 4), poisson_cdf(8, 4)
    assert f7 == pytest.approx(0.94887, abs=1e-5) and f8 == pytest.approx(0.97864, abs=1e-5)
    assert poisson_limit(4, 0.975) == pytest.approx(8 - (f8 - 0.975) / (f8 - f7))
    assert poisson_limit(4, 0.975) == pytest.approx(7.8778, abs=1e-4)
    # Lower 2.5%: F(0) = 0.01832 < 0.025 <= F(1) = 0.09158: 1 - (0.09158 - 0.025) / 0.07326.
    f0, f1 = poisson_cdf(0, 4), poisson_cdf(1, 4)
    assert poisson_limit(4, 0.025) == pytest.approx(1 - (f1 - 0.025) / (f1 - f0))
    assert poisson_limit(0, 0.975) == 0.0


def test_funnel_limits_around_the_pooled_rate() -> None:
    # Pooled 1,000 per 100,000; a population of 400 expects 4 offenses: the 95% upper
    # limit is 7.8778 / 400 per person = 1,969.4 per 100,000.
    limits = funnel_limits(1000.0, [400.0, 4_000_000.0]).set_index(["level", "size"])
    assert limits.loc[(0.95, 400.0), "upper"] == pytest.approx(7.8778 / 400 * 1e5, rel=1e-4)
    # Large populations: limits close in on the pooled rate (normal approximation:
    # 1000 +/- 1.96 * sqrt(40000) / 4e6 * 1e5 = 1000 +/- 9.8).
    big = limits.loc[(0.95, 4_000_000.0)]
    assert big["lower"] == pytest.approx(990.2, abs=0.2) and big["upper"] == pytest.approx(1009.8, abs=0.2)
    wide = limits.loc[(0.998, 4_000_000.0)]
    assert wide["upper"] - wide["lower"] > big["upper"] - big["lower"]


def test_overdispersion_by_hand() -> None:
    """Spiegelhalter's estimates worked out with plain numpy on five cities."""
    counts = np.array([500, 1500, 800, 1200, 1000])
    sizes = np.array([1e5, 1e5, 1e5, 1e5, 1e5])
    theta = counts.sum() * 1e5 / sizes.sum()  # 1000 per 100,000
    od = estimate_overdispersion(counts, sizes, theta)
    z = (counts - 1000) / np.sqrt(1000)  # s^2 = theta * 1e5 / n = 1000 (rate units)
    lo, hi = np.quantile(z, [0.1, 0.9])
    phi = float(np.mean(np.clip(z, lo, hi) ** 2))
    w = np.full(5, 1 / 1000)
    tau2 = (5 * phi - 4) / (w.sum() - (w**2).sum() / w.sum())
    assert od.phi == pytest.approx(phi) and od.tau2 == pytest.approx(tau2) and od.adjusts
    # The limits at 100,000 person-years: theta +/- 1.96 sqrt(s^2 + tau^2).
    limits = funnel_limits(theta, [1e5], (0.95,), "random_effects", od)
    assert limits["upper"].iloc[0] == pytest.approx(1000 + 1.959964 * math.sqrt(1000 + tau2), rel=1e-6)
    scaled = funnel_limits(theta, [1e5], (0.95,), "scaled", od)
    assert scaled["upper"].iloc[0] == pytest.approx(1000 + 1.959964 * math.sqrt(phi * 1000), rel=1e-6)
