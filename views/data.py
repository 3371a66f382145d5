"""Data: what the store holds, how complete it is, where it came from, and loading more."""

import streamlit as st

from analysis.health import (
    coverage_by_source,
    health_by_city_month,
    months_without_data,
    quarantine_by_reason,
    series_breaks,
)
from analysis.health_charts import coverage_chart
from analysis.registry_read import import_log
from analysis.summaries import coverage_summary
from ui.auth import audit_trail_section
from ui.data import demo_banner, query
from ui.exports import download_csv
from ui.upload import upload_box

st.title("Data: coverage, sources and imports")
demo_banner()

health = query(health_by_city_month)
st.subheader("Coverage per city and month")
if not health.empty:
    st.plotly_chart(coverage_chart(health), width="stretch", key="coverage_chart")
summary = query(coverage_summary, health)
st.markdown(summary.text)
st.caption(
    summary.sources_note
    + " Comparisons on every page cut at the last month that all compared cities have complete."
)
with st.expander("Numbers behind this chart"):
    st.dataframe(health, hide_index=True, width="stretch")
    download_csv("Download CSV", health, "psp_coverage_by_city_month.csv")

st.subheader("Sources per city")
sources = query(coverage_by_source)
st.dataframe(sources, hide_index=True, width="stretch")
st.caption("standard: NIBRS or SRS (summary, hierarchy rule); geocoded: share of incidents with coordinates.")

left, right = st.columns(2)
with left:
    st.subheader("Series breaks")
    breaks = query(series_breaks)
    if breaks.empty:
        st.markdown("No series break detected (no change of source, reporting standard or date basis).")
    else:
        st.dataframe(breaks, hide_index=True, width="stretch")
        st.caption("Trend charts mark these months; a change across a break may be an artefact.")
with right:
    st.subheader("Months with no data")
    gaps = query(months_without_data, health)
    if gaps.empty:
        st.markdown("No gaps inside any city's span.")
    else:
        st.dataframe(gaps, hide_index=True, width="stretch")

st.subheader("Quarantined rows")
quarantine = query(quarantine_by_reason)
if quarantine.empty:
    st.markdown("Nothing quarantined.")
else:
    st.dataframe(quarantine, hide_index=True, width="stretch")
    st.caption(
        "kept = the row is stored as unmapped and listed here; otherwise it was held back with its reason."
    )

st.subheader("Import log")
st.dataframe(query(import_log), hide_index=True, width="stretch")

st.subheader("Load real data")
st.markdown(
    """
Real data goes into its own store, never mixed with the demo: start the dashboard with
`PSP_DB=data/real.duckdb make run`, then import here or on the command line:

```sh
.venv/bin/python -m ingest import rtci rtci_monthly_by_agency.csv.gz      # published monthly counts, 9 PSP cities
.venv/bin/python -m ingest fetch memphis_socrata --since 2024-01-01        # straight from a city portal
.venv/bin/python -m ingest import generic my_rms_export.csv --mapping my_mapping.toml
```

The mapping format is described in the README (*Loading real data*); copy
`data/sources/generic_example.toml` to start. Every import is atomic: a failed import
leaves the store exactly as it was.
"""
)
report = upload_box()
if report is not None:
    st.success(
        f"Imported {report.rows_accepted:,} of {report.rows_read:,} rows from {report.file.name} "
        f"({report.rows_quarantined:,} quarantined, {report.rows_duplicate:,} duplicates) "
        f"in {report.seconds:.1f} s."
    )
    st.code(report.summary(), language=None)
    if report.quarantine_reasons:
        st.dataframe(
            [{"reason": r, "rows": n} for r, n in report.quarantine_reasons.items()], hide_index=True
        )
    st.button("Show the new data", on_click=st.cache_data.clear)

audit_trail_section()  # admins only
