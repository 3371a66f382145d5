"""Goals and interventions as a user states them, the limits they are checked against,
and the error that lists every problem."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from kernel.settings import DATA_DIR

TARGET_MIN, TARGET_MAX = -90.0, 100.0
MAX_PERIOD_MONTHS = 60
MAX_BASELINE_YEARS = 10
MAX_TEXT = 500
DEMO_GOALS_FILE = DATA_DIR / "goals.toml"
GOAL_SOURCES = ("demo", "user", "file")
INTERVENTION_SOURCES = ("seed", "user", "file")


class GoalError(ValueError):
    """Bad goal or intervention input; `problems` lists every one in plain words."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


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
    def baseline_kind(self) -> str:
        """`year` for one baseline year, `mean_of_years` for several."""
        return "year" if len(self.baseline_years) == 1 else "mean_of_years"


@dataclass(frozen=True)
class InterventionSpec:
    """A programme or strategy start to mark and test (end and area optional)."""

    city_id: str
    name: str
    start_date: date
    end_date: date | None = None
    area: str | None = None
    note: str | None = None
