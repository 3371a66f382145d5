"""Writing goals and interventions: validation, the TOML goals file, the demo goals.

Design decisions
- One validator serves the CLI, the goals file and the dashboard form, and it checks
  against the data, not only the types: the city is a registry city, the offense has
  data, every baseline year is complete for that city (and, for firearm goals, its
  source records weapons), the baseline is not zero, and the numbers are sane
  (target between TARGET_MIN and TARGET_MAX percent, deadline not before the start).
- All or nothing: a batch with one bad goal writes no goal. Problems are collected for
  the whole batch and raised together as GoalError, with the goal's position in the
  batch, so a user fixes everything in one go.
- Validation runs first on a read-only connection (cheap: no copy of the store), then
  again inside the write transaction (ingest.store.write_store), where a failure
  discards the copy and leaves the live store byte for byte as it was.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from analysis.query.registry import city_names, district_names
from analysis.series.city_series import SERIES_LABELS, SERIES_OFFENSES, monthly_series
from analysis.series.official import refresh_official
from ingest.store import write_store
from kernel.settings import DATA_DIR
from kernel.store import connect_readonly

TARGET_MIN, TARGET_MAX = -90.0, 100.0
MAX_PERIOD_MONTHS = 60
MAX_BASELINE_YEARS = 10
MAX_TEXT = 500
DEMO_GOALS_FILE = DATA_DIR / "goals.toml"
GOAL_SOURCES = ("demo", "user", "file")
T = TypeVar("T")
INTERVENTION_SOURCES = ("seed", "user", "file")


class GoalError(ValueError):
    """Bad goal or intervention input; `problems` lists every one in plain words."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class GoalSpec:
    """A goal as a user states it, before validation.

    baseline_years: one year (a calendar-year baseline) or several (their mean).
    target_change_pct: e.g. -10 for "10% fewer than the baseline".
    """

    city_id: str
    offense: str
    baseline_years: tuple[int, ...]
    target_change_pct: float
    start_date: date
    deadline: date
    district: str | None = None
    owner: str | None = None
    note: str | None = None

    @property
    def baseline_kind(self) -> str:
        return "year" if len(self.baseline_years) == 1 else "mean_of_years"


@dataclass(frozen=True)
class InterventionSpec:
    """A programme or strategy start to mark and test (end and area optional)."""

    city_id: str
    name: str
    start_date: date
    end_date: date | None = None
    area: str | None = None
    note: str | None = None


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _text_problems(label: str, value: str | None) -> list[str]:
    if value is not None and len(value) > MAX_TEXT:
        return [f"The {label} is {len(value)} characters long; keep it under {MAX_TEXT}."]
    return []


def _city(con: duckdb.DuckDBPyConnection, city_id: str) -> tuple[dict[str, str], list[str]]:
    """The registry's city names, and the problem if `city_id` is not one of them."""
    cities = city_names(con)
    if city_id in cities:
        return cities, []
    return cities, [f"Unknown city {city_id!r}. Use one of: {', '.join(sorted(cities))}."]


