"""Briefing -> PowerPoint (python-pptx): editable text, chart images, speaker notes."""

from __future__ import annotations

import io
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.presentation import Presentation as PresentationType
from pptx.util import Inches, Pt

from analysis.charts.theme import ALERT_RED, NOTE_GREY
from report.briefing import Briefing
from report.slides import Slide

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
DEMO_RED = RGBColor.from_string(ALERT_RED[1:])
GREY = RGBColor.from_string(NOTE_GREY[1:])


def _text(
    slide: object,
    left: int,
    top: int,
    width: int,
    height: int,
    text: str,
    size: int,
    bold: bool = False,
    colour: RGBColor | None = None,
) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)  # type: ignore[attr-defined]
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    if colour is not None:
        run.font.color.rgb = colour


def _add_slide(prs: PresentationType, b: Briefing, s: Slide, images: dict[str, bytes]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    margin = Inches(0.5)
    width = SLIDE_W - 2 * margin
    _text(slide, margin, Inches(0.3), width - Inches(2.2), Inches(0.8), s.title, 30, bold=True)
    if b.demo:
        _text(
            slide,
            SLIDE_W - Inches(2.6),
            Inches(0.35),
            Inches(2.2),
            Inches(0.5),
            "DEMO DATA",
            20,
            bold=True,
            colour=DEMO_RED,
        )
    _text(slide, margin, Inches(1.1), width, Inches(0.8), s.message, 18)
    top = Inches(1.9)
    body_h = SLIDE_H - top - Inches(0.7)
    if s.key in images:
        slide.shapes.add_picture(io.BytesIO(images[s.key]), margin, top, width=width, height=body_h)
    elif s.table is not None and not s.table.empty:
        rows, cols = len(s.table) + 1, len(s.table.columns)
        shape = slide.shapes.add_table(rows, cols, margin, top, width, Inches(0.4) * rows)
        table = shape.table
        for j, col in enumerate(s.table.columns):
            table.cell(0, j).text = str(col)
        for i, record in enumerate(s.table.itertuples(index=False), start=1):
            for j, value in enumerate(record):
                table.cell(i, j).text = str(value)
        for row in table.rows:
            for cell in row.cells:
                for p in cell.text_frame.paragraphs:
                    for r in p.runs:
                        r.font.size = Pt(12 if rows > 10 else 14)
    if s.bullets:
        box = slide.shapes.add_textbox(
            margin, top if s.key not in images else SLIDE_H - Inches(1.6), width, Inches(3)
        )
        frame = box.text_frame
        frame.word_wrap = True
        for i, bullet in enumerate(s.bullets):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            run = p.add_run()
            run.text = f"• {bullet}"
            run.font.size = Pt(18)
    footer = f"{b.city_label} · {b.period_label} · generated {b.generated_at:%Y-%m-%d %H:%M} · {b.link}"
    _text(slide, margin, SLIDE_H - Inches(0.55), width, Inches(0.4), footer, 10, colour=GREY)
    slide.notes_slide.notes_text_frame.text = s.notes or s.message


def write_pptx(b: Briefing, images: dict[str, bytes], out: Path) -> Path:
    """Write the briefing to `out` (.pptx). `images` maps slide key -> PNG bytes."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    for s in b.slides:
        _add_slide(prs, b, s, images)
    prs.save(str(out))
    return out
