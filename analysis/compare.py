"""Comparing the 12 cities without ranking them (METHODS.md, "Comparing cities").

- Year to date against the prior year to date, per city, cut at the last month every
  compared city has complete (analysis.periods).
- Each city indexed to its own baseline year = 100: a city is compared with its own past.
- A funnel plot instead of a league table: each city's rate against its population, with
  control limits around the pooled rate that widen for small cities, where chance moves a
  rate more (Spiegelhalter 2005, "Funnel plots for comparing institutional performance",
  Statistics in Medicine 24:1185-1202). Limits are exact Poisson quantiles with his
  interpolation (appendix A.1.1), at 95% and 99.8%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import poisson

from analysis.filters import OFFENSE_LABELS, CrimeFilter
from analysis.periods import Coverage, YtdWindow, add_months, common_cutoff
from analysis.series import RATE_BASE, last_periods, period_series, ytd_totals
from analysis.stats import chance_note, expected_by_chance, most_notable

FIREARM_VIOLENT = "firearm_violent"
MEASURE_LABELS = {**OFFENSE_LABELS, FIREARM_VIOLENT: "Firearm-involved violent crime"}
OVERVIEW_OFFENSES = ("violent_crime", "murder")
FUNNEL_LEVELS = (0.95, 0.998)
PSP_YEAR = 2017


@dataclass(frozen=True)
class YtdComparison:
    """The YTD table and how it was cut.

    table: one row per city x measure (violent_crime, murder, firearm_violent, ...), with
    the columns of analysis.series.ytd_totals plus `measure`.
    stale: cities left out because their data ends long before the others (name -> month).
    """

    window: YtdWindow | None
    table: pd.DataFrame
    stale: dict[str, str]

    def stale_note(self) -> str:
        """' Left out as their data ends long before the others': Toledo (June 2023).'"""
        if not self.stale:
            return ""
        cities = ", ".join(f"{c} ({m})" for c, m in self.stale.items())
        return f" Left out as their data ends long before the others': {cities}."


def ytd_by_city(
    con: duckdb.DuckDBPyConnection,
    filt: CrimeFilter,
    cov: Coverage,
    offenses: Sequence[str] = OVERVIEW_OFFENSES,
    firearm: bool = True,
) -> YtdComparison:
    """YTD vs prior YTD per city for `offenses` (and firearm-involved violent crime, where
    the data records the weapon), cut at the last month all compared cities have complete.

    The filter gives the cities (empty = all) and, optionally, an end date (a briefing
    for an earlier year: the cut is then at most that date); its offenses and start date
    are ignored.
    """
    base = ytd_filter(filt, offenses)
    return ytd_from_monthly(con, base, cov, period_series(con, base, cov), firearm)


def ytd_filter(filt: CrimeFilter, offenses: Sequence[str] = OVERVIEW_OFFENSES) -> CrimeFilter:
    """The filter whose monthly series ytd_by_city compares (all months to filt.end)."""
    return replace(
        filt, offenses=tuple(dict.fromkeys(offenses)), start=None, firearm_only=False, districts=()
    )


def ytd_from_monthly(
    con: duckdb.DuckDBPyConnection,
    base: CrimeFilter,
    cov: Coverage,
    monthly: pd.DataFrame,
    firearm: bool = True,
) -> YtdComparison:
    """ytd_by_city given the monthly series of `base` (= ytd_filter(...)), for a caller
    that has it already (the Overview draws the same series)."""
    result = ytd_from_series(monthly)
    if not firearm or result.window is None:
        return result
    window = result.window
    start, end = window.prior[0], window.current[1]
    guns = period_series(
        con, replace(base, offenses=("violent_crime",), firearm_only=True, start=start, end=end), cov
    )
    left_out = set(last_periods(guns)) - set(result.table["city_id"])
    guns = guns[~guns["city_id"].isin(list(left_out))]
    table = pd.concat(
        [result.table, ytd_totals(guns, window).assign(measure=FIREARM_VIOLENT)], ignore_index=True
    )
    return YtdComparison(window, table, result.stale)


def ytd_from_series(monthly: pd.DataFrame) -> YtdComparison:
    """YTD vs prior YTD per city x offense of a monthly series frame, cut at the last month
    every (not stale) city in it has complete. `measure` = the offense key."""
    cutoff, stale = common_cutoff(last_periods(monthly))
    names = dict(zip(monthly["city_id"], monthly["city"], strict=False))
    stale_named = {names.get(c, c): f"{m:%B %Y}" for c, m in stale.items()}
    if cutoff is None:
        return YtdComparison(None, _empty_ytd(), stale_named)
    window = YtdWindow(cutoff)
    kept = monthly[~monthly["city_id"].isin(list(stale))]
    return YtdComparison(window, ytd_totals(kept, window).assign(measure=lambda f: f["offense"]), stale_named)


def _empty_ytd() -> pd.DataFrame:
    empty = pd.DataFrame(columns=["city_id", "city", "offense", "source", "period", "count", "population"])
    return ytd_totals(empty, YtdWindow(date(2000, 1, 1))).assign(measure=pd.Series(dtype="object"))


