"""Briefing glue for pages: cached slides and download buttons that build packs on click."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from analysis.access import Capability
from kernel.store import connect_readonly
from report.briefing import Briefing, briefing_outline, briefing_slide
from report.build import Format, build_pack
from report.images import ChromiumMissing, chromium_path
from report.slides import Slide
from ui.auth import can
from ui.data import query
from ui.dataset import store_path
from ui.exports import download_file

PACK_FORMATS: tuple[tuple[Format, str, str, str], ...] = (
    (
        "pptx",
        "Download PowerPoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "📊",
    ),
    ("pdf", "Download PDF", "application/pdf", "📄"),
)


def briefing(cities: tuple[str, ...], year: int) -> Briefing:
    """The briefing's outline (what it covers, its slide keys); slides are built one by one."""
    try:
        result: Briefing = query(briefing_outline, cities, year)
    except ValueError as exc:  # a year some chosen city has no complete month in
        st.warning(f"No briefing for {year}: {exc}. Choose another year or other cities under *Set up*.")
        st.stop()
        raise  # unreachable
    return result


def slide(deck: Briefing, key: str) -> Slide:
    """One slide of the briefing, built (and cached) when it is shown."""
    result: Slide = query(briefing_slide, deck, key)
    return result


def _pack_bytes(cities: tuple[str, ...], year: int, fmt: Format) -> bytes:
    con = connect_readonly(store_path())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / f"pack.{fmt}"
            build_pack(con, cities, year, fmt, out)
            return out.read_bytes()
    finally:
        con.close()


def pack_downloads(cities: tuple[str, ...], year: int) -> None:
    """PowerPoint and PDF download buttons; the pack is built when the button is clicked.
    Packs are exports: analysts and admins only (a pack's hot-spot maps draw small cells)."""
    if not can(Capability.EXPORT):
        st.caption("Meeting packs (PowerPoint, PDF) are for analysts and admins.")
        return
    try:
        chromium_path()
    except ChromiumMissing as exc:
        st.error(str(exc))
        return
    slug = "all" if not cities else "_".join(cities)
    for column, (fmt, label, mime, icon) in zip(st.columns(2), PACK_FORMATS, strict=True):
        with column:
            download_file(
                label,
                lambda fmt=fmt: _pack_bytes(cities, year, fmt),
                f"psp_briefing_{slug}_{year}.{fmt}",
                mime,
                icon=icon,
            )