def validate_goal(con: duckdb.DuckDBPyConnection, spec: GoalSpec) -> list[str]:
    """Every problem with `spec` against the store behind `con` (empty list = valid)."""
    cities, problems = _city(con, spec.city_id)
    if spec.offense not in SERIES_OFFENSES:
        problems.append(f"Unknown offense {spec.offense!r}. Use one of: {', '.join(SERIES_OFFENSES)}.")
    target = spec.target_change_pct
    if not isinstance(target, int | float) or not math.isfinite(target):
        problems.append(f"The target change must be a number of percent, not {target!r}.")
    elif not TARGET_MIN <= target <= TARGET_MAX:
        problems.append(
            f"A target change of {target:+g}% is outside the allowed range "
            f"{TARGET_MIN:+g}% to {TARGET_MAX:+g}%. Use e.g. -10 for a 10% reduction."
        )
    if spec.deadline < spec.start_date:
        problems.append(f"The deadline ({spec.deadline}) is before the start date ({spec.start_date}).")
    elif _months_between(spec.start_date, spec.deadline) > MAX_PERIOD_MONTHS:
        problems.append(
            f"The goal runs {_months_between(spec.start_date, spec.deadline)} months; "
            f"keep it to {MAX_PERIOD_MONTHS} months (five years) or fewer."
        )
    years = spec.baseline_years
    if not years:
        problems.append("Give a baseline year (or several years for a mean).")
    elif len(set(years)) != len(years):
        problems.append(f"The baseline years {list(years)} repeat a year.")
    elif len(years) > MAX_BASELINE_YEARS:
        problems.append(f"Use at most {MAX_BASELINE_YEARS} baseline years.")
    implausible = [y for y in years if not 1900 <= y <= 2100]
    if implausible:
        problems.append(f"Baseline year {implausible[0]} is not a plausible year.")
    late = [y for y in years if 1900 <= y <= 2100 and date(y, 12, 31) >= spec.start_date.replace(day=1)]
    if late:
        problems.append(
            f"Baseline year {late[0]} does not end before the goal starts ({spec.start_date}); "
            "a baseline must be a period before the goal."
        )
    problems += _text_problems("owner", spec.owner)
    problems += _text_problems("note", spec.note)
    if spec.district is not None and spec.city_id in cities:
        known = district_names(con, spec.city_id)
        if spec.district not in known:
            shown = ", ".join(known[:15]) if known else "none (this city has no district data)"
            problems.append(f"Unknown district {spec.district!r} in {cities[spec.city_id]}. Known: {shown}.")
    if problems:
        return problems
    # Data checks: only once the inputs themselves make sense.
    series = monthly_series(con, spec.city_id, spec.offense, spec.district)
    what = f"{SERIES_LABELS[spec.offense].lower()} in {cities[spec.city_id]}"
    if spec.district:
        what += f", {spec.district}"
    if series.empty:
        reason = " (its data does not record weapons)" if spec.offense == "firearm_violent_crime" else ""
        return [f"The store has no data for {what}{reason}."]
    first, last = series["month"].min(), series["month"].max()
    # A year is complete when the series has all twelve of its months (the official series
    # has no row for a month no source reports).
    months = series["month"].dt.year.value_counts()
    missing = [y for y in sorted(years) if int(months.get(y, 0)) < 12]
    if missing:
        have = int(months.get(missing[0], 0))
        return [
            f"Baseline year {missing[0]} has no complete data for {what}: the data covers "
            f"{first:%b %Y} to {last:%b %Y}" + (f", with {have} of its 12 months." if have else ".")
        ]
    in_years = series[series["month"].dt.year.isin(years)]
    if int(in_years["count"].sum()) == 0:
        return [
            f"The baseline has no offenses ({what}, {', '.join(map(str, years))}): a percentage target needs a count above zero."
        ]
    return []


def validate_intervention(con: duckdb.DuckDBPyConnection, spec: InterventionSpec) -> list[str]:
    """Every problem with `spec` (empty list = valid)."""
    _, problems = _city(con, spec.city_id)
    if not spec.name or not spec.name.strip():
        problems.append("Give the intervention a name.")
    elif len(spec.name) > 120:
        problems.append("Keep the name under 120 characters.")
    if spec.end_date is not None and spec.end_date < spec.start_date:
        problems.append(f"The end date ({spec.end_date}) is before the start date ({spec.start_date}).")
    if not date(1990, 1, 1) <= spec.start_date <= date(2100, 1, 1):
        problems.append(f"The start date {spec.start_date} is not a plausible date.")
    problems += _text_problems("area", spec.area)
    problems += _text_problems("note", spec.note)
    return problems


def _batch_problems(con: duckdb.DuckDBPyConnection, specs: Sequence[GoalSpec]) -> list[str]:
    problems: list[str] = []
    for i, spec in enumerate(specs, start=1):
        found = validate_goal(con, spec)
        prefix = f"Goal {i}: " if len(specs) > 1 else ""
        problems += [prefix + p for p in found]
    return problems


def _insert_goals(con: duckdb.DuckDBPyConnection, specs: Iterable[GoalSpec], source: str) -> list[int]:
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
        return _insert_goals(con, specs, source)

    return _checked_write(db, lambda con: _batch_problems(con, specs), write)


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
    return _insert_goals(con, good, "demo"), skipped
