"""Control limits of a funnel plot and the overdispersion they may allow for
(Spiegelhalter 2005, "Funnel plots for comparing institutional performance", Statistics in
Medicine 24:1185-1202, and "Handling over-dispersion of performance indicators", Qual Saf
Health Care 14:347-351): exact Poisson limits with his interpolation, or normal limits on
the rate scale widened by an additive tau^2 (`random_effects`) or a multiplicative phi
(`scaled`). analysis.series.funnel applies them to the cities of a series frame."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2, norm, poisson

from analysis.stats.exact import format_p
from kernel.vocabulary import RATE_BASE

FUNNEL_LEVELS = (0.95, 0.998)


def poisson_limits(expected: np.ndarray, p: float) -> np.ndarray:
    """The p-quantile of Poisson(expected) counts, interpolated so it moves smoothly with
    `expected` (Spiegelhalter 2005, appendix A.1.1): with r the smallest count whose CDF
    reaches p, the limit is r - (F(r) - p) / (F(r) - F(r - 1)). Vectorised over
    `expected`; 0 where nothing is expected."""
    mean = np.maximum(np.asarray(expected, dtype="float64"), 1e-12)
    r = poisson.ppf(p, mean)
    f_r, f_below = poisson.cdf(r, mean), poisson.cdf(r - 1, mean)
    step = np.where(f_r > f_below, f_r - f_below, 1.0)
    out = np.where(f_r > f_below, r - (f_r - p) / step, r)
    return np.where(np.asarray(expected) > 0, out, 0.0)


def poisson_limit(expected: float, p: float) -> float:
    """poisson_limits for one expected count."""
    return float(poisson_limits(np.array([expected]), p)[0])


WINSOR = 0.10  # Spiegelhalter (2005) winsorises the z-scores at their 10th and 90th percentiles


MIN_CITIES_FOR_SPREAD = 5  # fewer cities cannot estimate their spread: plain Poisson limits


SPREAD_TEST_LEVEL = 0.05  # adjust only when the chi-squared test finds overdispersion


@dataclass(frozen=True)
class Overdispersion:
    """How much more the cities' rates vary than Poisson chance allows (Spiegelhalter 2005,
    "Handling over-dispersion of performance indicators", Qual Saf Health Care 14:347-351).

    phi: the winsorised mean squared z-score (1 = Poisson; I * phi ~ chi-squared(I - 1)
      when there is no overdispersion).
    tau2: the additive between-city variance of the rate per 100,000 (0 when I * phi <= I - 1).
    cities: I, how many cities the estimate rests on.
    p_value: of the chi-squared test for overdispersion.
    """

    phi: float
    tau2: float
    cities: int
    p_value: float

    @property
    def tau(self) -> float:
        """Between-city standard deviation of the rate per 100,000."""
        return float(np.sqrt(self.tau2))

    @property
    def adjusts(self) -> bool:
        """Whether the limits allow for it: enough cities, and evidence of overdispersion."""
        return self.cities >= MIN_CITIES_FOR_SPREAD and self.p_value < SPREAD_TEST_LEVEL

    def describe(self, method: str) -> str:
        if method != "poisson" and not self.adjusts:
            return (
                f"Too few cities ({self.cities}) or too little spread (φ = {self.phi:,.2f}; test of no "
                f"overdispersion: {format_p(self.p_value)}) to estimate the cohort's spread: the limits "
                "are plain Poisson."
            )
        head = (
            f"Overdispersion across the {self.cities} cities: φ = {self.phi:,.1f} (1 = Poisson; "
            f"Spiegelhalter's winsorised estimate; test of no overdispersion: {format_p(self.p_value)})"
        )
        if method == "random_effects":
            return head + f"; the limits add a between-city SD of {self.tau:,.1f} per 100,000 (τ)."
        if method == "scaled":
            return (
                head + f"; the limits are the Poisson ones widened √φ = {np.sqrt(max(self.phi, 1.0)):.1f}×."
            )
        return head + "; these plain Poisson limits ignore it."


def estimate_overdispersion(
    count: np.ndarray, person_years: np.ndarray, pooled_rate: float, winsor: float = WINSOR
) -> Overdispersion:
    """Spiegelhalter's estimates from per-city counts and person-years at the target
    (pooled) rate per 100,000: z_i = (y_i - theta) / s_i with s_i^2 = theta * 1e5 / n_i,
    winsorised at the `winsor` and 1 - `winsor` quantiles; phi = mean z^2;
    tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w = 1 / s^2, floored at 0."""
    n = np.asarray(person_years, dtype="float64")
    y = np.asarray(count, dtype="float64") * RATE_BASE / n
    s2 = pooled_rate * RATE_BASE / n
    z = (y - pooled_rate) / np.sqrt(s2)
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    zw = np.clip(z, lo, hi)
    cities = len(z)
    phi = float(np.mean(zw**2))
    w = 1 / s2
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (cities * phi - (cities - 1)) / denominator) if denominator > 0 else 0.0
    p_value = float(chi2.sf(cities * phi, max(cities - 1, 1)))
    return Overdispersion(phi, tau2, cities, p_value)


def se_rate(pooled_rate: float, n: np.ndarray, method: str, od: Overdispersion | None) -> np.ndarray:
    """Standard error of a rate per 100,000 at population-time n under `method` (plain
    Poisson when `od` does not adjust)."""
    s2 = pooled_rate * RATE_BASE / n
    if od is None or method == "poisson" or not od.adjusts:
        return np.sqrt(s2)
    if method == "scaled":
        return np.sqrt(max(od.phi, 1.0) * s2)
    return np.sqrt(s2 + od.tau2)


def funnel_limits(
    pooled_rate: float,
    sizes: Sequence[float],
    levels: Sequence[float] = FUNNEL_LEVELS,
    method: str = "poisson",
    od: Overdispersion | None = None,
) -> pd.DataFrame:
    """Control limits on the rate per 100,000 for each population size (in person-years).

    pooled_rate is per 100,000. `poisson`: exact Poisson quantiles, interpolated. With
    overdispersion (`random_effects`, `scaled`, given `od`): normal limits
    theta +/- z_p * se, se^2 = s^2 + tau^2 or phi * s^2 (lower limits floored at 0).
    Columns: size, level, lower, upper.
    """
    n = np.asarray(sizes, dtype="float64")
    expected = pooled_rate / RATE_BASE * n
    parts = []
    for level in levels:
        tail = (1 - level) / 2
        if method == "poisson" or od is None or not od.adjusts:
            lower = poisson_limits(expected, tail) / n * RATE_BASE
            upper = poisson_limits(expected, 1 - tail) / n * RATE_BASE
        else:
            half = norm.ppf(1 - tail) * se_rate(pooled_rate, n, method, od)
            lower, upper = np.maximum(pooled_rate - half, 0.0), pooled_rate + half
        parts.append(pd.DataFrame({"size": n, "level": level, "lower": lower, "upper": upper}))
    return pd.concat(parts, ignore_index=True)


def bands(
    observed: np.ndarray,
    expected: np.ndarray,
    method: str = "poisson",
    od: Overdispersion | None = None,
    pooled_rate: float | None = None,
    person_years: np.ndarray | None = None,
) -> list[str]:
    """Where each observed count sits against the 95% and 99.8% limits of its expectation
    (exact Poisson limits, or the overdispersed limits of `method` on the rate scale)."""
    if method == "poisson" or od is None or not od.adjusts or pooled_rate is None or person_years is None:
        (lo95, hi95), (lo998, hi998) = (
            (poisson_limits(expected, (1 - lv) / 2), poisson_limits(expected, 1 - (1 - lv) / 2))
            for lv in FUNNEL_LEVELS
        )
        values = np.asarray(observed, dtype="float64")
    else:
        n = np.asarray(person_years, dtype="float64")
        se = se_rate(pooled_rate, n, method, od)
        (lo95, hi95), (lo998, hi998) = (
            (pooled_rate - norm.ppf(1 - (1 - lv) / 2) * se, pooled_rate + norm.ppf(1 - (1 - lv) / 2) * se)
            for lv in FUNNEL_LEVELS
        )
        values = np.asarray(observed, dtype="float64") * RATE_BASE / n
    out = []
    for i, o in enumerate(values):
        if o > hi998[i] or o < lo998[i]:
            out.append("above the 99.8% limit" if o > hi998[i] else "below the 99.8% limit")
        elif o > hi95[i] or o < lo95[i]:
            out.append("above the 95% limit" if o > hi95[i] else "below the 95% limit")
        else:
            out.append("within the 95% limits")
    return out
