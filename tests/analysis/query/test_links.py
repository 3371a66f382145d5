"""The URL codec (analysis/query/links.py): every field round-trips, hostile values give
notices and defaults, never exceptions."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from analysis.query.links import LinkRules, LinkState, from_query_params, link, to_query_params

CITIES = ["houston_tx", "memphis_tn", "kansas_city_mo"]
RULES = LinkRules(
    cities=CITIES,
    span=(date(2020, 1, 1), date(2025, 12, 31)),
    districts=["Raines", "North Main"],
    years=(2021, 2025),
)
FULL = LinkState(
    cities=("memphis_tn", "houston_tx"),
    offense="murder",
    start=date(2023, 1, 1),
    end=date(2025, 6, 30),
    granularity="week",
    measure="count",
    districts=("Raines", "North Main"),
    firearm=True,
    year=2024,
    slide=5,
)


def test_every_field_round_trips() -> None:
    params = to_query_params(FULL)
    assert params == {
        "city": ["memphis_tn", "houston_tx"],
        "offense": "murder",
        "start": "2023-01-01",
        "end": "2025-06-30",
        "gran": "week",
        "measure": "count",
        "district": ["Raines", "North Main"],
        "firearm": "1",
        "year": "2024",
        "slide": "5",
    }
    assert from_query_params(params, RULES) == (FULL, [])
    # Through a real URL too (parse_qs gives every key as a list).
    url = link("trends", FULL, "http://host:8501/")
    assert url.startswith("http://host:8501/trends?city=memphis_tn&city=houston_tx&offense=murder")
    assert from_query_params(parse_qs(urlsplit(url).query), RULES) == (FULL, [])


def test_defaults_are_left_out_of_the_link() -> None:
    defaults = LinkState(cities=("memphis_tn",), offense="violent_crime", measure="rate", granularity="month")
    state = LinkState(
        cities=("memphis_tn",), offense="murder", measure="rate", granularity="month", firearm=False
    )
    assert to_query_params(state, defaults) == {"offense": "murder"}
    assert to_query_params(LinkState()) == {}
    assert link("city", LinkState(cities=("memphis_tn",))) == "city?city=memphis_tn"
    assert link("trends", LinkState()) == "trends"
    assert from_query_params({}, RULES) == (LinkState(), [])


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"city": "';DROP TABLE incidents;--"}, 'unknown city "\';DROP TABLE incidents;--"'),
        ({"offense": "<script>alert(1)</script>"}, "unknown offense '<script>alert(1)</script>'"),
        ({"measure": "1 or 1=1"}, "unknown measure '1 or 1=1'"),
        ({"gran": "year"}, "unknown granularity 'year'"),
        ({"firearm": "yes"}, "unknown firearm setting 'yes'"),
        ({"district": "[x](http://evil)"}, "unknown district '[x](http://evil)'"),
        ({"start": "1' or '1"}, "unknown date \"1' or '1\""),
        ({"start": "2019-12-31"}, "start date 2019-12-31 is outside the data (2020-01-01 to 2025-12-31)"),
        ({"end": "2099-01-01"}, "end date 2099-01-01 is outside the data"),
        ({"start": "2025-01-01", "end": "2024-01-01"}, "start date is after its end date; showing all dates"),
        ({"year": "99999"}, "year 99999 is out of range"),
        ({"year": "2020"}, "year 2020 is out of range"),
        ({"year": "**2024**"}, "year '**2024**' is not a number"),
        ({"slide": "x<script>"}, "slide 'x<script>' is not a number"),
        ({"slide": "0"}, "slide 0 is out of range"),
        ({"city": "atlantis_ga"}, "unknown city 'atlantis_ga'"),
    ],
)
def test_hostile_values_give_a_notice_and_the_default(params: dict[str, str], words: str) -> None:
    state, notices = from_query_params(params, RULES)
    assert state == LinkState()
    assert len(notices) == 1 and words in notices[0].text()
    assert notices[0].key in params


def test_notice_values_can_be_escaped_and_are_cut() -> None:
    _, notices = from_query_params({"city": ["**bold**", "x" * 100, "a", "b"]}, RULES)
    (notice,) = notices
    assert notice.values == ("**bold**", "x" * 100, "a", "b")
    text = notice.text(lambda v: v.replace("*", "\\*"))
    assert text == f"The link asked for unknown city '\\*\\*bold\\*\\*', '{'x' * 40}', 'a'; it was ignored."


def test_repeated_keys() -> None:
    state, notices = from_query_params(
        {
            "city": ["memphis_tn", "memphis_tn", "evil", "houston_tx"],
            "offense": ["<b>", "robbery", "murder"],
            "year": ["2022", "2023"],
            "start": ["2021-01-01", "2022-02-01"],
        },
        RULES,
    )
    assert state == LinkState(
        cities=("memphis_tn", "houston_tx"), offense="robbery", year=2023, start=date(2022, 2, 1)
    )
    assert [n.key for n in notices] == ["city", "offense"]


def test_fields_without_a_rule_are_not_read() -> None:
    state, notices = from_query_params({"city": "x", "district": "y", "start": "z", "year": "1"}, LinkRules())
    assert state == LinkState() and notices == []
