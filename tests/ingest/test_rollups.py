"""The place and time rollups of migration 0004: rebuilt per source, backfilled by the
migration itself, and counted by hand on a few incidents."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest.registry import load_registry
from ingest.rollups import MACRO_ROLLUPS, rebuild_rollups
from ingest.store import migrations, write_store

# (id, city, occurred_at, code, firearm, lat, lon, h3_r9, district, source)
ROWS = [
    (1, "memphis_tn", "2024-01-05 23:30:00", "13A", True, 35.14, -90.03, 100, "North", "a"),
    (2, "memphis_tn", "2024-01-19 00:00:00", "220", None, 35.14, -90.03, 100, "North", "a"),
    (3, "memphis_tn", "2024-01-20 00:00:00", "220", None, 35.09, -89.90, 200, "South", "a"),
    (4, "memphis_tn", "2024-02-03 19:00:00", "13A", False, None, None, None, "South", "a"),
    (5, "memphis_tn", None, "13A", False, 35.09, -89.90, 200, "South", "a"),
    (6, "memphis_tn", "2024-01-05 23:45:00", "13A", True, 35.14, -90.03, 100, "North", "b"),
]


def insert(con: duckdb.DuckDBPyConnection, rows: list[tuple[object, ...]]) -> None:
    con.executemany(
        """
        insert into incidents (incident_id, city_id, occurred_at, nibrs_code, offense_group, firearm,
                               lat, lon, h3_r9, district, source)
        select ?, ?, ?::timestamp, ?, o.offense_group, ?, ?, ?, ?, ?, ?
        from offenses o where o.nibrs_code = ?
        """,
        [(*r[:4], *r[4:], r[3]) for r in rows],
    )


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "rollups.duckdb"
    with write_store(path) as con:
        load_registry(con)
        insert(con, ROWS)
        # Incident 3's source gave only a date (migration 0002's time_known).
        con.execute("update incidents set time_known = false where incident_id = 3")
        rebuild_rollups(con, ["a", "b"])
    return path


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_cell_counts_by_hand(store: Path) -> None:
    got = rows(
        store, "select month::varchar, nibrs_code, h3_r9, district, source, n from cell_counts order by all"
    )
    assert got == [
        ("2024-01-01", "13A", 100, "North", "a", 1),
        ("2024-01-01", "13A", 100, "North", "b", 1),
        ("2024-01-01", "220", 100, "North", "a", 1),
        ("2024-01-01", "220", 200, "South", "a", 1),
        ("2024-02-01", "13A", None, "South", "a", 1),  # kept: the map says it has no location
    ]  # incident 5 has no date: in no month


def test_hour_counts_by_hand(store: Path) -> None:
    got = rows(
        store,
        "select weekday, hour, at_midnight, time_known, nibrs_code, sum(n) from hour_counts"
        " where source = 'a' group by all order by all",
    )
    assert got == [
        (5, 0, True, True, "220", 1),  # Fri 2024-01-19 00:00:00
        (5, 23, False, True, "13A", 1),  # Fri 2024-01-05 23:30
        (6, 0, True, False, "220", 1),  # Sat 2024-01-20, date only
        (6, 19, False, True, "13A", 1),  # Sat 2024-02-03 19:00
    ]


def test_monthly_code_counts_by_hand(store: Path) -> None:
    got = rows(
        store,
        "select month::varchar, nibrs_code, firearm, district, source, n from monthly_code_counts order by all",
    )
    assert got == [
        ("2024-01-01", "13A", True, "North", "a", 1),
        ("2024-01-01", "13A", True, "North", "b", 1),
        ("2024-01-01", "220", None, "North", "a", 1),
        ("2024-01-01", "220", None, "South", "a", 1),
        ("2024-02-01", "13A", False, "South", "a", 1),
    ]


def test_rebuild_touches_only_its_sources(store: Path) -> None:
    with write_store(store) as con:
        con.execute("delete from incidents where source = 'a' and incident_id = 1")
        rebuild_rollups(con, ["a"])
    for table in MACRO_ROLLUPS:
        assert rows(store, f"select source, sum(n) from {table} group by 1 order by 1") == [
            ("a", 3),
            ("b", 1),
        ]


def test_migration_backfills_a_store_that_has_incidents(tmp_path: Path) -> None:
    """A store made before 0004 gets its rollups filled by the migration itself."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    first = [m for m in migrations() if m.version < 4]
    con.execute(
        "create table schema_migrations (version integer primary key, name varchar, applied_at timestamp)"
    )
    for m in first:
        con.execute(m.path.read_text())
    load_registry(con)
    insert(con, ROWS)
    con.execute(
        "insert into daily_counts select city_id, occurred_at::date, nibrs_code, offense_group, firearm, district, source, count(*) from incidents where occurred_at is not null group by all"
    )
    four = next(m for m in migrations() if m.version == 4)
    con.execute(four.path.read_text())
    for table in MACRO_ROLLUPS[:4]:
        assert con.execute(f"select sum(n) from {table}").fetchone() == (5,), table
    con.close()


