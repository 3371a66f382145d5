"""Interventions as a user states them (a goal as stated is analysis.goals.goal.GoalSpec),
the limits goals and interventions are checked against, and the error that lists every problem."""

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
class InterventionSpec:
    """A programme or strategy start to mark and test (end and area optional)."""

    city_id: str
    name: str
    start_date: date
    end_date: date | None = None
    area: str | None = None
    note: str | None = None
