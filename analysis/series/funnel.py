"""The funnel plot's numbers (docs/METHODS.md, "Comparing cities"): each city's rate against
its population, with control limits around the pooled rate that widen for small cities,
where chance moves a rate more (Spiegelhalter 2005, "Funnel plots for comparing
institutional performance", Statistics in Medicine 24:1185-1202). City rates vary far more
than Poisson chance allows (overdispersion), so by default the limits allow for the
cohort's own spread: Spiegelhalter's winsorised z-score estimate and an additive
random-effects variance tau^2 (or a multiplicative phi); plain Poisson limits (exact
quantiles with his interpolation, appendix A.1.1) stay available. 95% and 99.8% limits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.series.monthly import last_periods
from analysis.stats.funnel_limits import (
    Overdispersion,
    bands,
    estimate_overdispersion,
    funnel_limits,
    se_rate,
)
from kernel.months import add_months
from kernel.vocabulary import OFFENSE_LABELS, RATE_BASE

FUNNEL_METHODS: dict[str, str] = {
    "random_effects": "allowing for the spread between cities (additive random effects)",
    "scaled": "allowing for the spread between cities (scaled Poisson)",
    "poisson": "plain Poisson (chance alone)",
}


@dataclass(frozen=True)
class Funnel:
    """A funnel plot's data: points per city, the pooled rate, limit curves, the period,
    the limits' method and the cohort's overdispersion."""

    points: pd.DataFrame
    limits: pd.DataFrame
    pooled_rate: float | None
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    method: str = "random_effects"
    overdispersion: Overdispersion | None = None


def funnel(
    frame: pd.DataFrame,
    end_month: pd.Timestamp | None = None,
    months: int = 12,
    method: str = "random_effects",
) -> Funnel:
    """Funnel-plot data for the `months` months ending at `end_month` (default: the last
    month every city in the frame has) of a monthly series frame.

    Per city: count, person_years (each month's population / 12), rate per 100,000
    person-years, expected count at the pooled rate, Poisson z = (O - E) / sqrt(E), z_adj
    (against the limits of `method`), and `band`: where the city sits against the 95% and
    99.8% limits, in words.
    """
    empty = Funnel(pd.DataFrame(), pd.DataFrame(), None, None, None, method)
    if frame.empty:
        return empty
    if end_month is None:
        ends = last_periods(frame)
        end_month = pd.Timestamp(min(ends.values()))
    start = pd.Timestamp(add_months(end_month.date(), -(months - 1)))
    part = frame[(frame["period"] >= start) & (frame["period"] <= end_month)].dropna(subset=["count"])
    per_city = part.groupby(["city_id", "city"], as_index=False).agg(
        count=("count", "sum"), months=("period", "nunique"), person_years=("population", "sum")
    )
    per_city = per_city[per_city["months"] == months].copy()
    if per_city.empty:
        return empty
    per_city["person_years"] = per_city["person_years"] / 12
    per_city["count"] = per_city["count"].astype("int64")
    points = per_city.drop(columns=["months"]).reset_index(drop=True)
    return replace(funnel_from_counts(points, method), start=start, end=end_month)


def funnel_from_counts(per_city: pd.DataFrame, method: str = "random_effects") -> Funnel:
    """The funnel of per-city counts (columns city_id, city, count, person_years): pooled
    rate, Spiegelhalter's overdispersion, limits and bands under `method` (FUNNEL_METHODS)."""
    if method not in FUNNEL_METHODS:
        raise ValueError(f"unknown funnel method {method!r}: one of {', '.join(FUNNEL_METHODS)}")
    points = per_city.copy()
    points["rate"] = points["count"] * RATE_BASE / points["person_years"]
    pooled = float(points["count"].sum() * RATE_BASE / points["person_years"].sum())
    points["expected"] = pooled / RATE_BASE * points["person_years"]
    points["z"] = (points["count"] - points["expected"]) / np.sqrt(points["expected"])
    n = points["person_years"].to_numpy(dtype="float64")
    od = estimate_overdispersion(points["count"].to_numpy(), n, pooled) if len(points) > 1 else None
    se = se_rate(pooled, n, method, od)
    points["z_adj"] = (points["rate"] - pooled) / se
    points["band"] = bands(points["count"].to_numpy(), points["expected"].to_numpy(), method, od, pooled, n)
    lo, hi = points["person_years"].min(), points["person_years"].max()
    sizes = np.geomspace(max(lo / 2, 1.0), hi * 1.5, 60)
    limits = funnel_limits(pooled, list(sizes), method=method, od=od)
    return Funnel(points, limits, pooled, None, None, method, od)


def with_method(f: Funnel, method: str) -> Funnel:
    """The same funnel with the limits of another method (a page's toggle)."""
    if f.points.empty or f.method == method:
        return replace(f, method=method)
    base = f.points[["city_id", "city", "count", "person_years"]]
    return replace(funnel_from_counts(base, method), start=f.start, end=f.end)


def funnel_summary(f: Funnel, offense: str) -> str:
    """How many cities sit outside the limits, naming those beyond the 99.8% (and 95%)
    limits without ordering them, and the cohort's estimated overdispersion."""
    if f.points.empty or f.pooled_rate is None or f.start is None or f.end is None:
        return "No city has 12 complete months to place on the funnel plot."
    n = len(f.points)
    what = OFFENSE_LABELS.get(offense, offense).lower()
    text = (
        f"Pooled {what} rate of the {n} {'city' if n == 1 else 'cities'}, {f.start:%b %Y}–{f.end:%b %Y}: "
        f"{f.pooled_rate:,.1f} per 100,000 residents. "
    )
    od = f"{f.overdispersion.describe(f.method)} " if f.overdispersion is not None else ""
    adjusted = f.method != "poisson" and f.overdispersion is not None and f.overdispersion.adjusts
    spread = "beyond the cohort's own spread" if adjusted else "beyond Poisson chance"

    def named(band: str) -> list[str]:
        return sorted(f.points.loc[f.points["band"] == band, "city"].tolist())

    def sides(above: list[str], below: list[str]) -> str:
        return "; ".join(
            [f"above: {', '.join(above)}"] * bool(above) + [f"below: {', '.join(below)}"] * bool(below)
        )

    above, below = named("above the 99.8% limit"), named("below the 99.8% limit")
    if above or below:
        text += f"Outside the 99.8% limits ({spread}) — {sides(above, below)}."
    else:
        text += f"No city lies outside the 99.8% limits ({spread})."
    above95, below95 = named("above the 95% limit"), named("below the 95% limit")
    if above95 or below95:
        text += f" Between the 95% and 99.8% limits — {sides(above95, below95)}."
    if f.method == "poisson" and f.overdispersion is not None and f.overdispersion.phi > 2:
        text += (
            " Plain Poisson limits assume cities differ only by chance; these cities differ far more, "
            "so most of them fall outside."
        )
    return text + (f" {od.strip()}" if od else "")
