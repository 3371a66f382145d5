"""The audit trail is a DuckDB file, often in data/, but never offered as a dataset."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analysis.sources.datasets import list_datasets


def test_audit_trail_is_not_a_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("public", "demo", "audit"):
        duckdb.connect(str(tmp_path / f"{name}.duckdb")).close()
    monkeypatch.delenv("PSP_DB", raising=False)
    monkeypatch.setenv("PSP_AUDIT_DB", str(tmp_path / "audit.duckdb"))
    assert [d.name for d in list_datasets(tmp_path)] == ["public", "demo"]
