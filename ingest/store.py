"""Writing the store: numbered migrations and the copy-and-swap write transaction.

Design: DuckDB allows one writer per file, and a dashboard process holds the file open
read-only. So a write never opens the live file. `write_store` copies the store to a
temporary file beside it, applies migrations and the caller's work inside one
transaction, checkpoints, and renames the copy over the original (atomic on POSIX).
Any exception discards the copy: the live store is untouched, byte for byte. A lock
file serialises concurrent writers.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Migration:
    """One numbered schema change: migrations/NNNN_name.sql."""

    version: int
    name: str
    path: Path


def migrations() -> list[Migration]:
    """All migrations in order; file names must be NNNN_name.sql with unique numbers."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        number, _, name = path.stem.partition("_")
        found.append(Migration(int(number), name, path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers in {MIGRATIONS_DIR}")
    return found


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply the migrations not yet recorded in schema_migrations; return their numbers."""
    con.execute(
        "create table if not exists schema_migrations ("
        " version integer primary key, name varchar not null, applied_at timestamp not null)"
    )
    applied = {r[0] for r in con.execute("select version from schema_migrations").fetchall()}
    done = []
    for m in migrations():
        if m.version in applied:
            continue
        con.execute(m.path.read_text())
        con.execute("insert into schema_migrations values (?, ?, ?)", [m.version, m.name, datetime.now()])
        done.append(m.version)
    return done


@contextlib.contextmanager
def _writer_lock(path: Path) -> Iterator[None]:
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"Another import is writing {path} right now; wait for it to finish."
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class ReadOnlyLake(RuntimeError):
    """A write was attempted on a lake folder (PSP_DB pointing at an export-lake folder)."""


@contextlib.contextmanager
def write_store(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a writable copy of the store in one transaction; swap it in on success.

    Usage::

        with write_store(path) as con:
            con.execute("insert into ...", params)

    On success the copy replaces `path` atomically; on any exception nothing changes.
    """
    path = Path(path)
    if path.is_dir():
        raise ReadOnlyLake(
            f"{path} is a lake (Parquet files exported from a store), which is read-only: "
            "import into the store it came from and run `python -m ingest export-lake` again."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        if path.exists():
            shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            con.execute("begin transaction")
            migrate(con)
            yield con
            con.execute("commit")
            con.execute("checkpoint")
            con.close()
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(Exception):
                con.execute("rollback")
            con.close()
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
            raise


def set_info(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Record a fact about the store (dataset kind, demo seed, ...) in store_info."""
    con.execute("insert or replace into store_info (key, value) values (?, ?)", [key, value])


def start_import(
    con: duckdb.DuckDBPyConnection,
    source: str,
    kind: str,
    location: str | None,
    content_sha256: str | None = None,
) -> int:
    """Open an entry in the imports log and return its id."""
    row = con.execute("select coalesce(max(import_id), 0) + 1 from imports").fetchone()
    import_id = int(row[0]) if row else 1
    con.execute(
        "insert into imports (import_id, source, kind, location, content_sha256, started_at)"
        " values (?, ?, ?, ?, ?, ?)",
        [import_id, source, kind, location, content_sha256, datetime.now()],
    )
    return import_id


def finish_import(
    con: duckdb.DuckDBPyConnection,
    import_id: int,
    *,
    rows_read: int,
    rows_accepted: int,
    rows_quarantined: int = 0,
    rows_duplicate: int = 0,
    note: str | None = None,
) -> None:
    """Close an imports-log entry with its figures."""
    con.execute(
        "update imports set finished_at = ?, rows_read = ?, rows_accepted = ?,"
        " rows_quarantined = ?, rows_duplicate = ?, note = ? where import_id = ?",
        [
            datetime.now(),
            rows_read,
            rows_accepted,
            rows_quarantined,
            rows_duplicate,
            note,
            import_id,
        ],
    )
