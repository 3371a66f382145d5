"""Poisson judgements, computed by hand."""

from __future__ import annotations

import math

import pytest

from analysis.stats import compare_counts, etest_p_value, poisson_z, strength


def test_poisson_z_by_hand() -> None:
    # 2 * (sqrt(100) - sqrt(64)) = 2 * (10 - 8) = 4
    assert poisson_z(100, 64) == pytest.approx(4.0)
    assert poisson_z(64, 100) == pytest.approx(-4.0)
    assert poisson_z(0, 0) == 0.0
    with pytest.raises(ValueError):
        poisson_z(-1, 3)


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        (0.0, "not notable"),
        (1.99, "not notable"),
        (2.0, "notable"),
        (-2.5, "notable"),
        (3.0, "strong"),
        (-7, "strong"),
    ],
)
def test_strength_boundaries(z: float, expected: str) -> None:
    assert strength(z) == expected


def test_change_withholds_percent_below_ten() -> None:
    small = compare_counts(5, 3)
    assert small.pct is None and small.diff == 2
    assert small.text().startswith("up 2 (3 → 5)")
    assert "%" not in small.text()
    big = compare_counts(312, 279)
    assert big.pct == pytest.approx(100 * 33 / 279)
    # z = 2 * (sqrt(312) - sqrt(279)) = 2 * (17.6635 - 16.7033) = 1.9204
    assert big.z == pytest.approx(2 * (math.sqrt(312) - math.sqrt(279)))
    assert big.strength == "not notable"
    assert big.text() == "up 12% (279 → 312), not notable (z = +1.9)"
    assert compare_counts(40, 40).text().startswith("no change")
    assert compare_counts(10, 9).pct is None  # previous below ten


def test_etest_agrees_with_z_judgement() -> None:
    assert etest_p_value(100, 64) < 0.01  # z = 4: strong
    assert etest_p_value(50, 48) > 0.5
    assert etest_p_value(0, 0) == 1.0


def test_change_text_can_carry_the_absolute_change() -> None:
    big = compare_counts(312, 279)
    assert big.text(with_diff=True) == "up 33 or 12% (279 → 312), not notable (z = +1.9)"
    assert big.text(with_z=False) == "up 12% (279 → 312), not notable"
    # Below ten events there is no percentage to put it beside.
    assert compare_counts(5, 3).text(with_diff=True) == "up 2 (3 → 5), not notable (z = +1.0)"
