"""Data-quality checks on a built store (like dbt schema tests): run on the demo store
and on the tiny fixture store."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest


@pytest.fixture(params=["demo", "tiny"])
def store(request: pytest.FixtureRequest) -> duckdb.DuckDBPyConnection:
    con: duckdb.DuckDBPyConnection = request.getfixturevalue(request.param)
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


def test_incident_ids_unique(store: duckdb.DuckDBPyConnection) -> None:
    assert one(store, "select count(*) - count(distinct incident_id) from incidents") == 0
    assert one(store, "select count(*) - count(distinct (source, source_id)) from incidents") == 0


def test_only_known_cities_and_codes(store: duckdb.DuckDBPyConnection) -> None:
    assert one(store, "select count(*) from incidents where city_id not in (select city_id from cities)") == 0
    assert (
        one(store, "select count(*) from monthly_counts where city_id not in (select city_id from cities)")
        == 0
    )
    assert (
        one(store, "select count(*) from incidents where nibrs_code not in (select nibrs_code from offenses)")
        == 0
    )


def test_coordinates_inside_city_bounding_box(store: duckdb.DuckDBPyConnection) -> None:
    outside = one(
        store,
        """select count(*) from incidents i join cities c using (city_id)
           where i.lat is not null and not (i.lat between c.bbox_min_lat and c.bbox_max_lat
                 and i.lon between c.bbox_min_lon and c.bbox_max_lon)""",
    )
    assert outside == 0


def test_no_future_dates_and_reports_after_occurrence(store: duckdb.DuckDBPyConnection) -> None:
    latest = one(store, "select max(occurred_at) from incidents")
    assert isinstance(latest, datetime) and latest < datetime.now()
    assert one(store, "select count(*) from incidents where reported_at < occurred_at") == 0


def test_rollups_agree_with_incidents(store: duckdb.DuckDBPyConnection) -> None:
    assert one(store, "select sum(n) from daily_counts") == one(store, "select count(*) from incidents")
    diff = store.execute(
        """
        with parts as (
            select city_id, month, source,
                   sum(count) filter (where offense in ('murder','rape','robbery','aggravated_assault')) as v_parts,
                   sum(count) filter (where offense = 'violent_crime') as v_total,
                   sum(count) filter (where offense in ('burglary','theft','motor_vehicle_theft')) as p_parts,
                   sum(count) filter (where offense = 'property_crime') as p_total
            from monthly_counts group by all)
        select count(*) from parts
        where coalesce(v_parts, 0) <> coalesce(v_total, 0) or coalesce(p_parts, 0) <> coalesce(p_total, 0)
        """
    ).fetchone()
    assert diff == (0,)
    incidents_violent = one(store, "select count(*) from incidents where offense_group = 'violent'")
    assert (
        one(store, "select sum(count) from monthly_counts where offense = 'violent_crime'")
        == incidents_violent
    )


def test_population_for_every_city_and_year(store: duckdb.DuckDBPyConnection) -> None:
    assert one(store, "select count(*) from city_population") == 12 * 17
    assert one(store, "select count(*) from city_population where population <= 0") == 0
