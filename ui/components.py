"""Small display components shared by pages: change badges and KPI cards.

A badge never relies on colour alone: it says "up"/"down", the counts, and the Poisson
judgement in words. Colours are from the Okabe-Ito colour-blind-safe set: orange for an
increase in crime, blue for a decrease, grey when the change is not notable.
"""

from __future__ import annotations

import html

import streamlit as st

from analysis.stats import Change

UP, DOWN, NEUTRAL = "#D55E00", "#0072B2", "#595959"
ARROWS = {"up": "▲", "down": "▼", "no change": "●"}


def badge_html(change: Change) -> str:
    """An inline badge: arrow + words + counts + judgement, coloured by direction."""
    colour = NEUTRAL
    if change.strength != "not notable":
        colour = UP if change.direction == "up" else DOWN if change.direction == "down" else NEUTRAL
    weight = "700" if change.strength == "strong" else "600" if change.strength == "notable" else "400"
    return (
        f'<span style="color:{colour};font-weight:{weight}" '
        f'title="Poisson z-score; |z| ≥ 2 notable, |z| ≥ 3 strong">'
        f"{ARROWS[change.direction]} {html.escape(change.text())}</span>"
    )


def change_badge(change: Change) -> None:
    st.markdown(badge_html(change), unsafe_allow_html=True)


def kpi(label: str, value: str, change: Change | None = None, help: str | None = None) -> None:
    """A KPI card: the label, the value in large type and its change badge underneath."""
    with st.container(border=True):
        st.markdown(f"**{html.escape(label)}**", help=help)
        st.markdown(
            f'<div style="font-size:2rem;line-height:1.2">{html.escape(value)}</div>', unsafe_allow_html=True
        )
        if change is not None:
            change_badge(change)
