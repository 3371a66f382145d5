"""Writing the store: numbered migrations and the copy-and-swap write transaction.

Design: DuckDB allows one writer per file, and a dashboard process holds the file open
read-only. So a write never opens the live file. `write_store` copies the store to a
temporary file beside it, applies migrations and the caller's work inside one
transaction, checkpoints, and renames the copy over the original (atomic on POSIX).
Any exception discards the copy: the live store is untouched, byte for byte. A lock
file serialises concurrent writers; whoever holds it removes copies a killed writer left
behind (a writer killed with SIGKILL cannot clean up, and each copy is as big as the store).
Running out of disk space (or of the file-size limit) raises OutOfSpace with one clear
message instead of DuckDB's or the OS's error.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from analysis.series.official import refresh_official
from ingest.errors import ImportFailed, OutOfSpace
from kernel.settings import import_memory

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


def _copies(path: Path) -> list[Path]:
    """The temporary copies (and their DuckDB .wal / .tmp spill folder) of writers of `path`."""
    prefix = f".{path.name}."
    pattern = os.path.join(glob.escape(str(path.parent)), glob.escape(prefix) + "*.tmp*")
    # Only `.NAME.<pid>.tmp[.wal|.tmp]`: not the copies of another store named NAME.something.
    return [
        Path(p)
        for p in glob.glob(pattern)
        if re.fullmatch(r"\d+\.tmp(\.wal|\.tmp)?", os.path.basename(p)[len(prefix) :])
    ]


def _discard(paths: list[Path]) -> None:
    for p in paths:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


_NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_NO_SPACE_TEXT = {
    "no space left on device": "the disk is full",
    "file too large": "the file would exceed this process's file-size limit (ulimit -f)",
    "disk quota exceeded": "the disk quota is used up",
}


def _out_of_space(exc: BaseException) -> str | None:
    """Why `exc` (or an error it wraps) is a full disk or file-size limit; None if it is not.
    Only OS and DuckDB errors are read (an ImportFailed may quote a line of the user's file)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, OSError) and seen.errno in _NO_SPACE_ERRNOS:
            return {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up"}.get(
                seen.errno, _NO_SPACE_TEXT["file too large"]
            )
        if isinstance(seen, duckdb.Error | OSError):
            text = str(seen).lower()
            for needle, why in _NO_SPACE_TEXT.items():
                if needle in text:
                    return why
        seen = seen.__cause__ or seen.__context__
    return None


def _no_space_message(path: Path, why: str) -> str:
    size = path.stat().st_size / 1e6 if path.exists() else 0.0
    try:
        free = f"{shutil.disk_usage(path.parent).free / 1e6:,.0f} MB free there now"
    except OSError:
        free = "free space unknown"
    return (
        f"not enough room to write the new version of the store ({why}). A write needs a copy of "
        f"the store ({size:,.0f} MB) plus room for the new rows in {path.parent} ({free}). "
        "Free some space there (or raise the limit) and run the import again; nothing was imported."
    )


class ReadOnlyLake(RuntimeError):
    """A write was attempted on a lake folder (PSP_DB pointing at an export-lake folder)."""


def _connect_writer(tmp: Path) -> duckdb.DuckDBPyConnection:
    """The writing connection, with DuckDB's memory capped at PSP_IMPORT_MEMORY so that the
    importer's own arrays fit beside it (past the cap DuckDB spills to `<store>.tmp`)."""
    limit = import_memory()
    try:
        return duckdb.connect(str(tmp), config={"memory_limit": limit})
    except (duckdb.ParserException, duckdb.InvalidInputException) as exc:
        raise ImportFailed(
            f"PSP_IMPORT_MEMORY={limit!r} is not a memory size: give one such as 8GB or 50%"
        ) from exc


@contextlib.contextmanager
def write_store(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a writable copy of the store in one transaction; swap it in on success.

    Usage::

        with write_store(path) as con:
            con.execute("insert into ...", params)

    On success the copy replaces `path` atomically; on any exception nothing changes.
    Raises OutOfSpace (an ImportFailed) when the disk or file-size limit runs out.
    """
    path = Path(path)
    if path.is_dir():
        raise ReadOnlyLake(
            f"{path} is a lake (Parquet files exported from a store), which is read-only: "
            "import into the store it came from and run `python -m ingest export-lake` again."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(path):
        # Holding the lock, no other writer is alive: any copy is a killed writer's leftover.
        _discard(_copies(path))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        con: duckdb.DuckDBPyConnection | None = None
        try:
            if path.exists():
                shutil.copyfile(path, tmp)
            con = _connect_writer(tmp)
            con.execute("begin transaction")
            migrate(con)
            yield con
            # The official series follows every change of its inputs, in the same transaction.
            refresh_official(con)
            con.execute("commit")
            con.execute("checkpoint")
            con.close()
            os.replace(tmp, path)
        except BaseException as exc:
            if con is not None:
                with contextlib.suppress(Exception):
                    con.execute("rollback")
                with contextlib.suppress(Exception):
                    con.close()
            _discard(_copies(path))
            why = _out_of_space(exc)
            if why is not None:
                raise OutOfSpace(_no_space_message(path, why)) from exc
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
    *,
    coverage: str | None = None,
    part1_scope: list[str] | None = None,
) -> int:
    """Open an entry in the imports log and return its id. `coverage` ('city' | 'area')
    and `part1_scope` declare what the source covers completely (None: the whole city,
    every Part I offense; the mappings always declare both)."""
    row = con.execute("select coalesce(max(import_id), 0) + 1 from imports").fetchone()
    import_id = int(row[0]) if row else 1
    con.execute(
        "insert into imports (import_id, source, kind, location, content_sha256, started_at, coverage, part1_scope)"
        " values (?, ?, ?, ?, ?, ?, ?, ?)",
        [import_id, source, kind, location, content_sha256, datetime.now(), coverage, part1_scope],
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
