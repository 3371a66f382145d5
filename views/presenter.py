"""Presenter view: the briefing slides full screen, one message per screen, large type,
no sidebar; ← / → keys (or the buttons) move between slides."""

import streamlit as st

from ui.briefing import briefing, pack_downloads
from ui.presenter import hide_sidebar_and_enlarge, presenter_setup, slide_view

hide_sidebar_and_enlarge()
cities, year = presenter_setup()
deck = briefing(cities, year)
slide_view(deck)
with st.expander("Download this briefing"):
    pack_downloads(cities, year)
