"""Entry point: page config and navigation only (no logic here)."""

import streamlit as st

st.set_page_config(page_title="PSP Crime Dashboard", page_icon="📊", layout="wide")

pages = [
    st.Page("views/trends.py", title="Trends", icon="📈", url_path="trends", default=True),
    st.Page("views/map.py", title="Map", icon="🗺️", url_path="map"),
    st.Page("views/city.py", title="City profile", icon="🏙️", url_path="city"),
    st.Page("views/data.py", title="Data", icon="🗂️", url_path="data"),
    st.Page("views/presenter.py", title="Presenter view", icon="🖥️", url_path="presenter"),
]
st.navigation(pages).run()
