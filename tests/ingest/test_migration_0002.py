"""Migration 0002 upgrades a store built before it, keeping its rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING
from ingest.importer import latest_loaded
from ingest.store import migrate, migrations, write_store


def test_0002_upgrades_a_populated_version_1_store(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "create table schema_migrations (version integer primary key, name varchar not null,"
        " applied_at timestamp not null)"
    )
    first = migrations()[0]
    assert first.version == 1
    con.execute(first.path.read_text())
    con.execute("insert into schema_migrations values (1, 'core', ?)", [datetime.now()])
    con.execute("insert into monthly_counts values ('memphis_tn', '2019-01-01', 'murder', 15, 'rtci')")
    con.execute(
        "insert into incidents (incident_id, city_id, offense_group, source) values (1, 'memphis_tn', 'other', 'x')"
    )
    con.execute("insert into quarantine values (1, 'x', 2, 'bad date', '{}')")
    con.close()
    with write_store(path) as con:
        assert migrate(con) == []  # write_store has applied 0002 already
        versions = [v for (v,) in con.execute("select version from schema_migrations order by 1").fetchall()]
        assert versions[:2] == [1, 2]
        assert con.execute("select count, flag from monthly_counts").fetchall() == [(15, None)]
        assert con.execute("select time_known, date_basis, district_layer from incidents").fetchall() == [
            (True, "occurred", None)
        ]
        assert con.execute("select kept, field from quarantine").fetchall() == [(False, None)]
        assert con.execute("select count(*) from area_counts").fetchall() == [(0,)]


def test_latest_loaded(store: Path) -> None:
    from ingest.importer import import_file

    assert latest_loaded(store, "example_pd_rms") is None
    import_file(store, "generic", EXAMPLE_CSV, mapping=EXAMPLE_MAPPING)
    assert latest_loaded(store, "example_pd_rms") == "2024-02-04"
    assert latest_loaded(tmp := store.with_name("none.duckdb"), "x") is None and not tmp.exists()
