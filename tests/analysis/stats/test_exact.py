"""Change judgements: the exact test for two Poisson counts, against scipy and statsmodels,
and its false-alarm rate with no real change, by seeded simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats import rates

from analysis.stats.exact import (
    NOTABLE_P,
    chance_note,
    compare_counts,
    exact_p_value,
    exact_p_values,
    format_p,
    judge_frame,
    most_notable,
    strength_of,
)

# (current, previous): the issue's hand cases, both directions.
HAND_CASES = [(3, 0), (0, 3), (9, 2), (2, 9), (12, 8), (8, 12), (78, 100), (100, 78), (360, 400), (400, 360)]
HAND_CASES += [(940, 1000), (1000, 940)]


@pytest.mark.parametrize(("current", "previous"), HAND_CASES)
def test_equal_periods_match_scipy_binomtest_and_statsmodels_exactly(current: int, previous: int) -> None:
    """With equal exposures the central two-sided p is scipy's default two-sided binomtest
    and statsmodels' exact conditional test, to the last bit that matters."""
    p = exact_p_value(current, previous)
    assert p == pytest.approx(binomtest(current, current + previous, 0.5).pvalue, rel=1e-12, abs=1e-15)
    sm = rates.test_poisson_2indep(current, 1.0, previous, 1.0, method="exact-cond").pvalue
    assert p == pytest.approx(sm, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize(("current", "previous"), HAND_CASES)
@pytest.mark.parametrize(("days_current", "days_previous"), [(60, 59), (365, 366), (31, 28)])
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels, a zero count
def test_unequal_periods_are_twice_the_smaller_exact_tail(
    current: int, previous: int, days_current: int, days_previous: int
) -> None:
    """With exposures, p = min(1, 2 x the smaller one-sided exact tail), each tail as scipy's
    binomtest and statsmodels' exact-cond test give it."""
    n, share = current + previous, days_current / (days_current + days_previous)
    scipy_tails = (
        binomtest(current, n, share, alternative="less").pvalue,
        binomtest(current, n, share, alternative="greater").pvalue,
    )
    sm_tails = tuple(
        rates.test_poisson_2indep(
            current, days_current, previous, days_previous, method="exact-cond", alternative=alt
        ).pvalue
        for alt in ("smaller", "larger")
    )
    p = exact_p_value(current, previous, days_current, days_previous)
    assert p == pytest.approx(min(1.0, 2 * min(scipy_tails)), rel=1e-12, abs=1e-15)
    assert p == pytest.approx(min(1.0, 2 * min(sm_tails)), rel=1e-9, abs=1e-15)


def test_the_issue_examples_by_hand() -> None:
    # 0 vs 3: P(X = 0) = P(X = 3) = 1/8 under Binomial(3, 1/2): p = 1/4.
    assert exact_p_value(0, 3) == 0.25
    # 2 vs 9: 2 * (1 + 11 + 55) / 2^11.
    assert exact_p_value(2, 9) == pytest.approx(2 * 67 / 2048)
    # 1 vs 4 (Springfield murder): 2 * (1 + 5) / 32.
    assert exact_p_value(4, 1) == pytest.approx(0.375)
    # a district going 1 -> 0
    assert exact_p_value(0, 1) == 1.0
    assert exact_p_value(0, 0) == 1.0
    assert [compare_counts(c, p).strength for c, p in [(3, 0), (9, 2), (0, 1), (4, 1)]] == ["not notable"] * 4


def test_a_leap_day_moves_the_test_only_slightly() -> None:
    # The central method does not halve p for one day's difference in exposure.
    assert exact_p_value(0, 3, 60, 59) == pytest.approx(0.2437503, abs=1e-6)
    assert exact_p_value(3, 0, 60, 59) == pytest.approx(0.2563556, abs=1e-6)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        exact_p_value(-1, 3)
    with pytest.raises(ValueError):
        exact_p_value(1, 3, 0, 30)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.5, "not notable"),
        (0.05, "not notable"),
        (0.0499, "notable"),
        (0.001, "notable"),
        (0.00099, "strong"),
    ],
)
def test_levels(p: float, expected: str) -> None:
    assert strength_of(p) == expected


