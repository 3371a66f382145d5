"""What a goal is: `GoalSpec` as a user states it (the TOML file, the CLI, the Goals page
form; ingest.goals validates and stores it) and `Goal`, the same fields as the store holds
them with the id, the city's display name and the source. One definition of the fields for
both sides: the write side may import analysis, the read side never imports ingest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

import pandas as pd

from analysis.goals.rules import format_pct
from kernel.vocabulary import SERIES_LABELS


@dataclass(frozen=True)
class GoalSpec:
    """A goal as a user states it, before validation.

    baseline_years: one year (a calendar-year baseline) or several (their mean).
    target_change_pct: e.g. -10 for "10% fewer than the baseline".
    """

    city_id: str
    offense: str
    baseline_years: tuple[int, ...]
    target_change_pct: float
    start_date: date
    deadline: date
    district: str | None = None
    owner: str | None = None
    note: str | None = None

    @property
    def baseline_kind(self) -> Literal["year", "mean_of_years"]:
        """`year` for one baseline year, `mean_of_years` for several."""
        return "year" if len(self.baseline_years) == 1 else "mean_of_years"


@dataclass(frozen=True, kw_only=True)
class Goal(GoalSpec):
    """One stored goal (a row of `goals`), with the city's display name."""

    goal_id: int
    city: str
    source: str = "user"

    @cached_property
    def months(self) -> pd.DatetimeIndex:
        """The whole calendar months the goal covers (first days; computed once)."""
        first = pd.Timestamp(self.start_date).to_period("M").to_timestamp()
        last = pd.Timestamp(self.deadline).to_period("M").to_timestamp()
        return pd.date_range(first, last, freq="MS")

    @property
    def area(self) -> str:
        return f"{self.city}, {self.district}" if self.district else self.city

    @property
    def baseline_label(self) -> str:
        years = self.baseline_years
        if len(years) == 1:
            return str(years[0])
        if list(years) == list(range(years[0], years[-1] + 1)):
            return f"mean of {years[0]}–{years[-1]}"
        return "mean of " + ", ".join(str(y) for y in years)

    @property
    def label(self) -> str:
        """'Violent crime −10% vs 2024, Jan 2025–Dec 2025'."""
        months = self.months
        return (
            f"{SERIES_LABELS.get(self.offense, self.offense)} {format_pct(self.target_change_pct)} "
            f"vs {self.baseline_label}, {months[0]:%b %Y}–{months[-1]:%b %Y}"
        )
