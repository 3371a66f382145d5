"""Writing goals and interventions, all or nothing: checked on a read-only connection,
then again inside the write transaction (ingest.store.write_store)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from analysis.goals.goal import GoalSpec
from ingest.goals.spec import GOAL_SOURCES, INTERVENTION_SOURCES, GoalError, InterventionSpec
from ingest.goals.validate import batch_problems, validate_intervention
from ingest.store import write_store
from kernel.store import connect_readonly

T = TypeVar("T")


def insert_goals(con: duckdb.DuckDBPyConnection, specs: Iterable[GoalSpec], source: str) -> list[int]:
    if source not in GOAL_SOURCES:
        raise ValueError(f"unknown goal source {source!r}")
    row = con.execute("select coalesce(max(goal_id), 0) from goals").fetchone()
    next_id = (int(row[0]) if row else 0) + 1
    ids = []
    now = datetime.now()
    for spec in specs:
        years = sorted(spec.baseline_years)
        con.execute(
            "insert into goals (goal_id, city_id, district, offense, baseline_kind, baseline_year,"
            " baseline_years, target_change_pct, start_date, deadline, owner, note, created_at, source)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                next_id,
                spec.city_id,
                spec.district,
                spec.offense,
                spec.baseline_kind,
                years[0] if len(years) == 1 else None,
                years if len(years) > 1 else None,
                float(spec.target_change_pct),
                spec.start_date,
                spec.deadline,
                spec.owner,
                spec.note,
                now,
                source,
            ],
        )
        ids.append(next_id)
        next_id += 1
    return ids


def _checked_write(
    db: Path,
    check: Callable[[duckdb.DuckDBPyConnection], list[str]],
    write: Callable[[duckdb.DuckDBPyConnection], T],
) -> T:
    """Run `check` on a read-only connection (cheap: no copy of the store), then again in
    the write transaction, where `write` runs only if there is still no problem. Any
    problem raises GoalError and write_store leaves the store as it was."""
    reader = connect_readonly(db)
    try:
        problems = check(reader)
    finally:
        reader.close()
    if problems:
        raise GoalError(problems)
    with write_store(db) as con:
        problems = check(con)  # the store may have changed since
        if problems:
            raise GoalError(problems)
        return write(con)


def add_goals(db: Path, specs: Sequence[GoalSpec], source: str = "user", replace: bool = False) -> list[int]:
    """Validate and store `specs` in one write; GoalError (and nothing written) if any
    goal is invalid. `replace` first removes the goals of the same source. Returns the
    new goal ids."""
    if not specs:
        raise GoalError(["No goals to add."])

    def write(con: duckdb.DuckDBPyConnection) -> list[int]:
        if replace:
            con.execute("delete from goals where source = ?", [source])
        return insert_goals(con, specs, source)

    return _checked_write(db, lambda con: batch_problems(con, specs), write)


def remove_goal(db: Path, goal_id: int) -> None:
    """Delete one goal; GoalError if it does not exist (nothing written)."""

    def check(con: duckdb.DuckDBPyConnection) -> list[str]:
        row = con.execute("select count(*) from goals where goal_id = ?", [goal_id]).fetchone()
        return [] if row and row[0] else [f"There is no goal {goal_id}."]

    _checked_write(db, check, lambda con: con.execute("delete from goals where goal_id = ?", [goal_id]))


def add_intervention(db: Path, spec: InterventionSpec, source: str = "user") -> int:
    """Validate and store one intervention; GoalError (nothing written) if invalid."""
    if source not in INTERVENTION_SOURCES:
        raise ValueError(f"unknown intervention source {source!r}")

    def write(con: duckdb.DuckDBPyConnection) -> int:
        row = con.execute("select coalesce(max(intervention_id), 0) + 1 from interventions").fetchone()
        new_id = int(row[0]) if row else 1
        con.execute(
            "insert into interventions values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                new_id,
                spec.city_id,
                spec.name.strip(),
                spec.start_date,
                spec.end_date,
                spec.area,
                spec.note,
                source,
            ],
        )
        return new_id

    return _checked_write(db, lambda con: validate_intervention(con, spec), write)


# --- the goals file -------------------------------------------------------------------------
