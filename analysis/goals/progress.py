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
  baseline years' months (quasi-Poisson, analysis.stats.exact.series_dispersion), and the
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
import numpy as np
import pandas as pd
from scipy.stats import poisson

from analysis.series.city_series import SERIES_LABELS, SERIES_OFFENSES, monthly_series, monthly_series_many
from analysis.stats.exact import SMALL_COUNT, Dispersion, count_intervals, series_dispersion

Status = Literal["ahead", "on track", "at risk", "off track", "not started", "no data"]
Phase = Literal["not started", "in progress", "ended"]
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
SPARK_MONTHS = 24
MAX_PERIOD_MONTHS = 60


@dataclass(frozen=True)
class Goal:
    """One stored goal (a row of `goals`), with the city's display name."""

    goal_id: int
    city_id: str
    city: str
    district: str | None
    offense: str
    baseline_years: tuple[int, ...]
    target_change_pct: float
    start_date: date
    deadline: date
    owner: str | None = None
    note: str | None = None
    source: str = "user"

    @property
    def baseline_kind(self) -> Literal["year", "mean_of_years"]:
        return "year" if len(self.baseline_years) == 1 else "mean_of_years"

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


@dataclass(frozen=True)
class Progress:
    """Where a goal stands at its last complete month of data."""

    goal: Goal
    path: pd.DataFrame  # month, baseline, expected, baseline_cum, expected_cum, low, high, actual, actual_cum
    phase: Phase
    status: Status
    as_of: pd.Timestamp | None  # last month counted (None: no month yet)
    months_elapsed: int
    months_total: int
    actual: int
    expected: float
    low: int
    high: int
    baseline_so_far: float
    baseline_total: float
    target_total: float
    projected_end: float | None
    dispersion: Dispersion = Dispersion(1.0, 1.0, 0)  # of the baseline years' months

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


# --- pure pieces (hand-checkable) -------------------------------------------------------


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
        empty = pd.DataFrame({"month": months})
        return Progress(
            goal, empty, "not started", "no data", None, 0, len(months), 0, 0.0, 0, 0, 0.0, 0.0, 0.0, None
        )
    path = expected_path(profile, months, goal.target_change_pct)
    counts = series.assign(month=pd.to_datetime(series["month"])).set_index("month")["count"]
    last = counts.index.max()
    covered = path["month"] <= last
    path["actual"] = path["month"].map(counts).where(covered)
    path["actual_cum"] = path["actual"].cumsum().where(covered)
    dispersion = baseline_dispersion(series, goal.baseline_years)
    path["low"], path["high"] = count_intervals(
        path["expected_cum"].to_numpy(dtype=float), INTERVAL_LEVEL, dispersion.phi
    )
    baseline_total = float(path["baseline"].sum())
    target_total = float(path["expected"].sum())
    elapsed = int(covered.sum())
    if elapsed == 0:
        return Progress(
            goal, path, "not started", "not started", None, 0, len(months), 0, 0.0, 0, 0, 0.0,
            baseline_total, target_total, None, dispersion,
        )  # fmt: skip
    row = path[covered].iloc[-1]
    actual = int(row["actual_cum"])
    expected = float(row["expected_cum"])
    low, high = int(row["low"]), int(row["high"])
    baseline_so_far = float(row["baseline_cum"])
    return Progress(
        goal=goal,
        path=path,
        phase="ended" if elapsed == len(months) else "in progress",
        status=classify(actual, expected, low, high),
        as_of=pd.Timestamp(row["month"]),
        months_elapsed=elapsed,
        months_total=len(months),
        actual=actual,
        expected=expected,
        low=low,
        high=high,
        baseline_so_far=baseline_so_far,
        baseline_total=baseline_total,
        target_total=target_total,
        projected_end=project_end(actual, baseline_so_far, baseline_total),
        dispersion=dispersion,
    )


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


def status_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many goals have each status (every status present, zeros included)."""
    counts = frame["status"].value_counts() if len(frame) else pd.Series(dtype=int)
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def goal_offenses() -> tuple[str, ...]:
    """Offense keys a goal may use (FBI Part I offenses and totals, firearm violent crime)."""
    return SERIES_OFFENSES
