"""Entry point: page config and navigation only (no logic here)."""

import streamlit as st

st.set_page_config(page_title="PSP Crime Dashboard", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/trends.py", title="Trends", icon="📈", url_path="trends", default=True),
    st.Page("pages/goals.py", title="Goals", icon="🎯", url_path="goals"),
    st.Page("pages/interventions.py", title="Interventions", icon="📌", url_path="interventions"),
]
st.navigation(pages).run()
