"""The top of a one-city page (Map, City profile): title, demo banner, the sidebar with one
city, and the city's incident source and coverage; a city without incident records stops
the page with an explanation instead of empty charts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from analysis.query.filters import OFFENSE_LABELS, CrimeFilter
from analysis.query.registry import city_names
from analysis.query.scope import Coverage, coverage, scoped
from analysis.series.official import incident_sources
from ui.data import demo_banner, query
from ui.filters import View, sidebar

CONTROLS = ("offense", "dates", "district", "firearm")


@dataclass(frozen=True)
class OneCity:
    """What a one-city page shows: the sidebar's view, the scoped filter (one city, its
    incident source, whole months), the source's coverage, and names for the text."""

    view: View
    filt: CrimeFilter
    cov: Coverage
    city: str
    name: str
    offense: str


def one_city(title: str, needs: str, otherwise: Callable[[View, str, str], bool] | None = None) -> OneCity:
    """Draw the top of the page; `needs` says what the page needs from incident records.
    For a city without them, `otherwise(view, city, name)` may draw what the page can show
    instead (True when it did) before the page stops."""
    st.title(title)
    demo_banner()
    # The first city with incident records is the default (a store of one city's extract
    # opens on that city, not on the first of the twelve).
    names = query(city_names)
    with_records = [c for c in names if c in query(incident_sources, tuple(names))]
    view = sidebar(CONTROLS, single_city=True, default_cities=with_records[:1])
    city = view.filt.cities[0]
    name = names[city]
    filt = query(scoped, view.filt)
    cov = query(coverage, city, filt.sources[0]) if filt is not None else None
    if filt is None or cov is None:
        if otherwise is not None and otherwise(view, city, name):
            st.stop()
        st.info(
            f"The store holds no incident records for {name}. {needs} Published monthly counts "
            "(where loaded) are on the Trends page; the README explains how to load a city's "
            "incident data."
        )
        st.stop()
    return OneCity(view, filt, cov, city, name, OFFENSE_LABELS[view.filt.offenses[0]])
