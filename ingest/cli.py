"""`python -m ingest`: build and inspect the store from the command line."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from analysis.series.official import AGREE_OFFENSES, AGREE_PCT, agreement, source_runs
from analysis.sources.health import (
    agency_population_by_year,
    coverage_by_source,
    health_by_city_month,
    months_not_reported,
    months_without_data,
    quarantine_by_reason,
    series_breaks,
    source_descriptions,
    status_by_city,
    superseded_by_city_year,
    upstream_sources,
)
from ingest.connectors import SOURCES, FetchError, fetch_source
from ingest.demo import MixedDataError, build_demo
from ingest.errors import ImportFailed
from ingest.goals import DEMO_GOALS_FILE, load_demo_goals
from ingest.registry import load_registry
from ingest.store import migrations, write_store
from kernel.settings import db_path
from kernel.store import StoreError, connect_readonly, schema_version

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console(stderr=True)

DbOption = Annotated[
    Path | None, typer.Option("--db", help="Store path (default: $PSP_DB or data/public.duckdb).")
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
    pending = _pending_migrations(path) if path.exists() else [m.version for m in migrations()]
    with write_store(path) as con:  # write_store applies pending migrations first
        load_registry(con)
    console.print(f"{path}: applied migrations {pending or 'none (up to date)'}; registry loaded")


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


@app.command("public")
def public_cmd(
    if_stale: Annotated[
        bool,
        typer.Option("--if-stale", help="Do nothing if the store was built from the same files and code."),
    ] = False,
    db: Annotated[Path | None, typer.Option("--db", help="Store path (default: data/public.duckdb).")] = None,
) -> None:
    """Build the public store from the real files shipped in data/public (all 12 cities)."""
    from ingest.public import PUBLIC_DB, build_public, is_stale

    path = db if db is not None else PUBLIC_DB
    if if_stale and not is_stale(path):
        console.print(f"{path} is up to date with data/public; not rebuilding.")
        return
    with Progress(
        TextColumn("[bold]public[/bold] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task("starting", total=None)

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, description=label)

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


@app.command("import")
def import_cmd(
    source: Annotated[str, typer.Argument(help="Source name (data/sources/SOURCE.toml), or 'generic'.")],
    file: Annotated[Path, typer.Argument(help="The file to import (.csv, .csv.gz, .geojson).")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mapping TOML (required for 'generic').")
    ] = None,
    db: DbOption = None,
) -> None:
    """Import one real data file (atomic, idempotent; bad rows go to quarantine)."""
    from ingest.importer import import_file

    path = _path(db)
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
            console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            console.print(f"The store {escape(str(path))} was not changed.", soft_wrap=True)
            raise typer.Exit(2) from None
        except RuntimeError as exc:  # another writer holds the store
            bar.stop()
            console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
    console.print(report.summary(), markup=False, highlight=False, soft_wrap=True)
    console.print(f"store: {path}", markup=False)


@app.command("export-lake")
def export_lake_cmd(
    out: Annotated[Path, typer.Argument(help="Folder to write (replaced as a whole on success).")],
    db: DbOption = None,
) -> None:
    """Write incidents and every rollup as Hive-partitioned Parquet (city=/year=), the other
    tables as one file each: a lake that Spark and read-only dashboard replicas can use
    (PSP_DB=FOLDER make run)."""
    from ingest.lake import export_lake

    path = _path(db)
    try:
        written = export_lake(path, out)
    except (StoreError, duckdb.Error, OSError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for table, rows in written.items():
        console.print(f"  {table:<24}{rows:>14,}", markup=False)
    console.print(f"lake: {out}", markup=False)


@app.command("lake-rollups")
def lake_rollups_cmd(
    lake: Annotated[Path, typer.Argument(help="A folder written by export-lake.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the rollups here instead of replacing the lake's own."),
    ] = None,
) -> None:
    """Recompute every rollup from the lake's incidents with Apache Spark (local mode), from
    the same SQL as ingest (transpiled with sqlglot); by default they replace the lake's."""
    import shutil

    from ingest.lake import replace_tables
    from ingest.lake_spark import spark_rollups

    target = out or lake / f".spark-rollups.{os.getpid()}.tmp"
    try:
        written = spark_rollups(lake, target)
        if out is None:
            replace_tables(lake, target, written)
    except (FileNotFoundError, ValueError, LookupError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    finally:
        if out is None:
            shutil.rmtree(target, ignore_errors=True)
    for table, rows in written.items():
        console.print(f"  {table:<24}{rows:>14,}", markup=False)
    console.print(f"rollups: {out or lake}", markup=False)


@app.command("status")
def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    db: DbOption = None,
) -> None:
    """Data health: per city and source the span, rows, geocoded share, quarantined rows,
    last complete month; months with no data; series breaks; quarantine reasons."""
    path = _path(db)
    try:
        con = connect_readonly(path)
    except (StoreError, duckdb.Error) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    frames = {
        "cities": status_by_city(con),
        "sources": coverage_by_source(con),
        "months_without_data": months_without_data(con),
        "series_breaks": series_breaks(con),
        "quarantine": quarantine_by_reason(con),
        "upstream": upstream_sources(con),
        "official_sources": source_runs(con),
        "agreement": agreement(con),
        "source_info": source_descriptions(con),
        "months_not_reported": months_not_reported(con),
        "superseded": superseded_by_city_year(con),
        "agency_population": agency_population_by_year(con) if as_json else pd.DataFrame(),
        "months": health_by_city_month(con) if as_json else pd.DataFrame(),
    }
    con.close()
    if as_json:
        out = {}
        for name, frame in frames.items():
            for column in frame.columns:
                if frame[column].dtype.kind == "M":
                    frame[column] = frame[column].dt.strftime("%Y-%m-%d")
            out[name] = json.loads(frame.to_json(orient="records"))
        typer.echo(json.dumps(out, indent=2))
        return
    _print_status(path, frames)


