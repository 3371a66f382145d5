"""Analysis functions on the tiny store, with answers computed by hand from
tests/fixtures/tiny_incidents.csv."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analysis.query.filters import DAILY, MONTHLY, CrimeFilter
from analysis.query.registry import city_names
from analysis.series.rates import counts_by_city_month
from analysis.sources.health import is_demo, status_by_city, store_sources
from analysis.text.summaries import trend_summary


def test_violent_crime_by_city_month(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = counts_by_city_month(tiny, CrimeFilter(offenses=("violent_crime",)))
    got = {(r.city_id, r.month.strftime("%Y-%m")): r.count for r in frame.itertuples() if r.count}
    # Memphis: Jan 2023 = 09A + 2x13A + 120 = 4; Feb 2023 = 13A = 1;
    # Jan 2024 = 2x09A + 3x13A = 5; Feb 2024 = 2x120 = 2 (13B is not violent crime).
    # Springfield: Jan 2023 = 13A = 1; Jan 2024 = 2x13A + 11A = 3.
    # Every other month of the extract's whole months (Jan 2023-Feb 2024) is a true zero.
    assert len(frame) == 2 * 14 and frame["month"].min() == pd.Timestamp("2023-01-01")
    assert got == {
        ("memphis_tn", "2023-01"): 4,
        ("memphis_tn", "2023-02"): 1,
        ("memphis_tn", "2024-01"): 5,
        ("memphis_tn", "2024-02"): 2,
        ("springfield_il", "2023-01"): 1,
        ("springfield_il", "2024-01"): 3,
    }


def test_rates_use_each_years_population(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = counts_by_city_month(
        tiny, CrimeFilter(cities=("memphis_tn",), offenses=("violent_crime",))
    ).set_index("month")
    # Memphis population: 2023 = 622,878 and 2024 = 619,470 (interpolated, see registry).
    assert frame.loc[pd.Timestamp("2023-01-01"), "population"] == 622_878
    assert frame.loc[pd.Timestamp("2023-01-01"), "rate"] == pytest.approx(4 / 622_878 * 1e5)
    assert frame.loc[pd.Timestamp("2024-01-01"), "population"] == 619_470
    assert frame.loc[pd.Timestamp("2024-01-01"), "rate"] == pytest.approx(5 / 619_470 * 1e5)


def test_date_range_and_offense_filters(tiny: duckdb.DuckDBPyConnection) -> None:
    filt = CrimeFilter(offenses=("property_crime", "murder"), start=date(2024, 1, 1), end=date(2024, 12, 31))
    frame = counts_by_city_month(tiny, filt)
    got = sorted(
        (r.city_id, r.offense, r.month.strftime("%Y-%m"), r.count) for r in frame.itertuples() if r.count
    )
    # The official series ends with February 2024, the extract's last whole month (it
    # stops on 4 March): Springfield's property crime of March 2024 is not in it.
    assert got == [
        ("memphis_tn", "murder", "2024-01", 2),
        ("memphis_tn", "property_crime", "2024-01", 1),
    ]
    assert frame["month"].max() == pd.Timestamp("2024-02-01") and len(frame) == 2 * 2 * 2


def test_filter_renders_parameters_not_values() -> None:
    hostile = "x'); drop table incidents; --"
    sql, params = CrimeFilter(cities=(hostile,), districts=("d",), firearm_only=True).where(DAILY, "d")
    assert hostile not in sql and [hostile] in params
    assert "d.district" in sql and "d.firearm" in sql
    with pytest.raises(ValueError):
        CrimeFilter(districts=("d",)).where(MONTHLY)
    with pytest.raises(ValueError):
        CrimeFilter(offenses=("arson; drop",))
    with pytest.raises(ValueError):
        CrimeFilter(start=date(2024, 2, 1), end=date(2024, 1, 1))
    with pytest.raises(ValueError):
        CrimeFilter().where(DAILY, alias="d; drop")


def test_hostile_city_value_matches_nothing(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = counts_by_city_month(tiny, CrimeFilter(cities=("';DROP TABLE incidents;--",)))
    assert frame.empty
    assert tiny.execute("select count(*) from incidents").fetchone() == (26,)


def test_status_and_sources(tiny: duckdb.DuckDBPyConnection) -> None:
    status = status_by_city(tiny).set_index("city_id")
    assert len(status) == 12
    assert status.loc["memphis_tn", "offenses"] == 19
    assert status.loc["springfield_il", "offenses"] == 7
    assert status.loc["memphis_tn", "first_day"] == pd.Timestamp("2023-01-03")
    # The 'fixture' source runs to 2024-03-04 (its latest day in any city), so for both
    # cities the last complete month is February 2024, though Memphis's last row is 02-24.
    assert status.loc["memphis_tn", "last_complete_month"] == pd.Timestamp("2024-02-01")
    assert status.loc["springfield_il", "last_complete_month"] == pd.Timestamp("2024-02-01")
    assert pd.isna(status.loc["houston_tx", "offenses"])
    assert store_sources(tiny) == ["fixture"]
    assert not is_demo(tiny)


def test_city_names(tiny: duckdb.DuckDBPyConnection) -> None:
    names = city_names(tiny)
    assert len(names) == 12 and names["kansas_city_mo"] == "Kansas City, MO"


def test_trend_summary_counts_last_12_months(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = counts_by_city_month(tiny, CrimeFilter(offenses=("violent_crime",)))
    summary = trend_summary(tiny, frame, "count")
    # Last month Feb 2024: Mar 2023-Feb 2024 = 5 + 2 + 3 = 10; Mar 2022-Feb 2023 = 4 + 1 + 1 = 6.
    assert "10 offenses, up from 6" in summary.text
    assert "fixture (2 cities)" in summary.sources_note
