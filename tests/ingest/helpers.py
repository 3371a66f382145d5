"""What several ingest tests share: reading a built store, importing a list of files into
one store, and the published figures the real-data tests check against."""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from ingest.hashing import file_sha256
from ingest.importer import import_file
from ingest.outcome import ImportReport
from ingest.registry import load_cities
from kernel.store import connect_readonly

# 2019 murders as the FBI-sourced Real-Time Crime Index publishes them (the issue lists them).
MURDERS_2019 = {
    "houston_tx": 281,
    "memphis_tn": 190,
    "kansas_city_mo": 150,
    "indianapolis_in": 118,
    "cincinnati_oh": 64,
    "buffalo_ny": 47,
    "springfield_il": 9,
}


def by_name(figures: dict[str, int]) -> dict[str, int]:
    """The same figures keyed by the city's display name (data/cities.toml)."""
    names = {c.city_id: c.name for c in load_cities()}
    return {names[city]: n for city, n in figures.items()}


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    """Every row of `sql` on the store at `db`, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def pairs(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> dict[object, object]:
    """A two-column result as {first: second}."""
    return dict(con.execute(sql, params or []).fetchall())  # type: ignore[arg-type]


Imported = tuple[Path, dict[str, ImportReport]]  # a store and the reports of its imports


def import_files(db: Path, files: Iterable[tuple[str, str, Path]]) -> dict[str, ImportReport]:
    """Import each (key, source, file) into `db` in order; the reports by key."""
    return {key: import_file(db, source, path) for key, source, path in files}


def imported_store(
    tmp: pytest.TempPathFactory, name: str, files: Iterable[tuple[str, str, Path]]
) -> Imported:
    """A new store `<name>.duckdb` in a fresh temporary folder holding `files` (import_files)."""
    path = tmp.mktemp(name) / f"{name}.duckdb"
    return path, import_files(path, files)


def copy_of(store: Path, folder: Path) -> Path:
    """A copy of a (session-wide) store to write to, in `folder`."""
    path = folder / f"copy_of_{store.name}"
    shutil.copyfile(store, path)
    return path


@contextmanager
def unchanged(path: Path) -> Iterator[None]:
    """Asserts that the file is byte-identical (SHA-256) after the block: a failed write left no trace."""
    before = file_sha256(path)
    yield
    assert file_sha256(path) == before


@contextmanager
def read_only(store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store opened read-only as the dashboard opens it, closed after the block."""
    con = connect_readonly(store)
    try:
        yield con
    finally:
        con.close()
