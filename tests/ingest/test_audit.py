"""The audit trail (ingest/audit.py): append-only rows chained by hash, in a file of its own,
safe with many writing threads and processes at once."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from ingest.audit import AuditError, Entry, recent, record, verify

ROOT = Path(__file__).resolve().parents[2]


def test_record_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    when = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
    assert record(path, Entry("a@pd", "analyst", "view", "map", "city=memphis_tn"), now=when) == 1
    seq = record(path, Entry("a@pd", "analyst", "export", "city", "", {"file": "x.csv", "rows": 3}))
    assert seq == 2
    rows = recent(path)
    assert rows["seq"].tolist() == [2, 1]
    assert rows["action"].tolist() == ["export", "view"]
    assert json.loads(rows["detail"].iloc[0]) == {"file": "x.csv", "rows": 3}
    assert rows["query"].iloc[1] == "city=memphis_tn"
    assert recent(path, action="view")["seq"].tolist() == [1]
    assert verify(path) is None


def test_unknown_action_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AuditError, match="unknown audit action 'delete'"):
        record(tmp_path / "a.duckdb", Entry("x", "admin", "delete"))


def test_edit_or_deletion_outside_the_app_breaks_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    for i in range(4):
        record(path, Entry("u", "viewer", "view", f"p{i}"))
    con = duckdb.connect(str(path))
    con.execute("update audit set who = 'someone else' where seq = 3")
    con.close()
    assert verify(path) == 3
    con = duckdb.connect(str(path))
    con.execute("update audit set who = 'u' where seq = 3")
    con.execute("delete from audit where seq = 2")
    con.close()
    assert verify(path) == 3  # the row after the gap no longer follows


def test_many_threads_write_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "audit.duckdb"
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: record(path, Entry(f"user{i % 5}", "viewer", "view", str(i))), range(40)))
    rows = recent(path, 0)
    assert len(rows) == 40 and sorted(rows["seq"]) == list(range(1, 41))
    assert sorted(rows["page"].astype(int)) == list(range(40))
    assert verify(path) is None


WRITER = """
import sys
from pathlib import Path
from ingest.audit import Entry, record
for i in range(10):
    record(Path(sys.argv[1]), Entry("proc" + sys.argv[2], "viewer", "view", str(i)))
"""


def test_several_processes_write_without_loss(tmp_path: Path) -> None:
    """DuckDB lets one process at a time open a file for writing: the others retry."""
    path = tmp_path / "audit.duckdb"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)], cwd=ROOT, stderr=subprocess.PIPE)
        for n in range(2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    rows = recent(path, 0)
    assert len(rows) == 20
    assert rows.groupby("who").size().to_dict() == {f"proc{n}": 10 for n in range(2)}
    assert verify(path) is None


def test_nothing_in_the_app_deletes_or_changes_an_entry() -> None:
    """The only statements on the audit table are create and insert (ingest/audit.py)."""
    code = [
        ROOT / "dashboard.py",
        *(
            p
            for d in ("kernel", "analysis", "ingest", "ui", "views", "report")
            for p in (ROOT / d).rglob("*.py")
        ),
    ]
    assert len(code) > 50
    pattern = re.compile(
        r"(delete\s+from|drop\s+table|truncate|update|alter\s+table)\s+(if\s+exists\s+)?audit\b", re.I
    )
    assert [p.name for p in code if pattern.search(p.read_text())] == []
    assert re.findall(r"insert into audit", (ROOT / "ingest" / "audit.py").read_text()) == [
        "insert into audit"
    ]
