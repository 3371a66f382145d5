"""The floor of the browser bench: the smallest Streamlit app with the same interaction.

One sidebar select box ("Offense", the dashboard's own labels) and one Plotly line chart
whose data depend on it, computed in microseconds. The time from a change to this chart
redrawn and the app idle is what Streamlit, the websocket and Plotly cost before any of
the dashboard's own work; bench/browser_changes.py measures it in the same run as the
pages and reports each page's median as a multiple of it.
"""

import math

import plotly.graph_objects as go
import streamlit as st

from analysis.query.filters import OFFENSE_KEYS, OFFENSE_LABELS

offense = st.sidebar.selectbox(
    "Offense", OFFENSE_KEYS, format_func=lambda o: OFFENSE_LABELS[o], key="offense"
)
seed = OFFENSE_KEYS.index(offense) + 1
months = [f"{2015 + i // 12}-{i % 12 + 1:02d}-01" for i in range(120)]
counts = [100 + 40 * math.sin(i / 6 + seed) + 7 * seed for i in range(120)]
st.title("Floor: one chart")
st.plotly_chart(go.Figure(go.Scatter(x=months, y=counts, mode="lines", name=OFFENSE_LABELS[offense])))
