"""Stores the tests and the benchmarks build the same way."""

from __future__ import annotations

from pathlib import Path

from ingest.demo.build import build_demo
from ingest.goals.goals_file import load_demo_goals
from ingest.registry import load_registry
from ingest.store import write_store


def build_demo_store(path: Path, scale: float = 0.02, seed: int = 7) -> Path:
    """As `python -m ingest demo` builds it: the rows, then the demo goals (data/goals.toml)."""
    with write_store(path) as con:
        load_registry(con)
        build_demo(con, scale=scale, seed=seed)
        load_demo_goals(con)
    return path
