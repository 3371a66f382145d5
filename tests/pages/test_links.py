"""Links on the pages: values from the URL are shown as typed in the notices (never as
Markdown: no clickable link, no bold), and the Trends markers come from the stored
interventions, including one added through the same write path as the Interventions page."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ingest.goals.spec import InterventionSpec
from ingest.goals.write import add_intervention
from ui.url_state import escape_markdown

EVIL = "[x](http://evil.example)"
BOLD = "**x**"


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_escape_markdown() -> None:
    assert escape_markdown(EVIL) == r"\[x\]\(http\://evil\.example\)"
    assert escape_markdown(BOLD) == "\\*\\*x\\*\\*"
    assert escape_markdown("memphis") == "memphis"


@pytest.mark.parametrize(
    ("page", "query", "what"),
    [
        ("views/trends.py", {"city": EVIL, "offense": BOLD}, "unknown city"),
        ("views/trends.py", {"start": EVIL}, "unknown date"),
        ("views/overview.py", {"base": EVIL}, "unknown baseline year"),
        ("views/goals.py", {"goal": EVIL}, "unknown goal"),
        ("views/interventions.py", {"city": EVIL}, "unknown city"),
        ("views/presenter.py", {"city": EVIL, "slide": BOLD}, "unknown city"),
        ("views/overview.py", {"dataset": EVIL}, "unknown dataset"),
    ],
)
def test_link_values_in_notices_are_plain_text(
    app: Callable[..., AppTest], demo_store_path: Path, page: str, query: dict[str, str], what: str
) -> None:
    at = app(demo_store_path, page=page, query=query)
    assert not at.exception
    shown = [w for w in warnings(at) if "link" in w]
    assert any(what in w for w in shown), shown
    for text in shown:
        assert "](" not in text and "[x]" not in text  # no Markdown link
        assert "**x**" not in text  # no bold
    assert any("\\[x\\]\\(http" in w or "\\*\\*x\\*\\*" in w for w in shown)


def series_annotations(at: AppTest) -> list[str]:
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    return [a["text"] for a in chart["layout"].get("annotations", [])]


def test_an_added_intervention_is_a_trends_marker(app: Callable[..., AppTest], goals_store: Path) -> None:
    label = "Group violence intervention (Mar 2024)"
    before = app(goals_store, page="views/trends.py", query={"city": "memphis_tn", "measure": "count"})
    assert not before.exception and label not in series_annotations(before)
    add_intervention(
        goals_store, InterventionSpec("memphis_tn", "Group violence intervention", date(2024, 3, 4))
    )
    after = app(goals_store, page="views/trends.py", query={"city": "memphis_tn", "measure": "count"})
    assert not after.exception
    assert label in series_annotations(after)
    # Another city's Trends view does not carry Memphis's intervention.
    other = app(goals_store, page="views/trends.py", query={"city": "houston_tx", "measure": "count"})
    assert label not in (series_annotations(other) if other.get("plotly_chart") else [])
