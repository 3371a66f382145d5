"""Measurable goals: progress against a seasonal expected-by-now path, with a status.

Design decisions (docs/METHODS.md, "Goals")
- A goal is a ceiling: "at most baseline x (1 + target/100) offenses over the goal
  period". Counting is by whole calendar months, from the month of the start date to the
  month of the deadline, because the rollups and the published counts are monthly.
- The baseline's own monthly profile spreads the target: for every month of the goal
  period the baseline count of the same calendar month (one year, or the mean over the
  baseline years) is scaled by (1 + target/100). The expected-by-now count is the sum of
  those months so far, so a goal that started in January is not judged "ahead" just
  because winter is quiet.
- Status compares the actual count since the start with a central interval of the
  expected count that allows for the series' own overdispersion: phi is estimated from the
  baseline years' months (quasi-Poisson, analysis.stats.dispersion.series_dispersion), and the
  interval holds the negative binomial quantiles with mean = expected and variance =
  phi x expected (Poisson when phi = 1). Crime counts vary more than Poisson counts
  (phi 1-13 in the demo goals), so a pure Poisson interval would call noise "off track".
  STATUS_RULE says the rule in words and is shown on the page. "As of" is the last complete month of the goal's data, never the
  wall clock, so a status is a pure function of the store.
- The projection keeps the current pace relative to the baseline: actual so far divided
  by the baseline count of the same months, times the baseline count of the whole period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

import duckdb
import pandas as pd

from analysis.goals.goal import Goal
from analysis.goals.rules import (
    INTERVAL_LEVEL,
    Status,
    baseline_dispersion,
    baseline_profile,
    classify,
    expected_path,
    interval_basis,
    pct_or_diff,
    project_end,
)
from analysis.series.city_series import monthly_series, monthly_series_many
from analysis.stats.dispersion import Dispersion, count_intervals
from kernel.vocabulary import SERIES_LABELS, SERIES_OFFENSES

Phase = Literal["not started", "in progress", "ended"]

SPARK_MONTHS = 24


@dataclass(frozen=True)
class Progress:
    """Where a goal stands at its last complete month of data. Every figure is read from
    `path` (one row per month of the goal) at `as_of`, so none can disagree with the chart."""

    goal: Goal
    # month, baseline, expected, baseline_cum, expected_cum, low, high, actual, actual_cum;
    # only month when the store has no data for the baseline
    path: pd.DataFrame
    as_of: pd.Timestamp | None = None  # last month counted (None: no month yet, or no data)
    dispersion: Dispersion = Dispersion(1.0, 1.0, 0)  # of the baseline years' months

    @property
    def has_data(self) -> bool:
        return "expected" in self.path

    @property
    def months_total(self) -> int:
        return len(self.goal.months)

    @cached_property
    def months_elapsed(self) -> int:
        return 0 if self.as_of is None else int((self.path["month"] <= self.as_of).sum())

    @property
    def phase(self) -> Phase:
        if self.as_of is None:
            return "not started"
        return "ended" if self.months_elapsed == self.months_total else "in progress"

    @property
    def status(self) -> Status:
        if not self.has_data:
            return "no data"
        if self.as_of is None:
            return "not started"
        return classify(self.actual, self.expected, self.low, self.high)

    @cached_property
    def _now(self) -> pd.Series | None:
        """The path's row at `as_of`."""
        return None if self.as_of is None else self.path[self.path["month"] <= self.as_of].iloc[-1]

    def _so_far(self, column: str) -> float:
        return 0.0 if self._now is None else float(self._now[column])

    @property
    def actual(self) -> int:
        return int(self._so_far("actual_cum"))

    @property
    def expected(self) -> float:
        return self._so_far("expected_cum")

    @property
    def low(self) -> int:
        return int(self._so_far("low"))

    @property
    def high(self) -> int:
        return int(self._so_far("high"))

    @property
    def baseline_so_far(self) -> float:
        return self._so_far("baseline_cum")

    @property
    def baseline_total(self) -> float:
        return float(self.path["baseline"].sum()) if self.has_data else 0.0

    @property
    def target_total(self) -> float:
        return float(self.path["expected"].sum()) if self.has_data else 0.0

    @property
    def projected_end(self) -> float | None:
        if self.as_of is None:
            return None
        return project_end(self.actual, self.baseline_so_far, self.baseline_total)

    def summary(self) -> str:
        """Plain counts: '312 so far vs 340 expected by now (interval 304–376) ...'."""
        g = self.goal
        if self.status == "no data":
            return (
                f"No complete data for {SERIES_LABELS.get(g.offense, g.offense).lower()} in {g.area} "
                f"for the baseline ({g.baseline_label}) in this store."
            )
        target = f"The target is at most {self.target_total:,.0f} by {g.months[-1]:%B %Y}"
        target += f" (baseline {g.baseline_label}: {self.baseline_total:,.0f} in the same months)."
        if self.phase == "not started" or self.as_of is None:
            return f"Starts {g.months[0]:%B %Y}; the data runs to an earlier month. {target}"
        head = (
            f"{self.actual:,} so far vs {self.expected:,.0f} expected by now "
            f"({INTERVAL_LEVEL:.0%} interval {self.low:,}–{self.high:,}, {interval_basis(self.dispersion)}), "
            f"{self.months_elapsed} of {self.months_total} months to {self.as_of:%b %Y}."
        )
        projection = ""
        if self.projected_end is not None and self.phase == "in progress":
            change = pct_or_diff(self.projected_end, self.baseline_total)
            projection = (
                f" At the current pace: {self.projected_end:,.0f} by the deadline ({change} vs baseline)."
            )
        if self.phase == "ended":
            change = pct_or_diff(self.actual, self.baseline_total)
            projection = f" Ended: {self.actual:,} over the period ({change} vs baseline)."
        return f"{head} {target}{projection}"