def test_rollups_add_up_on_a_demo_store(demo: duckdb.DuckDBPyConnection) -> None:
    """Every place and time rollup holds every dated offense of the store once."""
    dated = demo.execute("select count(*) from incidents where occurred_at is not null").fetchone()
    for table in MACRO_ROLLUPS:
        assert demo.execute(f"select sum(n) from {table}").fetchone() == dated, table
    by_year = demo.execute(
        "select year(year), sum(n) from yearly_cell_counts group by 1"
        " except select year(month), sum(n) from cell_counts group by 1"
    ).fetchall()
    assert by_year == []


def test_incident_months_by_hand(store: Path) -> None:
    """Migration 0005: city x source x month, what the data-health look-ups read."""
    got = rows(
        store,
        "select source, month::varchar, n, geocoded, no_time, date_basis, first_day::varchar,"
        " last_day::varchar from incident_months order by all",
    )
    assert got == [
        # 1, 2, 3 in January (3 is date only); all three have coordinates.
        ("a", "2024-01-01", 3, 3, 1, "occurred", "2024-01-05", "2024-01-20"),
        ("a", "2024-02-01", 1, 0, 0, "occurred", "2024-02-03", "2024-02-03"),  # 4: no location
        ("b", "2024-01-01", 1, 1, 0, "occurred", "2024-01-05", "2024-01-05"),
    ]  # incident 5 has no date: in no month


def test_migration_0005_backfills_incident_months(tmp_path: Path) -> None:
    """A store made before 0005 gets incident_months filled by the migration itself."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create table schema_migrations (version integer primary key, name varchar, applied_at timestamp)"
    )
    for m in migrations():
        if m.version < 5:
            con.execute(m.path.read_text())
    load_registry(con)
    insert(con, ROWS)
    five = next(m for m in migrations() if m.version == 5)
    con.execute(five.path.read_text())
    assert con.execute("select source, sum(n) from incident_months group by 1 order by 1").fetchall() == [
        ("a", 4),
        ("b", 1),
    ]
    con.close()


def test_weekly_counts_by_hand(store: Path) -> None:
    """Migration 0006: ISO weeks (the Monday) x NIBRS code x firearm, for the weekly trend."""
    got = rows(store, "select source, week::varchar, nibrs_code, firearm, n from weekly_counts order by all")
    assert got == [
        ("a", "2024-01-01", "13A", True, 1),  # Fri 5 Jan
        ("a", "2024-01-15", "220", None, 2),  # Fri 19 and Sat 20 Jan, same week
        ("a", "2024-01-29", "13A", False, 1),  # Sat 3 Feb: the week began on Monday 29 Jan
        ("b", "2024-01-01", "13A", True, 1),
    ]
