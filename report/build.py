"""Build a pack: briefing -> images -> PPTX and/or PDF."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import duckdb

from report.briefing import DEFAULT_BASE_URL, Briefing, briefing_outline, build_briefing
from report.images import figure_png, image_server
from report.pdf_writer import write_pdf
from report.pptx_writer import write_pptx

Format = Literal["pptx", "pdf"]


@dataclass(frozen=True)
class PackResult:
    path: Path
    slides: int
    images: int
    seconds: float


def render_images(b: Briefing) -> dict[str, bytes]:
    """PNG per slide that has a figure (one kaleido browser for the whole pack)."""
    figures = {s.key: s.figure for s in b.slides if s.figure is not None}
    if not figures:
        return {}
    with image_server():
        return {key: figure_png(fig) for key, fig in figures.items()}


def build_pack(
    con: duckdb.DuckDBPyConnection,
    cities: tuple[str, ...],
    year: int,
    fmt: Format,
    out: Path,
    base_url: str = DEFAULT_BASE_URL,
) -> PackResult:
    started = time.perf_counter()
    b = build_briefing(con, briefing_outline(con, cities, year, base_url=base_url))
    images = render_images(b)
    writer = write_pptx if fmt == "pptx" else write_pdf
    writer(b, images, out)
    return PackResult(out, len(b.slides), len(images), time.perf_counter() - started)
