"""Data: what the store holds, how complete it is, where it came from, and loading more."""

import streamlit as st

from analysis.charts.health import coverage_chart
from analysis.query.registry import import_log
from analysis.series.official import AGREE_OFFENSES, AGREE_PCT, PRECEDENCE_TEXT, agreement, source_runs
from analysis.sources.health import (
    coverage_by_source,
    health_by_city_month,
    months_without_data,
    quarantine_by_reason,
    series_breaks,
)
from analysis.text.summaries import coverage_summary
from ui.auth import audit_trail_section
from ui.data import demo_banner, query
from ui.exports import download_csv
from ui.source_details import source_details
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
source_details()

st.subheader("Official numbers: which source each city's counts come from")
st.markdown(PRECEDENCE_TEXT)
runs = query(source_runs)
if runs.empty:
    st.markdown("No official counts: no source in the store covers a whole city completely for an offense.")
else:
    st.dataframe(
        runs.rename(columns={"first_year": "from", "last_year": "to", "sources": "source(s)"}).drop(
            columns="city_id"
        ),
        hide_index=True,
        width="stretch",
        key="official_sources",
    )

st.subheader("Agreement between sources")
agree = query(agreement)
if agree.empty:
    st.markdown("No city, month and offense has two qualifying sources, so there is nothing to compare.")
else:
    flagged = int(agree["flagged"].sum())
    st.markdown(
        f"Where two qualifying sources cover the same city, month and offense: both counts, summed "
        f"over the months both report, per city, offense and year. **{flagged} of {len(agree)}** "
        f"differ by more than {AGREE_PCT:g}% and more than {AGREE_OFFENSES} offenses (flagged ⚑, listed first)."
    )
    # Flagged gaps first, then by city, offense and year.
    shown = (
        agree.assign(flag=agree["flagged"].map({True: "⚑", False: ""}))
        .sort_values(
            ["flagged", "city", "offense", "year"], ascending=[False, True, True, True], kind="stable"
        )
        .drop(columns=["city_id", "flagged"])
    )
    st.dataframe(
        shown.rename(
            columns={
                "official_source": "official source",
                "official": "official count",
                "other_source": "other source",
                "other": "other count",
                "diff": "difference",
                "pct": "% difference",
            }
        ),
        hide_index=True,
        width="stretch",
        key="agreement_table",
    )
    st.caption(
        "difference = other − official; % of the official count. The official count is the one every "
        "page shows; the other stays in the store (monthly_counts, with its verdict in official_candidates)."
    )

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
Each dataset is its own store in `data/`, never mixed: the **Dataset** switch in the
sidebar picks one (the public data, the demo, or yours). Import into your own store on the
command line, e.g. `--db data/mine.duckdb`, and it appears in the switch; the upload box
below writes into the dataset shown:

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
