"""Overview: the 12 PSP cities side by side, each judged against its own past."""

import pandas as pd
import streamlit as st

from analysis.charts.compare import cohort_chart, funnel_chart
from analysis.geo.decks import city_change_deck, deck_numbers, deck_summary, legend
from analysis.pages.overview import overview_data
from analysis.query.filters import OFFENSE_LABELS
from analysis.series.compare import (
    FUNNEL_METHODS,
    MEASURE_LABELS,
    baseline_years,
    default_baseline,
    funnel_summary,
    index_summary,
    indexed_by_city_year,
    strongest_change,
    with_method,
    ytd_chance_note,
)
from analysis.series.periods import coverage
from analysis.stats.exact import LEVELS_TEXT
from analysis.text.summaries import coverage_note, ytd_note
from ui.briefing import pack_downloads
from ui.components import change_table_html, chart_block, numbers_expander, swatch_legend
from ui.data import demo_banner, query
from ui.filters import sidebar, url_selectbox
from ui.maps import basemap_or_none

st.title("The 12 PSP cities side by side")
demo_banner()
view = sidebar(("cities", "offense"))
offense = view.filt.offenses[0]
offense_label = OFFENSE_LABELS[offense]
data = query(overview_data, view.filt, query(coverage))
if data.missing:
    st.info("Not shown. " + " ".join(data.missing))
ytd, window = data.ytd, data.ytd.window
if window is None or data.monthly.empty:
    st.info("No data for this selection. Load data (see the Data page) or choose other cities.")
    st.stop()

st.markdown(f"**{strongest_change(ytd.table)}**")

st.subheader("Year to date against the year before")
st.caption(window.caveat() + ytd.stale_note())
measures = [(m, MEASURE_LABELS[m]) for m in ("violent_crime", "murder", "firearm_violent")]
st.markdown(change_table_html(ytd.table, measures, "per 100,000"), unsafe_allow_html=True)
st.caption(
    f"Judgements: {LEVELS_TEXT} (hover a badge for its p-value; the numbers below have it). "
    + ytd_chance_note(ytd.table)
)
st.caption(
    ytd_note(
        ytd,
        extra="Firearm-involved: offenses recorded with a firearm (NIBRS weapon codes 11–15), where the "
        "data records the weapon; published monthly counts do not.",
    )
)
numbers_expander(ytd.table, f"psp_ytd_{window.cutoff:%Y_%m}", "ytd")

st.subheader(f"Where {offense_label.lower()} moved, year to date")
map_column, words_column = st.columns([3, 2])
with map_column:
    st.pydeck_chart(
        city_change_deck(data.points, data.places, basemap_or_none()), height=480, key="overview_map"
    )
with words_column:
    swatch_legend(legend())
    st.markdown(deck_summary(data.points, offense_label, window))
    st.markdown(data.profiles)
    st.caption(
        ytd_note(
            ytd, extra="Circle area = rate. Outlines: city limits or, where none is loaded, bounding boxes."
        )
    )
numbers_expander(deck_numbers(data.points), f"psp_map_{offense}", "map")


@st.fragment
def cohort_section(annual: pd.DataFrame, monthly: pd.DataFrame, offense: str, offense_label: str) -> None:
    """The index chart and its baseline-year control: a fragment, so changing the year
    reruns this section only (the page's queries and other charts stay as they are)."""
    st.subheader(f"{offense_label}: each city against its own baseline year")
    years = baseline_years(annual)
    default_year = default_baseline(years)
    if default_year is None:
        st.info("No complete calendar year in the data yet: no index can be drawn.")
        return
    base = int(
        url_selectbox(
            "Baseline year (= 100)",
            [str(y) for y in years],
            key="base",
            default=str(default_year),
            help="Each city's yearly rate per 100,000 as a share of its own rate in this year. "
            "2017 is the year the first PSP cities were designated.",
        )
    )
    indexed = indexed_by_city_year(annual, base)
    chart_block(
        cohort_chart(indexed, base),
        indexed,
        index_summary(indexed, base),
        coverage_note(monthly, extra="Complete calendar years only; rates use each year's population."),
        key="cohort_chart",
        file_stem=f"psp_{offense}_index_{base}",
    )


cohort_section(data.annual, data.monthly, offense, offense_label)

st.subheader(f"{offense_label}: rate against population (funnel plot)")
method = url_selectbox(
    "Control limits",
    list(FUNNEL_METHODS),
    key="limits",
    default="random_effects",
    format_func=lambda m: FUNNEL_METHODS[m][0].upper() + FUNNEL_METHODS[m][1:],
    help="City rates differ far more than chance alone would make them. The default limits allow for "
    "that spread (Spiegelhalter 2005), so a city outside them stands out from the cohort itself; plain "
    "Poisson limits show only what chance would give, and usually flag most cities.",
)
shown = with_method(data.funnel, method)
chart_block(
    funnel_chart(shown, offense_label),
    shown.points,
    funnel_summary(shown, offense),
    coverage_note(
        data.monthly,
        extra=f"Control limits: 95% and 99.8% around the pooled rate, {FUNNEL_METHODS[method]} "
        "(Spiegelhalter 2005; docs/METHODS.md). Cities are placed, not ranked.",
    ),
    key="funnel_chart",
    file_stem=f"psp_{offense}_funnel_{method}",
)

st.subheader("Meeting pack")
st.markdown(
    f"A briefing for these cities, {window.label()}: goal status, the table above, trends, the "
    "cohort and funnel charts and hot-spot maps, as PowerPoint or PDF. "
    "The [presenter view](presenter) shows the same slides full screen."
)
pack_downloads(view.filt.cities, window.year)
