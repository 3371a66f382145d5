"""The filter sidebar. Its state lives in the URL, so a copied link reopens the same view.

URL values are slugs (`?city=memphis_tn&city=houston_tx&offense=murder&measure=count`),
stable across label changes. On a session's first run each value from the URL is checked
against its allow-list; unknown values get a visible notice and are dropped, and the
widget falls back to its default. After that the widgets drive and the URL follows.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from analysis.filters import OFFENSE_KEYS, OFFENSE_LABELS, CrimeFilter, Measure
from analysis.registry_read import city_names
from ui.data import query

MEASURES = ("rate", "count")


def _from_url(key: str, allowed: Sequence[str], label: str, default: str | list[str], multi: bool) -> None:
    """Seed session_state[key] from the URL once per session, validating every value."""
    if key in st.session_state:
        return
    raw = st.query_params.get_all(key)
    good = [v for v in dict.fromkeys(raw) if v in allowed]
    bad = [v for v in raw if v not in allowed]
    if bad:
        shown = ", ".join(repr(v[:40]) for v in bad[:3])
        st.warning(f"The link asked for unknown {label} {shown}; it was ignored.", icon="🔗")
    if multi:
        st.session_state[key] = good or default
    else:
        st.session_state[key] = good[0] if good else default


def _to_url(key: str, value: str | list[str], default: str | list[str]) -> None:
    """Write the widget's value to the URL (removed when it equals the default)."""
    if value == default or value == []:
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = value


def city_offense_sidebar(default_cities: Sequence[str] = ()) -> tuple[CrimeFilter, Measure]:
    """Cities, offense and count/rate in the sidebar; returns the filter and the measure."""
    names: dict[str, str] = query(city_names)
    defaults: dict[str, str | list[str]] = {
        "city": [c for c in default_cities if c in names],
        "offense": "violent_crime",
        "measure": "rate",
    }
    _from_url("city", list(names), "city", defaults["city"], multi=True)
    _from_url("offense", OFFENSE_KEYS, "offense", defaults["offense"], multi=False)
    _from_url("measure", MEASURES, "measure", defaults["measure"], multi=False)
    with st.sidebar:
        cities = st.multiselect(
            "Cities",
            list(names),
            format_func=lambda c: names.get(c, c),
            key="city",
            placeholder="All 12 PSP cities",
        )
        offense = st.selectbox(
            "Offense", OFFENSE_KEYS, format_func=lambda o: OFFENSE_LABELS[o], key="offense"
        )
        measure = st.radio(
            "Show",
            MEASURES,
            format_func=lambda m: "Rate per 100,000 residents" if m == "rate" else "Counts",
            key="measure",
            help="Compare cities of different size by rate, never by raw counts.",
        )
    for key, value in (("city", cities), ("offense", offense), ("measure", measure)):
        _to_url(key, value, defaults[key])
    filt = CrimeFilter(cities=tuple(cities), offenses=(offense,))
    return filt, "count" if measure == "count" else "rate"
