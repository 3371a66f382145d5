"""The Interventions page: the interrupted time series with its caveat, links, and the
form that adds an intervention through the ingest write path."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ingest.hashing import file_sha256 as sha

PAGE = "views/interventions.py"


def test_its_on_demo_store(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page=PAGE, query={"its_city": "memphis_tn", "its_offense": "violent_crime"})
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Level change at Jul 2017", "Slope change (per year)"]
    assert any("Association is not causation" in w.value for w in at.warning)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [t.get("name") for t in spec["data"]]
    assert {"Observed", "Fitted model", "Counterfactual (no intervention)"} <= set(names)
    # Switch to Operation Relentless Pursuit: the step moves to Jan 2020.
    orp = next(o for o in at.selectbox(key="its_intervention").options if "Relentless" in o)
    at.selectbox(key="its_intervention").select(orp).run()
    assert at.metric[0].label == "Level change at Jan 2020"


def test_too_little_data_and_hostile_links(app: Callable[..., AppTest], goals_store: Path) -> None:
    # The fixture starts in 2021: PSP (2017) has no months before it.
    at = app(goals_store, page=PAGE, query={"its_city": "memphis_tn", "its_offense": "<b>x</b>"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "unknown offense" in warnings
    assert "needs at least 12 months of data on each side" in warnings


def submit(at: AppTest) -> None:
    """Press the form's submit button (found by its label)."""
    next(b for b in at.button if b.label == "Add intervention").click().run()


def test_add_intervention_in_the_ui(app: Callable[..., AppTest], goals_store: Path) -> None:
    at = app(goals_store, page=PAGE, query={"its_city": "memphis_tn"})
    before = sha(goals_store)
    at.selectbox(key="iv_city").set_value("memphis_tn")
    at.text_input(key="iv_name").input("Strategy launch")
    at.date_input(key="iv_start").set_value(date(2024, 1, 1))
    at.checkbox(key="iv_ongoing").uncheck()
    at.date_input(key="iv_end").set_value(date(2023, 1, 1))
    submit(at)
    assert "The end date (2023-01-01) is before the start date (2024-01-01)." in " ".join(
        e.value for e in at.error
    )
    assert sha(goals_store) == before
    at.checkbox(key="iv_ongoing").check()
    submit(at)
    assert any("Intervention #15 added" in s.value for s in at.success)
    options = at.selectbox(key="its_intervention").options
    assert any("Strategy launch" in o for o in options)
    at.selectbox(key="its_intervention").select(next(o for o in options if "Strategy" in o)).run()
    assert at.metric[0].label == "Level change at Jan 2024"
