"""Presenter-view components: big type, one slide per screen, keyboard navigation.

The slide number, cities and year live in the URL (`?slide=3&city=memphis_tn&year=2025`)
so a link reopens the same slide."""

from __future__ import annotations

import html
from datetime import date

import streamlit as st

from analysis.query.registry import city_names, data_span
from report.briefing import Briefing, latest_briefing_year
from ui.briefing import slide as build_slide
from ui.data import demo_banner, query

CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
.psp-title {font-size: 3rem; font-weight: 700; line-height: 1.15; margin: 0 0 .5rem 0;}
.psp-message {font-size: 2rem; line-height: 1.3; margin-bottom: 1rem;}
.psp-bullet {font-size: 1.6rem; line-height: 1.4; margin: .3rem 0;}
.psp-demo {color: #B00020; font-weight: 700; font-size: 1.4rem;}
</style>
"""


def hide_sidebar_and_enlarge() -> None:
    st.markdown(CSS, unsafe_allow_html=True)


def _int_param(key: str, default: int, low: int, high: int) -> int:
    raw = st.query_params.get(key)
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        st.warning(f"The link's {key} {raw[:20]!r} is not a number; it was ignored.", icon="🔗")
        return default
    if not low <= value <= high:
        st.warning(f"The link's {key} {value} is out of range; it was ignored.", icon="🔗")
        return default
    return value


def presenter_setup() -> tuple[tuple[str, ...], int]:
    """Cities and year from the URL (validated), editable in a small set-up popover."""
    names: dict[str, str] = query(city_names)
    span: tuple[date, date] | None = query(data_span)
    if span is None:
        st.error("The store holds no data yet.")
        st.stop()
        raise RuntimeError  # unreachable
    # The default year: the latest one every city has a complete month in (one source may run
    # past the others); a link may still ask for any year of the data.
    last_year = span[1].year
    common_year = query(latest_briefing_year, (), last_year) or last_year
    # A briefing year needs the year before it for its comparisons; a store whose data fall
    # in one calendar year still offers that year (its slides say what cannot be compared).
    first_year = min(span[0].year + 1, last_year)
    if "p_cities" not in st.session_state:
        raw = st.query_params.get_all("city")
        bad = [c for c in raw if c not in names]
        if bad:
            st.warning(f"The link asked for unknown city {bad[0][:40]!r}; it was ignored.", icon="🔗")
        st.session_state["p_cities"] = [c for c in dict.fromkeys(raw) if c in names]
        st.session_state["p_year"] = _int_param("year", common_year, first_year, last_year)
        st.session_state["p_slide"] = _int_param("slide", 1, 1, 99) - 1
    with st.popover("Set up", icon="⚙️"):
        st.multiselect(
            "Cities",
            list(names),
            format_func=lambda c: names[c],
            key="p_cities",
            placeholder="All 12 PSP cities",
        )
        st.number_input("Year", min_value=first_year, max_value=last_year, step=1, key="p_year")
    cities = tuple(st.session_state["p_cities"])
    year = int(st.session_state["p_year"])
    if cities:
        st.query_params["city"] = list(cities)
    elif "city" in st.query_params:
        del st.query_params["city"]
    st.query_params["year"] = str(year)
    return cities, year


def _move(step: int, total: int) -> None:
    st.session_state["p_slide"] = max(0, min(total - 1, st.session_state.get("p_slide", 0) + step))


def slide_view(deck: Briefing) -> int:
    """Draw the current slide with previous/next buttons (← / → keys); return its index."""
    total = len(deck.keys)
    index = max(0, min(total - 1, int(st.session_state.get("p_slide", 0))))
    st.session_state["p_slide"] = index
    st.query_params["slide"] = str(index + 1)
    slide = build_slide(deck, deck.keys[index])
    if deck.demo:
        demo_banner()
    st.markdown(f'<div class="psp-title">{html.escape(slide.title)}</div>', unsafe_allow_html=True)
    st.markdown(f'<div class="psp-message">{html.escape(slide.message)}</div>', unsafe_allow_html=True)
    if slide.figure is not None:
        fig = slide.figure
        fig.update_layout(height=560, font={"size": 18})
        st.plotly_chart(fig, width="stretch", key=f"slide_{slide.key}")
    if slide.table is not None and not slide.table.empty:
        st.dataframe(slide.table, hide_index=True, width="stretch")
    for bullet in slide.bullets:
        st.markdown(f'<div class="psp-bullet">• {html.escape(bullet)}</div>', unsafe_allow_html=True)
    prev, counter, nxt = st.columns([1, 2, 1])
    with prev:
        st.button(
            "← Previous",
            on_click=_move,
            args=(-1, total),
            disabled=index == 0,
            shortcut="ArrowLeft",
            width="stretch",
        )
    with counter:
        st.markdown(
            f"<div style='text-align:center;font-size:1.3rem'>Slide {index + 1} of {total}</div>",
            unsafe_allow_html=True,
        )
    with nxt:
        st.button(
            "Next →",
            on_click=_move,
            args=(1, total),
            disabled=index == total - 1,
            shortcut="ArrowRight",
            width="stretch",
            type="primary",
        )
    if slide.notes:
        with st.expander("Speaker notes"):
            st.write(slide.notes)
    return index
