"""`python -m ingest goals ...` and `python -m ingest interventions ...`.

Every command that writes goes through ingest.goals (validation, then write_store); a
rejected input prints every problem and exits with status 2, leaving the store as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.table import Table

from analysis.goals.goal import GoalSpec
from analysis.goals.interventions import interventions_by_city
from analysis.goals.progress import goal_status_by_city
from ingest.cli.common import DbOption, console, store_path
from ingest.goals.goals_file import load_goals_file
from ingest.goals.spec import GoalError, InterventionSpec
from ingest.goals.write import add_goals, add_intervention, remove_goal
from kernel.store import StoreError, connect_readonly

goals_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Measurable goals per city.")
interventions_app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Interventions (programme starts) per city."
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2025-01-01") from None


@contextmanager
def _reported() -> Iterator[None]:
    """Print validation and store problems plainly and exit 2 instead of a traceback."""
    try:
        yield
    except GoalError as exc:
        for problem in exc.problems:
            console.print(f"[red]error:[/red] {problem}")
        console.print("Nothing was written.")
        raise typer.Exit(2) from None
    except (StoreError, RuntimeError, OSError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _readonly(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        return connect_readonly(path)
    except (StoreError, duckdb.Error) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _print_json(rows: list[dict[str, object]]) -> None:
    def default(value: object) -> str:
        if isinstance(value, datetime | date):
            return value.isoformat()
        return str(value)

    typer.echo(json.dumps(rows, indent=2, default=default))


@goals_app.command("add")
def goals_add(
    city: Annotated[str, typer.Option(help="City slug, e.g. memphis_tn.")],
    offense: Annotated[str, typer.Option(help="violent_crime, murder, ..., firearm_violent_crime.")],
    baseline: Annotated[list[int], typer.Option(help="Baseline year; repeat for the mean of several.")],
    target: Annotated[float, typer.Option(help="Target change in percent, e.g. -10.")],
    start: Annotated[str, typer.Option(help="Start date, YYYY-MM-DD.")],
    deadline: Annotated[str, typer.Option(help="Deadline, YYYY-MM-DD.")],
    district: Annotated[
        str | None, typer.Option(help="A district of the city (default: whole city).")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Who owns the goal.")] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    db: DbOption = None,
) -> None:
    """Add one goal (validated against the data)."""
    spec = GoalSpec(
        city_id=city,
        offense=offense,
        baseline_years=tuple(baseline),
        target_change_pct=target,
        start_date=_date(start),
        deadline=_date(deadline),
        district=district,
        owner=owner,
        note=note,
    )
    with _reported():
        ids = add_goals(store_path(db), [spec], source="user")
    console.print(f"Goal {ids[0]} added.")


@goals_app.command("load")
def goals_load(
    file: Annotated[Path, typer.Argument(help="TOML file with [[goal]] tables (see data/goals.toml).")],
    replace: Annotated[
        bool, typer.Option("--replace", help="First remove the goals loaded earlier from files.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Load every goal of a TOML file (all or nothing)."""
    with _reported():
        ids = load_goals_file(store_path(db), file, source="file", replace=replace)
    console.print(f"{len(ids)} goals loaded from {file}.")


@goals_app.command("remove")
def goals_remove(goal_id: Annotated[int, typer.Argument(help="The goal's id.")], db: DbOption = None) -> None:
    """Remove one goal."""
    with _reported():
        remove_goal(store_path(db), goal_id)
    console.print(f"Goal {goal_id} removed.")


@goals_app.command("list")
def goals_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    db: DbOption = None,
) -> None:
    """Every goal with its status as of its last complete month."""
    con = _readonly(store_path(db))
    frame = goal_status_by_city(con)
    con.close()
    if as_json:
        keep = ["goal_id", "city_id", "district", "offense", "label", "status", "phase", "as_of", "actual",
                "expected", "low", "high", "target_total", "projected_end", "owner"]  # fmt: skip
        _print_json(frame[keep].astype(object).where(frame[keep].notna(), None).to_dict("records"))
        return
    table = Table(title="Goals")
    for column in ("id", "area", "goal", "status", "so far", "owner"):
        table.add_column(column)
    for r in frame.itertuples(index=False):
        table.add_row(
            str(r.goal_id),
            str(r.area),
            str(r.label),
            str(r.status),
            f"{r.actual:,} vs {r.expected:,.0f} expected" if r.as_of is not None else "—",
            str(r.owner or ""),
        )
    Console(width=160).print(table)


@interventions_app.command("add")
def interventions_add(
    city: Annotated[str, typer.Option(help="City slug, e.g. memphis_tn.")],
    name: Annotated[str, typer.Option(help="Name of the programme or strategy.")],
    start: Annotated[str, typer.Option(help="Start date, YYYY-MM-DD.")],
    end: Annotated[str | None, typer.Option(help="End date, YYYY-MM-DD (default: ongoing).")] = None,
    area: Annotated[str | None, typer.Option(help="Targeted area (default: whole city).")] = None,
    note: Annotated[str | None, typer.Option(help="A note or source.")] = None,
    db: DbOption = None,
) -> None:
    """Add one intervention."""
    spec = InterventionSpec(
        city_id=city,
        name=name,
        start_date=_date(start),
        end_date=_date(end) if end else None,
        area=area,
        note=note,
    )
    with _reported():
        new_id = add_intervention(store_path(db), spec, source="user")
    console.print(f"Intervention {new_id} added.")


@interventions_app.command("list")
def interventions_list(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    db: DbOption = None,
) -> None:
    """Every intervention, by city."""
    con = _readonly(store_path(db))
    frame = interventions_by_city(con)
    con.close()
    if as_json:
        _print_json(frame.astype(object).where(frame.notna(), None).to_dict("records"))
        return
    table = Table(title="Interventions")
    for column in ("id", "city", "name", "start", "end", "area", "source"):
        table.add_column(column)
    for r in frame.itertuples(index=False):
        table.add_row(
            str(r.intervention_id),
            str(r.city),
            str(r.name),
            f"{r.start_date:%Y-%m-%d}",
            "ongoing" if r.end_date is None or r.end_date != r.end_date else f"{r.end_date:%Y-%m-%d}",
            str(r.area or "whole city"),
            str(r.source),
        )
    Console(width=160).print(table)
