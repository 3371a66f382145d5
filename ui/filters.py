"""The filter sidebar. Its state lives in the URL, so a copied link reopens the same view.

URL values are slugs and ISO dates (`?city=memphis_tn&city=houston_tx&offense=murder&
start=2023-01-01&end=2025-12-31&gran=month&measure=count&district=Raines&firearm=1`),
stable across label changes; the codec is analysis/query/links.py. On a session's first run
every value from the URL is checked against its allow-list; unknown values get a visible
notice and are dropped, and the widget falls back to its default. After that the widgets
drive and the URL follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import streamlit as st

from analysis.query.filters import CrimeFilter, Granularity, Measure
from analysis.query.links import GRANULARITIES, MEASURES, LinkRules, LinkState, to_query_params
from analysis.query.registry import city_names, data_span, district_names
from kernel.vocabulary import OFFENSE_KEYS, OFFENSE_LABELS
from ui.data import query
from ui.url_state import read_link, write_url

ALL_CONTROLS = ("cities", "offense", "dates", "granularity", "measure", "district", "firearm")
# session key -> the URL keys it is read from
SEEDED = {
    "city": ("city",),
    "offense": ("offense",),
    "measure": ("measure",),
    "gran": ("gran",),
    "firearm": ("firearm",),
    "dates": ("start", "end"),
}
# sidebar control -> the URL keys it writes
WRITES = {
    "offense": ("offense",),
    "measure": ("measure",),
    "granularity": ("gran",),
    "district": ("district",),
    "firearm": ("firearm",),
    "dates": ("start", "end"),
}


@dataclass(frozen=True)
class View:
    """Everything the sidebar decided: the filter plus how to show it."""

    filt: CrimeFilter
    measure: Measure
    granularity: Granularity


def _carry_city(names: dict[str, str], city_default: Any, single_city: bool) -> None:
    """The city key is shared by one-city pages (a string) and many-city pages (a list):
    coming from the other kind of page, carry the choice over in this page's shape."""
    held = st.session_state.get("city")
    if single_city and isinstance(held, list):
        st.session_state["city"] = next((c for c in held if c in names), city_default)
    elif not single_city and isinstance(held, str):
        st.session_state["city"] = [held] if held in names else []


def _seed(
    city_ids: list[str], span: tuple[date, date] | None, defaults: LinkState, single_city: bool
) -> None:
    """Seed the session keys not yet set from the URL (once per session), with notices."""
    fresh = [k for k in SEEDED if k not in st.session_state and (k != "dates" or span)]
    if not fresh:
        return
    link = read_link(LinkRules(cities=city_ids, span=span), [u for k in fresh for u in SEEDED[k]])
    cities = link.cities or defaults.cities
    seeds: dict[str, Any] = {
        "city": (cities[0] if cities else None) if single_city else list(cities),
        "offense": link.offense or defaults.offense,
        "measure": link.measure or defaults.measure,
        "gran": link.granularity or defaults.granularity,
        "firearm": "1" if link.firearm else "0",
        "dates": (link.start or defaults.start, link.end or defaults.end),
    }
    for key in fresh:
        st.session_state[key] = seeds[key]


def _districts(city: str) -> tuple[str, ...]:
    """The district multiselect of one city (seeded from the URL once)."""
    options = query(district_names, city)
    if not options:
        return ()
    if "district" not in st.session_state:
        st.session_state["district"] = list(read_link(LinkRules(districts=options), ["district"]).districts)
    return tuple(st.multiselect("Districts", options, key="district", placeholder="Whole city"))


def _cities(names: dict[str, str], single_city: bool) -> list[str]:
    if single_city:
        chosen = st.selectbox("City", list(names), format_func=lambda c: names.get(c, c), key="city")
        return [chosen] if chosen else []
    return list(
        st.multiselect(
            "Cities",
            list(names),
            format_func=lambda c: names.get(c, c),
            key="city",
            placeholder="All 12 PSP cities",
        )
    )