def _fmt(value: object, pattern: str = "%Y-%m-%d") -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.strftime(pattern)
    if isinstance(value, float) and pattern == "%":
        return f"{value:.0%}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _print_status(path: Path, frames: dict[str, pd.DataFrame]) -> None:
    out = Console(width=170)
    table = Table(title=f"Store {path}: cities")
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
    for r in frames["cities"].itertuples(index=False):
        table.add_row(
            f"{r.name}, {r.state}",
            _fmt(r.incident_sources),
            _fmt(r.first_day),
            _fmt(r.last_day),
            _fmt(None if pd.isna(r.offenses) else int(r.offenses)),
            _fmt(r.last_complete_month, "%Y-%m"),
            _fmt(r.count_sources),
            _fmt(r.first_month, "%Y-%m"),
            _fmt(r.last_month, "%Y-%m"),
        )
    out.print(table)
    sources = frames["sources"]
    if len(sources):
        table = Table(title="Data health by city and source")
        for column in (
            "city",
            "source",
            "kind",
            "standard",
            "date",
            "from",
            "to",
            "months",
            "missing",
            "rows",
            "geocoded",
            "quarantined",
            "unmapped kept",
            "last complete",
        ):
            table.add_column(
                column,
                no_wrap=True,
                justify="right"
                if column in ("months", "missing", "rows", "geocoded", "quarantined", "unmapped kept")
                else "left",
            )
        for r in sources.itertuples(index=False):
            table.add_row(
                r.name,
                r.source,
                r.kind,
                _fmt(r.standard),
                _fmt(r.date_basis),
                _fmt(r.first_month, "%Y-%m"),
                _fmt(r.last_month, "%Y-%m"),
                _fmt(int(r.months_with_data)),
                _fmt(int(r.months_missing)),
                _fmt(int(r.rows)),
                _fmt(r.geocoded_share, "%"),
                _fmt(int(r.quarantined)),
                _fmt(int(r.kept_unmapped)),
                _fmt(r.last_complete_month, "%Y-%m"),
            )
        out.print(table)
    gaps = frames["months_without_data"]
    if len(gaps):
        table = Table(title="Months with no data inside a city's span")
        for column in ("city", "from", "to", "months"):
            table.add_column(column)
        for r in gaps.itertuples(index=False):
            table.add_row(
                r.name, _fmt(r.first_month, "%Y-%m"), _fmt(r.last_month, "%Y-%m"), _fmt(int(r.months))
            )
        out.print(table)
    breaks = frames["series_breaks"]
    if len(breaks):
        table = Table(title="Series breaks (mark them on trend charts)")
        for column in ("city", "month", "data", "kind", "before", "after"):
            table.add_column(column)
        for r in breaks.itertuples(index=False):
            table.add_row(r.name, _fmt(r.month, "%Y-%m"), r.data, r.kind, _fmt(r.before), _fmt(r.after))
        out.print(table)
    runs = frames["official_sources"]
    if len(runs):
        table = Table(title="Official series (official_monthly): where each city's counts come from")
        for column in ("city", "years", "source(s)"):
            table.add_column(column)
        for r in runs.itertuples(index=False):
            years = str(r.first_year) if r.first_year == r.last_year else f"{r.first_year}–{r.last_year}"
            table.add_row(r.city, years, r.sources)
        out.print(table)
    agree = frames["agreement"]
    if len(agree):
        table = Table(
            title=(
                "Agreement between qualifying sources (months both report; flagged: gap over "
                f"{AGREE_PCT:g}% and over {AGREE_OFFENSES} offenses)"
            )
        )
        for column in (
            "city",
            "offense",
            "year",
            "official",
            "count",
            "other",
            "count ",
            "months",
            "diff",
            "%",
            "flag",
        ):
            table.add_column(
                column, justify="right" if column in ("count", "count ", "months", "diff", "%") else "left"
            )
        for r in agree.itertuples(index=False):
            table.add_row(
                r.city, r.offense, str(r.year), r.official_source, f"{int(r.official):,}", r.other_source,
                f"{int(r.other):,}", str(int(r.months)), f"{int(r.diff):+,}",
                "—" if pd.isna(r.pct) else f"{r.pct:+.1f}", "FLAG" if r.flagged else "",
            )  # fmt: skip
        out.print(table)
        flagged = int(agree["flagged"].sum())
        out.print(f"{len(agree):,} city x offense x year comparisons, {flagged:,} flagged.")
    upstream = frames["upstream"]
    if len(upstream):
        table = Table(title="Where aggregators get each city's counts")
        for column in ("city", "source", "upstream", "method", "latest month", "population"):
            table.add_column(column, justify="right" if column == "population" else "left")
        for r in upstream.itertuples(index=False):
            table.add_row(
                r.name,
                r.source,
                _fmt(r.source_type),
                _fmt(r.source_method),
                _fmt(r.most_recent_month, "%Y-%m"),
                _fmt(None if pd.isna(r.population) else int(r.population)),
            )
        out.print(table)
    _print_frame(
        out,
        frames["source_info"],
        "What each source is (its mapping's \\[source])",
        {"source": "source", "title": "title", "publisher": "publisher", "note": "note"},
    )
    _print_frame(
        out,
        frames["months_not_reported"],
        "Months a source did not report (gaps, never 0)",
        {
            "name": "city",
            "source": "source",
            "status": "status",
            "reason": "reason",
            "first_month": "from",
            "last_month": "to",
            "months": "months",
        },
    )
    superseded = frames["superseded"]
    if len(superseded):
        murders = superseded[superseded["offense"] == "murder"].astype({"year": str})
        _print_frame(
            out,
            murders,
            "Months listed twice, never summed (murder shown; every offense in superseded_counts)",
            {
                "name": "city",
                "source": "source",
                "year": "year",
                "kept": "kept",
                "other": "other",
                "copy_kept": "copy kept",
                "copy_other": "copy set aside",
                "months": "months",
            },
        )
    quarantine = frames["quarantine"]
    if len(quarantine):
        table = Table(title="Quarantine (kept = stored as unmapped and listed)")
        for column in ("source", "reason", "column", "kept", "rows"):
            table.add_column(column, justify="right" if column == "rows" else "left")
        for r in quarantine.itertuples(index=False):
            table.add_row(r.source, r.reason, _fmt(r.field), "yes" if r.kept else "", _fmt(int(r.rows)))
        out.print(table)


def _print_frame(out: Console, frame: pd.DataFrame, title: str, columns: dict[str, str]) -> None:
    """A rich table of `frame`'s columns (name -> heading); nothing when it is empty."""
    if frame.empty:
        return
    table = Table(title=title)
    for heading in columns.values():
        table.add_column(heading)
    for row in frame[list(columns)].itertuples(index=False):
        table.add_row(*(_fmt(v, "%Y-%m") for v in row))
    out.print(table)


@app.command("fetch")
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
                db=_path(db),
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
                f"The store {_path(db)} was not changed. The downloaded file is kept: after fixing the cause, "
                f"load it with `python -m ingest import {source} FILE`.",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(2) from None
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


# Goals and interventions live in their own module; registered here so that
# `python -m ingest goals ...` and `python -m ingest interventions ...` work.
from ingest.goals_cli import goals_app, interventions_app  # noqa: E402

app.add_typer(goals_app, name="goals")
app.add_typer(interventions_app, name="interventions")
