"""The Goals page: goals at a glance, the progress chart, the create form (bad input gives
a clear message and writes nothing; a good goal is written through the ingest path and
shows up with its status on the rerun), and the alerts list."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb
from streamlit.testing.v1 import AppTest

from ingest.hashing import file_sha256 as sha

PAGE = "views/goals.py"


def texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def chart_names(at: AppTest) -> list[str]:
    charts = at.get("plotly_chart")
    assert charts, "no Plotly chart on the page"
    return [t.get("name") for t in json.loads(charts[0].proto.spec)["data"]]


def fill_goal(
    at: AppTest, target: float = -10.0, start: date = date(2025, 1, 1), end: date = date(2025, 12, 31)
) -> None:
    at.selectbox(key="new_city").set_value("memphis_tn").run()
    at.selectbox(key="new_offense").set_value("violent_crime")
    at.selectbox(key="new_year").set_value(2024)
    at.number_input(key="new_target").set_value(target)
    at.date_input(key="new_start").set_value(start)
    at.date_input(key="new_deadline").set_value(end)
    at.text_input(key="new_owner").input("Test owner")


def test_demo_goals_at_a_glance_and_detail(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page=PAGE)
    assert not at.exception
    assert any("DEMO DATA" in w.value for w in at.warning)
    page = texts(at)
    assert "Birmingham" in page and "Springfield" in page
    assert "off track" in page and "on track" in page  # chips in words, not colour alone
    assert "ahead = below the interval" in page.replace("**", "")  # the rule is stated
    table = at.dataframe[0].value
    assert len(table) == 13
    names = chart_names(at)
    assert {"Actual", "Expected by now (target path)"} <= set(names)
    assert any(n.startswith("95% interval (φ = ") for n in names)  # the band allows for overdispersion
    assert "allowing for this series' own month-to-month variation (dispersion φ = " in page
    assert "its dispersion φ is estimated from the baseline years" in page  # the rule says the method
    assert "so far vs" in page and "expected by now" in page
    assert [h.value for h in at.header] == ["All goals at a glance", "Goal detail", "New goal", "Alerts"]


def test_bad_goals_get_a_clear_message_and_write_nothing(
    app: Callable[..., AppTest], goals_store: Path
) -> None:
    before = sha(goals_store)
    at = app(goals_store, page=PAGE)
    assert not at.exception
    fill_goal(at, target=500.0)
    at.button(key="new_create").click().run()
    assert "The goal was not created." in errors(at) and "Nothing was saved." in errors(at)
    assert "A target change of +500% is outside the allowed range -90% to +100%" in errors(at)
    assert sha(goals_store) == before

    fill_goal(at, start=date(2025, 6, 1), end=date(2025, 1, 31))
    at.button(key="new_create").click().run()
    assert "The deadline (2025-01-31) is before the start date (2025-06-01)." in errors(at)
    assert sha(goals_store) == before

    at.selectbox(key="new_year").set_value(2025).run()
    at.date_input(key="new_deadline").set_value(date(2025, 12, 31))
    at.button(key="new_create").click().run()
    assert "Baseline year 2025 does not end before the goal starts" in errors(at)
    assert sha(goals_store) == before

    toml = (
        '[[goal]]\ncity = "gotham_ny"\noffense = "violent_crime"\nbaseline = 2024\n'
        "target_change_pct = -10\nstart = 2025-01-01\ndeadline = 2025-12-31\n"
    )
    at.text_area(key="new_toml").input(toml)
    at.button(key="new_toml_load").click().run()
    assert "No goal was loaded." in errors(at) and "Unknown city 'gotham_ny'" in errors(at)
    assert not at.exception
    assert sha(goals_store) == before


def test_a_goal_created_in_the_ui_appears_with_its_status(
    app: Callable[..., AppTest], goals_store: Path
) -> None:
    at = app(goals_store, page=PAGE)
    assert any("No goals yet" in i.value for i in at.info)
    fill_goal(at)
    at.button(key="new_create").click().run()
    assert not at.exception, at.exception
    assert errors(at) == ""
    assert any("Goal #1 created" in s.value for s in at.success)
    # The rerun reads the swapped store: the goal is listed, picked, charted, with a status.
    assert at.selectbox(key="goal").value == "1"
    page = texts(at)
    assert "off track" in page
    assert (
        "577 so far vs 522 expected by now" in page
    )  # hand-computed in tests/analysis/goals/test_progress.py
    assert "Actual" in chart_names(at)
    assert at.dataframe[0].value["Goal"].tolist() == ["Violent crime −10% vs 2024, Jan 2025–Dec 2025"]
    con = duckdb.connect(str(goals_store), read_only=True)
    assert con.execute("select goal_id, owner, source from goals").fetchall() == [(1, "Test owner", "user")]
    con.close()
    # And it can be removed again from the page.
    at.checkbox(key="remove_sure_1").check().run()
    at.button(key="remove_1").click().run()
    assert any("Goal #1 removed" in s.value for s in at.success)
    assert any("No goals yet" in i.value for i in at.info)


def test_goal_link_and_hostile_link(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(demo_store_path, page=PAGE, query={"goal": "9"})
    assert at.selectbox(key="goal").value == "9"
    assert "Houston" in texts(at)
    at = app(demo_store_path, page=PAGE, query={"goal": "<script>"})
    assert not at.exception
    assert any("unknown goal" in w.value for w in at.warning)


def test_alerts_list_links_to_trends(app: Callable[..., AppTest], goals_store: Path) -> None:
    at = app(goals_store, page=PAGE)
    alerts = at.dataframe[-1].value
    assert alerts[["City", "Offense", "Latest signal"]].values.tolist() == [
        ["Memphis", "Violent crime", "Jun 2025"]
    ]
    assert alerts["Trend"].tolist() == ["./trends?city=memphis_tn&offense=violent_crime"]
    # the calibrated threshold of the series, in offenses, beside its dispersion
    assert alerts["Threshold H"].iloc[0].endswith("offenses (φ = 1.2)")
    words = texts(at)
    assert "CUSUM on the count scale" in words and "k = baseline × 1.097" in words
    assert "once in 60 months on average" in words
    assert "2 series are watched. With no real change anywhere, about 0.4 false alarms a year" in words


def test_status_chips_say_the_status_in_words(goals_store: Path) -> None:
    from analysis.goals.goal import GoalSpec
    from analysis.goals.progress import goal_status_by_city
    from ingest.goals.write import add_goals
    from ui.goals import goal_chips_by_city_html, goal_chips_html, status_chip_html

    chip = status_chip_html("at risk", "Violent crime")
    assert "at risk" in chip and "▲" in chip and "#E69F00" in chip and "Violent crime" in chip
    assert "&lt;b&gt;" in status_chip_html("ahead", "<b>")  # text is escaped
    add_goals(
        goals_store,
        [GoalSpec("memphis_tn", "violent_crime", (2024,), -10.0, date(2025, 1, 1), date(2025, 12, 31))],
    )
    con = duckdb.connect(str(goals_store), read_only=True)
    frame = goal_status_by_city(con)
    con.close()
    assert "off track" in goal_chips_html(frame, "memphis_tn")
    assert goal_chips_html(frame, "houston_tx") == ""
    assert "<strong>Memphis</strong>" in goal_chips_by_city_html(frame)
