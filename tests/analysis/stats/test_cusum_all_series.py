"""cusum_by_series computes every series at once; it must give exactly what
seasonal_baseline + count_cusum give series by series (the hand-checked reference in
test_alerts.py), with each series' own threshold."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.query.filters import OFFENSE_KEYS, CrimeFilter
from analysis.series.rates import counts_by_city_month
from analysis.stats.cusum import (
    CUSUM,
    CusumParams,
    count_cusum,
    cusum_by_series,
    seasonal_baseline,
)


def series_by_series(
    con: duckdb.DuckDBPyConnection, params: CusumParams, thresholds: dict[tuple[str, str], float]
) -> pd.DataFrame:
    frame = counts_by_city_month(con, CrimeFilter(offenses=OFFENSE_KEYS))
    parts = []
    for city_id, city_frame in frame.groupby("city_id", sort=True):
        for offense, part in city_frame.groupby("offense", sort=True):
            # each series over its own span; a month without an official count (the goals
            # store's murders of 2023) is neither scored nor a baseline year
            months = pd.date_range(part["month"].min(), part["month"].max(), freq="MS")
            counts = part.set_index(pd.to_datetime(part["month"]))["count"].reindex(months)
            baseline = seasonal_baseline(counts, params.baseline_years)
            h = thresholds[(str(city_id), str(offense))]
            result = count_cusum(
                counts.dropna().astype(int), baseline, params.shift, h if h == h else 1e300
            )
            result["threshold"] = h
            result.insert(0, "offense", offense)
            result.insert(0, "city", part["city"].iloc[0])
            result.insert(0, "city_id", city_id)
            parts.append(result)
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("params", [CUSUM, CusumParams(shift=1.5, threshold=8.0, baseline_years=2)])
def test_all_series_at_once_equal_series_by_series(
    demo: duckdb.DuckDBPyConnection, goals_store_path: Path, params: CusumParams
) -> None:
    goals = duckdb.connect(str(goals_store_path), read_only=True)
    for con in (demo, goals):
        at_once = cusum_by_series(con, params)
        thresholds = at_once.groupby(["city_id", "offense"])["threshold"].first().to_dict()
        expected = series_by_series(con, params, thresholds)
        assert len(expected) > 90
        assert at_once["scored"].equals(at_once["k"].notna())
        pd.testing.assert_frame_equal(
            at_once.drop(columns=["dispersion", "scored"]), expected, check_dtype=False
        )
    goals.close()


def test_small_store_and_bad_parameters(tiny: duckdb.DuckDBPyConnection) -> None:
    result = cusum_by_series(tiny, CusumParams(shift=1.2, threshold=27.4))
    assert list(result.columns)[:4] == ["city_id", "city", "offense", "month"]
    with pytest.raises(ValueError):
        cusum_by_series(tiny, CusumParams(shift=0.9))
