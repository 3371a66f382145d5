"""Entry point: page config and navigation only (no logic here)."""

import streamlit as st

st.set_page_config(page_title="PSP Crime Dashboard", page_icon="📊", layout="wide")

pages = [
    st.Page("pages/trends.py", title="Trends", icon="📈", url_path="trends", default=True),
    st.Page("pages/map.py", title="Map", icon="🗺️", url_path="map"),
    st.Page("pages/city.py", title="City profile", icon="🏙️", url_path="city"),
]
st.navigation(pages).run()
