"""`python -m report --city memphis_tn --period 2024 --format pptx --out pack.pptx`"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kernel.settings import db_path
from kernel.store import StoreError, connect_readonly
from report.build import build_pack
from report.images import ChromiumMissing

app = typer.Typer(add_completion=False)


@app.command()
def main(
    period: Annotated[int, typer.Option(help="Calendar year; cut at the last complete month.")],
    out: Annotated[Path, typer.Option(help="Output file (.pptx or .pdf).")],
    city: Annotated[list[str] | None, typer.Option(help="City slug, repeatable; omit for all 12.")] = None,
    format: Annotated[str | None, typer.Option("--format", help="pptx or pdf (default: from --out).")] = None,
    db: Annotated[Path | None, typer.Option(help="Store path (default $PSP_DB).")] = None,
    base_url: Annotated[
        str, typer.Option(help="Dashboard address for the 'reopen this view' link.")
    ] = "http://127.0.0.1:8501",
) -> None:
    """Build a PSP working-group briefing pack (PowerPoint or PDF)."""
    fmt = (format or out.suffix.lstrip(".")).lower()
    if fmt not in ("pptx", "pdf"):
        typer.echo("error: --format must be pptx or pdf", err=True)
        raise typer.Exit(2)
    try:
        con = connect_readonly(db or db_path())
        result = build_pack(con, tuple(city or ()), period, fmt, out, base_url=base_url)  # type: ignore[arg-type]
    except (StoreError, ChromiumMissing, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{result.path}: {result.slides} slides, {result.images} chart images, {result.seconds:.1f} s")


app(prog_name="python -m report")
