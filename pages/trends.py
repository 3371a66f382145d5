"""Trends: counts or rates over time per city, with seasonality and year-on-year views."""

import streamlit as st

from analysis.charts_trends import rolling_chart, same_month_chart, seasonal_chart, series_chart
from analysis.compare import strongest_change, ytd_from_series
from analysis.events import markers_for
from analysis.filters import OFFENSE_LABELS
from analysis.health import series_breaks
from analysis.periods import coverage
from analysis.registry_read import city_names
from analysis.series import (
    absent_cities,
    cities_in,
    for_city,
    period_series,
    rolling_12,
    rolling_change,
    same_month_last_year,
    seasonal_profile,
)
from analysis.summaries import coverage_note, seasonal_summary, series_summary, spread_summary, ytd_note
from ui.components import change_table_html, chart_block, numbers_expander
from ui.data import demo_banner, query
from ui.filters import sidebar, url_selectbox

st.title("Crime trends in the PSP cities")
demo_banner()
view = sidebar(("cities", "offense", "dates", "granularity", "measure", "firearm"))
filt, measure, granularity = view.filt, view.measure, view.granularity
offense = OFFENSE_LABELS[filt.offenses[0]]
if filt.firearm_only:
    offense = f"Firearm-involved {offense.lower()}"
names = query(city_names)
cov = query(coverage)
frame = query(period_series, filt, cov, granularity)
monthly = frame if granularity == "month" else query(period_series, filt, cov, "month")
missing = absent_cities(frame, filt.cities, cov, names, "firearm" if filt.firearm_only else granularity)
if missing:
    st.info("Not shown. " + " ".join(missing))
if frame.empty:
    st.info("No data for this selection. Try more cities, another offense or a longer period.")
    st.stop()
markers = markers_for(sorted(set(frame["city_id"])), query(series_breaks, cov, filt.cities))
per = "week" if granularity == "week" else "month"
unit = "rate per 100,000 residents" if measure == "rate" else "count"
causation = "Markers show when something happened; they do not show that it caused what follows."

st.subheader(f"{offense}, {unit} per {per}")
chart_block(
    series_chart(frame, measure, granularity, markers),
    frame,
    series_summary(frame, measure, granularity),
    coverage_note(frame, granularity, extra=causation),
    key="trend_chart",
    file_stem=f"psp_{filt.offenses[0]}_by_city_{per}",
)

st.subheader(f"{offense}, rolling 12 months")
rolling = rolling_12(monthly)
chart_block(
    rolling_chart(rolling, measure, markers),
    rolling,
    spread_summary(
        rolling_change(rolling),
        "the 12 months to {now} against the 12 months to {before}",
    ),
    coverage_note(monthly, extra="Each point sums the 12 months up to it, which removes the seasonal swing."),
    key="rolling_chart",
    file_stem=f"psp_{filt.offenses[0]}_rolling_12_months",
)

st.subheader(f"{offense}: the last complete month against the same month a year before")
same = same_month_last_year(monthly)
chart_block(
    same_month_chart(same, measure),
    same,
    spread_summary(same, "{now} against {before}"),
    coverage_note(
        monthly,
        extra="Compared with the same month a year earlier, not the month before, because crime is seasonal.",
    ),
    key="same_month_chart",
    file_stem=f"psp_{filt.offenses[0]}_same_month_last_year",
)

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
profile = seasonal_profile(monthly, None if where == "all" else where)
where_words = "the shown cities together" if where == "all" else shown.get(where, where)
chart_block(
    seasonal_chart(profile, measure),
    profile,
    seasonal_summary(profile, measure, where_words),
    coverage_note(
        for_city(monthly, None if where == "all" else where),
        extra="Pooled rates add the counts and the populations of the cities with data.",
    ),
    key="seasonal_chart",
    file_stem=f"psp_{filt.offenses[0]}_seasonal_{where}",
)

st.subheader(f"{offense}: year to date against the year before")
ytd = ytd_from_series(monthly)
if ytd.window is None:
    st.info("No complete months for a year-to-date comparison.")
else:
    st.caption(ytd.window.caveat())
    st.markdown(
        change_table_html(ytd.table, [(filt.offenses[0], offense)], "per 100,000"), unsafe_allow_html=True
    )
    st.markdown(strongest_change(ytd.table))
    st.caption(ytd_note(ytd))
    numbers_expander(ytd.table, f"psp_{filt.offenses[0]}_ytd_{ytd.window.cutoff:%Y_%m}", "ytd")
