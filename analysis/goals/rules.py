"""A goal's status rule and the pure, hand-checkable pieces of its path (docs/METHODS.md,
"Goals"): the baseline's monthly profile, the expected path, the interval around it
allowing for the series' dispersion, the status, the projection and how a change is
written. analysis.goals.progress puts them together for a stored goal."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import poisson

from analysis.stats.dispersion import Dispersion, series_dispersion
from analysis.stats.exact import SMALL_COUNT

Status = Literal["ahead", "on track", "at risk", "off track", "not started", "no data"]


STATUSES: tuple[Status, ...] = ("ahead", "on track", "at risk", "off track", "not started", "no data")


INTERVAL_LEVEL = 0.95


STATUS_RULE = (
    "A goal is a ceiling on the count. Each month the actual count since the start is compared "
    "with the count expected by now (the target spread over the baseline's own monthly profile) "
    f"and the central {INTERVAL_LEVEL:.0%} interval around it, which allows for the series' own "
    "month-to-month variation: its dispersion φ is estimated from the baseline years (quasi-Poisson; "
    "variance = φ × expected, negative binomial quantiles; φ = 1 is pure Poisson). "
    "**ahead** = below the interval; **on track** = inside it, at or below expected; "
    "**at risk** = inside it, above expected; **off track** = above the interval."
)


def interval_basis(d: Dispersion) -> str:
    """'φ = 2.5 from the baseline years' (what the interval allows for), in words."""
    if d.df == 0:
        return "Poisson: too few baseline months to estimate the dispersion"
    return f"φ = {d.phi:.1f} from the baseline years"


def baseline_dispersion(series: pd.DataFrame, years: tuple[int, ...]) -> Dispersion:
    """Quasi-Poisson dispersion of the baseline years' months of `series` (month, count)."""
    months = pd.to_datetime(series["month"])
    chosen = series[months.dt.year.isin(years).to_numpy()]
    return series_dispersion(pd.to_datetime(chosen["month"]).to_numpy(), chosen["count"].to_numpy())


def format_pct(value: float) -> str:
    """'−10%', '+5%', '0%' (a true minus sign; one decimal only when needed)."""
    text = f"{abs(value):.1f}".removesuffix(".0")
    return f"−{text}%" if value < 0 else f"+{text}%" if value > 0 else "0%"


def pct_or_diff(current: float, baseline: float) -> str:
    """Percent change, or the absolute change when the baseline is below SMALL_COUNT."""
    if baseline < SMALL_COUNT:
        diff = current - baseline
        return f"{'+' if diff >= 0 else '−'}{abs(diff):,.0f}"
    return format_pct(round(100.0 * (current - baseline) / baseline, 1))


def baseline_profile(series: pd.DataFrame, years: tuple[int, ...]) -> pd.Series:
    """Baseline count per calendar month (index 1..12): the mean over `years` of each
    month's count in `series` (columns month, count). Raises if a month is missing."""
    months = pd.DatetimeIndex(pd.to_datetime(series["month"]))
    chosen = np.isin(months.year.to_numpy(), years)
    year, month = months.year.to_numpy()[chosen], months.month.to_numpy()[chosen]
    if len(set(zip(year.tolist(), month.tolist(), strict=True))) != 12 * len(years):
        raise ValueError(f"the baseline years {list(years)} are not all complete in the data")
    # Every (year, month) is present: the mean over the years is the month's sum / years.
    sums = np.bincount(month - 1, weights=series["count"].to_numpy(dtype=float)[chosen], minlength=12)
    return pd.Series(sums / len(years), index=pd.Index(range(1, 13), name="month_of_year"))


def expected_path(profile: pd.Series, months: pd.DatetimeIndex, target_change_pct: float) -> pd.DataFrame:
    """Baseline and expected counts for each goal month, with their running sums.

    expected = baseline count of the same calendar month x (1 + target/100).
    """
    factor = 1.0 + target_change_pct / 100.0
    baseline = profile.reindex(months.month).to_numpy(dtype=float)
    expected = baseline * factor
    return pd.DataFrame(
        {
            "month": months,
            "baseline": baseline,
            "expected": expected,
            "baseline_cum": baseline.cumsum(),
            "expected_cum": expected.cumsum(),
        }
    )


def poisson_interval(mean: float, level: float = INTERVAL_LEVEL) -> tuple[int, int]:
    """Central `level` interval of a Poisson count with this mean (exact quantiles)."""
    low, high = poisson_intervals(np.array([mean], dtype=float), level)
    return (int(low[0]), int(high[0]))


def poisson_intervals(means: np.ndarray, level: float = INTERVAL_LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """poisson_interval of each mean, in one vectorised call (a goal has dozens of months)."""
    tail = (1.0 - level) / 2.0
    positive = means > 0
    safe = np.where(positive, means, 1.0)
    low = np.where(positive, poisson.ppf(tail, safe), 0).astype(int)
    high = np.where(positive, poisson.ppf(1.0 - tail, safe), 0).astype(int)
    return low, high


def classify(actual: float, expected: float, low: float, high: float) -> Status:
    """The status rule of STATUS_RULE (lower counts are better)."""
    if actual < low:
        return "ahead"
    if actual > high:
        return "off track"
    return "on track" if actual <= expected else "at risk"


def project_end(actual: float, baseline_so_far: float, baseline_total: float) -> float | None:
    """End-of-period count at the current pace relative to the baseline (seasonally
    adjusted): actual x baseline_total / baseline_so_far; None before any baseline count."""
    if baseline_so_far <= 0:
        return None
    return actual * baseline_total / baseline_so_far
