"""What every command shares: the console, the --db option, the progress bar of a
build, and how an error is printed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ingest.store import migrations
from kernel.settings import db_path
from kernel.store import schema_version

console = Console(stderr=True)

DbOption = Annotated[
    Path | None, typer.Option("--db", help="Store path (default: $PSP_DB or data/public.duckdb).")
]


def store_path(db: Path | None) -> Path:
    """The store a command works on: --db, else $PSP_DB or data/public.duckdb."""
    return db if db is not None else db_path()


def pending_migrations(path: Path) -> list[int]:
    """The migrations the store at `path` has not had yet (read-only look)."""
    con = duckdb.connect(":memory:")
    con.execute("attach ? as store (read_only)", [str(path)])
    con.execute("use store")
    applied = schema_version(con)
    con.close()
    return [m.version for m in migrations() if m.version > applied]


@contextmanager
def build_bar(name: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar for a build of `name` (done/total steps); yields progress(done, total, label)."""
    with Progress(
        TextColumn(f"[bold]{name}[/bold] {{task.description}}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

        yield progress


def fail(exc: BaseException, code: int = 2) -> typer.Exit:
    """Print `exc` as an error (its text escaped, not read as markup); the Exit to raise."""
    console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(code)