def progress(goal: Goal, series: pd.DataFrame) -> Progress:
    """Progress of `goal` given its monthly series (columns month, count), as of the
    series' last month."""
    months = goal.months
    try:
        if series.empty:
            raise ValueError("no data")
        profile = baseline_profile(series, goal.baseline_years)
    except ValueError:
        # No series, or the baseline years are no longer complete in the store (data
        # replaced since the goal was set): say so rather than judge against nothing.
        return Progress(goal, pd.DataFrame({"month": months}))
    path = expected_path(profile, months, goal.target_change_pct)
    counts = series.assign(month=pd.to_datetime(series["month"])).set_index("month")["count"]
    covered = path["month"] <= counts.index.max()
    path["actual"] = path["month"].map(counts).where(covered)
    path["actual_cum"] = path["actual"].cumsum().where(covered)
    dispersion = baseline_dispersion(series, goal.baseline_years)
    path["low"], path["high"] = count_intervals(
        path["expected_cum"].to_numpy(dtype=float), INTERVAL_LEVEL, dispersion.phi
    )
    as_of = pd.Timestamp(path.loc[covered, "month"].iloc[-1]) if covered.any() else None
    return Progress(goal, path, as_of, dispersion)


# --- store access -------------------------------------------------------------------------

GOALS_SQL = """
with final as (
    select g.goal_id, g.city_id, c.name as city, g.district, g.offense,
           case when g.baseline_kind = 'year' then [g.baseline_year] else g.baseline_years end as years,
           g.target_change_pct, g.start_date, g.deadline, g.owner, g.note, g.source
    from goals g join cities c using (city_id)
)
select * from final order by city, goal_id
"""


def _goal(row: tuple[object, ...]) -> Goal:
    (goal_id, city_id, city, district, offense, years, target, start, deadline, owner, note, source) = row
    assert isinstance(years, list)
    return Goal(
        goal_id=int(str(goal_id)),
        city_id=str(city_id),
        city=str(city),
        district=None if district is None else str(district),
        offense=str(offense),
        baseline_years=tuple(sorted(int(y) for y in years)),
        target_change_pct=float(str(target)),
        start_date=start if isinstance(start, date) else date.fromisoformat(str(start)),
        deadline=deadline if isinstance(deadline, date) else date.fromisoformat(str(deadline)),
        owner=None if owner is None else str(owner),
        note=None if note is None else str(note),
        source=str(source),
    )


def stored_goals(con: duckdb.DuckDBPyConnection) -> list[Goal]:
    """Every goal in the store, by city name then id."""
    return [_goal(r) for r in con.execute(GOALS_SQL).fetchall()]


def goal_progress(con: duckdb.DuckDBPyConnection, goal_id: int) -> Progress:
    """Progress of one stored goal; KeyError if there is no such goal."""
    goals = {g.goal_id: g for g in stored_goals(con)}
    if goal_id not in goals:
        raise KeyError(f"no goal {goal_id}")
    goal = goals[goal_id]
    return progress(goal, monthly_series(con, goal.city_id, goal.offense, goal.district))


def goal_status_by_city(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per stored goal, in city order, with its status: what the Overview and the
    Goals page list.

    Columns: goal_id, city_id, city, district, area, offense, offense_label, label, status,
    phase, as_of, months_elapsed, months_total, actual, expected, low, high, target_total,
    baseline_total, projected_end, dispersion (phi of the baseline years), summary, owner, spark (monthly counts of the last
    SPARK_MONTHS months to as_of, oldest first).
    """
    rows = []
    goals = stored_goals(con)
    all_series = monthly_series_many(con, [(g.city_id, g.offense, g.district) for g in goals])
    for goal, series in zip(goals, all_series, strict=True):
        p = progress(goal, series)
        end = p.as_of if p.as_of is not None else (series["month"].max() if not series.empty else None)
        spark = (
            series[series["month"] <= end]["count"].tail(SPARK_MONTHS).astype(int).tolist()
            if end is not None
            else []
        )
        rows.append(
            {
                "goal_id": goal.goal_id,
                "city_id": goal.city_id,
                "city": goal.city,
                "district": goal.district,
                "area": goal.area,
                "offense": goal.offense,
                "offense_label": SERIES_LABELS.get(goal.offense, goal.offense),
                "label": goal.label,
                "status": p.status,
                "phase": p.phase,
                "as_of": p.as_of,
                "months_elapsed": p.months_elapsed,
                "months_total": p.months_total,
                "actual": p.actual,
                "expected": p.expected,
                "low": p.low,
                "high": p.high,
                "target_total": p.target_total,
                "baseline_total": p.baseline_total,
                "projected_end": p.projected_end,
                "dispersion": p.dispersion.phi,
                "summary": p.summary(),
                "owner": goal.owner,
                "spark": spark,
            }
        )
    columns = [
        "goal_id", "city_id", "city", "district", "area", "offense", "offense_label", "label",
        "status", "phase", "as_of", "months_elapsed", "months_total", "actual", "expected", "low",
        "high", "target_total", "baseline_total", "projected_end", "dispersion", "summary", "owner",
        "spark",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def goal_offenses() -> tuple[str, ...]:
    """Offense keys a goal may use (FBI Part I offenses and totals, firearm violent crime)."""
    return SERIES_OFFENSES
