"""Complete series and what Trends derives from them, computed by hand from
tests/fixtures/tiny_incidents.csv (Memphis, Springfield) and tests/fixtures/mixed.py."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analysis.query.filters import CrimeFilter
from analysis.query.registry import city_names
from analysis.series.changes import rolling_change
from analysis.series.monthly import (
    absent_cities,
    last_periods,
    period_series,
    rolling_12,
    seasonal_profile,
)
from analysis.series.periods import coverage

MEMPHIS_2023, MEMPHIS_2024 = 622_878, 619_470
SPRINGFIELD_2023, SPRINGFIELD_2024 = 113_426, 113_104


def counts(frame: pd.DataFrame, city: str, offense: str = "violent_crime") -> list[object]:
    part = frame[(frame["city_id"] == city) & (frame["offense"] == offense)].sort_values("period")
    return [None if pd.isna(v) else int(v) for v in part["count"]]


def test_monthly_series_fills_zeros_inside_the_span(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(tiny, CrimeFilter(offenses=("violent_crime", "murder")), coverage(tiny))
    # Violent crime, Memphis: Jan 2023 = 09A + 2x13A + 120 = 4, Feb = 1, Mar..Dec 2023 none,
    # Jan 2024 = 2x09A + 3x13A = 5, Feb 2024 = 2x120 = 2. March 2024 is not complete.
    assert counts(frame, "memphis_tn") == [4, 1] + [0] * 10 + [5, 2]
    assert counts(frame, "springfield_il") == [1] + [0] * 11 + [3, 0]
    # Springfield's source never recorded a murder, but it covers murder (the fixture
    # declares no part1_scope, so every offense): a line of true zeros.
    assert counts(frame, "springfield_il", "murder") == [0] * 14
    assert counts(frame, "memphis_tn", "murder") == [1] + [0] * 11 + [2, 0]
    assert frame["period"].min() == pd.Timestamp("2023-01-01")
    assert frame["period"].max() == pd.Timestamp("2024-02-01")


def test_a_one_offense_extract_is_not_a_group_total(mixed: duckdb.DuckDBPyConnection) -> None:
    cov = coverage(mixed)
    frame = period_series(mixed, CrimeFilter(offenses=("burglary", "property_crime", "theft")), cov)
    # Cincinnati's file holds burglaries only (15 a month, 16 in Feb 2024): burglary, not
    # property crime, and not "no thefts".
    assert counts(frame, "cincinnati_oh", "burglary") == [15] * 13 + [16]
    assert counts(frame, "cincinnati_oh", "property_crime") == []
    assert counts(frame, "cincinnati_oh", "theft") == []
    # Jackson's portal is declared complete for the four violent offenses: it stands for
    # violent crime (40 a month) and for murder (none recorded: true zeros).
    violent = period_series(mixed, CrimeFilter(offenses=("violent_crime", "murder")), cov)
    assert counts(violent, "jackson_tn") == [40] * 14
    assert counts(violent, "jackson_tn", "murder") == [0] * 14
    assert "cincinnati_oh" not in set(violent["city_id"])


def test_rates_use_the_population_of_each_year(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(tiny, CrimeFilter(cities=("memphis_tn",)), coverage(tiny)).set_index("period")
    assert frame.loc[pd.Timestamp("2023-01-01"), "rate"] == pytest.approx(4 / MEMPHIS_2023 * 1e5)
    assert frame.loc[pd.Timestamp("2024-01-01"), "rate"] == pytest.approx(5 / MEMPHIS_2024 * 1e5)


def test_date_range_keeps_months_whose_first_day_is_inside(tiny: duckdb.DuckDBPyConnection) -> None:
    filt = CrimeFilter(cities=("memphis_tn",), start=date(2023, 2, 15), end=date(2024, 1, 20))
    frame = period_series(tiny, filt, coverage(tiny))
    # March 2023 (first 1st on/after Feb 15) .. January 2024 (its 1st is before Jan 20).
    assert frame["period"].min() == pd.Timestamp("2023-03-01")
    assert frame["period"].max() == pd.Timestamp("2024-01-01")
    assert counts(frame, "memphis_tn") == [0] * 10 + [5]


def test_weekly_series_counts_whole_weeks_only(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(tiny, CrimeFilter(), coverage(tiny), "week")
    memphis = frame[frame["city_id"] == "memphis_tn"].set_index("period")["count"]
    # 1 Jan 2023 is a Sunday: the first whole week is Mon 2 Jan .. Sun 8 Jan (offenses on
    # the 3rd and 7th = 2); 9-15 Jan: the 14th = 1; 16-22 Jan: the 20th = 1; 23-29 Jan: 0;
    # 30 Jan - 5 Feb: the 2nd = 1. The span ends 29 Feb 2024 (a Thursday): the last whole
    # week is 19-25 Feb 2024, so weeks run 2 Jan 2023 .. 19 Feb 2024: 52 + 8 = 60.
    assert [
        int(memphis[pd.Timestamp(d)])
        for d in ("2023-01-02", "2023-01-09", "2023-01-16", "2023-01-23", "2023-01-30")
    ] == [2, 1, 1, 0, 1]
    assert len(memphis) == 60 and memphis.index.max() == pd.Timestamp("2024-02-19")
    springfield = frame[frame["city_id"] == "springfield_il"].set_index("period")["count"]
    # 2 Jan 2024 (13A) in the week of 1 Jan; 16 and 20 Jan (13A, 11A) in the week of 15 Jan.
    assert int(springfield[pd.Timestamp("2024-01-01")]) == 1
    assert int(springfield[pd.Timestamp("2024-01-15")]) == 2


def test_firearm_and_district_views_read_the_daily_rollup(tiny: duckdb.DuckDBPyConnection) -> None:
    cov = coverage(tiny)
    guns = period_series(tiny, CrimeFilter(firearm_only=True), cov)
    # Memphis firearm violent: Jan 2023 M1, M2 = 2; Jan 2024 M11-M14 = 4; Feb 2024 M17 = 1.
    assert counts(guns, "memphis_tn") == [2] + [0] * 11 + [4, 1]
    # Springfield: S4 (Jan 2024) only.
    assert counts(guns, "springfield_il") == [0] * 12 + [1, 0]
    raines = period_series(tiny, CrimeFilter(cities=("memphis_tn",), districts=("Raines",)), cov)
    # Raines violent: M3 (Jan 2023), M13 + M14 (Jan 2024), M18 (Feb 2024).
    assert counts(raines, "memphis_tn") == [1] + [0] * 11 + [2, 1]


def test_published_counts_keep_their_gap(mixed: duckdb.DuckDBPyConnection) -> None:
    cov = coverage(mixed)
    frame = period_series(mixed, CrimeFilter(offenses=("violent_crime",)), cov)
    assert counts(frame, "houston_tx") == [100, 90, 95, 95, 95, None, 95, 95, 95, 95, 95, 95, 120, 80]
    assert frame[frame["city_id"] == "houston_tx"]["kind"].unique().tolist() == ["counts"]
    # Published counts carry no day or weapon: no weekly or firearm series for Houston, and
    # Jackson's portal records no weapon at all.
    weekly = period_series(mixed, CrimeFilter(), cov, "week")
    assert "houston_tx" not in set(weekly["city_id"]) and "jackson_tn" in set(weekly["city_id"])
    guns = period_series(mixed, CrimeFilter(firearm_only=True), cov)
    assert set(guns["city_id"]) == {"memphis_tn", "springfield_il"}
    names = city_names(mixed)
    assert absent_cities(weekly, ("houston_tx", "jackson_tn", "buffalo_ny"), cov, names, "week") == [
        "Only published monthly counts, so no weekly series: Houston, TX.",
        "No data in the store: Buffalo, NY.",
    ]
    assert absent_cities(guns, ("jackson_tn",), cov, names, "firearm") == [
        "The data does not record firearm involvement for this offense: Jackson, TN."
    ]


def test_rolling_12_months(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(tiny, CrimeFilter(cities=("memphis_tn",)), coverage(tiny))
    rolling = rolling_12(frame).set_index("period")
    # The first full window is Jan..Dec 2023 = 4 + 1 = 5; then Feb 2023..Jan 2024 = 1 + 5 = 6;
    # Mar 2023..Feb 2024 = 5 + 2 = 7.
    assert rolling["count_12m"].tolist() == [5, 6, 7]
    assert rolling.loc[pd.Timestamp("2023-12-01"), "rate_12m"] == pytest.approx(5 / MEMPHIS_2023 * 1e5)
    person_years = 11 / 12 * MEMPHIS_2023 + 1 / 12 * MEMPHIS_2024
    assert rolling.loc[pd.Timestamp("2024-01-01"), "rate_12m"] == pytest.approx(6 / person_years * 1e5)
    change = rolling_change(rolling_12(frame)).iloc[0]
    # 12 months to Feb 2024 (7) against 12 months to Feb 2023: not complete, no comparison.
    assert change["current"] == 7 and pd.isna(change["previous"]) and change["change"] == "no comparison"


def test_rolling_does_not_bridge_a_gap(mixed: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(mixed, CrimeFilter(cities=("houston_tx",)), coverage(mixed))
    # June 2023 is missing, so no 12-month window up to Feb 2024 is complete.
    assert rolling_12(frame).empty


def test_seasonal_profile_pools_cities(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(tiny, CrimeFilter(), coverage(tiny))
    pooled = seasonal_profile(frame).set_index(["year", "month_of_year"])
    # January 2023: Memphis 4 + Springfield 1 = 5 over both populations.
    jan = pooled.loc[(2023, 1)]
    assert jan["count"] == 5 and jan["cities"] == 2
    assert jan["rate"] == pytest.approx(5 / (MEMPHIS_2023 + SPRINGFIELD_2023) * 1e5)
    assert pooled.loc[(2024, 1), "count"] == 8
    one = seasonal_profile(frame, "springfield_il").set_index(["year", "month_of_year"])
    assert one.loc[(2024, 1), "count"] == 3 and one.loc[(2024, 1), "population"] == SPRINGFIELD_2024
    assert len(one) == 14


def test_last_periods_takes_each_citys_shortest_series(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(tiny, CrimeFilter(), coverage(tiny))
    assert last_periods(frame) == {"memphis_tn": date(2024, 2, 1), "springfield_il": date(2024, 2, 1)}
    assert last_periods(frame.iloc[0:0]) == {}
