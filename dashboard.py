"""Entry point: page config and navigation only (no logic here)."""

import streamlit as st

st.set_page_config(page_title="PSP Crime Dashboard", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon="🏙️", url_path="overview", default=True),
    st.Page("pages/trends.py", title="Trends", icon="📈", url_path="trends"),
]
st.navigation(pages).run()
