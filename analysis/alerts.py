"""Alerts: a Poisson CUSUM per city x offense series against a seasonal baseline.

Design decisions (METHODS.md, "Alarms"; Lucas 1985, Rossi et al. 1999)
- Baseline for a month: the mean count of the same calendar month in the previous
  CUSUM.baseline_years years, so July is compared with earlier Julys, never with June.
- The CUSUM accumulates the log-likelihood ratio of "the rate is CUSUM.shift times the
  baseline" against "the rate is the baseline":
      S_t = max(0, S_{t-1} + ln(shift) * (x_t - k_t)),  k_t = baseline_t (shift - 1) / ln(shift)
  k_t is Lucas's reference value in counts; it moves with the seasonal baseline. A month
  above k_t pushes S up, a month below pulls it down to no lower than zero. S >= h is a
  signal, after which S restarts at zero, so a second signal means a continuing excess.
- All parameters are in CUSUM (one place), shown on the page.
- Only increases are flagged: an alert asks "is this series drifting up?".
- Each series is the official one (official_monthly) and is scored over its OWN span,
  from its first to its last official month: never against another source's end month,
  so a series that ends earlier is not padded with zeros and one that runs longer is not
  cut. A month without an official count (not reported) is not scored, and neither is a
  month whose baseline lacks one of its years.
- An alert is a series that signalled in its own last CUSUM.lookback_months months. A
  series none of whose last months could be scored (too few earlier years for a
  baseline) is listed as not judged (`unjudged_series`): no alert is not "no drift".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from analysis.filters import OFFENSE_KEYS, OFFENSE_LABELS, CrimeFilter
from analysis.metrics import counts_by_city_month


@dataclass(frozen=True)
class CusumParams:
    """The CUSUM's parameters.

    shift: the rate ratio the CUSUM is tuned to detect (1.2 = a 20% rise); it sets the
      reference value k_t = baseline_t (shift - 1) / ln(shift).
    h: decision threshold on the accumulated log-likelihood ratio.
    baseline_years: the baseline is the mean of the same month in this many earlier years.
    lookback_months: an alert is a signal within this many last complete months.
    """

    shift: float = 1.2
    h: float = 5.0
    baseline_years: int = 3
    lookback_months: int = 3

    def with_lookback(self, months: int) -> CusumParams:
        """The same CUSUM with another alert window."""
        return replace(self, lookback_months=months)

    def describe(self) -> str:
        return (
            f"Poisson CUSUM tuned to a rise of {100 * (self.shift - 1):.0f}% over the baseline "
            f"(reference value k = baseline × {(self.shift - 1) / math.log(self.shift):.3f}), "
            f"threshold h = {self.h:g}; baseline = mean of the same month in the previous "
            f"{self.baseline_years} years; alerts = signals in each series' own last "
            f"{self.lookback_months} months."
        )


CUSUM = CusumParams()


def seasonal_baseline(counts: pd.Series, years: int) -> pd.Series:
    """Mean of the same calendar month in the previous `years` years, per month of
    `counts` (a Series indexed by month start); NaN where any of those months is missing."""
    index = pd.DatetimeIndex(counts.index)
    lagged = [
        counts.reindex(index - pd.DateOffset(years=y)).to_numpy(dtype=float) for y in range(1, years + 1)
    ]
    mean = np.mean(np.vstack(lagged), axis=0) if lagged else np.full(len(index), np.nan)
    return pd.Series(mean, index=index)


def poisson_cusum(counts: pd.Series, baseline: pd.Series, shift: float, h: float) -> pd.DataFrame:
    """Upper Poisson CUSUM of `counts` against `baseline` (both indexed by month).

    Columns: month, count, baseline, k, score (S_t before any restart), signal.
    Months without a baseline are not scored (S stays where it was).
    """
    if not shift > 1 or not h > 0:
        raise ValueError("shift must be above 1 and h above 0")
    log_shift = math.log(shift)
    x = counts.to_numpy(dtype=float)
    lam = baseline.reindex(counts.index).to_numpy(dtype=float)
    k = lam * (shift - 1) / log_shift
    score = np.zeros(len(x))
    signal = np.zeros(len(x), dtype=bool)
    s = 0.0
    for i in range(len(x)):
        if not np.isnan(k[i]):
            s = max(0.0, s + log_shift * (x[i] - k[i]))
        score[i] = s
        if s >= h:
            signal[i] = True
            s = 0.0
    return pd.DataFrame(
        {
            "month": counts.index,
            "count": x.astype(int),
            "baseline": lam,
            "k": k,
            "score": score,
            "signal": signal,
        }
    )


CUSUM_COLUMNS = ["city_id", "city", "offense", "month", "count", "baseline", "k", "score", "signal", "scored"]


def cusum_by_series(con: duckdb.DuckDBPyConnection, params: CusumParams = CUSUM) -> pd.DataFrame:
    """The CUSUM of every city x offense official series (FBI Part I and totals), each
    from its own first to its own last month; months without an official count are left
    out (not scored, no row).

    Columns: city_id, city, offense, month, count, baseline, k, score, signal, scored
    (False: no baseline for that month, so the CUSUM did not move).

    All series at once: one row per series and one column per month of a common grid, so
    the baseline is three column shifts and the CUSUM one pass over the months for every
    series together (the same numbers as seasonal_baseline and poisson_cusum per series,
    without a hundred pandas round trips on every rerun).
    """
    if not params.shift > 1 or not params.h > 0:
        raise ValueError("shift must be above 1 and h above 0")
    frame = counts_by_city_month(con, CrimeFilter(offenses=OFFENSE_KEYS))
    if frame.empty:
        return pd.DataFrame(columns=CUSUM_COLUMNS)
    frame = frame.assign(month=pd.to_datetime(frame["month"]))
    wide = frame.set_index(["city_id", "offense", "month"])["count"].unstack("month")
    grid = pd.date_range(frame["month"].min(), frame["month"].max(), freq="MS")
    wide = wide.reindex(columns=grid)
    rows = wide.index.get_level_values("city_id")
    # Each series' own span: its first to its last official month; NaN = no official count.
    x = wide.to_numpy(dtype=float)
    in_range = ~np.isnan(x)
    lags = []
    for y in range(1, params.baseline_years + 1):
        lag = np.full_like(x, np.nan)
        lag[:, 12 * y :] = x[:, : -12 * y] if 12 * y < x.shape[1] else np.nan
        lags.append(lag)
    lam = np.mean(np.stack(lags), axis=0) if lags else np.full_like(x, np.nan)
    log_shift = math.log(params.shift)
    k = lam * (params.shift - 1) / log_shift
    score = np.zeros_like(x)
    signal = np.zeros(x.shape, dtype=bool)
    observed = np.zeros(x.shape, dtype=bool)
    s = np.zeros(x.shape[0])
    for j in range(x.shape[1]):
        scored = in_range[:, j] & ~np.isnan(k[:, j])
        observed[:, j] = scored
        s = np.where(
            scored, np.maximum(0.0, s + log_shift * (np.nan_to_num(x[:, j]) - np.nan_to_num(k[:, j]))), s
        )
        score[:, j] = s
        signal[:, j] = in_range[:, j] & (s >= params.h)
        s = np.where(signal[:, j], 0.0, s)
    r, c = np.nonzero(in_range)
    names = frame.drop_duplicates("city_id").set_index("city_id")["city"]
    return pd.DataFrame(
        {
            "city_id": rows.to_numpy()[r],
            "city": names.reindex(rows).to_numpy()[r],
            "offense": wide.index.get_level_values("offense").to_numpy()[r],
            "month": grid[c],
            "count": x[r, c].astype(int),
            "baseline": lam[r, c],
            "k": k[r, c],
            "score": score[r, c],
            "signal": signal[r, c],
            "scored": observed[r, c],
        }
    )


def alerts_by_series(con: duckdb.DuckDBPyConnection, params: CusumParams = CUSUM) -> pd.DataFrame:
    """Series that signalled in their own last `params.lookback_months` months.

    One row per city x offense, by city then offense (not ranked): city_id, city, offense,
    offense_label, month (latest signal), count and baseline of that month, signals (in the
    window), as_of (the series' last month), link (the Trends view of the series).
    """
    return alerts_from_cusum(cusum_by_series(con, params), params)


def alerts_from_cusum(cusum: pd.DataFrame, params: CusumParams = CUSUM) -> pd.DataFrame:
    """alerts_by_series from cusum_by_series' frame (which does not depend on the
    look-back: the Goals page computes it once and re-reads it for each look-back)."""
    columns = [
        "city_id",
        "city",
        "offense",
        "offense_label",
        "month",
        "count",
        "baseline",
        "signals",
        "as_of",
        "link",
    ]
    if cusum.empty:
        return pd.DataFrame(columns=columns)
    # Each series' own last month, not its city's or another source's.
    as_of = cusum.groupby(["city_id", "offense"])["month"].transform("max")
    window = cusum[cusum["month"] > as_of - pd.DateOffset(months=params.lookback_months)].assign(as_of=as_of)
    signalled = window[window["signal"]]
    rows = []
    for (city_id, offense), part in signalled.groupby(["city_id", "offense"], sort=False):
        latest = part.sort_values("month").iloc[-1]
        rows.append(
            {
                "city_id": city_id,
                "city": latest["city"],
                "offense": offense,
                "offense_label": OFFENSE_LABELS.get(str(offense), str(offense)),
                "month": latest["month"],
                "count": int(latest["count"]),
                "baseline": float(latest["baseline"]),
                "signals": len(part),
                "as_of": latest["as_of"],
                "link": f"./trends?city={city_id}&offense={offense}",
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    order = {o: i for i, o in enumerate(OFFENSE_KEYS)}
    return out.sort_values(
        ["city", "offense"], key=lambda s: s.map(order) if s.name == "offense" else s
    ).reset_index(drop=True)


def unjudged_series(cusum: pd.DataFrame, params: CusumParams = CUSUM) -> pd.DataFrame:
    """Series the CUSUM could not judge: none of their own last `lookback_months` months
    had a baseline (fewer than `baseline_years` earlier years of the same months).

    Columns: city_id, city, offense, offense_label, first_month, as_of."""
    columns = ["city_id", "city", "offense", "offense_label", "first_month", "as_of"]
    if cusum.empty:
        return pd.DataFrame(columns=columns)
    keys = ["city_id", "offense"]
    as_of = cusum.groupby(keys)["month"].transform("max")
    window = cusum[cusum["month"] > as_of - pd.DateOffset(months=params.lookback_months)]
    judged = window.groupby(keys)["scored"].any()
    spans = cusum.groupby(keys).agg(
        city=("city", "first"), first_month=("month", "min"), as_of=("month", "max")
    )
    out = spans[~judged.reindex(spans.index).fillna(False).astype(bool)].reset_index()
    out["offense_label"] = out["offense"].map(lambda o: OFFENSE_LABELS.get(str(o), str(o)))
    return out[columns].sort_values(["city", "offense"]).reset_index(drop=True)
