"""Imports run one way: views -> ui -> analysis / report -> kernel, and ingest -> kernel.
Read from the source with `ast` (tests/layering.py), so an import inside a function counts;
each rule also has a negative test that feeds the checker a bad snippet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.layering import built_sql, environment_reads, forbidden_imports, sql_calls, sql_strings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = ("analysis", "ingest", "kernel", "report", "ui", "views", "dashboard.py")
NOT_PRODUCTION = {"tests", "bench", "harness"}
# What each package must never import (besides NOT_PRODUCTION).
FORBIDDEN: dict[str, set[str]] = {
    "kernel": {"analysis", "ingest", "ui", "views", "report", "streamlit"},
    "analysis": {"ingest", "ui", "views", "report", "streamlit"},
    "ingest": {"ui", "views", "report", "streamlit"},
    "report": {"ui", "views", "streamlit"},
    "ui": set(),
    "views": set(),
    "dashboard.py": set(),
}
# SQL built from non-constant pieces that is allowed: file -> findings without their line
# number. None: every WHERE comes from CrimeFilter, identifiers from kernel.sql.ident, values
# and paths are bound. An entry here must say why it cannot be done that way.
ALLOWED_BUILT_SQL: dict[str, set[str]] = {}


def _files(package: str) -> list[Path]:
    path = ROOT / package
    return [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_legacy_pages_folder() -> None:
    # A pages/ folder beside dashboard.py switches Streamlit to its legacy multipage
    # routing for deep links (/trends would run the page without dashboard.py).
    assert not (ROOT / "pages").exists()


@pytest.mark.parametrize("package", PRODUCTION)
def test_imports_follow_the_layers(package: str) -> None:
    files = _files(package)
    assert files
    bad = [
        f"{_rel(f)}:{finding}"
        for f in files
        for finding in forbidden_imports(f.read_text(), FORBIDDEN[package] | NOT_PRODUCTION)
    ]
    assert not bad, f"{package} must not import {sorted(FORBIDDEN[package] | NOT_PRODUCTION)}: {bad}"


def test_import_check_sees_imports_inside_functions() -> None:
    snippet = "import os\n\ndef f():\n    import streamlit as st\n    from ui.data import query\n"
    assert forbidden_imports(snippet, {"streamlit"}) == ["4: imports streamlit"]
    assert forbidden_imports(snippet, {"ui"}) == ["5: imports ui.data"]
    assert forbidden_imports("import importlib\nimportlib.import_module('bench.run')\n", {"bench"})
    assert forbidden_imports("from kernel.settings import ROOT\n", {"analysis"}) == []


def test_streamlit_is_not_loaded_by_the_read_and_write_sides() -> None:
    # At run time too, in a fresh interpreter: a third-party import that pulls Streamlit in
    # would slip past the source check above.
    modules = [
        ".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in ("kernel", "analysis", "ingest", "report")
        for f in _files(package)
        if f.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(bad[:3]); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"streamlit loaded: {result.stdout}{result.stderr}"


@pytest.mark.parametrize("package", ("ui", "views", "dashboard.py"))
def test_pages_and_ui_hold_no_sql(package: str) -> None:
    bad = [
        f"{_rel(f)}:{x}"
        for f in _files(package)
        for x in sql_calls(f.read_text()) + sql_strings(f.read_text())
    ]
    assert not bad, f"SQL belongs in analysis/ (or ingest/), not {package}: {bad}"


def test_sql_checks_find_calls_and_statements() -> None:
    calls = "def f(con, cur, frame):\n    cur.execute('x')\n    con.sql('x')\n    con.query('x')\n    frame.query('a > 1')\n"
    assert sql_calls(calls) == ["2: .execute(", "3: .sql(", "4: .query("]
    texts = 'A = """\n  SELECT a FROM t"""\nB = "with x as (select 1) select * from x"\nC = "From 2019 on."\n'
    assert [f.split(":")[0] for f in sql_strings(texts)] == ["1", "3"]
    assert sql_strings('W = "With no data, nothing is drawn."\nD = "Delete this goal"\n') == []


@pytest.mark.parametrize("package", PRODUCTION)
def test_sql_text_is_not_built_from_values(package: str) -> None:
    bad = []
    for f in _files(package):
        allowed = ALLOWED_BUILT_SQL.get(_rel(f), set())
        bad += [f"{_rel(f)}:{x}" for x in built_sql(f.read_text()) if x.split(": ", 1)[1] not in allowed]
    assert not bad, "SQL text built from values (bind parameters; identifiers via kernel.sql.ident): " + str(
        bad
    )


def test_allow_list_has_no_stale_entries() -> None:
    for rel, allowed in ALLOWED_BUILT_SQL.items():
        path = ROOT / rel
        found = {x.split(": ", 1)[1] for x in built_sql(path.read_text())} if path.exists() else set()
        assert allowed <= found, f"{rel}: fixed, remove from the allow-list: {sorted(allowed - found)}"


def test_built_sql_check_follows_variables_and_formats() -> None:
    snippet = (
        "TABLE = 'cities'\n"
        "def f(con, city, name):\n"
        "    con.execute(f'select * from {TABLE} where id = ?', [city])\n"  # constant: fine
        "    con.execute(f'select * from {ident(name, NAMES)}')\n"  # identifier helper: fine
        "    con.execute(f\"select * from t where id = '{city}'\")\n"  # a value: line 5
        "    sql = 'select {c} from t'.format(c=name)\n"
        "    con.sql(sql)\n"  # reported at the .format() on line 6
        "    con.execute('select %s' % city)\n"  # line 8
        "    con.executemany('insert into t values (?)', [[city]])\n"  # parameters: fine
    )
    assert [f.split(":")[0] for f in built_sql(snippet)] == ["5", "6", "8"]


def test_built_sql_check_accepts_only_fixed_pieces() -> None:
    snippet = (
        "ORDER = {'first': 'copy', 'last': 'copy desc'}\n"
        "def cols(header):\n"
        "    return ', '.join(ident(c, header) for c in header)\n"
        "def f(con, keep, table, path, header, city):\n"
        "    name = ident(table, TABLES)\n"
        "    con.execute(f'select {cols(header)} from {name} order by {ORDER[keep]}')\n"  # fixed: fine
        "    con.execute(f'create view v as select * from read_parquet({path_literal(path)})')\n"  # fine
        "    where = 'where a = 1' if keep else ''\n"
        "    con.execute(f'select * from t {where}')\n"  # a choice between fixed texts: fine
        "    other = table\n"
        "    con.execute(f'select * from {other}')\n"  # line 11: a value through a variable
        "    con.execute(f\"select {', '.join(city)} from t\")\n"  # line 12: values joined
        "    con.execute(f'select * from {keep[0]}')\n"  # line 13: a lookup in a value
    )
    assert [f.split(":")[0] for f in built_sql(snippet)] == ["11", "12", "13"]


@pytest.mark.parametrize("package", PRODUCTION)
def test_environment_is_read_only_through_kernel_settings(package: str) -> None:
    bad = [
        f"{_rel(f)}:{x}"
        for f in _files(package)
        if _rel(f) != "kernel/settings.py"
        for x in environment_reads(f.read_text())
    ]
    assert not bad, (
        f"read environment variables through kernel.settings.SETTINGS (name, default, help): {bad}"
    )


def test_environment_check_finds_every_way_of_reading() -> None:
    snippet = (
        "import os\n"
        "a = os.environ.get('A')\n"
        "b = os.getenv('B')\n"
        "c = os.environ['C']\n"
        "d = 'D' in os.environ\n"
        "os.environ.setdefault('E', 'x')\n"  # a write for a library: not a read
    )
    assert [f.split(":")[0] for f in environment_reads(snippet)] == ["2", "3", "4", "5"]
