"""The filter sidebar. Its state lives in the URL, so a copied link reopens the same view.

URL values are slugs and ISO dates (`?city=memphis_tn&city=houston_tx&offense=murder&
start=2023-01-01&end=2025-12-31&gran=month&measure=count&district=Raines&firearm=1`),
stable across label changes. On a session's first run every value from the URL is
checked against its allow-list; unknown values get a visible notice and are dropped, and
the widget falls back to its default. After that the widgets drive and the URL follows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import streamlit as st

from analysis.query.filters import OFFENSE_KEYS, OFFENSE_LABELS, CrimeFilter, Granularity, Measure
from analysis.query.registry import city_names, data_span, district_names
from ui.data import query

MEASURES: tuple[Measure, ...] = ("rate", "count")
GRANULARITIES: tuple[Granularity, ...] = ("month", "week")
ALL_CONTROLS = ("cities", "offense", "dates", "granularity", "measure", "district", "firearm")


@dataclass(frozen=True)
class View:
    """Everything the sidebar decided: the filter plus how to show it."""

    filt: CrimeFilter
    measure: Measure
    granularity: Granularity


def _notice(label: str, bad: Sequence[str]) -> None:
    shown = ", ".join(repr(v[:40]) for v in bad[:3])
    st.warning(f"The link asked for unknown {label} {shown}; it was ignored.", icon="🔗")


def _seed(key: str, allowed: Sequence[str], label: str, default: Any, multi: bool) -> None:
    """Seed session_state[key] from the URL once per session, validating every value."""
    if key in st.session_state:
        return
    raw = st.query_params.get_all(key)
    good = [v for v in dict.fromkeys(raw) if v in allowed]
    bad = [v for v in raw if v not in allowed]
    if bad:
        _notice(label, bad)
    st.session_state[key] = (good or default) if multi else (good[0] if good else default)


def _seed_dates(span: tuple[date, date]) -> None:
    if "dates" in st.session_state:
        return
    chosen = list(span)
    for i, key in enumerate(("start", "end")):
        raw = st.query_params.get(key)
        if raw is None:
            continue
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            _notice("date", [raw])
            continue
        if not span[0] <= value <= span[1]:
            st.warning(
                f"The link's {key} date {value} is outside the data ({span[0]} to {span[1]}); "
                "it was ignored.",
                icon="🔗",
            )
            continue
        chosen[i] = value
    if chosen[0] > chosen[1]:
        st.warning("The link's start date is after its end date; showing all dates.", icon="🔗")
        chosen = list(span)
    st.session_state["dates"] = tuple(chosen)


def _to_url(key: str, value: Any, default: Any) -> None:
    """Write a value to the URL (removed when it equals the default)."""
    if value == default or value in ([], (), None, ""):
        if key in st.query_params:
            del st.query_params[key]
    elif isinstance(value, bool):
        st.query_params[key] = "1"
    else:
        st.query_params[key] = value if isinstance(value, list) else str(value)


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
    city_default: Any = (
        (default_cities[0] if default_cities else city_ids[0])
        if single_city
        else [c for c in default_cities if c in names]
    )
    # The city key is shared by one-city pages (a string) and many-city pages (a list):
    # coming from the other kind of page, carry the choice over in this page's shape.
    held = st.session_state.get("city")
    if single_city and isinstance(held, list):
        st.session_state["city"] = next((c for c in held if c in names), city_default)
    elif not single_city and isinstance(held, str):
        st.session_state["city"] = [held] if held in names else []
    _seed("city", city_ids, "city", city_default, multi=not single_city)
    _seed("offense", OFFENSE_KEYS, "offense", default_offense, multi=False)
    _seed("measure", MEASURES, "measure", "rate", multi=False)
    _seed("gran", GRANULARITIES, "granularity", "month", multi=False)
    _seed("firearm", ["1", "0"], "firearm setting", "0", multi=False)
    if span:
        _seed_dates(span)

    with st.sidebar:
        st.header("Filters")
        if single_city:
            chosen = st.selectbox("City", city_ids, format_func=lambda c: names.get(c, c), key="city")
            cities: list[str] = [chosen] if chosen else []
        else:
            cities = st.multiselect(
                "Cities",
                city_ids,
                format_func=lambda c: names.get(c, c),
                key="city",
                placeholder="All 12 PSP cities",
            )
        offense = default_offense
        if "offense" in controls:
            offense = st.selectbox(
                "Offense",
                OFFENSE_KEYS,
                format_func=lambda o: OFFENSE_LABELS[o],
                key="offense",
                help="Violent crime = murder, rape, robbery, aggravated assault (FBI UCR). "
                "Property crime = burglary, larceny-theft, motor vehicle theft.",
            )
        start = end = None
        if "dates" in controls and span:
            picked = st.date_input(
                "Period", key="dates", min_value=span[0], max_value=span[1], format="YYYY-MM-DD"
            )
            if isinstance(picked, tuple) and len(picked) == 2:
                start, end = picked
        granularity: Granularity = "month"
        if "granularity" in controls:
            granularity = st.radio(
                "Granularity",
                GRANULARITIES,
                key="gran",
                horizontal=True,
                format_func=lambda g: "Monthly" if g == "month" else "Weekly",
                help="Weekly series need incident-level data.",
            )
        measure: Measure = "count"
        if "measure" in controls:
            measure = st.radio(
                "Show",
                MEASURES,
                key="measure",
                format_func=lambda m: "Rate per 100,000 residents" if m == "rate" else "Counts",
                help="Compare cities of different size by rate, never by raw counts.",
            )
        districts: tuple[str, ...] = ()
        if "district" in controls and len(cities) == 1:
            options = query(district_names, cities[0])
            if options:
                _seed("district", options, "district", [], multi=True)
                districts = tuple(
                    st.multiselect("Districts", options, key="district", placeholder="Whole city")
                )
        firearm = False
        if "firearm" in controls:
            firearm = st.toggle(
                "Firearm-involved only",
                value=st.session_state.get("firearm") == "1",
                help="Offenses recorded with a firearm (NIBRS weapon codes 11-15). Needs "
                "incident-level data; published monthly counts carry no weapon.",
            )
            st.session_state["firearm"] = "1" if firearm else "0"

    for key, control, value, default in (
        ("city", "cities", cities if not single_city else (cities[0] if cities else None), city_default),
        ("offense", "offense", offense, default_offense),
        ("measure", "measure", measure, "rate"),
        ("gran", "granularity", granularity, "month"),
        ("district", "district", list(districts), []),
        ("firearm", "firearm", firearm, False),
    ):
        # A control this page does not show leaves the URL alone (it belongs to another page).
        if control in controls or key == "city":
            _to_url(key, value, default)
    if span and "dates" in controls:
        _to_url("start", start, span[0])
        _to_url("end", end, span[1])
    filt = CrimeFilter(
        cities=tuple(cities),
        offenses=(offense,),
        start=start,
        end=end,
        districts=districts,
        firearm_only=firearm,
    )
    return View(filt=filt, measure=measure, granularity=granularity)


def city_offense_sidebar(default_cities: Sequence[str] = ()) -> tuple[CrimeFilter, Measure]:
    """Cities, offense and count/rate only (the first Trends page)."""
    view = sidebar(("cities", "offense", "measure"), default_cities=default_cities)
    return view.filt, view.measure


def url_choice(
    widget: Callable[..., Any],
    label: str,
    options: Sequence[str],
    *,
    key: str,
    default: str,
    format_func: Callable[[Any], Any] = str,
    what: str | None = None,
    **kwargs: Any,
) -> Any:
    """A page's own one-of-a-list control (e.g. `st.radio`, `column.selectbox`) whose value
    lives in the URL under `key` as the option itself (not its label), checked like the
    sidebar's: an unknown value from a link gets a notice ("unknown <what>") and the default."""
    _seed(key, list(options), what or label.lower(), default, multi=False)
    if st.session_state.get(key) not in options:  # options can change with the data
        st.session_state[key] = default
    value = widget(label, options, format_func=format_func, key=key, **kwargs)
    _to_url(key, value, default)
    return value


def url_selectbox(
    label: str,
    options: Sequence[str],
    key: str,
    default: str,
    format_func: Any = str,
    help: str | None = None,
) -> str:
    """A page's own choice (not in the sidebar) kept in the URL under `key`, validated like
    the sidebar's: an unknown value from a link gets a notice and the default."""
    return str(
        url_choice(st.selectbox, label, options, key=key, default=default, format_func=format_func, help=help)
    )
