"""Interventions: did a city's series change when a programme started? An interrupted time
series (segmented quasi-Poisson regression) with level and slope change, and the list of
interventions with a form to add one."""

import streamlit as st

from analysis.charts.goals import its_chart
from analysis.goals.interventions import CAVEAT, interrupted_time_series, interventions_by_city
from ui import goals as ug
from ui import interventions as ui_its
from ui.data import demo_banner, query

st.title("Interventions: what changed when a programme started?")
demo_banner()
ug.show_flash()
city_id, choice = ui_its.its_controls()
if choice is None:
    st.info("This city has no interventions yet. Add one below.")
else:
    try:
        its = query(
            interrupted_time_series, choice.city_id, choice.offense, choice.intervention_id,
            choice.months_before, choice.months_after,
        )  # fmt: skip
    except ValueError as exc:
        st.warning(str(exc))
    else:
        ui_its.its_figures(its)
        st.plotly_chart(its_chart(its, choice.name), width="stretch", key="its_chart")
        st.warning(CAVEAT, icon="⚠️")
        st.markdown(its.summary())
        st.caption(ui_its.METHOD_NOTE.format(dispersion=its.dispersion))

st.header("Interventions in this city")
ui_its.interventions_list(query(interventions_by_city, city_id))
with st.expander("Add an intervention"):
    ui_its.new_intervention_form()
