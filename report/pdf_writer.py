"""Briefing -> PDF (ReportLab): one 16:9 page per slide, same images and text."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pandas as pd
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from analysis.charts.theme import ALERT_RED, BLACK, NOTE_GREY
from report.briefing import Briefing
from report.slides import Slide

INCH = 72.0
PAGE_W, PAGE_H = 13.333 * INCH, 7.5 * INCH
MARGIN = 0.5 * INCH
DEMO_RED = HexColor(ALERT_RED)
GREY = HexColor(NOTE_GREY)
BLACK_INK = HexColor(BLACK)


def _lines(c: Canvas, text: str, x: float, y: float, width: float, font: str, size: float) -> float:
    """Draw wrapped text from baseline y downwards; return the y below it."""
    c.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        c.drawString(x, y, line)
        y -= size * 1.3
    return y


def _table(c: Canvas, frame: pd.DataFrame, x: float, y: float, width: float, max_h: float) -> float:
    """A wrapped table (column widths follow the longest text), top-left at (x, y)."""
    size = 10 if len(frame) > 10 else 12
    style = ParagraphStyle("cell", fontName="Helvetica", fontSize=size, leading=size * 1.2)
    head = ParagraphStyle("head", parent=style, fontName="Helvetica-Bold")
    rows = [[Paragraph(html.escape(str(col)), head) for col in frame.columns]]
    rows += [
        [Paragraph(html.escape(str(v)), style) for v in record] for record in frame.itertuples(index=False)
    ]
    longest = [max(len(str(col)), *(len(str(v)) for v in frame[col])) for col in frame.columns]
    weights = [min(max(n, 12), 60) for n in longest]
    widths = [width * w / sum(weights) for w in weights]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, BLACK_INK),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [HexColor("#FFFFFF"), HexColor("#F2F2F2")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    _, h = table.wrapOn(c, width, max_h)
    table.drawOn(c, x, y - h)
    return float(y - h - 10)


def _page(c: Canvas, b: Briefing, s: Slide, images: dict[str, bytes]) -> None:
    width = PAGE_W - 2 * MARGIN
    y = PAGE_H - MARGIN - 20
    c.setFillColor(BLACK_INK)
    y = _lines(c, s.title, MARGIN, y, width - 2.2 * INCH, "Helvetica-Bold", 26)
    if b.demo:
        c.setFillColor(DEMO_RED)
        c.setFont("Helvetica-Bold", 18)
        c.drawRightString(PAGE_W - MARGIN, PAGE_H - MARGIN - 18, "DEMO DATA")
        c.setFillColor(BLACK_INK)
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
        y = _table(c, s.table, MARGIN, y, width, y - bottom)
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
