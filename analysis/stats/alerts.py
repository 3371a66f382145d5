"""Alerts from the CUSUM (analysis.stats.cusum; docs/METHODS.md, "Alarms"): a series that
signalled in its own last CUSUM.lookback_months months, and the series that could not be
judged (no alert is not "no drift")."""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.query.links import LinkState, link
from analysis.stats.cusum import cusum_by_series
from analysis.stats.cusum_params import CUSUM, CusumParams
from kernel.vocabulary import OFFENSE_KEYS, OFFENSE_LABELS


def series_watched(cusum: pd.DataFrame) -> int:
    """How many series the CUSUM frame watches (those with a threshold: a level to judge)."""
    if cusum.empty:
        return 0
    per_series = cusum.groupby(["city_id", "offense"])["threshold"].first()
    return int(per_series.notna().sum())


def alerts_by_series(con: duckdb.DuckDBPyConnection, params: CusumParams = CUSUM) -> pd.DataFrame:
    """Series that signalled in their own last `params.lookback_months` months.

    One row per city x offense, by city then offense (not ranked): city_id, city, offense,
    offense_label, month (latest signal), count and baseline of that month, signals (in the
    window), threshold (H, offenses) and dispersion (phi) of the series, as_of (the
    series' last month), link (the Trends view of the series).
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
        "threshold",
        "dispersion",
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
                "threshold": float(latest["threshold"]) if "threshold" in part else float("nan"),
                "dispersion": float(latest["dispersion"]) if "dispersion" in part else float("nan"),
                "as_of": latest["as_of"],
                "link": link("./trends", LinkState(cities=(str(city_id),), offense=str(offense))),
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
