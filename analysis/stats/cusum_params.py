"""The CUSUM's parameters, in one place (the method: analysis.stats.cusum; docs/METHODS.md,
"Alarms"), and the words the Goals page shows about them."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class CusumParams:
    """The CUSUM's parameters.

    shift: the rate ratio the CUSUM is tuned to detect (1.2 = a 20% rise); it sets the
      reference value k_t = baseline_t (shift - 1) / ln(shift).
    arl0_months: in-control average run length: months between false signals of one series
      with no real change (60 = one per five years). Sets each series' threshold H.
    baseline_years: the baseline is the mean of the same month in this many earlier years.
    lookback_months: an alert is a signal within this many last complete months.
    paths, horizon_months, seed: the calibrating simulation (in-control histories per
      series, their length, the random seed: the same store gives the same thresholds).
    threshold: a fixed H in offenses for every series instead (hand-checked tests).
    """

    shift: float = 1.2
    arl0_months: float = 60.0
    baseline_years: int = 3
    lookback_months: int = 3
    paths: int = 200
    horizon_months: int = 150
    seed: int = 2017
    threshold: float | None = None

    @property
    def k_factor(self) -> float:
        """k_t / baseline_t."""
        return (self.shift - 1) / math.log(self.shift)

    def with_lookback(self, months: int) -> CusumParams:
        """The same CUSUM with another alert window."""
        return replace(self, lookback_months=months)

    def validate(self) -> None:
        if not self.shift > 1 or not self.arl0_months > 1 or self.baseline_years < 1:
            raise ValueError("shift must be above 1, arl0_months above 1 and baseline_years at least 1")
        if self.threshold is not None and not self.threshold > 0:
            raise ValueError("a fixed threshold must be above 0")

    def describe(self) -> str:
        h = (
            f"threshold H = {self.threshold:g} offenses for every series"
            if self.threshold is not None
            else f"threshold H (in offenses) set per series by simulating its own level and dispersion so "
            f"that, with no real change, it signals once in {self.arl0_months:.0f} months on average "
            f"(in-control run length; one false alarm per series per {self.arl0_months / 12:g} years)"
        )
        return (
            f"CUSUM on the count scale: each month adds (count − k), k = baseline × {self.k_factor:.3f} "
            f"(tuned to a rise of {100 * (self.shift - 1):.0f}%), never below 0; a signal when the sum "
            f"reaches H; {h}. Baseline = mean of the same month in the previous {self.baseline_years} "
            f"years; alerts = signals in each series' own last {self.lookback_months} months."
        )

    def false_alarms_note(self, series: int) -> str:
        """How many false alarms to expect across `series` series with no real change."""
        if series == 0:
            return ""
        per_year = series * 12 / self.arl0_months
        in_window = series * self.lookback_months / self.arl0_months
        return (
            f"{series} series are watched. With no real change anywhere, about "
            f"{per_year:.{0 if per_year >= 10 else 1}f} false "
            f"alarms a year are expected across them (about {in_window:.1f} in any "
            f"{self.lookback_months}-month window): read an alert as a prompt to look, not as proof."
        )


CUSUM = CusumParams()
