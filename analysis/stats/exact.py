"""Is a change real? An exact test for two Poisson counts (docs/METHODS.md, "Change badges").

Design decisions
- Two counts over two periods are judged with the conditional binomial test: given the
  total n = current + previous, and equal rates per day, `current` is Binomial(n, s)
  with s = days_current / (days_current + days_previous) (Przyborowski & Wilenski 1940;
  statsmodels' `test_poisson_2indep(..., method="exact-cond")`). The exposure is the
  number of days in each period, so a leap-year February or a 366-day year is allowed for.
- Two-sided p-value = min(1, 2 * the smaller one-sided tail) (the "central" method:
  stable when the exposures differ by a day, and matching the Clopper-Pearson interval;
  with equal exposures it equals scipy's default two-sided binomtest exactly).
- Levels: notable p < NOTABLE_P (0.05), strong p < STRONG_P (0.001). The test is
  discrete and conservative, so with no real change a badge reads "notable" at most 5% of
  the time (tests/analysis/stats/test_exact.py simulates it).
- Below SMALL_COUNT events in either period the percentage is withheld ("3 -> 5", not
  "+67%") and a badge carries no colour or bold emphasis, whatever its p-value.
- A page showing many judgements says how many would read notable by chance alone
  (chance_note) instead of adjusting each p-value: a badge then reads the same on every
  page and in every briefing pack, whichever other cells sit beside it.
- Replaces the earlier z = 2(sqrt(current) - sqrt(previous)) rule, whose null standard
  deviation is sqrt(2), so |z| >= 2 fired for about 16% of pure-chance changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import binom

SMALL_COUNT = 10
NOTABLE_P = 0.05
STRONG_P = 0.001

Strength = Literal["not notable", "notable", "strong"]
Direction = Literal["up", "down", "no change"]

LEVELS_TEXT = (
    f"exact Poisson test, exposure = days in each period; notable p < {NOTABLE_P:g}, "
    f"strong p < {STRONG_P:g}; no colour below {SMALL_COUNT} offenses in either period"
)


def exact_p_values(
    current: ArrayLike,
    previous: ArrayLike,
    days_current: ArrayLike = 1.0,
    days_previous: ArrayLike = 1.0,
) -> np.ndarray:
    """Two-sided p-values that two Poisson counts have the same rate per day.

    Conditional binomial test: current ~ Binomial(current + previous, s) with
    s = days_current / (days_current + days_previous); p = min(1, 2 * smaller tail).
    Vectorised; 1.0 where both counts are zero.
    """
    c = np.asarray(current, dtype="float64")
    p = np.asarray(previous, dtype="float64")
    if np.any(c < 0) or np.any(p < 0):
        raise ValueError("counts must be non-negative")
    dc = np.asarray(days_current, dtype="float64")
    dp = np.asarray(days_previous, dtype="float64")
    if np.any(dc <= 0) or np.any(dp <= 0):
        raise ValueError("exposures must be positive")
    n = c + p
    share = dc / (dc + dp)
    lower = binom.cdf(c, n, share)  # P(X <= current)
    upper = binom.sf(c - 1, n, share)  # P(X >= current)
    out = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return np.where(n > 0, out, 1.0)


@lru_cache(maxsize=65_536)
def exact_p_value(
    current: int, previous: int, days_current: float = 1.0, days_previous: float = 1.0
) -> float:
    """exact_p_values for one pair of counts. Remembered: a page tests the same pairs again
    on every rerun (its badges, table and text), and one scipy call costs about 0.1 ms."""
    return float(exact_p_values([current], [previous], [days_current], [days_previous])[0])


def with_p(change: Change, p: float) -> Change:
    """`change` with its p-value already computed (by exact_p_values over a whole frame),
    so that its text and badge do not test the pair again one at a time."""
    change.__dict__["p"] = float(p)  # the cached_property's slot
    return change


def strength_of(p: float) -> Strength:
    """The judgement for a p-value: strong (p < 0.001), notable (p < 0.05), not notable."""
    if p < STRONG_P:
        return "strong"
    if p < NOTABLE_P:
        return "notable"
    return "not notable"


def format_p(p: float) -> str:
    """Two significant figures ('p = 0.25', 'p = 0.065', 'p = 0.0012'), 'p < 0.0001' below."""
    if p < 1e-4:
        return "p < 0.0001"
    if p >= 0.995:
        return "p = 1.0"
    return f"p = {p:#.2g}"


def days_between(start: date, end: date) -> int:
    """Days from `start` to `end`, both included (the exposure of a period)."""
    return (end - start).days + 1


@dataclass(frozen=True)
class Change:
    """A change between two counts, with everything a badge needs to say about it.

    days_current / days_previous: the length of each period (the test's exposure); equal
    lengths when not given.
    """

    current: int
    previous: int
    days_current: float = 1.0
    days_previous: float = 1.0

    @property
    def diff(self) -> int:
        return self.current - self.previous

    @property
    def pct(self) -> float | None:
        """Percent change, or None when either count is below SMALL_COUNT."""
        if self.current < SMALL_COUNT or self.previous < SMALL_COUNT:
            return None
        return 100.0 * self.diff / self.previous

    @cached_property
    def p(self) -> float:
        """Two-sided exact p-value of 'same rate per day in both periods' (computed once:
        cached_property writes the instance __dict__, which a frozen dataclass allows)."""
        return exact_p_value(self.current, self.previous, self.days_current, self.days_previous)

    @property
    def strength(self) -> Strength:
        return strength_of(self.p)

    @property
    def small(self) -> bool:
        """Fewer than SMALL_COUNT events in either period: no percentage, no emphasis."""
        return min(self.current, self.previous) < SMALL_COUNT

    @property
    def emphasis(self) -> Strength:
        """The strength a badge may show in colour and weight: 'not notable' for small counts."""
        return "not notable" if self.small else self.strength

    @property
    def direction(self) -> Direction:
        return "up" if self.diff > 0 else "down" if self.diff < 0 else "no change"

    def text(self, with_p: bool = True, with_diff: bool = False) -> str:
        """Plain words, no colour needed: 'up 12% (279 → 312), notable (p = 0.03)'.

        `with_p=False` leaves the p-value out (narrow tables carry it in a tooltip);
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
        p = f" ({format_p(self.p)})" if with_p else ""
        return f"{head} ({counts}), {self.strength}{p}"


def compare_counts(
    current: int, previous: int, days_current: float = 1.0, days_previous: float = 1.0
) -> Change:
    """The Change from `previous` to `current` (periods of the given lengths in days)."""
    return Change(int(current), int(previous), float(days_current), float(days_previous))


def judge_frame(
    frame: pd.DataFrame,
    current: str = "current",
    previous: str = "previous",
    days: tuple[str, str] = ("days_current", "days_previous"),
) -> pd.DataFrame:
    """Vectorised judgement columns for a frame of count pairs: p, strength, emphasis.

    Exposures come from the `days` columns when the frame has them, else equal lengths.
    Rows missing either count get None.
    """
    c = pd.to_numeric(frame[current], errors="coerce").astype("float64")
    p = pd.to_numeric(frame[previous], errors="coerce").astype("float64")
    ok = (c.notna() & p.notna()).to_numpy()
    dc = frame[days[0]].astype("float64").to_numpy() if days[0] in frame else np.ones(len(frame))
    dp = frame[days[1]].astype("float64").to_numpy() if days[1] in frame else np.ones(len(frame))
    pv = np.full(len(frame), np.nan)
    if ok.any():
        pv[ok] = exact_p_values(c.to_numpy()[ok], p.to_numpy()[ok], dc[ok], dp[ok])
    small = np.minimum(c.fillna(0).to_numpy(), p.fillna(0).to_numpy()) < SMALL_COUNT
    strengths = [strength_of(v) if k else None for v, k in zip(pv, ok, strict=True)]
    emphasis = [
        ("not notable" if s_ else st) if st else None for st, s_ in zip(strengths, small, strict=True)
    ]
    return pd.DataFrame({"p": pv, "strength": strengths, "emphasis": emphasis}, index=frame.index)


def expected_by_chance(judgements: int) -> tuple[float, float]:
    """At most how many of `judgements` would read notable / strong with no real change."""
    return judgements * NOTABLE_P, judgements * STRONG_P


def chance_note(judgements: int, notable: int, what: str = "changes") -> str:
    """The page's multiple-comparison note: how many of its judgements would read notable
    by chance alone, beside how many do ('notable' here counts strong ones too)."""
    if judgements == 0:
        return ""
    chance, _ = expected_by_chance(judgements)
    return (
        f"Of these {judgements} {what}, {notable} read notable or strong; with no real change anywhere, "
        f"up to {chance:.1f} would read notable by chance alone (each is tested at p < {NOTABLE_P:g})."
    )


def most_notable(frame: pd.DataFrame) -> int | None:
    """Index label of the row with the smallest p-value (ties: the largest absolute change),
    or None when nothing is judged."""
    judged = frame.dropna(subset=["p"])
    if judged.empty:
        return None
    diff = (judged["current"].astype("float64") - judged["previous"].astype("float64")).abs()
    order = pd.DataFrame({"p": judged["p"].astype("float64"), "neg": -diff}).sort_values(["p", "neg"])
    return order.index[0]  # type: ignore[no-any-return]
