"""The audit trail: an append-only table in a DuckDB file of its own (PSP_AUDIT_DB).

Design decisions:
- Its own file, not a table in the store: an import builds a new store and renames it into
  place, which would drop (or race with) rows written to the old file meanwhile.
- Append-only by construction: this module has `record` and read functions, nothing that
  updates or deletes, and no page calls anything else. Each row carries a SHA-256 chained
  to the row before (`hash` = sha256(prev hash + the row)), so an edit or deletion made
  outside the app (with the duckdb CLI) shows up in `verify()`.
- Several sessions (threads) and several processes write: each write opens a short-lived
  connection, appends in one transaction and closes it, under a process-wide lock; a
  connection refused because another process holds the file is retried with back-off
  (DuckDB allows one writing process at a time).
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

ACTIONS = (
    "view",  # a page with its filters (the URL query)
    "sign_in",  # the first run of a signed-in user's session
    "sign_out",
    "export",  # a download: file, rows, columns
    "import",  # an upload through the Data page
    "goal_add",
    "goal_remove",
    "intervention_add",
    "denied",  # a refused request
    "audit_export",
)
SCHEMA = """
create table if not exists audit (
    seq bigint primary key,
    happened_at timestamptz not null,
    who varchar not null,
    role varchar not null,
    action varchar not null,
    page varchar,
    query varchar,
    detail varchar,   -- JSON
    prev_hash varchar not null,
    hash varchar not null
)
"""
COLUMNS = ("seq", "happened_at", "who", "role", "action", "page", "query", "detail", "prev_hash", "hash")
GENESIS = "0" * 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RETRY_SECONDS = 20.0
# One thread and no extension loading: a connection lives for one append.
CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "threads": 1,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
}

_lock = threading.Lock()


class AuditError(RuntimeError):
    """The audit trail could not be written (after retrying) or is malformed."""


@dataclass(frozen=True)
class Entry:
    """One audit row before it is stored."""

    who: str
    role: str
    action: str
    page: str | None = None
    query: str | None = None
    detail: Mapping[str, Any] | None = None


def _micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def _row_hash(prev: str, seq: int, at_us: int, e: Entry, detail: str | None) -> str:
    fields = [prev, str(seq), str(at_us), e.who, e.role, e.action, e.page or "", e.query or "", detail or ""]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


@contextmanager
def _connect(path: Path, deadline: float = RETRY_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection, retried while another process holds the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        end = time.monotonic() + deadline
        wait = 0.01
        while True:
            try:
                con = duckdb.connect(str(path), config=CONFIG)
                break
            except duckdb.IOException as exc:
                if time.monotonic() > end:
                    raise AuditError(
                        f"the audit trail {path} stayed locked by another process: {exc}"
                    ) from exc
                time.sleep(wait * (1 + random.random()))
                wait = min(wait * 2, 0.25)
        try:
            con.execute(SCHEMA)
            yield con
        finally:
            con.close()


def record(path: Path, entry: Entry, now: datetime | None = None) -> int:
    """Append one entry; returns its sequence number."""
    if entry.action not in ACTIONS:
        raise AuditError(f"unknown audit action {entry.action!r}")
    detail = json.dumps(dict(entry.detail), default=str, sort_keys=True) if entry.detail else None
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with _connect(path) as con:
        con.execute("begin transaction")
        try:
            last = con.execute("select seq, hash from audit order by seq desc limit 1").fetchone()
            seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
            digest = _row_hash(prev, seq, _micros(at), entry, detail)
            con.execute(
                "insert into audit values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, at, entry.who, entry.role, entry.action, entry.page, entry.query, detail, prev, digest],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return seq


def recent(path: Path, limit: int = 1_000, action: str | None = None) -> pd.DataFrame:
    """The newest `limit` entries (all when limit is 0), newest first."""
    if not path.exists():
        return pd.DataFrame(columns=list(COLUMNS))
    with _connect(path) as con:
        return con.execute(
            "select * from audit where ($action::varchar is null or action = $action)"
            " order by seq desc limit $limit",  # a NULL limit is no limit
            {"action": action or None, "limit": limit or None},
        ).df()


def verify(path: Path) -> int | None:
    """The sequence number of the first row whose chain is broken (edited, deleted or
    inserted outside `record`), or None when the whole trail is intact."""
    if not path.exists():
        return None
    with _connect(path) as con:
        rows = con.execute(
            "select seq, epoch_us(happened_at), who, role, action, page, query, detail, prev_hash, hash "
            "from audit order by seq"
        ).fetchall()
    prev, expected_seq = GENESIS, 1
    for seq, at_us, who, role, action, page, query, detail, prev_hash, digest in rows:
        entry = Entry(who, role, action, page, query)
        if seq != expected_seq or prev_hash != prev or digest != _row_hash(prev, seq, at_us, entry, detail):
            return int(seq)
        prev, expected_seq = digest, seq + 1
    return None
