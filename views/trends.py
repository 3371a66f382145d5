"""Trends: counts or rates over time per city, with seasonality and year-on-year views."""

import pandas as pd
import streamlit as st

from analysis.charts.trends import marker_key, rolling_chart, same_month_chart, seasonal_chart, series_chart
from analysis.goals.events import markers_for
from analysis.pages.trends import trends_data
from analysis.series.compare import strongest_change, ytd_chance_note
from analysis.series.monthly import cities_in, for_city, seasonal_profile
from analysis.stats.exact import LEVELS_TEXT
from analysis.text.summaries import coverage_note, seasonal_summary, series_summary, spread_summary, ytd_note
from kernel.vocabulary import OFFENSE_LABELS
from ui.components import change_table_html, chart_block
from ui.data import demo_banner, query
from ui.exhibits import numbers_behind
from ui.filters import sidebar
from ui.url_state import url_selectbox

st.title("Crime trends in the PSP cities")
demo_banner()
view = sidebar(("cities", "offense", "dates", "granularity", "measure", "firearm"))
filt, measure, granularity = view.filt, view.measure, view.granularity
key = filt.offenses[0]
offense = OFFENSE_LABELS[key]
if filt.firearm_only:
    offense = f"Firearm-involved {offense.lower()}"
data = query(trends_data, filt, granularity)
if data.missing:
    st.info("Not shown. " + " ".join(data.missing))
if data.series.empty:
    st.info("No data for this selection. Try more cities, another offense or a longer period.")
    st.stop()
markers = query(markers_for, tuple(cities_in(data.series)), data.breaks)
per = "week" if granularity == "week" else "month"
unit = "rate per 100,000 residents" if measure == "rate" else "count"
causation = "Markers show when something happened; they do not show that it caused what follows."

st.subheader(f"{offense}, {unit} per {per}")
chart_block(
    series_chart(data.series, measure, granularity, markers),
    data.series,
    series_summary(data.series, measure, granularity),
    coverage_note(
        data.series,
        granularity,
        extra=" ".join(
            filter(
                None,
                [marker_key(markers, data.series["period"].min(), data.series["period"].max()), causation],
            )
        ),
    ),
    key="trend_chart",
    file_stem=f"psp_{key}_by_city_{per}",
)

st.subheader(f"{offense}, rolling 12 months")
chart_block(
    rolling_chart(data.rolling, measure, markers),
    data.rolling,
    spread_summary(data.rolling_change, "the 12 months to {now} against the 12 months to {before}"),
    coverage_note(
        data.monthly,
        extra=" ".join(
            filter(
                None,
                [
                    marker_key(markers, data.rolling["period"].min(), data.rolling["period"].max()),
                    "Each point sums the 12 months up to it, which removes the seasonal swing.",
                ],
            )
        ),
    ),
    key="rolling_chart",
    file_stem=f"psp_{key}_rolling_12_months",
)

st.subheader(f"{offense}: the last complete month against the same month a year before")
chart_block(
    same_month_chart(data.same_month, measure),
    data.same_month,
    spread_summary(data.same_month, "{now} against {before}"),
    coverage_note(
        data.monthly,
        extra="Compared with the same month a year earlier, not the month before, because crime is seasonal.",
    ),
    key="same_month_chart",
    file_stem=f"psp_{key}_same_month_last_year",
)


@st.fragment
def seasonal_section(monthly: pd.DataFrame, measure: str, key: str, offense: str) -> None:
    """The seasonal profile and its city control: a fragment, so choosing another city
    reruns this section only."""
    st.subheader(f"{offense}: seasonal profile")
    shown = cities_in(monthly)
    options = ["all", *shown]
    where = url_selectbox(
        "City for the seasonal profile",
        options,
        key="season",
        default="all" if len(shown) > 1 else options[-1],
        format_func=lambda c: "All shown cities together" if c == "all" else shown.get(c, c),
    )
    city = None if where == "all" else where
    profile = seasonal_profile(monthly, city)
    chart_block(
        seasonal_chart(profile, measure),
        profile,
        seasonal_summary(profile, measure, "the shown cities together" if city is None else shown[city]),
        coverage_note(
            for_city(monthly, city),
            extra="Pooled rates add the counts and the populations of the cities with data.",
        ),
        key="seasonal_chart",
        file_stem=f"psp_{key}_seasonal_{where}",
    )


seasonal_section(data.monthly, measure, key, offense)

st.subheader(f"{offense}: year to date against the year before")
ytd = data.ytd
if ytd.window is None:
    st.info("No complete months for a year-to-date comparison.")
else:
    st.caption(ytd.window.caveat() + ytd.stale_note())
    st.markdown(change_table_html(ytd.table, [(key, offense)], "per 100,000"), unsafe_allow_html=True)
    st.caption(f"Judgements: {LEVELS_TEXT}. " + ytd_chance_note(ytd.table))
    st.markdown(strongest_change(ytd.table))
    st.caption(ytd_note(ytd))
    numbers_behind(ytd.table, f"psp_{key}_ytd_{ytd.window.cutoff:%Y_%m}.csv", key="csv_ytd")
