"""Interventions and interrupted time series (segmented regression on monthly counts).

Design decisions (docs/METHODS.md, "Interventions"; Lopez Bernal, Cummins & Gasparrini 2017)
- Model: Poisson GLM with a log link on monthly counts, log(days in month) as offset,
  month-of-year indicators for seasonality, a linear time trend, a step at the first
  month after the intervention (level change) and a post-intervention time term (slope
  change): log mu = b0 + b1 t + b2 post + b3 t_post + season + log days.
  Crime counts vary more than Poisson counts, so standard errors are scaled by the
  Pearson dispersion when it exceeds 1 (quasi-Poisson). statsmodels does the fitting.
- Effects are rate ratios with 95% confidence intervals: the level change is the ratio
  of the observed level to the counterfactual at the first post month, the slope change
  the extra change per year after it. The counterfactual continues the pre-intervention
  trend and season.
- The first post month is the intervention's month when it starts on the 1st, else the
  next month (the month of a mid-month start is mostly "before").
- Association is not causation: anything else that changed at the same time (a national
  trend, a pandemic, a records system) moves the estimate too. Every view says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.query import sqlfile
from analysis.query.filters import INTERVENTIONS, CrimeFilter
from analysis.query.sqlfile import Fragment
from analysis.series.city_series import monthly_series
from kernel.months import add_months, month_index, month_indexes
from kernel.vocabulary import SERIES_LABELS

MIN_MONTHS_EACH_SIDE = 12
DEFAULT_MONTHS_BEFORE = 36
DEFAULT_MONTHS_AFTER = 36
CI_LEVEL = 0.95
CAVEAT = (
    "Association is not causation: this compares the months after the intervention with a "
    "continuation of the months before it. Anything else that changed at the same time "
    "(a national trend, the pandemic, a new records system, other programmes) moves these "
    "estimates too."
)


@dataclass(frozen=True)
class Its:
    """An interrupted time series fit: the series with fitted and counterfactual values,
    and the level and slope changes as rate ratios with confidence intervals."""

    frame: pd.DataFrame  # month, count, post, fitted, counterfactual (post months only)
    first_post: pd.Timestamp
    level_ratio: float
    level_ci: tuple[float, float]
    level_p: float
    slope_ratio_per_year: float
    slope_ci: tuple[float, float]
    slope_p: float
    pre_trend_per_year: float
    dispersion: float
    months_before: int
    months_after: int

    def summary(self) -> str:
        """Plain words: 'Level: −12% (95% CI −20% to −3%) ...'."""

        def pct(r: float) -> str:
            v = 100 * (r - 1)
            return f"{'−' if v < 0 else '+'}{abs(v):.0f}%"

        return (
            f"Level change at {self.first_post:%b %Y}: {pct(self.level_ratio)} "
            f"({CI_LEVEL:.0%} CI {pct(self.level_ci[0])} to {pct(self.level_ci[1])}). "
            f"Slope change: {pct(self.slope_ratio_per_year)} per year "
            f"({CI_LEVEL:.0%} CI {pct(self.slope_ci[0])} to {pct(self.slope_ci[1])}). "
            f"Pre-intervention trend: {pct(self.pre_trend_per_year)} per year. "
            f"{self.months_before} months before, {self.months_after} after."
        )


def first_post_month(start: date) -> pd.Timestamp:
    """The first month counted as 'after': the start month if it starts on the 1st."""
    return pd.Timestamp(add_months(start, 0 if start.day == 1 else 1))


def _design(frame: pd.DataFrame, first_post: pd.Timestamp) -> pd.DataFrame:
    months = pd.to_datetime(frame["month"])
    # Time in months from the first month (not the row number: an official series has no
    # row for a month no source reported, and the trend must not close that gap).
    index = month_indexes(months)
    t = (index - index[0]).astype(float)
    post = (months >= first_post).to_numpy().astype(float)
    first_post_index = month_index(first_post)
    t_post = np.where(post > 0, index - first_post_index, 0).astype(float)
    season = pd.get_dummies(months.dt.month, prefix="m", dtype=float)
    season = season.drop(columns=[c for c in season.columns if c == "m_1"])
    design = pd.DataFrame({"const": 1.0, "t": t, "post": post, "t_post": t_post}, index=frame.index)
    return pd.concat([design, season.set_index(frame.index)], axis=1)


def its_fit(
    series: pd.DataFrame,
    first_post: pd.Timestamp,
    months_before: int = DEFAULT_MONTHS_BEFORE,
    months_after: int = DEFAULT_MONTHS_AFTER,
) -> Its:
    """Fit the segmented quasi-Poisson regression to `series` (columns month, count)
    within `months_before` / `months_after` of `first_post`. ValueError if either side
    has fewer than MIN_MONTHS_EACH_SIDE months of data."""
    months = pd.to_datetime(series["month"])
    lo = first_post - pd.DateOffset(months=months_before)
    hi = first_post + pd.DateOffset(months=months_after - 1)
    frame = series[(months >= lo) & (months <= hi)].copy()
    frame["month"] = pd.to_datetime(frame["month"])
    frame = frame.sort_values("month").reset_index(drop=True)
    n_pre = int((frame["month"] < first_post).sum())
    n_post = int((frame["month"] >= first_post).sum())
    if n_pre < MIN_MONTHS_EACH_SIDE or n_post < MIN_MONTHS_EACH_SIDE:
        raise ValueError(
            f"An interrupted time series needs at least {MIN_MONTHS_EACH_SIDE} months of data on each "
            f"side of {first_post:%b %Y}; there are {n_pre} before and {n_post} after."
        )
    design = _design(frame, first_post)
    offset = np.log(frame["month"].dt.days_in_month.to_numpy().astype(float))
    y = frame["count"].to_numpy().astype(float)
    model = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset)
    result = model.fit()
    dispersion = float(result.pearson_chi2 / result.df_resid)
    if dispersion > 1.0:
        result = model.fit(scale=dispersion)
    ci = result.conf_int(alpha=1 - CI_LEVEL)
    params = result.params
    counterfactual_design = design.assign(post=0.0, t_post=0.0)
    frame["post"] = design["post"].astype(bool)
    frame["fitted"] = result.predict(design, offset=offset)
    frame["counterfactual"] = np.where(
        frame["post"], result.predict(counterfactual_design, offset=offset), np.nan
    )
    return Its(
        frame=frame[["month", "count", "post", "fitted", "counterfactual"]],
        first_post=first_post,
        level_ratio=float(np.exp(params["post"])),
        level_ci=(float(np.exp(ci.loc["post", 0])), float(np.exp(ci.loc["post", 1]))),
        level_p=float(result.pvalues["post"]),
        slope_ratio_per_year=float(np.exp(12 * params["t_post"])),
        slope_ci=(float(np.exp(12 * ci.loc["t_post", 0])), float(np.exp(12 * ci.loc["t_post", 1]))),
        slope_p=float(result.pvalues["t_post"]),
        pre_trend_per_year=float(np.exp(12 * params["t"])),
        dispersion=dispersion,
        months_before=n_pre,
        months_after=n_post,
    )


def interventions_by_city(con: duckdb.DuckDBPyConnection, city_id: str | None = None) -> pd.DataFrame:
    """Stored interventions (all cities, or one), by city and start date.

    Columns: intervention_id, city_id, city, name, start_date, end_date, area, note, source.
    """
    scope = CrimeFilter(cities=() if city_id is None else (city_id,), offenses=())
    where, params = scope.bind(INTERVENTIONS, "i")
    return con.execute(sqlfile.render(__package__, "interventions.sql", where=Fragment(where)), params).df()


def interrupted_time_series(
    con: duckdb.DuckDBPyConnection,
    city_id: str,
    offense: str,
    intervention_id: int,
    months_before: int = DEFAULT_MONTHS_BEFORE,
    months_after: int = DEFAULT_MONTHS_AFTER,
) -> Its:
    """The ITS of one city's offense series around one stored intervention.

    KeyError for an unknown intervention; ValueError when there is too little data.
    """
    row = con.execute(
        "select start_date, city_id from interventions where intervention_id = ?", [intervention_id]
    ).fetchone()
    if not row:
        raise KeyError(f"no intervention {intervention_id}")
    if row[1] != city_id:
        raise ValueError(f"Intervention {intervention_id} belongs to another city ({row[1]}).")
    series = monthly_series(con, city_id, offense)
    if series.empty:
        raise ValueError(f"No data for {SERIES_LABELS.get(offense, offense).lower()} in this city.")
    return its_fit(series, first_post_month(row[0]), months_before, months_after)