def strongest_change(table: pd.DataFrame) -> str:
    """One sentence on the most notable change in a YTD table (smallest exact-test
    p-value, not a ranking of cities), and how many cities moved notably in violent crime
    beside how many would by chance alone."""
    judged = table.dropna(subset=["p"])
    if judged.empty:
        return "No city has a complete year-to-date comparison yet."
    top = judged.loc[most_notable(judged)]
    what = MEASURE_LABELS.get(top["measure"], top["measure"])
    if top["strength"] == "not notable":
        head = (
            f"No change is larger than chance would explain: the largest is {what.lower()} in "
            f"{top['city']}, {top['change']}."
        )
    else:
        head = f"The most notable change is {what.lower()} in {top['city']}: {top['change']}."
    violent = judged[judged["measure"] == "violent_crime"]
    moved = violent[violent["strength"] != "not notable"]
    ups, downs = int((moved["direction"] == "up").sum()), int((moved["direction"] == "down").sum())
    chance, _ = expected_by_chance(len(violent))
    tail = (
        f" Violent crime moved notably in {len(moved)} of {len(violent)} cities ({downs} down, {ups} up;"
        f" with no real change, up to {chance:.1f} would by chance alone)."
        if len(violent)
        else ""
    )
    return head + tail


def ytd_chance_note(table: pd.DataFrame) -> str:
    """The YTD table's multiple-comparison note: how many of its judgements read notable,
    against how many would by chance alone (analysis.stats.chance_note)."""
    judged = table.dropna(subset=["p"])
    moved = int(judged["strength"].isin(["notable", "strong"]).sum())
    return chance_note(len(judged), moved, "year-to-date changes")


def annual_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Calendar-year counts and rates per city from a monthly series frame, complete years
    only (12 months with a value). Columns: city_id, city, offense, year, count, rate."""
    columns = ["city_id", "city", "offense", "year", "count", "population", "rate"]
    part = frame.dropna(subset=["count"])
    if part.empty:
        return pd.DataFrame(columns=columns)
    part = part.assign(year=part["period"].dt.year)
    out = part.groupby(["city_id", "city", "offense", "year"], as_index=False).agg(
        count=("count", "sum"), months=("period", "nunique"), population=("population", "first")
    )
    out = out[out["months"] == 12].astype({"count": "int64"})
    out["rate"] = out["count"] * RATE_BASE / out["population"]
    return out[columns].reset_index(drop=True)


def baseline_years(annual: pd.DataFrame) -> list[int]:
    """Years that can serve as a baseline (complete for at least one city), sorted."""
    return sorted(int(y) for y in annual["year"].unique())


def default_baseline(years: Sequence[int]) -> int | None:
    """The PSP designation year 2017 when the data has it, else the first full year."""
    if not years:
        return None
    return PSP_YEAR if PSP_YEAR in years else min(years)


def indexed_by_city_year(annual: pd.DataFrame, baseline_year: int) -> pd.DataFrame:
    """Each city's yearly rate as an index, its own baseline year = 100.

    Cities without a complete baseline year, or with no offense in it, are left out (an
    index of zero has no meaning). Columns: city_id, city, offense, year, count, rate,
    baseline_rate, index.
    """
    base = annual[annual["year"] == baseline_year][["city_id", "offense", "rate"]]
    base = base[base["rate"] > 0].rename(columns={"rate": "baseline_rate"})
    out = annual.merge(base, on=["city_id", "offense"], how="inner")
    out["index"] = out["rate"] / out["baseline_rate"] * 100
    return out[["city_id", "city", "offense", "year", "count", "rate", "baseline_rate", "index"]].reset_index(
        drop=True
    )


def poisson_limits(expected: np.ndarray, p: float) -> np.ndarray:
    """The p-quantile of Poisson(expected) counts, interpolated so it moves smoothly with
    `expected` (Spiegelhalter 2005, appendix A.1.1): with r the smallest count whose CDF
    reaches p, the limit is r - (F(r) - p) / (F(r) - F(r - 1)). Vectorised over
    `expected`; 0 where nothing is expected."""
    mean = np.maximum(np.asarray(expected, dtype="float64"), 1e-12)
    r = poisson.ppf(p, mean)
    f_r, f_below = poisson.cdf(r, mean), poisson.cdf(r - 1, mean)
    step = np.where(f_r > f_below, f_r - f_below, 1.0)
    out = np.where(f_r > f_below, r - (f_r - p) / step, r)
    return np.where(np.asarray(expected) > 0, out, 0.0)


def poisson_limit(expected: float, p: float) -> float:
    """poisson_limits for one expected count."""
    return float(poisson_limits(np.array([expected]), p)[0])


def funnel_limits(
    pooled_rate: float, sizes: Sequence[float], levels: Sequence[float] = FUNNEL_LEVELS
) -> pd.DataFrame:
    """Control limits on the rate per 100,000 for each population size (in person-years).

    pooled_rate is per 100,000. Columns: size, level, lower, upper.
    """
    n = np.asarray(sizes, dtype="float64")
    expected = pooled_rate / RATE_BASE * n
    parts = []
    for level in levels:
        tail = (1 - level) / 2
        parts.append(
            pd.DataFrame(
                {
                    "size": n,
                    "level": level,
                    "lower": poisson_limits(expected, tail) / n * RATE_BASE,
                    "upper": poisson_limits(expected, 1 - tail) / n * RATE_BASE,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class Funnel:
    """A funnel plot's data: points per city, the pooled rate, limit curves, the period."""

    points: pd.DataFrame
    limits: pd.DataFrame
    pooled_rate: float | None
    start: pd.Timestamp | None
    end: pd.Timestamp | None


