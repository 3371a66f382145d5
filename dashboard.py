"""Entry point: page config and navigation only (no logic here)."""

import streamlit as st

from ui.auth import audit_view, gate
from ui.dataset import dataset_switch

st.set_page_config(page_title="PSP Crime Dashboard", page_icon="📊", layout="wide")

overview = st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview")


def _home() -> None:
    """The root URL opens the Overview at /overview, keeping the link's parameters, so
    /overview (the README's link) and / are the same page."""
    st.switch_page(overview, query_params={k: st.query_params.get_all(k) for k in st.query_params})


pages = [
    st.Page(_home, title="Home", url_path="home", default=True, visibility="hidden"),
    overview,
    st.Page("views/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends"),
    st.Page("views/map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page("views/city.py", title="City profile", icon=":material/location_city:", url_path="city"),
    st.Page("views/goals.py", title="Goals", icon=":material/flag:", url_path="goals"),
    st.Page(
        "views/interventions.py", title="Interventions", icon=":material/event:", url_path="interventions"
    ),
    st.Page("views/data.py", title="Data", icon=":material/dataset:", url_path="data"),
    st.Page("views/presenter.py", title="Presenter view", icon=":material/co_present:", url_path="presenter"),
]
gate()  # sign-in and role (ui/auth.py): nothing below runs for a session that may not see it
page = st.navigation(pages)
dataset_switch()  # the sidebar's Dataset: which store every page reads (?dataset=...)
audit_view(page.url_path or "overview")  # the default page's path is empty
page.run()
