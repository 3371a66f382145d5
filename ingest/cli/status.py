"""`python -m ingest status`: data health of the store, as tables or --json."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import duckdb
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from analysis.series.official import AGREE_OFFENSES, AGREE_PCT
from analysis.series.provenance import agreement, source_runs
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
from ingest.cli.common import DbOption, console, store_path
from kernel.store import StoreError, connect_readonly


def status_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    db: DbOption = None,
) -> None:
    """Data health: per city and source the span, rows, geocoded share, quarantined rows,
    last complete month; months with no data; series breaks; quarantine reasons."""
    path = store_path(db)
    try:
        con = connect_readonly(path)
    except (StoreError, duckdb.Error) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    frames = _frames(con, as_json)
    con.close()
    if as_json:
        _print_json(frames)
        return
    _print_status(path, frames)


def _frames(con: duckdb.DuckDBPyConnection, as_json: bool) -> dict[str, pd.DataFrame]:
    """Every frame the status shows (the per-month ones only in --json)."""
    return {
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


def _print_json(frames: dict[str, pd.DataFrame]) -> None:
    out = {}
    for name, frame in frames.items():
        for column in frame.columns:
            if frame[column].dtype.kind == "M":
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        out[name] = json.loads(frame.to_json(orient="records"))
    typer.echo(json.dumps(out, indent=2))


def _fmt(value: object, pattern: str = "%Y-%m-%d") -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.strftime(pattern)
    if isinstance(value, float) and pattern == "%":
        return f"{value:.0%}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _table(title: str, columns: tuple[str, ...], right: tuple[str, ...] = (), no_wrap: bool = False) -> Table:
    """An empty rich table with these columns (those in `right` right-aligned)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left", no_wrap=no_wrap)
    return table


def _cities(path: Path, frame: pd.DataFrame) -> Table:
    table = _table(
        f"Store {path}: cities",
        ("city", "incident sources", "incidents from", "to", "offenses", "last complete month",
         "count sources", "counts from", "to "),
        right=("offenses",),
    )  # fmt: skip
    for r in frame.itertuples(index=False):
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
    return table


def _sources(frame: pd.DataFrame) -> Table:
    table = _table(
        "Data health by city and source",
        ("city", "source", "kind", "standard", "date", "from", "to", "months", "missing", "rows",
         "geocoded", "quarantined", "unmapped kept", "last complete"),
        right=("months", "missing", "rows", "geocoded", "quarantined", "unmapped kept"),
        no_wrap=True,
    )  # fmt: skip
    for r in frame.itertuples(index=False):
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
    return table


def _gaps(frame: pd.DataFrame) -> Table:
    table = _table("Months with no data inside a city's span", ("city", "from", "to", "months"))
    for r in frame.itertuples(index=False):
        table.add_row(r.name, _fmt(r.first_month, "%Y-%m"), _fmt(r.last_month, "%Y-%m"), _fmt(int(r.months)))
    return table


def _breaks(frame: pd.DataFrame) -> Table:
    table = _table(
        "Series breaks (mark them on trend charts)", ("city", "month", "data", "kind", "before", "after")
    )
    for r in frame.itertuples(index=False):
        table.add_row(r.name, _fmt(r.month, "%Y-%m"), r.data, r.kind, _fmt(r.before), _fmt(r.after))
    return table


def _runs(frame: pd.DataFrame) -> Table:
    table = _table(
        "Official series (official_monthly): where each city's counts come from",
        ("city", "years", "source(s)"),
    )
    for r in frame.itertuples(index=False):
        years = str(r.first_year) if r.first_year == r.last_year else f"{r.first_year}–{r.last_year}"
        table.add_row(r.city, years, r.sources)
    return table


def _agreement(frame: pd.DataFrame) -> Table:
    table = _table(
        "Agreement between qualifying sources (months both report; flagged: gap over "
        f"{AGREE_PCT:g}% and over {AGREE_OFFENSES} offenses)",
        ("city", "offense", "year", "official", "count", "other", "count ", "months", "diff", "%", "flag"),
        right=("count", "count ", "months", "diff", "%"),
    )
    for r in frame.itertuples(index=False):
        table.add_row(
            r.city, r.offense, str(r.year), r.official_source, f"{int(r.official):,}", r.other_source,
            f"{int(r.other):,}", str(int(r.months)), f"{int(r.diff):+,}",
            "—" if pd.isna(r.pct) else f"{r.pct:+.1f}", "FLAG" if r.flagged else "",
        )  # fmt: skip
    return table


def _upstream(frame: pd.DataFrame) -> Table:
    table = _table(
        "Where aggregators get each city's counts",
        ("city", "source", "upstream", "method", "latest month", "population"),
        right=("population",),
    )
    for r in frame.itertuples(index=False):
        table.add_row(
            r.name,
            r.source,
            _fmt(r.source_type),
            _fmt(r.source_method),
            _fmt(r.most_recent_month, "%Y-%m"),
            _fmt(None if pd.isna(r.population) else int(r.population)),
        )
    return table


def _quarantine(frame: pd.DataFrame) -> Table:
    table = _table(
        "Quarantine (kept = stored as unmapped and listed)",
        ("source", "reason", "column", "kept", "rows"),
        right=("rows",),
    )
    for r in frame.itertuples(index=False):
        table.add_row(r.source, r.reason, _fmt(r.field), "yes" if r.kept else "", _fmt(int(r.rows)))
    return table


def _print_status(path: Path, frames: dict[str, pd.DataFrame]) -> None:
    out = Console(width=170)
    out.print(_cities(path, frames["cities"]))
    for name, build in (
        ("sources", _sources),
        ("months_without_data", _gaps),
        ("series_breaks", _breaks),
        ("official_sources", _runs),
    ):
        if len(frames[name]):
            out.print(build(frames[name]))
    agree = frames["agreement"]
    if len(agree):
        out.print(_agreement(agree))
        flagged = int(agree["flagged"].sum())
        out.print(f"{len(agree):,} city x offense x year comparisons, {flagged:,} flagged.")
    if len(frames["upstream"]):
        out.print(_upstream(frames["upstream"]))
    _print_lists(out, frames)
    if len(frames["quarantine"]):
        out.print(_quarantine(frames["quarantine"]))


def _print_lists(out: Console, frames: dict[str, pd.DataFrame]) -> None:
    """The sources' own descriptions, the months not reported and the months listed twice."""
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
        {"name": "city", "source": "source", "status": "status", "reason": "reason",
         "first_month": "from", "last_month": "to", "months": "months"},
    )  # fmt: skip
    superseded = frames["superseded"]
    if len(superseded):
        murders = superseded[superseded["offense"] == "murder"].astype({"year": str})
        _print_frame(
            out,
            murders,
            "Months listed twice, never summed (murder shown; every offense in superseded_counts)",
            {"name": "city", "source": "source", "year": "year", "kept": "kept", "other": "other",
             "copy_kept": "copy kept", "copy_other": "copy set aside", "months": "months"},
        )  # fmt: skip


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
