"""`python -m ingest migrate | demo | public`: create or (re)build a whole store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ingest.cli.common import DbOption, build_bar, console, pending_migrations, store_path
from ingest.demo.build import build_demo
from ingest.errors import ImportFailed, MixedDataError
from ingest.goals.goals_file import load_demo_goals
from ingest.goals.spec import DEMO_GOALS_FILE
from ingest.public import PUBLIC_DB, build_public, is_stale
from ingest.registry import load_registry
from ingest.store import migrations, write_store
from kernel.store import is_demo_store

GOALS_MIGRATION = 3


def migrate_cmd(db: DbOption = None) -> None:
    """Create the store or apply pending schema migrations, and reload the registry."""
    path = store_path(db)
    pending = pending_migrations(path) if path.exists() else [m.version for m in migrations()]
    with write_store(path) as con:  # write_store applies pending migrations first
        load_registry(con)
    console.print(f"{path}: applied migrations {pending or 'none (up to date)'}; registry loaded")


def _migrate_existing(path: Path) -> None:
    """--if-missing on an existing store: only its pending migrations."""
    pending = pending_migrations(path)
    if pending:
        with write_store(path) as con:
            load_registry(con)
            # A demo store that predates the goals table gets the demo goals too.
            if GOALS_MIGRATION in pending and is_demo_store(con):
                load_demo_goals(con)
        console.print(f"{path}: applied migrations {pending}")
    console.print(f"{path} exists; not rebuilding (drop --if-missing to rebuild).")


def demo_cmd(
    scale: Annotated[float, typer.Option(help="1 = real order of magnitude (~5M offenses).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same rows.")] = 42,
    if_missing: Annotated[
        bool, typer.Option("--if-missing", help="Do nothing if the store already exists.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Build the synthetic DEMO dataset (all 12 cities, 2015-2025) into the store."""
    path = store_path(db)
    if if_missing and path.exists():
        _migrate_existing(path)
        return
    with build_bar("demo") as progress:
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


def public_cmd(
    if_stale: Annotated[
        bool,
        typer.Option("--if-stale", help="Do nothing if the store was built from the same files and code."),
    ] = False,
    db: Annotated[Path | None, typer.Option("--db", help="Store path (default: data/public.duckdb).")] = None,
) -> None:
    """Build the public store from the real files shipped in data/public (all 12 cities)."""
    path = db if db is not None else PUBLIC_DB
    if if_stale and not is_stale(path):
        console.print(f"{path} is up to date with data/public; not rebuilding.")
        return
    with build_bar("public") as progress:
        try:
            result = build_public(path, progress=progress)
        except (ImportFailed, FileNotFoundError) as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
    rows = sum(r.rows_read for r in result.reports)
    console.print(
        f"public store {path}: {len(result.reports)} files, {rows:,} rows read, "
        f"{result.seconds:.1f} s, {path.stat().st_size / 1e6:,.1f} MB"
    )
