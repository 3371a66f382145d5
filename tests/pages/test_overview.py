"""The Overview page: loads on every kind of store, shows hand-checkable numbers, reacts to
its controls and survives hostile links."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.pages.expanders import open_numbers

PAGE = "views/overview.py"


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def ytd_table(at: AppTest) -> str:
    tables = [m.value for m in at.markdown if "<table" in m.value]
    assert len(tables) == 1, "one YTD table"
    return tables[0]


def deck(at: AppTest) -> dict[str, object]:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1, "one map"
    return dict(json.loads(decks[0].proto.json))


def test_overview_is_the_default_page_on_the_demo_store(
    app: Callable[..., AppTest], demo_store_path: Path
) -> None:
    at = app(demo_store_path)
    assert not at.exception
    assert at.title[0].value == "The 12 PSP cities side by side"
    assert any("DEMO DATA" in w.value for w in at.warning)
    assert ytd_table(at).count("<tr><th style") == 12  # one row per city
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 2  # cohort index, funnel plot
    assert len(charts[0]["data"]) == 12  # one line per city
    spec = deck(at)
    circles = next(layer for layer in spec["layers"] if layer["id"] == "city-circles")  # type: ignore[union-attr]
    assert len(circles["data"]) == 12
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "[Memphis](city?city=memphis_tn)" in texts(at)
    # Every chart has its "numbers behind" expander with a CSV download.
    buttons = [b.label for b in at.get("download_button")]
    assert len(at.get("expander")) == 4 and buttons.count("Download CSV") == 4
    assert buttons[-2:] == ["Download PowerPoint", "Download PDF"]  # the meeting pack


def test_funnel_limits_toggle(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    """By default the funnel's limits allow for the cohort's spread and say how large it is;
    the plain Poisson limits stay one click away and flag far more cities."""
    at = app(demo_store_path)
    words = texts(at)
    assert (
        "(beyond the cohort's own spread)" in words and "Overdispersion across the 12 cities: φ = " in words
    )
    funnel = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert {t["name"] for t in funnel["data"]} >= {
        "95% limits (overdispersed)",
        "99.8% limits (overdispersed)",
    }
    at.selectbox(key="limits").set_value("poisson").run()
    assert not at.exception
    words = texts(at)
    assert "(beyond Poisson chance)" in words and "these plain Poisson limits ignore it" in words
    funnel = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert "95% limits (Poisson)" in {t["name"] for t in funnel["data"]}


def test_tiny_store_numbers_by_hand(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path)
    assert not at.exception
    assert not any("DEMO DATA" in w.value for w in at.warning)
    table = ytd_table(at)
    # Jan-Feb 2024 vs Jan-Feb 2023 (tests/analysis/series/test_compare.py): Memphis violent 5 -> 7,
    # murder 1 -> 2, firearm-involved violent 2 -> 5; Springfield violent 1 -> 3.
    for badge in (
        "up 2 (5 → 7), not notable",
        "up 1 (1 → 2), not notable",
        "up 3 (2 → 5), not notable",
        "up 2 (1 → 3), not notable",
        "up 1 (0 → 1), not notable",  # "notable" under the old z rule; exactly, p = 1
    ):
        assert badge in table
    # the p-value in each badge's tooltip; no colour or bold below 10 offenses
    assert 'title="p = 0.47; exact Poisson test' in table
    assert "font-weight:400" in table and "font-weight:600" not in table
    visible = re.sub(r"<[^>]*>", " ", table)  # the text a reader sees, without tags and tooltips
    assert "%" not in visible  # no percentage below 10 events
    words = texts(at)
    assert "cut at February 2024, the last month every compared city has complete" in words
    assert "Only 2 months into the year" in words
    assert (
        "the largest is firearm-involved violent crime in Memphis, up 3 (2 → 5), not notable (p = 0.47)"
        in words
    )
    assert (
        "Of these 6 year-to-date changes, 0 read notable or strong; with no real change anywhere, up to 0.3"
        in (words)
    )
    assert "No data in the store: Baton Rouge, LA, Birmingham, AL" in " ".join(i.value for i in at.info)
    numbers = (
        open_numbers(at).dataframe[0].value
    )  # the CSV behind the table carries the test and its exposures
    assert {"p", "strength", "days_current", "days_previous"} <= set(numbers.columns)


def test_store_with_published_counts_only_for_some_cities(
    app: Callable[..., AppTest], mixed_store_path: Path
) -> None:
    at = app(mixed_store_path)
    assert not at.exception
    table = ytd_table(at)
    houston = table.split("<th style='text-align:left;padding:4px 10px'>Houston</th>")[1].split("</tr>")[0]
    # Houston: published counts, violent 190 -> 200 (both 10+: the change and a percent), murder 7 -> 8, and
    # no firearm figure: published counts carry no weapon.
    assert "up 10 or 5% (190 → 200)" in houston and "up 1 (7 → 8)" in houston and "no data" in houston
    assert "Houston: published Jan 2023 – Feb 2024; Jackson: portal Jan 2023 – Feb 2024" in texts(at)
    # The profile line lists only cities with incident records and says why Houston has none.
    line = next(m.value for m in at.markdown if m.value.startswith("City profiles:"))
    assert "[Memphis](city?city=memphis_tn)" in line and "[Houston]" not in line
    assert "No profile for " in line and "Houston" in line.split("No profile for ")[1]
    assert "the store holds no incident records for them" in line


def test_changing_the_offense_changes_the_numbers(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(tiny_store_path)
    # Mar 2023 - Feb 2024: violent 7 (Memphis) + 3 (Springfield) = 10 offenses in
    # 10/12 * 622,878 + 2/12 * 619,470 + 10/12 * 113,426 + 2/12 * 113,104 = 735,682 person-years.
    assert "Pooled violent crime rate of the 2 cities, Mar 2023–Feb 2024: 1.4 per 100,000" in texts(at)
    at.selectbox(key="offense").set_value("murder").run()
    assert not at.exception
    # Murder: the fixture source covers murder in both cities (no part1_scope declared: all
    # offenses), so Springfield's none is a true zero: 2 murders (Memphis, Jan 2024) in the
    # same 735,682 person-years = 0.27 per 100,000.
    assert "Pooled murder rate of the 2 cities, Mar 2023–Feb 2024: 0.3 per 100,000" in texts(at)
    assert "Murder, Jan–Feb 2024 vs Jan–Feb 2023:" in texts(at)
    assert at.query_params["offense"] == "murder"


def test_changing_the_baseline_year_changes_the_index(
    app: Callable[..., AppTest], demo_store_path: Path
) -> None:
    at = app(demo_store_path)
    assert at.selectbox(key="base").value == "2017"
    before = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    at.selectbox(key="base").set_value("2020").run()
    assert not at.exception
    after = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert before != after
    assert "2020 = 100" in texts(at) and at.query_params["base"] == "2020"


def test_hostile_query_string_shows_notices(app: Callable[..., AppTest], tiny_store_path: Path) -> None:
    at = app(
        tiny_store_path, query={"city": "';DROP TABLE incidents;--", "base": "1900; drop", "offense": "<b>"}
    )
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "unknown city" in notices and "unknown offense" in notices
    assert "unknown baseline year (= 100)" in notices
    assert at.selectbox(key="base").value == "2023"  # the first full year of the tiny store
    assert ytd_table(at).count("<tr><th style") == 2


def test_link_reopens_the_same_view(app: Callable[..., AppTest], demo_store_path: Path) -> None:
    at = app(
        demo_store_path, query={"city": ["memphis_tn", "houston_tx"], "offense": "robbery", "base": "2019"}
    )
    assert not at.exception
    assert at.multiselect(key="city").value == ["memphis_tn", "houston_tx"]
    assert at.selectbox(key="offense").value == "robbery"
    assert at.selectbox(key="base").value == "2019"
    assert ytd_table(at).count("<tr><th style") == 2
    assert "Where robbery moved" in " ".join(s.value for s in at.subheader)


def test_store_without_crime_data(app: Callable[..., AppTest], registry_only_store_path: Path) -> None:
    at = app(registry_only_store_path)
    assert not at.exception
    assert "No data for this selection" in " ".join(i.value for i in at.info)
