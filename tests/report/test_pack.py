"""Briefing packs built from the demo store: PPTX opened with python-pptx, PDF rendered
to PNG with pdftoppm; numbers checked against the analysis functions."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation

from analysis.query.filters import CrimeFilter
from analysis.series.compare import ytd_by_city
from analysis.series.monthly import period_series
from analysis.series.periods import coverage
from kernel.store import connect_readonly
from kernel.vocabulary import FIREARM_VIOLENT
from report.briefing import briefing_outline, briefing_window, build_briefing
from report.build import build_pack
from report.images import ChromiumMissing, chromium_path
from tests.conftest import skip_or_fail


@pytest.fixture(scope="module")
def demo_ro(demo_store_path: Path) -> duckdb.DuckDBPyConnection:
    return connect_readonly(demo_store_path)


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        return chromium_path()
    except ChromiumMissing:
        skip_or_fail("chromium is needed for chart images")
        raise


def slide_of(con: duckdb.DuckDBPyConnection, key: str, cities: tuple[str, ...] = ("memphis_tn",)) -> Any:
    """The slide `key` of the 2025 briefing for `cities`."""
    return next(s for s in build_briefing(con, briefing_outline(con, cities, 2025)).slides if s.key == key)


def nonblank(png: bytes) -> float:
    img = Image.open(io.BytesIO(png)).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[235:]) / (img.width * img.height)


def test_period_cuts_at_last_complete_month(demo_ro: duckdb.DuckDBPyConnection) -> None:
    w = briefing_window(demo_ro, ("memphis_tn",), 2025)
    assert w.cutoff == date(2025, 12, 1) and w.label() == "Jan–Dec 2025 vs Jan–Dec 2024"
    assert briefing_window(demo_ro, (), 2023).label() == "Jan–Dec 2023 vs Jan–Dec 2022"
    with pytest.raises(ValueError, match="no complete month in 2030"):
        briefing_window(demo_ro, (), 2030)


def test_briefing_numbers_match_analysis(demo_ro: duckdb.DuckDBPyConnection) -> None:
    b = build_briefing(demo_ro, briefing_outline(demo_ro, ("memphis_tn",), 2025))
    slide = next(s for s in b.slides if s.key == "trend_violent_crime")
    frame = period_series(
        demo_ro,
        CrimeFilter(cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2025, 12, 31)),
        coverage(demo_ro),
    )
    year = pd.to_datetime(frame["period"]).dt.year
    now, before = int(frame[year == 2025]["count"].sum()), int(frame[year == 2024]["count"].sum())
    assert f"{before:,} → {now:,}" in slide.message
    assert f"{now:,} offenses vs {before:,}" in slide.notes
    # The YTD table slide says the same for Memphis violent crime.
    ytd = next(s for s in b.slides if s.key == "ytd")
    assert ytd.table is not None and f"({before:,} → {now:,})" in ytd.table.iloc[0]["Violent crime"]
    assert b.demo and b.link.startswith("http://127.0.0.1:8501/trends?")
    with pytest.raises(ValueError, match="unknown city"):
        build_briefing(demo_ro, briefing_outline(demo_ro, ("atlantis_xx",), 2025))


def test_pptx_has_titles_images_notes_and_demo_mark(
    demo_ro: duckdb.DuckDBPyConnection, chromium: str, tmp_path: Path
) -> None:
    out = tmp_path / "pack.pptx"
    result = build_pack(demo_ro, ("memphis_tn",), 2025, "pptx", out)
    prs = Presentation(str(out))
    titles = [next(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    assert titles[0] == "PSP crime briefing — Memphis, TN"
    assert "Violent crime: monthly trend" in titles and "Methods and caveats" in titles
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == result.images >= 2
    for pic in pictures:
        assert pic.image.content_type == "image/png"
        assert nonblank(pic.image.blob) > 0.01  # axes, labels and at least one line
    # The year-to-date table on the slide holds the analysis function's numbers.
    ytd = ytd_by_city(demo_ro, CrimeFilter(cities=("memphis_tn",), end=date(2025, 12, 31)), coverage(demo_ro))
    row = ytd.table[ytd.table["measure"] == "violent_crime"].iloc[0]
    tables = [sh.table for s in prs.slides for sh in s.shapes if sh.has_table]
    ytd_table = next(t for t in tables if t.cell(0, 1).text == "Violent crime")
    cell = ytd_table.cell(1, 1).text
    assert ytd_table.cell(1, 0).text == "Memphis"
    assert cell.startswith(f"{int(row['current']):,} · ")
    assert f"({int(row['previous']):,} → {int(row['current']):,})" in cell
    for s in prs.slides:
        texts = [sh.text_frame.text for sh in s.shapes if sh.has_text_frame]
        assert "DEMO DATA" in texts
        assert s.notes_slide.notes_text_frame.text.strip()


def test_pdf_pages_render(demo_ro: duckdb.DuckDBPyConnection, chromium: str, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        skip_or_fail("pdftoppm (poppler-utils) is needed to render the PDF")
    out = tmp_path / "pack.pdf"
    result = build_pack(demo_ro, (), 2025, "pdf", out)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == result.slides
    assert nonblank(pages[1].read_bytes()) > 0.03  # the violent-crime chart page
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "All 12 PSP cities" in text and "DEMO DATA" in text


def test_firearm_slide_counts_whole_months(demo_ro: duckdb.DuckDBPyConnection) -> None:
    slide = slide_of(demo_ro, "trend_firearm_violent_crime")
    frame = period_series(
        demo_ro,
        CrimeFilter(
            cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2025, 12, 31), firearm_only=True
        ),
        coverage(demo_ro),
    )
    year = pd.to_datetime(frame["period"]).dt.year
    now, before = int(frame[year == 2025]["count"].sum()), int(frame[year == 2024]["count"].sum())
    assert frame[pd.to_datetime(frame["period"]) == "2025-12-01"]["count"].sum() > 0  # December in full
    assert f"{before:,} → {now:,}" in slide.message


def test_cohort_and_funnel_slides_cover_all_cities(demo_ro: duckdb.DuckDBPyConnection) -> None:
    b = build_briefing(demo_ro, briefing_outline(demo_ro, ("memphis_tn",), 2025))
    cohort = next(s for s in b.slides if s.key == "cohort")
    funnel = next(s for s in b.slides if s.key == "funnel")
    assert cohort.figure is not None and funnel.figure is not None
    assert cohort.data is not None and cohort.data["city_id"].nunique() == 12
    assert funnel.data is not None and len(funnel.data) == 12


def test_goal_slide_matches_goal_status(demo_ro: duckdb.DuckDBPyConnection) -> None:
    from analysis.goals.progress import goal_status_by_city

    slide = slide_of(demo_ro, "goals", ())
    goals = goal_status_by_city(demo_ro)
    assert slide.table is not None and len(slide.table) == len(goals) > 0
    assert list(slide.table["Status"]) == list(goals["status"])
    first = goals.iloc[0]
    assert slide.table["So far vs expected"].iloc[0].startswith(f"{int(first['actual']):,} vs ")
    assert f"{len(goals)} goals:" in slide.message


def test_hotspot_slide_uses_the_map_cells(demo_ro: duckdb.DuckDBPyConnection) -> None:
    from analysis.geo.cells import map_cells
    from analysis.query.scope import scoped

    slide = slide_of(demo_ro, "hotspots_memphis_tn")
    filt = scoped(
        demo_ro,
        CrimeFilter(
            cities=("memphis_tn",),
            offenses=("violent_crime",),
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
        ),
    )
    assert filt is not None
    cells = map_cells(demo_ro, filt)
    assert slide.data is not None and int(slide.data["offenses"].sum()) == int(cells.cells["n"].sum())
    assert f"busiest cell holds {int(cells.cells['n'].iloc[0]):,}" in slide.message
    assert slide.figure is not None and len(slide.figure.data) >= 2  # cell classes + outline


def test_outline_then_one_slide_is_the_pack(demo_ro: duckdb.DuckDBPyConnection) -> None:
    """The presenter view builds the outline and only the slide on screen: each slide built
    alone equals the pack's, and the outline names every slide of the pack."""
    import plotly.io as pio

    from report.briefing import briefing_outline, briefing_slide, hotspot_cities

    now = pd.Timestamp("2026-01-05 09:00").to_pydatetime()
    pack = build_briefing(demo_ro, briefing_outline(demo_ro, ("memphis_tn", "toledo_oh"), 2024, now=now))
    outline = briefing_outline(demo_ro, ("memphis_tn", "toledo_oh"), 2024, now=now)
    assert not outline.slides and outline.keys == tuple(s.key for s in pack.slides)
    assert outline.keys[:3] == ("title", "goals", "ytd") and outline.keys[-2:] == ("methods", "link")
    assert hotspot_cities(demo_ro, ("memphis_tn", "toledo_oh"), outline.window) == ("memphis_tn", "toledo_oh")
    for key in ("ytd", "trend_firearm_violent_crime", "hotspots_toledo_oh", "funnel"):
        alone = briefing_slide(demo_ro, outline, key)
        built = next(s for s in pack.slides if s.key == key)
        assert (alone.title, alone.message, alone.notes) == (built.title, built.message, built.notes)
        assert (alone.figure is None) == (built.figure is None) == (key == "ytd")
        if alone.figure is not None and built.figure is not None:
            assert pio.to_json(alone.figure) == pio.to_json(built.figure)
    # The YTD slide carries the firearm rows the outline left out.
    ytd = briefing_slide(demo_ro, outline, "ytd")
    assert ytd.data is not None and FIREARM_VIOLENT in set(ytd.data["measure"])
    with pytest.raises(ValueError, match="unknown slide"):
        briefing_slide(demo_ro, outline, "hotspots_houston_tx")