def test_format_p() -> None:
    assert format_p(0.25) == "p = 0.25"
    assert format_p(0.0654296875) == "p = 0.065"
    assert format_p(0.00024) == "p = 0.00024"
    assert format_p(0.00001) == "p < 0.0001"
    assert format_p(1.0) == "p = 1.0"
    assert format_p(0.6023) == "p = 0.60"


def test_change_text_percent_and_p() -> None:
    small = compare_counts(5, 3)
    assert small.pct is None and small.diff == 2
    assert small.text() == "up 2 (3 → 5), not notable (p = 0.73)"  # 2 * P(X >= 5 | 8, 1/2) = 186/256
    big = compare_counts(312, 279)
    assert big.pct == pytest.approx(100 * 33 / 279)
    assert big.p == pytest.approx(binomtest(312, 591, 0.5).pvalue)
    assert big.text() == "up 12% (279 → 312), not notable (p = 0.19)"
    assert big.text(with_diff=True) == "up 33 or 12% (279 → 312), not notable (p = 0.19)"
    assert big.text(with_p=False) == "up 12% (279 → 312), not notable"
    assert compare_counts(40, 40).text().startswith("no change")
    assert compare_counts(10, 9).pct is None  # previous below ten


def test_small_counts_carry_no_emphasis() -> None:
    few = compare_counts(13, 0)  # p = 2 / 2^13 = 0.00024: strong, but 0 events before
    assert few.strength == "strong" and few.small and few.emphasis == "not notable"
    many = compare_counts(100, 64)
    assert many.strength == "notable" and many.emphasis == "notable"


def test_judge_frame_is_the_scalar_test_row_by_row() -> None:
    frame = pd.DataFrame(
        {
            "current": [3, 100, 13, None],
            "previous": [0, 64, 0, 5],
            "days_current": [59, 365, 31, 31],
            "days_previous": [60, 366, 31, 31],
        }
    )
    judged = judge_frame(frame)
    assert judged["p"].iloc[0] == pytest.approx(exact_p_value(3, 0, 59, 60))
    assert judged["p"].iloc[1] == pytest.approx(exact_p_value(100, 64, 365, 366))
    assert judged["strength"].iloc[:3].tolist() == ["not notable", "notable", "strong"]
    assert judged["emphasis"].iloc[:3].tolist() == ["not notable", "notable", "not notable"]
    assert judged.iloc[3].isna().all()
    frame["p"] = judged["p"]
    assert most_notable(frame) == 2


def test_chance_note() -> None:
    assert chance_note(36, 9, "changes") == (
        "Of these 36 changes, 9 read notable or strong; with no real change anywhere, up to 1.8 would "
        "read notable by chance alone (each is tested at p < 0.05)."
    )
    assert chance_note(0, 0) == ""


@pytest.mark.parametrize("mean", [3, 10, 100, 1000])
@pytest.mark.parametrize(("days_current", "days_previous"), [(1, 1), (59, 60)])
def test_no_change_reads_notable_at_most_five_percent(
    mean: float, days_current: int, days_previous: int
) -> None:
    """Seeded simulation: both periods Poisson with the same rate per day. The share of
    'notable or strong' is at most 5% plus three Monte Carlo standard errors (and, at
    large means, where the test is nearly continuous, not far below 5%)."""
    rng = np.random.default_rng(20261130 + mean)
    draws = 40_000
    rate = mean / days_previous
    current = rng.poisson(rate * days_current, draws)
    previous = rng.poisson(rate * days_previous, draws)
    notable = float(np.mean(exact_p_values(current, previous, days_current, days_previous) < NOTABLE_P))
    mc_error = np.sqrt(NOTABLE_P * (1 - NOTABLE_P) / draws)
    assert notable <= NOTABLE_P + 3 * mc_error
    if mean >= 100:
        assert notable >= NOTABLE_P - 0.01


def test_the_old_rule_fired_far_more_often() -> None:
    """Why the rule changed: |2(sqrt(a) - sqrt(b))| >= 2 fires for about 16% of chance
    changes at a mean of 100 (its null standard deviation is sqrt(2), not 1)."""
    rng = np.random.default_rng(7)
    a, b = rng.poisson(100, 40_000), rng.poisson(100, 40_000)
    old = float(np.mean(np.abs(2 * (np.sqrt(a) - np.sqrt(b))) >= 2))
    assert 0.14 < old < 0.18
