"""Alerts: a CUSUM per city x offense series against a seasonal baseline, calibrated for
each series' own overdispersion.

Design decisions (docs/METHODS.md, "Alarms"; Page 1954, Lucas 1985, Rossi et al. 1999)
- Baseline for a month: the mean count of the same calendar month in the previous
  CUSUM.baseline_years years, so July is compared with earlier Julys, never with June.
- One scale, counts: S_t = max(0, S_{t-1} + x_t - k_t), k_t = baseline_t (shift - 1) /
  ln(shift). k_t is Lucas's reference value for a rise to `shift` x the baseline (the
  Poisson log-likelihood-ratio CUSUM divided by ln(shift)); a month above k_t pushes S
  up, a month below pulls it down to no lower than zero. S >= H is a signal, after which
  S restarts at zero, so a second signal means a continuing excess.
- H, in offenses, is set per series by simulation: the series' own level (mean of each
  calendar month over its last three years) and its own dispersion (quasi-Poisson phi
  over its own months, analysis.stats.dispersion.series_dispersion; all series fitted
  together by series_dispersions) drive CUSUM.paths simulated
  in-control histories (negative binomial counts with variance phi x mean, the baseline
  estimated from them the same way), and H is the smallest threshold whose average run
  length to a false signal is CUSUM.arl0_months (60: one false alarm per series per five
  years). A fixed Poisson threshold fired within 36 months for about 3 in 4 series at
  phi = 6; this one keeps the stated rate at any phi.
- All parameters are in CUSUM (one place), shown on the page with the expected number of
  false alarms a year across the series watched.
- Only increases are flagged: an alert asks "is this series drifting up?".
- Each series is the official one (official_monthly) and is scored over its OWN span,
  from its first to its last official month: never against another source's end month,
  so a series that ends earlier is not padded with zeros and one that runs longer is not
  cut. A month without an official count (not reported) is not scored, and neither is a
  month whose baseline lacks one of its years.
- An alert is a series that signalled in its own last CUSUM.lookback_months months. A
  series none of whose last months could be scored (too few earlier years for a
  baseline) is listed as not judged (analysis.stats.alerts): no alert is not "no drift".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analysis.query.filters import CrimeFilter
from analysis.series.rates import counts_by_city_month
from analysis.stats.calibration import calibrate_thresholds
from analysis.stats.cusum_params import CUSUM, CusumParams
from analysis.stats.dispersion import series_dispersions
from kernel.vocabulary import OFFENSE_KEYS

CALIBRATION_YEARS = 3  # the level a series is calibrated at: its last three years


def seasonal_baseline(counts: pd.Series, years: int) -> pd.Series:
    """Mean of the same calendar month in the previous `years` years, per month of
    `counts` (a Series indexed by month start); NaN where any of those months is missing."""
    index = pd.DatetimeIndex(counts.index)
    lagged = [
        counts.reindex(index - pd.DateOffset(years=y)).to_numpy(dtype=float) for y in range(1, years + 1)
    ]
    mean = np.mean(np.vstack(lagged), axis=0) if lagged else np.full(len(index), np.nan)
    return pd.Series(mean, index=index)


def count_cusum(counts: pd.Series, baseline: pd.Series, shift: float, threshold: float) -> pd.DataFrame:
    """Upper CUSUM on the count scale of `counts` against `baseline` (both indexed by month).

    Columns: month, count, baseline, k, score (S_t before any restart), signal.
    Months without a baseline are not scored (S stays where it was).
    """
    if not shift > 1 or not threshold > 0:
        raise ValueError("shift must be above 1 and the threshold above 0")
    x = counts.to_numpy(dtype=float)
    lam = baseline.reindex(counts.index).to_numpy(dtype=float)
    k = lam * (shift - 1) / math.log(shift)
    score = np.zeros(len(x))
    signal = np.zeros(len(x), dtype=bool)
    s = 0.0
    for i in range(len(x)):
        if not np.isnan(k[i]):
            s = max(0.0, s + x[i] - k[i])
        score[i] = s
        if s >= threshold:
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


# --- calibration to an in-control run length -----------------------------------------------


def _lagged_baseline(x: np.ndarray, years: int) -> np.ndarray:
    """Mean of the same month in the previous `years` years along the last axis (NaN
    where any is missing)."""
    total = np.zeros_like(x)
    for y in range(1, years + 1):
        lag = np.full_like(x, np.nan)
        if 12 * y < x.shape[-1]:
            lag[..., 12 * y :] = x[..., : -12 * y]
        total += lag
    return total / years


def calibration_inputs(
    x: np.ndarray, months: pd.DatetimeIndex, in_range: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per series (rows of x, columns = `months`): its in-control profile (mean of each
    calendar month over its last CALIBRATION_YEARS years in range) and its quasi-Poisson
    dispersion over all its months in range."""
    profiles = np.full((x.shape[0], 12), np.nan)
    month_of_year = months.month.to_numpy() - 1
    for i in range(x.shape[0]):
        cols = np.flatnonzero(in_range[i])
        if len(cols) == 0:
            continue
        recent = cols[-12 * CALIBRATION_YEARS :]
        sums = np.bincount(month_of_year[recent], weights=x[i, recent], minlength=12)
        seen = np.bincount(month_of_year[recent], minlength=12)
        if (seen > 0).all():
            profiles[i] = sums / seen
    return profiles, series_dispersions(months, x, in_range)


