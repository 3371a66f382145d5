"""Briefing -> PDF (ReportLab): one 16:9 page per slide, same images and text."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas

from analysis.briefing import Briefing, Slide

INCH = 72.0
PAGE_W, PAGE_H = 13.333 * INCH, 7.5 * INCH
MARGIN = 0.5 * INCH
DEMO_RED = HexColor("#B00020")
GREY = HexColor("#595959")


def _lines(c: Canvas, text: str, x: float, y: float, width: float, font: str, size: float) -> float:
    """Draw wrapped text from baseline y downwards; return the y below it."""
    c.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        c.drawString(x, y, line)
        y -= size * 1.3
    return y


def _page(c: Canvas, b: Briefing, s: Slide, images: dict[str, bytes]) -> None:
    width = PAGE_W - 2 * MARGIN
    y = PAGE_H - MARGIN - 20
    c.setFillColor(HexColor("#000000"))
    y = _lines(c, s.title, MARGIN, y, width - 2.2 * INCH, "Helvetica-Bold", 26)
    if b.demo:
        c.setFillColor(DEMO_RED)
        c.setFont("Helvetica-Bold", 18)
        c.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN - 18, "DEMO DATA")
        c.setFillColor(HexColor("#000000"))
    y = _lines(c, s.message, MARGIN, y - 6, width, "Helvetica", 16) - 6
    bottom = MARGIN + 0.5 * INCH
    if s.key in images:
        img = ImageReader(io.BytesIO(images[s.key]))
        iw, ih = img.getSize()
        avail_h = y - bottom - (0.9 * INCH if s.bullets else 0)
        scale = min(width / iw, avail_h / ih)
        c.drawImage(img, MARGIN, y - ih * scale, iw * scale, ih * scale)
        y -= ih * scale + 10
    elif s.table is not None and not s.table.empty:
        cols = list(s.table.columns)
        col_w = width / len(cols)
        size = 11 if len(s.table) > 10 else 13
        c.setFont("Helvetica-Bold", size)
        for j, col in enumerate(cols):
            c.drawString(MARGIN + j * col_w, y, str(col)[:40])
        y -= size * 1.6
        c.setFont("Helvetica", size)
        for record in s.table.itertuples(index=False):
            for j, value in enumerate(record):
                c.drawString(MARGIN + j * col_w, y, str(value)[:48])
            y -= size * 1.5
    for bullet in s.bullets:
        y = _lines(c, f"• {bullet}", MARGIN, y - 4, width, "Helvetica", 15)
    c.setFillColor(GREY)
    footer = f"{b.city_label} · {b.period_label} · generated {b.generated_at:%Y-%m-%d %H:%M} · {b.link}"
    _lines(c, footer, MARGIN, MARGIN, width, "Helvetica", 8)
    c.showPage()


def write_pdf(b: Briefing, images: dict[str, bytes], out: Path) -> Path:
    """Write the briefing to `out` (.pdf). `images` maps slide key -> PNG bytes."""
    c = Canvas(str(out), pagesize=(PAGE_W, PAGE_H))
    c.setTitle(f"PSP crime briefing — {b.city_label} — {b.period_label}")
    c.setAuthor("PSP Crime Dashboard")
    for s in b.slides:
        _page(c, b, s, images)
    c.save()
    return out