def funnel(frame: pd.DataFrame, end_month: pd.Timestamp | None = None, months: int = 12) -> Funnel:
    """Funnel-plot data for the `months` months ending at `end_month` (default: the last
    month every city in the frame has) of a monthly series frame.

    Per city: count, person_years (each month's population / 12), rate per 100,000
    person-years, expected count at the pooled rate, Poisson z = (O - E) / sqrt(E), and
    `band`: where the city sits against the 95% and 99.8% limits, in words.
    """
    empty = Funnel(pd.DataFrame(), pd.DataFrame(), None, None, None)
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
    per_city["rate"] = per_city["count"] * RATE_BASE / per_city["person_years"]
    pooled = float(per_city["count"].sum() * RATE_BASE / per_city["person_years"].sum())
    per_city["expected"] = pooled / RATE_BASE * per_city["person_years"]
    per_city["z"] = (per_city["count"] - per_city["expected"]) / np.sqrt(per_city["expected"])
    per_city["band"] = bands(per_city["count"].to_numpy(), per_city["expected"].to_numpy())
    lo, hi = per_city["person_years"].min(), per_city["person_years"].max()
    sizes = np.geomspace(max(lo / 2, 1.0), hi * 1.5, 60)
    limits = funnel_limits(pooled, list(sizes))
    points = per_city.drop(columns=["months"]).reset_index(drop=True)
    return Funnel(points, limits, pooled, start, end_month)


def bands(observed: np.ndarray, expected: np.ndarray) -> list[str]:
    """Where each observed count sits against the 95% and 99.8% limits of its expectation."""
    (lo95, hi95), (lo998, hi998) = (
        (poisson_limits(expected, (1 - lv) / 2), poisson_limits(expected, 1 - (1 - lv) / 2))
        for lv in FUNNEL_LEVELS
    )
    out = []
    for i, o in enumerate(observed):
        if o > hi998[i] or o < lo998[i]:
            out.append("above the 99.8% limit" if o > hi998[i] else "below the 99.8% limit")
        elif o > hi95[i] or o < lo95[i]:
            out.append("above the 95% limit" if o > hi95[i] else "below the 95% limit")
        else:
            out.append("within the 95% limits")
    return out


def funnel_summary(f: Funnel, offense: str) -> str:
    """One sentence: how many cities sit outside the limits, without ordering them."""
    if f.points.empty or f.pooled_rate is None or f.start is None or f.end is None:
        return "No city has 12 complete months to place on the funnel plot."
    n = len(f.points)
    above = f.points[f.points["band"] == "above the 99.8% limit"]["city"].tolist()
    below = f.points[f.points["band"] == "below the 99.8% limit"]["city"].tolist()
    what = OFFENSE_LABELS.get(offense, offense).lower()
    text = (
        f"Pooled {what} rate of the {n} {'city' if n == 1 else 'cities'}, {f.start:%b %Y}–{f.end:%b %Y}: "
        f"{f.pooled_rate:,.1f} per 100,000 residents. "
    )
    if not above and not below:
        return (
            text
            + "Every city lies within the 99.8% limits: the differences are the size chance alone produces."
        )
    parts = []
    if above:
        parts.append(f"above the 99.8% limit: {', '.join(sorted(above))}")
    if below:
        parts.append(f"below it: {', '.join(sorted(below))}")
    return (
        text
        + "Cities whose rate differs from the pooled rate by more than chance — "
        + "; ".join(parts)
        + "."
    )


def index_summary(indexed: pd.DataFrame, baseline_year: int) -> str:
    """One sentence: in the latest year, how many cities are above / below their baseline."""
    if indexed.empty:
        return f"No city has a complete {baseline_year} to use as the baseline."
    last_year = int(indexed["year"].max())
    latest = indexed[indexed["year"] == last_year]
    above = int((latest["index"] > 100).sum())
    below = int((latest["index"] < 100).sum())
    low, high = latest["index"].min(), latest["index"].max()
    return (
        f"In {last_year}, {below} of {len(latest)} cities had a lower rate than in {baseline_year} and "
        f"{above} a higher one (index {low:.0f} to {high:.0f}; {baseline_year} = 100)."
    )
