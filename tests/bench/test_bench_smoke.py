"""The bench suite runs and covers every page. No timing is asserted here: speed is
measured by `python -m bench`, never by tests."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest

from bench import payload
from bench.pages import PAGES, dashboard_pages
from bench.report import table
from bench.run import Config, pct, run

PAGE_KEYS = {
    "title",
    "p50_ms",
    "p95_ms",
    "cold_p50_ms",
    "cold_p95_ms",
    "pandas_ms",
    "ratio",
    "max_objects",
    "bytes",
}
SCALE_KEYS = {"rows", "scale", "ingest_rows_per_s", "store_mb", "cold_start_s", "rss_mb", "pages"}


def test_every_dashboard_page_has_a_bench_entry() -> None:
    files = [p["file"] for p in dashboard_pages()]
    assert "views/trends.py" in files
    missing = [f for f in files if f not in PAGES]
    assert not missing, f"pages without a bench entry in bench/pages.py: {missing}"


def test_dashboard_pages_reads_navigation(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        'import streamlit as st\npages = [st.Page("views/a.py", title="A", url_path="a"),\n'
        '    st.Page("views/b.py", title="B", url_path="b", default=True)]\nst.navigation(pages).run()\n'
    )
    assert dashboard_pages(app) == [
        {"file": "views/a.py", "title": "A", "url_path": "a", "default": False},
        {"file": "views/b.py", "title": "B", "url_path": "b", "default": True},
    ]


def test_payload_counts_points_and_bytes() -> None:
    fig = go.Figure([go.Scatter(x=[1, 2, 3], y=[4, 5, 6]), go.Heatmap(z=[[1, 2], [3, 4], [5, 6]])])
    measured = payload.measure({"chart": fig, "frame": None})
    assert measured["chart"]["objects"] == 3 + 6
    assert measured["chart"]["kind"] == "chart"
    assert measured["chart"]["bytes"] == len(fig.to_json().encode())


def test_pct_interpolates() -> None:
    assert pct([0.001, 0.002, 0.003, 0.004], 0.5) == pytest.approx(2.5)
    assert pct([0.010], 0.95) == pytest.approx(10.0)


def test_bench_runs_at_tiny_scale(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    cfg = Config(
        scales=[0.01],
        combos=3,
        warm_reps=1,
        cold_runs=1,
        store_dir=tmp_path / "stores",
        out=out,
        browser=False,
        quiet=True,
    )
    result = run(cfg)
    saved = json.loads(out.read_text())
    assert saved["environment"]["cpu_count"] >= 1
    assert saved["environment"]["versions"]["duckdb"]
    (scale,) = saved["scales"]
    assert SCALE_KEYS <= set(scale)
    assert scale["scale"] == 0.01
    assert 30_000 < scale["rows"] < 80_000  # ~5.08M offenses at scale 1
    assert scale["table_rows"]["incidents"] == scale["rows"]
    assert set(scale["pages"]) == {p["file"] for p in dashboard_pages()}
    for file, page in scale["pages"].items():
        assert PAGE_KEYS <= set(page), file
        assert page["combos"] == 3
        assert page["p50_ms"] > 0
        assert page["max_objects"] > 0 and page["bytes"] > 0, f"{file} sends no chart"
        if PAGES[file].baseline is None:  # no pandas version yet: reported as null, not 0
            assert page["pandas_ms"] is None and page["ratio"] is None
            continue
        assert page["pandas_ms"] > 0
        # The pandas baseline must compute the same frames as the analysis layer.
        assert page["same_output"], page["mismatch"]
    assert "Targets" in table(result)
