"""Comparing the 12 cities without ranking them (docs/METHODS.md, "Comparing cities").

- Year to date against the prior year to date, per city, cut at the last month every
  compared city has complete (analysis.series.periods).
- Each city indexed to its own baseline year = 100: a city is compared with its own past.
- A funnel plot instead of a league table: analysis.series.funnel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import duckdb
import pandas as pd

from analysis.query.filters import CrimeFilter
from analysis.series.changes import ytd_totals
from analysis.series.monthly import last_periods, period_series
from analysis.series.periods import Coverage, YtdWindow, common_cutoff
from analysis.stats.exact import chance_note, expected_by_chance, most_notable
from kernel.vocabulary import FIREARM_VIOLENT, RATE_BASE, SERIES_LABELS

OVERVIEW_OFFENSES = ("violent_crime", "murder")
PSP_YEAR = 2017


@dataclass(frozen=True)
class YtdComparison:
    """The YTD table and how it was cut.

    table: one row per city x measure (violent_crime, murder, firearm_violent, ...), with
    the columns of analysis.series.changes.ytd_totals plus `measure`.
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


def ytd_window(
    con: duckdb.DuckDBPyConnection,
    filt: CrimeFilter,
    cov: Coverage,
    offenses: Sequence[str] = OVERVIEW_OFFENSES,
) -> YtdWindow | None:
    """ytd_by_city(con, filt, cov, offenses).window without the table: the cut at the last
    month every (not stale) city has complete, from the same monthly series, for a caller
    that needs only the window (the briefing's outline, the Presenter's latest year)."""
    return _window_of(period_series(con, ytd_filter(filt, offenses), cov))[0]


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


def _window_of(monthly: pd.DataFrame) -> tuple[YtdWindow | None, dict[str, date]]:
    """The YTD window of a monthly series frame (cut at the last month every city not
    left out as stale has complete) and the stale cities: the one rule of ytd_by_city and
    ytd_window."""
    cutoff, stale = common_cutoff(last_periods(monthly))
    return (None if cutoff is None else YtdWindow(cutoff)), stale


def ytd_from_series(monthly: pd.DataFrame) -> YtdComparison:
    """YTD vs prior YTD per city x offense of a monthly series frame, cut at the last month
    every (not stale) city in it has complete. `measure` = the offense key."""
    window, stale = _window_of(monthly)
    names = dict(zip(monthly["city_id"], monthly["city"], strict=False))
    stale_named = {names.get(c, c): f"{m:%B %Y}" for c, m in stale.items()}
    if window is None:
        return YtdComparison(None, _empty_ytd(), stale_named)
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
    what = SERIES_LABELS.get(top["measure"], top["measure"])
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
