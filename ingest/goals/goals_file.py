"""The TOML goals file ([[goal]] tables): parsed into GoalSpecs, loaded all or nothing;
and the demo's illustrative goals (data/goals.toml) loaded into a demo build."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from analysis.goals.goal import GoalSpec
from analysis.series.official import refresh_official
from ingest.goals.spec import DEMO_GOALS_FILE, GoalError
from ingest.goals.validate import validate_goal
from ingest.goals.write import add_goals, insert_goals

GOAL_KEYS = {
    "city",
    "offense",
    "baseline",
    "target_change_pct",
    "start",
    "deadline",
    "district",
    "owner",
    "note",
}


def _as_date(value: Any, key: str, where: str, problems: list[str]) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(f"{where}: {key} must be a date like 2025-01-01, not {value!r}.")
    return date(1, 1, 1)


def parse_goals(text: str, where: str = "goals file") -> list[GoalSpec]:
    """Parse TOML with one [[goal]] table per goal; GoalError lists every problem.

    Keys: city, offense, baseline (a year or a list of years), target_change_pct, start,
    deadline, and optionally district, owner, note.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GoalError([f"{where} is not valid TOML: {exc}"]) from None
    unknown_top = set(raw) - {"goal"}
    problems: list[str] = []
    if unknown_top:
        problems.append(f"{where}: unknown section(s) {sorted(unknown_top)}; use [[goal]] tables.")
    goals = raw.get("goal", [])
    if not isinstance(goals, list) or not goals:
        raise GoalError(problems + [f"{where} has no [[goal]] tables."])
    specs: list[GoalSpec] = []
    for i, item in enumerate(goals, start=1):
        at = f"goal {i} in {where}"
        if not isinstance(item, dict):
            problems.append(f"{at}: not a table.")
            continue
        extra = set(item) - GOAL_KEYS
        missing = {"city", "offense", "baseline", "target_change_pct", "start", "deadline"} - set(item)
        if extra:
            problems.append(f"{at}: unknown key(s) {sorted(extra)}.")
        if missing:
            problems.append(f"{at}: missing key(s) {sorted(missing)}.")
            continue
        baseline = item["baseline"]
        years = baseline if isinstance(baseline, list) else [baseline]
        if not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
            problems.append(f"{at}: baseline must be a year or a list of years, not {baseline!r}.")
            continue
        target = item["target_change_pct"]
        if not isinstance(target, int | float) or isinstance(target, bool):
            problems.append(f"{at}: target_change_pct must be a number, not {target!r}.")
            continue
        texts = {k: item.get(k) for k in ("district", "owner", "note")}
        bad = [k for k, v in texts.items() if v is not None and not isinstance(v, str)]
        if bad:
            problems.append(f"{at}: {', '.join(bad)} must be text.")
            continue
        specs.append(
            GoalSpec(
                city_id=str(item["city"]),
                offense=str(item["offense"]),
                baseline_years=tuple(int(y) for y in years),
                target_change_pct=float(target),
                start_date=_as_date(item["start"], "start", at, problems),
                deadline=_as_date(item["deadline"], "deadline", at, problems),
                district=texts["district"],
                owner=texts["owner"],
                note=texts["note"],
            )
        )
    if problems:
        raise GoalError(problems)
    return specs


def load_goals_file(db: Path, file: Path, source: str = "file", replace: bool = False) -> list[int]:
    """Validate and store every goal of a TOML file in one write (all or nothing).
    `replace` first removes the goals previously loaded with the same source."""
    return add_goals(db, parse_goals(file.read_text(), where=file.name), source, replace=replace)


def load_demo_goals(
    con: duckdb.DuckDBPyConnection, file: Path = DEMO_GOALS_FILE
) -> tuple[list[int], list[str]]:
    """Inside a demo build's write transaction: replace the demo goals with the file's.

    A demo goal the data cannot support (e.g. a tiny test scale with a zero baseline) is
    skipped and reported, rather than failing the whole demo build.
    """
    specs = parse_goals(file.read_text(), where=file.name)
    # The goals are checked against the official series: bring it up to date with the rows
    # this transaction has written so far (write_store would only do it at the commit).
    refresh_official(con)
    con.execute("delete from goals where source = 'demo'")
    good, skipped = [], []
    for i, spec in enumerate(specs, start=1):
        problems = validate_goal(con, spec)
        if problems:
            skipped.append(f"demo goal {i} skipped: {problems[0]}")
        else:
            good.append(spec)
    return insert_goals(con, good, "demo"), skipped
