"""Presenter view: slides from the briefing, next/previous, URL state, hostile links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest


def texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_walks_through_the_slides(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page="views/presenter.py")
    assert not at.exception
    assert "PSP crime briefing — All 12 PSP cities" in texts(at)
    assert "Slide 1 of" in texts(at)
    at.button[1].click().run()  # Next: goal status
    assert "Goal status" in texts(at) and "Slide 2 of" in texts(at)
    assert at.dataframe, "the goal slide shows its table"
    at.button[1].click().run()  # Next: year to date
    assert "Year to date against the year before" in texts(at) and "Slide 3 of" in texts(at)
    at.button[1].click().run()  # Next: violent crime
    assert "Violent crime: monthly trend" in texts(at) and "Slide 4 of" in texts(at)
    assert at.get("plotly_chart"), "the trend slide shows its chart"
    assert at.query_params["slide"] == ["4"] or at.query_params["slide"] == "4"
    at.button[0].click().run()  # Previous
    assert "Slide 3 of" in texts(at)
    assert [b.label for b in at.get("download_button")] == ["Download PowerPoint", "Download PDF"]


def test_link_opens_a_slide_for_one_city(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(
        demo_store_path, page="views/presenter.py", query={"city": "memphis_tn", "slide": "5", "year": "2024"}
    )
    assert not at.exception
    assert "Slide 5 of" in texts(at) and "Murder: monthly trend" in texts(at)
    assert "2024" in texts(at)


def test_hostile_link_values(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(
        demo_store_path,
        page="views/presenter.py",
        query={"city": "';DROP TABLE incidents;--", "slide": "x<script>", "year": "99999"},
    )
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown city" in notices and "not a number" in notices and "out of range" in notices
    assert "Slide 1 of" in texts(at)