def test_hotspot_slide_coarsens_past_its_cell_limit(
    demo_ro: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slide draws each hexagon as a polygon: past STATIC_MAX_CELLS cells it takes the
    next coarser cell size, so the exported map stays small at any data size."""
    import report.slides as ab
    from analysis.geo.cells import counts_by_cell
    from report.briefing import briefing_outline, briefing_slide

    # Start from the finest cells (the automatic size is already coarse at demo scale).
    monkeypatch.setattr(ab, "map_cells", lambda con, filt: counts_by_cell(con, filt, 9))
    outline = briefing_outline(demo_ro, ("memphis_tn",), 2025)
    fine = briefing_slide(demo_ro, outline, "hotspots_memphis_tn")
    assert fine.data is not None
    fine_res, fine_cells = int(fine.data["resolution"].iloc[0]), len(fine.data)
    monkeypatch.setattr(ab, "STATIC_MAX_CELLS", fine_cells - 1)
    coarse = briefing_slide(demo_ro, outline, "hotspots_memphis_tn")
    assert coarse.data is not None
    assert int(coarse.data["resolution"].iloc[0]) == fine_res - 1 and len(coarse.data) < fine_cells
    assert int(coarse.data["offenses"].sum()) == int(fine.data["offenses"].sum())
    assert f"(resolution {fine_res - 1})" in coarse.notes
