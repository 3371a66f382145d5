"""Monthly trends per city: count or rate per 100,000 residents."""

import streamlit as st

from analysis.charts import trend_chart
from analysis.filters import OFFENSE_LABELS
from analysis.metrics import counts_by_city_month
from analysis.summaries import trend_summary
from ui.data import demo_banner, query
from ui.filters import city_offense_sidebar

st.title("Crime trends in the PSP cities")
demo_banner()
filt, measure = city_offense_sidebar()
frame = query(counts_by_city_month, filt)
offense = OFFENSE_LABELS[filt.offenses[0]]
st.subheader(f"{offense}, {'rate per 100,000 residents' if measure == 'rate' else 'count'} per month")
if frame.empty:
    st.info("No data for this selection. Try more cities or another offense.")
    st.stop()
st.plotly_chart(trend_chart(frame, measure), width="stretch", key="trend_chart")
summary = query(trend_summary, frame, measure)
st.markdown(summary.text)
st.caption(summary.sources_note)
with st.expander("Numbers behind this chart"):
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        frame.to_csv(index=False).encode(),
        file_name=f"psp_{filt.offenses[0]}_by_city_month.csv",
        mime="text/csv",
    )
