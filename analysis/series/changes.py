"""Changes in a series frame (analysis.series.monthly.period_series): the last complete
month against the same month a year before, year to date against the prior year to date,
and 12-month sums against a year before, each with the exact Poisson judgement of
analysis.stats.exact (the exposures are the days each side covers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.series.periods import YtdWindow
from analysis.stats.exact import Change, days_between, judge_frame, with_p
from kernel.months import add_months
from kernel.vocabulary import RATE_BASE


def add_change(frame: pd.DataFrame, current: str = "current", previous: str = "previous") -> pd.DataFrame:
    """Add the exact Poisson judgement of current vs previous counts (analysis.stats.exact):
    diff, pct (None below 10), p, strength, emphasis (no emphasis below 10 events),
    direction and the badge text. The exposures are the frame's days_current and
    days_previous columns when it has them. Rows missing either count get none."""
    out = frame.copy()
    judged = judge_frame(out, current, previous)
    ones = pd.Series(1.0, index=out.index)
    days_c, days_p = out.get("days_current", ones), out.get("days_previous", ones)
    changes = [
        with_p(Change(int(c), int(p), float(dc), float(dp)), pv) if pd.notna(c) and pd.notna(p) else None
        for c, p, dc, dp, pv in zip(out[current], out[previous], days_c, days_p, judged["p"], strict=True)
    ]
    out["diff"] = [ch.diff if ch else None for ch in changes]
    out["pct"] = [ch.pct if ch else None for ch in changes]
    out["p"] = judged["p"]
    out["strength"] = judged["strength"]
    out["emphasis"] = judged["emphasis"]
    out["direction"] = [ch.direction if ch else None for ch in changes]
    out["change"] = [ch.text(with_diff=True) if ch else "no comparison" for ch in changes]
    return out


def _span_days(last: pd.Timestamp, months: int) -> int:
    """Days in the `months` months ending with month `last` (the test's exposure)."""
    first = pd.Timestamp(add_months(last.date(), -(months - 1)))
    return int((last + pd.offsets.MonthEnd(0) - first).days) + 1


def same_month_last_year(frame: pd.DataFrame, span_months: int = 1) -> pd.DataFrame:
    """Each city x offense: its last complete month against the same month a year before.

    `span_months`: how many months each value covers (12 for rolling 12-month sums), for
    the exposure of the test. Columns: city_id, city, offense, source, month, current,
    previous, rate_current, rate_previous, days_current, days_previous, and the change
    columns of add_change. (One grouped pass and one join: a loop over the city x
    offense groups cost tens of milliseconds a rerun.)
    """
    columns = ["city_id", "city", "offense", "source", "month", "current", "previous"]
    extra = ["rate_current", "rate_previous", "days_current", "days_previous"]
    if frame.empty:
        return add_change(pd.DataFrame(columns=[*columns, *extra]))
    keys = ["city_id", "offense"]
    last = frame.groupby(keys, sort=False)["period"].transform("max")
    now = frame[frame["period"] == last].sort_values(keys, kind="stable")
    month = now["period"]
    # add_months(last, -12): the first day of the same month a year before
    year_before = pd.to_datetime(
        pd.DataFrame({"year": month.dt.year - 1, "month": month.dt.month, "day": 1})
    ).astype(month.dtype)
    before = pd.DataFrame(
        {
            "city_id": now["city_id"].to_numpy(),
            "offense": now["offense"].to_numpy(),
            "period": year_before.to_numpy(),
        }
    ).merge(frame[[*keys, "period", "count", "rate"]], on=[*keys, "period"], how="left")
    out = pd.DataFrame(
        {
            "city_id": now["city_id"].to_numpy(),
            "city": now["city"].to_numpy(),
            "offense": now["offense"].to_numpy(),
            "source": now["source"].to_numpy(),
            "month": month.to_numpy(),
            "current": _floats(now["count"]),
            "previous": _floats(before["count"]),
            "rate_current": _floats(now["rate"]),
            "rate_previous": _floats(before["rate"]),
            "days_current": [_span_days(pd.Timestamp(m), span_months) for m in month],
            "days_previous": [_span_days(pd.Timestamp(m), span_months) for m in year_before],
        }
    )
    return add_change(out)


def _floats(values: pd.Series) -> np.ndarray:
    """A numeric column as float64; with a missing value, as objects with pd.NA for it
    (the form the tables and charts have always received)."""
    out: np.ndarray = np.asarray(values.to_numpy(dtype="float64", na_value=np.nan))
    missing = np.isnan(out)
    if not missing.any():
        return out
    held: np.ndarray = out.astype(object)
    held[missing] = pd.NA
    return held


def ytd_totals(frame: pd.DataFrame, window: YtdWindow) -> pd.DataFrame:
    """Year-to-date and prior-YTD counts and rates per city x offense of a monthly frame.

    A side with a missing month (outside the span, or a gap) has no value: a partial sum
    would understate it. Rates use each year's population and are not annualised.
    Columns: city_id, city, offense, source, current, previous, rate_current,
    rate_previous, population_current, population_previous, days_current, days_previous
    (the exposures of the change test) and add_change's columns.
    """
    keys = ["city_id", "offense"]
    count = frame["count"]
    sides = {"current": window.current, "previous": window.prior}
    # One grouped pass: per side, the months inside the window, those with a value, their
    # sum and the first population (a named-aggregation groupby per side cost 10x more).
    data: dict[str, pd.Series] = {k: frame[k] for k in keys}
    for side, (lo, hi) in sides.items():
        inside = (frame["period"] >= pd.Timestamp(lo)) & (frame["period"] <= pd.Timestamp(hi))
        data[f"{side}_months"] = inside.astype("int64")
        data[f"{side}_valued"] = (inside & count.notna()).astype("int64")
        data[f"{side}_total"] = count.where(inside)
        data[f"population_{side}"] = frame["population"].where(inside)
    grouped = pd.DataFrame(data).groupby(keys, sort=True)
    sums = grouped[[f"{s}_{c}" for s in sides for c in ("months", "valued", "total")]].sum()
    firsts = grouped[[f"population_{s}" for s in sides]].first()
    names = frame.groupby(keys, sort=True)[["city", "source"]].first()
    out = names.join(sums).join(firsts).reset_index()
    for side in sides:
        complete = (out[f"{side}_months"] == window.months) & (out[f"{side}_valued"] == window.months)
        total = out[f"{side}_total"].where(complete)
        population = out[f"population_{side}"].where(complete)
        out[side] = total.astype("Int64")
        out[f"population_{side}"] = population.astype("Int64")
        out[f"rate_{side}"] = (total * RATE_BASE / population).astype("Float64")
    out["days_current"] = days_between(*window.current)
    out["days_previous"] = days_between(*window.prior)
    columns = ["city_id", "city", "offense", "source", "current", "previous", "rate_current", "rate_previous"]
    extra = ["population_current", "population_previous", "days_current", "days_previous"]
    return add_change(out[[*columns, *extra]])


def rolling_change(rolling: pd.DataFrame) -> pd.DataFrame:
    """Each city's latest 12-month sum against the 12 months a year before it (the
    change columns of add_change), from a rolling_12 frame."""
    as_series = rolling.rename(columns={"count_12m": "count", "rate_12m": "rate"})
    return same_month_last_year(as_series, span_months=12)
