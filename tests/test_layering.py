"""Imports run one way: pages -> ui -> analysis -> duckdb. analysis/ and ingest/ never
import Streamlit (checked in a fresh interpreter, so nothing else has imported it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_legacy_pages_folder() -> None:
    # A pages/ folder beside dashboard.py switches Streamlit to its legacy multipage
    # routing for deep links (/trends would run the page without dashboard.py).
    assert not (ROOT / "pages").exists()


def _modules(package: str) -> list[str]:
    return [
        f"{package}." + ".".join(p.relative_to(ROOT / package).with_suffix("").parts)
        for p in sorted((ROOT / package).rglob("*.py"))
        if p.name not in ("__main__.py",)
    ]


def test_analysis_and_ingest_do_not_import_streamlit() -> None:
    modules = _modules("kernel") + _modules("analysis") + _modules("ingest") + ["report.briefing"]
    assert len(modules) > 5
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print(bad[:3]); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"streamlit imported by analysis/ingest: {result.stdout}{result.stderr}"


def test_pages_hold_no_sql() -> None:
    pages = list((ROOT / "views").glob("*.py"))
    assert pages
    for page in pages:
        text = page.read_text().lower()
        for word in ("select ", "con.execute", "duckdb.connect"):
            assert word not in text, f"{page.name} contains {word!r}: SQL belongs in analysis/"
