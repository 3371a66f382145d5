"""Data page sections on what the published-count sources are and what they left out:
each source's own description, the months a source did not report, the months a source
listed twice (the copy kept and the copy set aside), and the publishers' agency
populations beside the Census figures."""

from __future__ import annotations

import streamlit as st

from analysis.sources.health import (
    agency_population_by_year,
    months_not_reported,
    source_descriptions,
    superseded_by_city_year,
)
from ui.data import query


def source_details() -> None:
    described = query(source_descriptions)
    if not described.empty:
        st.subheader("What each source is")
        st.dataframe(described, hide_index=True, width="stretch")
        st.caption(
            "From each source's mapping (`data/sources/<source>.toml`, its [source] title, publisher and note)."
        )

    st.subheader("Months a source did not report")
    missing = query(months_not_reported)
    if missing.empty:
        st.markdown("Every published-count source reported every month of its span.")
    else:
        st.dataframe(missing, hide_index=True, width="stretch")
        st.caption(
            "A blank row or a row of zeros is a month the agency did not report, and a month with no row "
            "is not in the file: these months have no figure (a gap in the charts), never 0. "
            "'offense not reported' = a 0 the source's mapping reads as not reported (e.g. Toledo theft "
            "2010-2014), with the total over it."
        )

    superseded = query(superseded_by_city_year)
    if not superseded.empty:
        st.subheader("Months listed twice: the copy kept and the other")
        st.dataframe(superseded, hide_index=True, width="stretch")
        st.caption(
            "Copies of a month are never added up. kept / other = the year's sums over the months listed "
            "twice; every month of the other copy is in the table `superseded_counts`. The rule and its "
            "evidence are in the source's mapping ([counts.duplicates])."
        )

    population = query(agency_population_by_year)
    if not population.empty:
        with st.expander("Agency populations of the publishers beside the Census figures"):
            st.dataframe(population, hide_index=True, width="stretch")
            st.caption(
                "Rates use the Census population (city_population); the publisher's agency population "
                "(e.g. the FBI's on Return A) is kept beside it, never in its place."
            )
