"""Migrations and the copy-and-swap write transaction."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import duckdb
import pytest

from ingest.store import migrate, migrations, write_store
from kernel.store import SCHEMA_VERSION, StoreError, connect_readonly, schema_version, version

CORE_TABLES = {
    "cities",
    "city_population",
    "offenses",
    "weapons",
    "imports",
    "quarantine",
    "incidents",
    "daily_counts",
    "monthly_counts",
    "districts",
    "city_boundaries",
    "store_info",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrations_are_numbered_uniquely_in_order() -> None:
    found = migrations()
    versions = [m.version for m in found]
    assert versions == sorted(set(versions)) and versions[0] == 1
    assert found[-1].version == SCHEMA_VERSION


def test_migrate_applies_once_and_records(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "s.duckdb"))
    assert migrate(con) == [m.version for m in migrations()]
    assert migrate(con) == []
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert CORE_TABLES <= tables
    assert schema_version(con) == SCHEMA_VERSION
    rows = con.execute("select version, name from schema_migrations order by 1").fetchall()
    assert rows[0] == (1, "core")


def test_failed_write_leaves_store_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with write_store(path) as con:
        con.execute("insert into store_info values ('k', 'v1')")
    before = _sha(path)
    with pytest.raises(RuntimeError, match="boom"), write_store(path) as con:
        con.execute("insert into store_info values ('k2', 'v2')")
        con.execute("delete from store_info where key = 'k'")
        raise RuntimeError("boom")
    assert _sha(path) == before
    assert not list(tmp_path.glob(".*.tmp*")), "temporary copy left behind"
    ro = connect_readonly(path)
    assert ro.execute("select key, value from store_info where key = 'k'").fetchall() == [("k", "v1")]


def test_the_writer_memory_is_capped_and_a_bad_cap_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PSP_IMPORT_MEMORY caps DuckDB's memory while the store is written (default half the
    machine, leaving room for the importer's arrays); a value DuckDB cannot read is refused
    with the setting's name, and the store stays as it was."""
    from ingest.errors import ImportFailed

    path = tmp_path / "s.duckdb"
    with write_store(path) as con:
        con.execute("insert into store_info values ('k', 'v1')")
        default = con.execute("select current_setting('memory_limit')").fetchone()
        half = (
            duckdb.connect(config={"memory_limit": "50%"})
            .execute("select current_setting('memory_limit')")
            .fetchone()
        )
        assert default == half
    monkeypatch.setenv("PSP_IMPORT_MEMORY", "1GB")
    with write_store(path) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("953.6 MiB",)
    before = _sha(path)
    monkeypatch.setenv("PSP_IMPORT_MEMORY", "lots")
    with (
        pytest.raises(ImportFailed, match="PSP_IMPORT_MEMORY='lots' is not a memory size"),
        write_store(path),
    ):
        pass
    assert _sha(path) == before
    assert not list(tmp_path.glob(".*.tmp*")), "temporary copy left behind"


def test_failed_first_write_creates_no_store(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    with pytest.raises(ValueError), write_store(path):
        raise ValueError("bad input")
    assert not path.exists()


def test_reader_keeps_working_while_a_write_swaps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with write_store(path) as con:
        con.execute("insert into store_info values ('n', '1')")
    reader = connect_readonly(path)
    v1 = version(path)
    with write_store(path) as con:
        con.execute("update store_info set value = '2' where key = 'n'")
    # The old connection still reads the old version; a new one sees the new file.
    assert reader.execute("select value from store_info").fetchone() == ("1",)
    assert version(path) != v1
    assert connect_readonly(path).execute("select value from store_info").fetchone() == ("2",)


def test_second_writer_is_refused_while_one_writes(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    inside = threading.Event()
    release = threading.Event()

    def first() -> None:
        with write_store(path):
            inside.set()
            release.wait(10)

    t = threading.Thread(target=first)
    t.start()
    assert inside.wait(10)
    try:
        with pytest.raises(RuntimeError, match="Another import"), write_store(path):
            pass
    finally:
        release.set()
        t.join()


def test_readonly_open_explains_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="python -m ingest public"):
        connect_readonly(tmp_path / "nope.duckdb")


def test_readonly_open_explains_old_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(StoreError, match="ingest migrate"):
        connect_readonly(path)


def test_a_killed_writers_copy_is_removed_by_the_next_writer(tmp_path: Path) -> None:
    """A writer killed with SIGKILL leaves its copy (as big as the store) and .wal; the next
    writer, holding the lock, removes them -- and nothing of another store's."""
    path = tmp_path / "s.duckdb"
    with write_store(path) as con:
        con.execute("insert into store_info values ('k', 'v1')")
    stale = [tmp_path / ".s.duckdb.999999.tmp", tmp_path / ".s.duckdb.999999.tmp.wal"]
    for p in stale:
        p.write_bytes(b"x" * 100)
    (tmp_path / ".s.duckdb.999999.tmp.tmp").mkdir()  # DuckDB's spill folder of that copy
    other = tmp_path / ".s.duckdb.old.duckdb.123.tmp"  # a copy of the store "s.duckdb.old.duckdb"
    other.write_bytes(b"y")
    with write_store(path) as con:
        con.execute("insert into store_info values ('k2', 'v2')")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [other.name]
    ro = connect_readonly(path)
    assert ro.execute("select count(*) from store_info where key in ('k', 'k2')").fetchone() == (2,)


@pytest.mark.parametrize(
    ("error", "why"),
    [
        (OSError(28, "No space left on device"), "the disk is full"),
        (OSError(27, "File too large"), "file-size limit"),
        (
            duckdb.IOException('IO Error: Could not write file "x.tmp": No space left on device'),
            "disk is full",
        ),
    ],
)
def test_running_out_of_space_is_one_clear_error(tmp_path: Path, error: Exception, why: str) -> None:
    from ingest.errors import ImportFailed, OutOfSpace

    path = tmp_path / "s.duckdb"
    with write_store(path) as con:
        con.execute("insert into store_info values ('k', 'v1')")
    before = _sha(path)
    with pytest.raises(OutOfSpace) as caught, write_store(path):
        raise error
    message = str(caught.value)
    assert message.startswith("not enough room to write the new version of the store") and why in message
    assert str(tmp_path) in message and "nothing was imported" in message
    assert isinstance(caught.value, ImportFailed)  # the importer's callers show it as one message
    assert _sha(path) == before and not list(tmp_path.glob(".*.tmp*"))


def test_a_quoted_line_saying_no_space_is_not_a_full_disk(tmp_path: Path) -> None:
    """An ImportFailed quoting a line of the user's file is passed on as it is."""
    from ingest.errors import ImportFailed, OutOfSpace

    path = tmp_path / "s.duckdb"
    with pytest.raises(ImportFailed) as caught, write_store(path):
        raise ImportFailed("bad line (the line reads: 'No space left on device')", "f.csv", line=3)
    assert not isinstance(caught.value, OutOfSpace)
