"""Is a change real? Poisson judgements for two counts (METHODS.md, "Change over time").

Counts of crimes are roughly Poisson. Wheeler's z-score for two counts,
z = 2 * (sqrt(current) - sqrt(previous)), is the judgement every change badge carries:
|z| >= 2 notable, |z| >= 3 strong. Below SMALL_COUNT events in either period the
percentage is withheld ("3 -> 5", not "+67%"). Exact p-values come from statsmodels'
E-test (Krishnamoorthy & Thomson 2004) rather than a hand-rolled test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from statsmodels.stats.rates import test_poisson_2indep

SMALL_COUNT = 10
NOTABLE_Z = 2.0
STRONG_Z = 3.0

Strength = Literal["not notable", "notable", "strong"]
Direction = Literal["up", "down", "no change"]


def poisson_z(current: float, previous: float) -> float:
    """Wheeler's Poisson z-score for a change from `previous` to `current` (counts >= 0)."""
    if current < 0 or previous < 0:
        raise ValueError("counts must be non-negative")
    return 2.0 * (math.sqrt(current) - math.sqrt(previous))


def strength(z: float) -> Strength:
    """The judgement for a z-score: strong (|z| >= 3), notable (|z| >= 2), or not notable."""
    if abs(z) >= STRONG_Z:
        return "strong"
    if abs(z) >= NOTABLE_Z:
        return "notable"
    return "not notable"


def etest_p_value(current: int, previous: int, exposure_ratio: float = 1.0) -> float:
    """Two-sided exact-ish p-value that the two Poisson rates are equal (E-test).

    `exposure_ratio` = current period length (or population-time) / previous one.
    """
    if current == 0 and previous == 0:
        return 1.0
    result = test_poisson_2indep(current, exposure_ratio, previous, 1.0, method="etest-wald")
    return float(result.pvalue)


@dataclass(frozen=True)
class Change:
    """A change between two counts, with everything a badge needs to say about it."""

    current: int
    previous: int

    @property
    def diff(self) -> int:
        return self.current - self.previous

    @property
    def pct(self) -> float | None:
        """Percent change, or None when either count is below SMALL_COUNT."""
        if self.current < SMALL_COUNT or self.previous < SMALL_COUNT:
            return None
        return 100.0 * self.diff / self.previous

    @property
    def z(self) -> float:
        return poisson_z(self.current, self.previous)

    @property
    def strength(self) -> Strength:
        return strength(self.z)

    @property
    def direction(self) -> Direction:
        return "up" if self.diff > 0 else "down" if self.diff < 0 else "no change"

    def text(self, with_z: bool = True, with_diff: bool = False) -> str:
        """Plain words, no colour needed: 'up 12% (279 → 312), notable (z = 2.1)'.

        `with_z=False` leaves the z-score out (narrow tables carry it in a tooltip);
        `with_diff=True` puts the absolute change beside the percentage:
        'up 33 or 12% (279 → 312), ...'.
        """
        counts = f"{self.previous:,} → {self.current:,}"
        if self.direction == "no change":
            head = "no change"
        elif self.pct is None:
            head = f"{self.direction} {abs(self.diff):,}"
        elif with_diff:
            head = f"{self.direction} {abs(self.diff):,} or {abs(self.pct):.0f}%"
        else:
            head = f"{self.direction} {abs(self.pct):.0f}%"
        z = f" (z = {self.z:+.1f})" if with_z else ""
        return f"{head} ({counts}), {self.strength}{z}"


def compare_counts(current: int, previous: int) -> Change:
    """The Change from `previous` to `current`."""
    return Change(int(current), int(previous))
