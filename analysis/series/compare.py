"""Comparing the 12 cities without ranking them (docs/METHODS.md, "Comparing cities").

- Year to date against the prior year to date, per city, cut at the last month every
  compared city has complete (analysis.series.periods).
- Each city indexed to its own baseline year = 100: a city is compared with its own past.
- A funnel plot instead of a league table: each city's rate against its population, with
  control limits around the pooled rate that widen for small cities, where chance moves a
  rate more (Spiegelhalter 2005, "Funnel plots for comparing institutional performance",
  Statistics in Medicine 24:1185-1202). City rates vary far more than Poisson chance
  allows (overdispersion), so by default the limits allow for the cohort's own spread:
  Spiegelhalter's winsorised z-score estimate and an additive random-effects variance
  tau^2 (or a multiplicative phi); plain Poisson limits (exact quantiles with his
  interpolation, appendix A.1.1) stay available. 95% and 99.8% limits. docs/METHODS.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import chi2, norm, poisson

from analysis.query.filters import OFFENSE_LABELS, CrimeFilter
from analysis.series.monthly import RATE_BASE, last_periods, period_series, ytd_totals
from analysis.series.periods import Coverage, YtdWindow, add_months, common_cutoff
from analysis.stats.exact import chance_note, expected_by_chance, format_p, most_notable

FIREARM_VIOLENT = "firearm_violent"
MEASURE_LABELS = {**OFFENSE_LABELS, FIREARM_VIOLENT: "Firearm-involved violent crime"}
OVERVIEW_OFFENSES = ("violent_crime", "murder")
FUNNEL_LEVELS = (0.95, 0.998)
PSP_YEAR = 2017


@dataclass(frozen=True)
class YtdComparison:
    """The YTD table and how it was cut.

    table: one row per city x measure (violent_crime, murder, firearm_violent, ...), with
    the columns of analysis.series.monthly.ytd_totals plus `measure`.
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
    against how many would by chance alone (analysis.stats.exact.chance_note)."""
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


FUNNEL_METHODS: dict[str, str] = {
    "random_effects": "allowing for the spread between cities (additive random effects)",
    "scaled": "allowing for the spread between cities (scaled Poisson)",
    "poisson": "plain Poisson (chance alone)",
}
WINSOR = 0.10  # Spiegelhalter (2005) winsorises the z-scores at their 10th and 90th percentiles
MIN_CITIES_FOR_SPREAD = 5  # fewer cities cannot estimate their spread: plain Poisson limits
SPREAD_TEST_LEVEL = 0.05  # adjust only when the chi-squared test finds overdispersion


@dataclass(frozen=True)
class Overdispersion:
    """How much more the cities' rates vary than Poisson chance allows (Spiegelhalter 2005,
    "Handling over-dispersion of performance indicators", Qual Saf Health Care 14:347-351).

    phi: the winsorised mean squared z-score (1 = Poisson; I * phi ~ chi-squared(I - 1)
      when there is no overdispersion).
    tau2: the additive between-city variance of the rate per 100,000 (0 when I * phi <= I - 1).
    cities: I, how many cities the estimate rests on.
    p_value: of the chi-squared test for overdispersion.
    """

    phi: float
    tau2: float
    cities: int
    p_value: float

    @property
    def tau(self) -> float:
        """Between-city standard deviation of the rate per 100,000."""
        return float(np.sqrt(self.tau2))

    @property
    def adjusts(self) -> bool:
        """Whether the limits allow for it: enough cities, and evidence of overdispersion."""
        return self.cities >= MIN_CITIES_FOR_SPREAD and self.p_value < SPREAD_TEST_LEVEL

    def describe(self, method: str) -> str:
        if method != "poisson" and not self.adjusts:
            return (
                f"Too few cities ({self.cities}) or too little spread (φ = {self.phi:,.2f}; test of no "
                f"overdispersion: {format_p(self.p_value)}) to estimate the cohort's spread: the limits "
                "are plain Poisson."
            )
        head = (
            f"Overdispersion across the {self.cities} cities: φ = {self.phi:,.1f} (1 = Poisson; "
            f"Spiegelhalter's winsorised estimate; test of no overdispersion: {format_p(self.p_value)})"
        )
        if method == "random_effects":
            return head + f"; the limits add a between-city SD of {self.tau:,.1f} per 100,000 (τ)."
        if method == "scaled":
            return (
                head + f"; the limits are the Poisson ones widened √φ = {np.sqrt(max(self.phi, 1.0)):.1f}×."
            )
        return head + "; these plain Poisson limits ignore it."


def estimate_overdispersion(
    count: np.ndarray, person_years: np.ndarray, pooled_rate: float, winsor: float = WINSOR
) -> Overdispersion:
    """Spiegelhalter's estimates from per-city counts and person-years at the target
    (pooled) rate per 100,000: z_i = (y_i - theta) / s_i with s_i^2 = theta * 1e5 / n_i,
    winsorised at the `winsor` and 1 - `winsor` quantiles; phi = mean z^2;
    tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w = 1 / s^2, floored at 0."""
    n = np.asarray(person_years, dtype="float64")
    y = np.asarray(count, dtype="float64") * RATE_BASE / n
    s2 = pooled_rate * RATE_BASE / n
    z = (y - pooled_rate) / np.sqrt(s2)
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    zw = np.clip(z, lo, hi)
    cities = len(z)
    phi = float(np.mean(zw**2))
    w = 1 / s2
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (cities * phi - (cities - 1)) / denominator) if denominator > 0 else 0.0
    p_value = float(chi2.sf(cities * phi, max(cities - 1, 1)))
    return Overdispersion(phi, tau2, cities, p_value)


def _se_rate(pooled_rate: float, n: np.ndarray, method: str, od: Overdispersion | None) -> np.ndarray:
    """Standard error of a rate per 100,000 at population-time n under `method` (plain
    Poisson when `od` does not adjust)."""
    s2 = pooled_rate * RATE_BASE / n
    if od is None or method == "poisson" or not od.adjusts:
        return np.sqrt(s2)
    if method == "scaled":
        return np.sqrt(max(od.phi, 1.0) * s2)
    return np.sqrt(s2 + od.tau2)


def funnel_limits(
    pooled_rate: float,
    sizes: Sequence[float],
    levels: Sequence[float] = FUNNEL_LEVELS,
    method: str = "poisson",
    od: Overdispersion | None = None,
) -> pd.DataFrame:
    """Control limits on the rate per 100,000 for each population size (in person-years).

    pooled_rate is per 100,000. `poisson`: exact Poisson quantiles, interpolated. With
    overdispersion (`random_effects`, `scaled`, given `od`): normal limits
    theta +/- z_p * se, se^2 = s^2 + tau^2 or phi * s^2 (lower limits floored at 0).
    Columns: size, level, lower, upper.
    """
    n = np.asarray(sizes, dtype="float64")
    expected = pooled_rate / RATE_BASE * n
    parts = []
    for level in levels:
        tail = (1 - level) / 2
        if method == "poisson" or od is None or not od.adjusts:
            lower = poisson_limits(expected, tail) / n * RATE_BASE
            upper = poisson_limits(expected, 1 - tail) / n * RATE_BASE
        else:
            half = norm.ppf(1 - tail) * _se_rate(pooled_rate, n, method, od)
            lower, upper = np.maximum(pooled_rate - half, 0.0), pooled_rate + half
        parts.append(pd.DataFrame({"size": n, "level": level, "lower": lower, "upper": upper}))
    return pd.concat(parts, ignore_index=True)


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
    se = _se_rate(pooled, n, method, od)
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


def bands(
    observed: np.ndarray,
    expected: np.ndarray,
    method: str = "poisson",
    od: Overdispersion | None = None,
    pooled_rate: float | None = None,
    person_years: np.ndarray | None = None,
) -> list[str]:
    """Where each observed count sits against the 95% and 99.8% limits of its expectation
    (exact Poisson limits, or the overdispersed limits of `method` on the rate scale)."""
    if method == "poisson" or od is None or not od.adjusts or pooled_rate is None or person_years is None:
        (lo95, hi95), (lo998, hi998) = (
            (poisson_limits(expected, (1 - lv) / 2), poisson_limits(expected, 1 - (1 - lv) / 2))
            for lv in FUNNEL_LEVELS
        )
        values = np.asarray(observed, dtype="float64")
    else:
        n = np.asarray(person_years, dtype="float64")
        se = _se_rate(pooled_rate, n, method, od)
        (lo95, hi95), (lo998, hi998) = (
            (pooled_rate - norm.ppf(1 - (1 - lv) / 2) * se, pooled_rate + norm.ppf(1 - (1 - lv) / 2) * se)
            for lv in FUNNEL_LEVELS
        )
        values = np.asarray(observed, dtype="float64") * RATE_BASE / n
    out = []
    for i, o in enumerate(values):
        if o > hi998[i] or o < lo998[i]:
            out.append("above the 99.8% limit" if o > hi998[i] else "below the 99.8% limit")
        elif o > hi95[i] or o < lo95[i]:
            out.append("above the 95% limit" if o > hi95[i] else "below the 95% limit")
        else:
            out.append("within the 95% limits")
    return out


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