def _offense() -> str:
    return str(
        st.selectbox(
            "Offense",
            OFFENSE_KEYS,
            format_func=lambda o: OFFENSE_LABELS[o],
            key="offense",
            help="Violent crime = murder, rape, robbery, aggravated assault (FBI UCR). "
            "Property crime = burglary, larceny-theft, motor vehicle theft.",
        )
    )


def _dates(span: tuple[date, date]) -> tuple[date | None, date | None]:
    picked = st.date_input("Period", key="dates", min_value=span[0], max_value=span[1], format="YYYY-MM-DD")
    if isinstance(picked, tuple) and len(picked) == 2:
        return picked[0], picked[1]
    return None, None


def _granularity() -> Granularity:
    return cast(
        Granularity,
        st.radio(
            "Granularity",
            GRANULARITIES,
            key="gran",
            horizontal=True,
            format_func=lambda g: "Monthly" if g == "month" else "Weekly",
            help="Weekly series need incident-level data.",
        ),
    )


def _measure() -> Measure:
    return cast(
        Measure,
        st.radio(
            "Show",
            MEASURES,
            key="measure",
            format_func=lambda m: "Rate per 100,000 residents" if m == "rate" else "Counts",
            help="Compare cities of different size by rate, never by raw counts.",
        ),
    )


def _firearm() -> bool:
    firearm = st.toggle(
        "Firearm-involved only",
        value=st.session_state.get("firearm") == "1",
        help="Offenses recorded with a firearm (NIBRS weapon codes 11-15). Needs "
        "incident-level data; published monthly counts carry no weapon.",
    )
    st.session_state["firearm"] = "1" if firearm else "0"
    return bool(firearm)


def _controls(
    names: dict[str, str],
    span: tuple[date, date] | None,
    controls: Sequence[str],
    defaults: LinkState,
    single: bool,
) -> LinkState:
    """Draw the sidebar's widgets; the state they show."""
    with st.sidebar:
        st.header("Filters")
        cities = _cities(names, single)
        offense = _offense() if "offense" in controls else defaults.offense
        start, end = _dates(span) if "dates" in controls and span else (None, None)
        granularity = _granularity() if "granularity" in controls else "month"
        measure = _measure() if "measure" in controls else "count"
        districts = _districts(cities[0]) if "district" in controls and len(cities) == 1 else ()
        firearm = _firearm() if "firearm" in controls else False
    return LinkState(tuple(cities), offense, start, end, granularity, measure, districts, firearm)


def sidebar(
    controls: Sequence[str] = ALL_CONTROLS,
    default_cities: Sequence[str] = (),
    single_city: bool = False,
    default_offense: str = "violent_crime",
) -> View:
    """Draw the chosen controls in the sidebar and return the View they describe.

    `single_city=True` shows one city (City profile, Map) instead of a multiselect;
    the district control only appears when exactly one city is chosen.
    """
    names: dict[str, str] = query(city_names)
    span: tuple[date, date] | None = query(data_span)
    city_ids = list(names)
    if single_city:
        city_default: tuple[str, ...] = (default_cities[0] if default_cities else city_ids[0],)
    else:
        city_default = tuple(c for c in default_cities if c in names)
    defaults = LinkState(
        city_default, default_offense, *(span or (None, None)), granularity="month", measure="rate"
    )
    _carry_city(names, city_default[0] if single_city else list(city_default), single_city)
    _seed(city_ids, span, defaults, single_city)
    state = _controls(names, span, controls, defaults, single_city)
    # A control this page does not show leaves the URL alone (it belongs to another page).
    keys = ["city", *(k for c in controls if c in WRITES and (c != "dates" or span) for k in WRITES[c])]
    write_url(keys, to_query_params(state, defaults))
    filt = CrimeFilter(
        cities=state.cities,
        offenses=(str(state.offense),),
        start=state.start,
        end=state.end,
        districts=state.districts,
        firearm_only=bool(state.firearm),
    )
    return View(
        filt=filt, measure=cast(Measure, state.measure), granularity=cast(Granularity, state.granularity)
    )
