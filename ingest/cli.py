"""`python -m ingest`: build and inspect the store from the command line."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis.health import status_by_city
from analysis.settings import db_path
from analysis.store import StoreError, connect_readonly, schema_version
from ingest.demo import MixedDataError, build_demo
from ingest.goals import DEMO_GOALS_FILE, load_demo_goals
from ingest.registry import load_registry
from ingest.store import migrate, migrations, write_store

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True)

DbOption = Annotated[
    Path | None, typer.Option("--db", help="Store path (default: $PSP_DB or data/psp.duckdb).")
]


def _path(db: Path | None) -> Path:
    return db if db is not None else db_path()


def _pending_migrations(path: Path) -> list[int]:
    con = duckdb.connect(":memory:")
    con.execute("attach ? as store (read_only)", [str(path)])
    con.execute("use store")
    applied = schema_version(con)
    con.close()
    return [m.version for m in migrations() if m.version > applied]


GOALS_MIGRATION = 3


def _is_demo_store(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute("select value from store_info where key = 'dataset'").fetchone()
    return bool(row and row[0] == "demo")


@app.command("migrate")
def migrate_cmd(db: DbOption = None) -> None:
    """Create the store or apply pending schema migrations, and reload the registry."""
    path = _path(db)
    with write_store(path) as con:
        done = migrate(con)
        load_registry(con)
    console.print(f"{path}: applied migrations {done or 'none (up to date)'}; registry loaded")


@app.command("demo")
def demo_cmd(
    scale: Annotated[float, typer.Option(help="1 = real order of magnitude (~5M offenses).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same rows.")] = 42,
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Do nothing if the store already exists.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Build the synthetic DEMO dataset (all 12 cities, 2015-2025) into the store."""
    path = _path(db)
    if if_missing and path.exists():
        pending = _pending_migrations(path)
        if pending:
            with write_store(path) as con:
                load_registry(con)
                # A demo store that predates the goals table gets the demo goals too.
                if GOALS_MIGRATION in pending and _is_demo_store(con):
                    load_demo_goals(con)
            console.print(f"{path}: applied migrations {pending}")
        console.print(f"{path} exists; not rebuilding (drop --if-missing to rebuild).")
        return
    with Progress(
        TextColumn("[bold]demo[/bold] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        try:
            with write_store(path) as con:
                load_registry(con)
                result = build_demo(con, scale=scale, seed=seed, progress=progress)
                goal_ids, skipped = load_demo_goals(con)
        except MixedDataError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    for message in skipped:
        console.print(f"[yellow]note:[/yellow] {message}")
    console.print(f"Demo goals: {len(goal_ids)} loaded from {DEMO_GOALS_FILE.name}")
    size_mb = path.stat().st_size / 1e6
    console.print(
        f"DEMO data: {result.rows:,} offenses in {result.seconds:.1f} s "
        f"({result.rows / max(result.seconds, 1e-9):,.0f} rows/s); store {path} is {size_mb:,.1f} MB"
    )


@app.command("status")
def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    db: DbOption = None,
) -> None:
    """Per city: sources, date range, rows and months covered."""
    path = _path(db)
    try:
        con = connect_readonly(path)
    except (StoreError, duckdb.Error) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    frame = status_by_city(con)
    con.close()
    if as_json:
        for column in frame.columns:
            if frame[column].dtype.kind == "M":
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        typer.echo(json.dumps(json.loads(frame.to_json(orient="records")), indent=2))
        return
    table = Table(title=f"Store {path}")
    for column in (
        "city",
        "incident sources",
        "incidents from",
        "to",
        "offenses",
        "last complete month",
        "count sources",
        "counts from",
        "to ",
    ):
        table.add_column(column, justify="right" if column == "offenses" else "left")

    def fmt(value: object, pattern: str = "%Y-%m-%d") -> str:
        if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
            return "—"
        if isinstance(value, pd.Timestamp | datetime | date):
            return value.strftime(pattern)
        return f"{value:,}" if isinstance(value, int) else str(value)

    for r in frame.itertuples(index=False):
        table.add_row(
            f"{r.name}, {r.state}",
            fmt(r.incident_sources),
            fmt(r.first_day),
            fmt(r.last_day),
            fmt(None if pd.isna(r.offenses) else int(r.offenses)),
            fmt(r.last_complete_month, "%Y-%m"),
            fmt(r.count_sources),
            fmt(r.first_month, "%Y-%m"),
            fmt(r.last_month, "%Y-%m"),
        )
    Console(width=160).print(table)


# Goals and interventions live in their own module; registered here so that
# `python -m ingest goals ...` and `python -m ingest interventions ...` work.
from ingest.goals_cli import goals_app, interventions_app  # noqa: E402

app.add_typer(goals_app, name="goals")
app.add_typer(interventions_app, name="interventions")