CUSUM_COLUMNS = [
    "city_id", "city", "offense", "month", "count", "baseline", "k", "score", "signal", "threshold",
    "dispersion", "scored",
]  # fmt: skip


@dataclass(frozen=True)
class CusumMatrix:
    """The CUSUM of many series on one month grid (rows = series): baseline, k, score,
    signal per month; threshold H and dispersion phi per series."""

    baseline: np.ndarray
    k: np.ndarray
    score: np.ndarray
    signal: np.ndarray
    threshold: np.ndarray
    dispersion: np.ndarray


def cusum_matrix(
    x: np.ndarray, months: pd.DatetimeIndex, in_range: np.ndarray, params: CusumParams = CUSUM
) -> CusumMatrix:
    """The CUSUM of every row of `x` (counts on the month grid `months`; each series is
    scored only inside its own span `in_range`), with its threshold calibrated to its own
    level and dispersion (or params.threshold for all)."""
    params.validate()
    x = np.where(in_range, x, np.nan)
    lam = _lagged_baseline(x, params.baseline_years)
    k = lam * params.k_factor
    profiles, phis = calibration_inputs(np.nan_to_num(x), months, in_range)
    if params.threshold is not None:
        thresholds = np.full(x.shape[0], float(params.threshold))
    else:
        thresholds = calibrate_thresholds(profiles, phis, params)
    score = np.zeros_like(x)
    signal = np.zeros(x.shape, dtype=bool)
    s = np.zeros(x.shape[0])
    limit = np.where(np.isnan(thresholds), np.inf, thresholds)
    for j in range(x.shape[1]):
        scored = in_range[:, j] & ~np.isnan(k[:, j])
        s = np.where(scored, np.maximum(0.0, s + np.nan_to_num(x[:, j]) - np.nan_to_num(k[:, j])), s)
        score[:, j] = s
        signal[:, j] = in_range[:, j] & (s >= limit)
        s = np.where(signal[:, j], 0.0, s)
    return CusumMatrix(lam, k, score, signal, thresholds, phis)


def cusum_by_series(con: duckdb.DuckDBPyConnection, params: CusumParams = CUSUM) -> pd.DataFrame:
    """The CUSUM of every city x offense official series (FBI Part I and totals), each
    from its own first to its own last month; months without an official count are left
    out (not scored, no row).

    Columns: city_id, city, offense, month, count, baseline, k, score, signal, threshold
    (the series' H in offenses), dispersion (the series' phi), scored (False: no baseline
    for that month, so the CUSUM did not move).

    All series at once: one row per series and one column per month of a common grid, so
    the baseline is three column shifts and the CUSUM one pass over the months for every
    series together (the same numbers as seasonal_baseline and count_cusum per series,
    without a hundred pandas round trips on every rerun).
    """
    params.validate()
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
    m = cusum_matrix(np.nan_to_num(x), grid, in_range, params)
    r, c = np.nonzero(in_range)
    names = frame.drop_duplicates("city_id").set_index("city_id")["city"]
    return pd.DataFrame(
        {
            "city_id": rows.to_numpy()[r],
            "city": names.reindex(rows).to_numpy()[r],
            "offense": wide.index.get_level_values("offense").to_numpy()[r],
            "month": grid[c],
            "count": x[r, c].astype(int),
            "baseline": m.baseline[r, c],
            "k": m.k[r, c],
            "score": m.score[r, c],
            "signal": m.signal[r, c],
            "threshold": m.threshold[r],
            "dispersion": m.dispersion[r],
            "scored": ~np.isnan(m.k[r, c]),
        }
    )
