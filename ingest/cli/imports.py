"""`python -m ingest import | fetch`: one file into the store, or new records from a portal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from ingest.cli.common import DbOption, console, fail, store_path
from ingest.connectors import SOURCES, FetchError, FetchReport, fetch_source
from ingest.errors import ImportFailed, MixedDataError
from ingest.importer import import_file


def import_cmd(
    source: Annotated[str, typer.Argument(help="Source name (data/sources/SOURCE.toml), or 'generic'.")],
    file: Annotated[Path, typer.Argument(help="The file to import (.csv, .csv.gz, .geojson).")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mapping TOML (required for 'generic').")
    ] = None,
    db: DbOption = None,
) -> None:
    """Import one real data file (atomic, idempotent; bad rows go to quarantine)."""
    path = store_path(db)
    with Progress(
        TextColumn(f"[bold]{escape(source)}[/bold] {{task.description:<20}}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("starting", total=1.0)

        def progress(label: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=label)

        try:
            report = import_file(path, source, file, mapping=mapping, progress=progress)
        except (ImportFailed, MixedDataError) as exc:
            bar.stop()
            error = fail(exc)
            console.print(f"The store {escape(str(path))} was not changed.", soft_wrap=True)
            raise error from None
        except RuntimeError as exc:  # another writer holds the store
            bar.stop()
            raise fail(exc) from None
    console.print(report.summary(), markup=False, highlight=False, soft_wrap=True)
    console.print(f"store: {path}", markup=False)


def fetch_cmd(
    source: Annotated[str, typer.Argument(help=f"One of: {', '.join(SOURCES)}.", show_default=False)],
    since: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Fetch records from this date on (default: the newest in the store, minus a look-back).",
        ),
    ] = None,
    db: DbOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the downloaded file (default: $PSP_DOWNLOADS).")
    ] = None,
    download_only: Annotated[
        bool, typer.Option("--download-only", help="Write the file but do not import it.")
    ] = False,
    year: Annotated[
        int | None, typer.Option(help="census_boundaries only: vintage of the boundary files (default 2023).")
    ] = None,
) -> None:
    """Download new records from a city portal (or the RTCI, or Census boundaries) and import them."""
    with Progress(
        TextColumn("[bold]fetch[/bold] {task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(source, total=None)

        def progress(label: str, rows: int) -> None:
            bar.update(task, completed=rows, description=label)

        try:
            report = fetch_source(
                source,
                db=store_path(db),
                out=out,
                since=since,
                import_data=not download_only,
                year=year,
                progress=progress,
            )
        except FetchError as exc:
            bar.stop()
            console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except (ImportFailed, MixedDataError, RuntimeError) as exc:  # RuntimeError: another writer
            bar.stop()
            console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            console.print(
                f"The store {store_path(db)} was not changed. The downloaded file is kept: after fixing the cause, "
                f"load it with `python -m ingest import {source} FILE`.",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None
    _print_fetched(report, download_only)


def _print_fetched(report: FetchReport, download_only: bool) -> None:
    """What the fetch wrote, and the import's report (or how to import the file)."""
    start = "the beginning" if report.since is None else f"{report.since:%Y-%m-%d}"
    console.print(
        f"{report.source}: {report.rows:,} rows from {start} ({report.since_origin}) in "
        f"{report.requests} requests, {report.seconds:.1f} s -> {report.file}",
        highlight=False,
        soft_wrap=True,
    )
    if report.imported is not None:
        console.print(report.imported.summary(), highlight=False, soft_wrap=True)
    elif report.rows and download_only:
        console.print(
            f"not imported (--download-only); import it with `python -m ingest import {report.source} FILE`"
        )
