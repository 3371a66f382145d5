"""City profile: one city in depth, the last 12 months against the same months a year before."""

from dataclasses import replace

import streamlit as st

from analysis.access import Capability
from analysis.charts.city import hour_weekday_chart, offense_mix_chart
from analysis.geo.cells import cell_area_km2
from analysis.pages.city import city_data
from analysis.query.profile import (
    CSV_CAP,
    HOTSPOT_RESOLUTION,
    PAGE_SIZES,
    incident_count,
    incident_page,
    incident_rows,
    pages,
    total_change,
    trend_months,
)
from analysis.query.scope import comparison_window
from analysis.text.profile import district_summary, hotspot_summary, hour_summary, midnight_note, mix_summary
from ui.auth import can
from ui.components import kpi
from ui.data import query
from ui.exhibits import csv_download, footer, lazy_csv, numbers_behind
from ui.exports import download_csv
from ui.one_city import one_city

page = one_city(
    "City profile",
    "A city profile needs offenses with a date, an offense code and, for hot spots, a location.",
)
filt, cov, city, name, offense = page.filt, page.cov, page.city, page.name, page.offense
st.header(name)
window = comparison_window(cov, filt)
if window is None:
    st.info(
        f"{name}'s incident records ({cov.source}, {cov.shown(replace(filt, start=None, end=None))}) hold nothing in the chosen period."
    )
    st.stop()
where = f" in {', '.join(filt.districts)}" if filt.districts else ""
firearm = ", firearm involved" if filt.firearm_only else ""

why = []
if window.clipped:
    why.append("the last 12 months of the chosen period")
if window.cut_at_complete:
    why.append(f"ending with the last complete month ({cov.last_complete_month:%b %Y})")
st.markdown(
    f"**{window.label}** compared with the same months a year before (**{window.prior_label}**)"
    + (f" — {', '.join(why)}" if why else "")
    + f"{where}{firearm}."
)
if not window.prior_covered:
    st.warning(
        f"The data start in {cov.first_month:%b %Y}: there is no full year before {window.label} to "
        "compare with, so changes are not judged.",
        icon="ℹ️",
    )

data = query(city_data, filt, window)
mix, districts = data.mix, data.districts
one, two = st.columns(2)
with one:
    change = total_change(districts)
    kpi(
        f"{offense}{firearm}, {window.label}", f"{change.current:,}", change if window.prior_covered else None
    )
with two:
    everything = total_change(mix)
    kpi(
        f"All offenses, {window.label}",
        f"{everything.current:,}",
        everything if window.prior_covered else None,
    )
st.caption(
    "Change badges: counts a year before → now; the percentage is left out below 10 offenses. "
    "Judgement: an exact test of two Poisson counts over the days of each period, with its p-value "
    "(notable p < 0.05, strong p < 0.001; no colour below 10 offenses in either period). "
    "Where a table shows many changes, its summary says how many would read notable by chance alone."
)

st.subheader("Offense mix")
if len(mix):
    st.plotly_chart(
        offense_mix_chart(mix, window.label, window.prior_label), width="stretch", key="mix_chart"
    )
footer(
    mix_summary(mix, name, window),
    cov.note(
        f"{window.prior_label} and {window.label}; all offenses{where}{firearm}, whatever the "
        "offense chosen in the sidebar. The chart shows the 12 most frequent"
    ),
)
numbers_behind(
    mix,
    f"psp_{city}_offense_mix.csv",
    column_config={
        "nibrs_code": "NIBRS",
        "offense": "Offense",
        "group": "Group",
        "current": window.label,
        "previous": window.prior_label,
        "share": st.column_config.NumberColumn("Share %", format="%.1f"),
        "change": "Change (a year before → now)",
        "p": st.column_config.NumberColumn("p (exact test)", format="%.4f"),
        "judgement": "Judgement",
    },
    columns=("nibrs_code", "offense", "group", "current", "previous", "share", "change", "p", "judgement"),
)

if change.current == 0 and change.previous == 0:
    covered = ", ".join(mix["offense"].head(8)) if len(mix) else "no offense at all"
    st.info(
        f"{name}'s data ({cov.source}) hold no {offense.lower()}{where}{firearm} in {window.prior_label} "
        f"or {window.label}; for these months they cover {covered}. Choose another offense in the sidebar "
        "for the hour of day, districts, hot spots and incidents."
    )
    st.stop()

st.subheader(f"When: {offense.lower()} by hour and weekday")
grid = data.grid
if grid["n"].sum():
    st.plotly_chart(hour_weekday_chart(grid), width="stretch", key="hour_chart")
footer(hour_summary(grid, filt), cov.note(f"{window.label}; hour the offense began, local time"))
st.caption(midnight_note(grid))
numbers_behind(
    grid,
    f"psp_{city}_{filt.offenses[0]}_hour_weekday.csv",
    columns=("day", "hour", "n", "at_midnight", "date_only"),
)

st.subheader(f"Districts: {offense.lower()}")
if districts.empty:
    st.info("No offenses in this selection have a district.")
else:
    st.dataframe(
        districts,
        hide_index=True,
        width="stretch",
        height=min(36 * (len(districts) + 1) + 3, 620),  # every district without scrolling
        column_order=("district", "previous", "current", "change", "p", "judgement"),
        column_config={
            "district": "District",
            "previous": window.prior_label,
            "current": window.label,
            "change": "Change (a year before → now)",
            "p": st.column_config.NumberColumn("p (exact test)", format="%.4f"),
            "judgement": "Judgement",
        },
    )
footer(district_summary(districts), cov.note(f"{window.prior_label} and {window.label}"))
csv_download(districts, f"psp_{city}_{filt.offenses[0]}_districts.csv")

st.subheader(f"Hot spots: the busiest cells for {offense.lower()}")
hot = data.hot
months = trend_months(window)
if hot.empty:
    st.info("No offenses in this selection have a location.")
else:
    st.dataframe(
        hot,
        hide_index=True,
        width="stretch",
        column_order=("rank", "district", "previous", "current", "change", "p", "share", "trend", "h3"),
        column_config={
            "rank": "#",
            "district": "Mostly in",
            "current": window.label,
            "previous": window.prior_label,
            "change": "Change",
            "p": st.column_config.NumberColumn("p (exact test)", format="%.4f"),
            "share": st.column_config.NumberColumn("Share of located %", format="%.1f"),
            "trend": st.column_config.LineChartColumn(f"Monthly, {months[0]} to {months[-1]}", y_min=0),
            "h3": "H3 cell",
        },
    )
footer(
    hotspot_summary(hot),
    cov.note(
        f"{window.label}; cells are H3 resolution {HOTSPOT_RESOLUTION} (about "
        f"{cell_area_km2(HOTSPOT_RESOLUTION):.2g} km²), the same size in every city so that they compare; "
        "the trend line runs over both years"
    ),
)
csv_download(hot, f"psp_{city}_{filt.offenses[0]}_hot_spots.csv")

st.subheader("Incidents")
if not can(Capability.INCIDENTS):
    st.info(
        "The incident table (one row per offense) is for analysts and admins; this page shows aggregates."
    )
    st.stop()
st.caption(
    "One row per offense, newest first, a page at a time. Locations are rounded to about 100 m "
    "(block level); sex offenses and unmapped local codes have no location here."
)
codes = data.codes
c1, c2, c3 = st.columns([2, 2, 1.6])
picked = c1.multiselect(
    "Offense (NIBRS)",
    codes["nibrs_code"].tolist(),
    format_func=dict(zip(codes["nibrs_code"], codes["offense"], strict=True)).get,
    placeholder=f"All {offense.lower()}",
    key="inc_codes",
)
district_pick = c2.multiselect(
    "District", districts["district"].tolist(), placeholder="All districts", key="inc_districts"
)
dates = c3.date_input(
    "Dates",
    (window.start, window.end),
    min_value=window.prior_start,
    max_value=window.end,
    key=f"inc_dates_{window.start}_{window.end}",
    format="YYYY-MM-DD",
)
start, end = dates if isinstance(dates, tuple) and len(dates) == 2 else (window.start, window.end)
q = replace(filt, start=start, end=end, districts=tuple(district_pick) or filt.districts, codes=tuple(picked))
total = query(incident_count, q)
s1, s2, s3 = st.columns([1, 1, 2])
size = s1.selectbox("Rows per page", PAGE_SIZES, key="inc_size")
last_page = pages(total, size)
if st.session_state.get("inc_page", 1) > last_page:
    st.session_state["inc_page"] = 1
page = s2.number_input("Page", min_value=1, max_value=last_page, step=1, key="inc_page")
rows = query(incident_page, q, int(page), size)
first_row = (int(page) - 1) * size + 1 if total else 0
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    column_config={
        "occurred_at": st.column_config.DatetimeColumn("Occurred", format="YYYY-MM-DD HH:mm"),
        "offense": "Offense",
        "nibrs_code": "NIBRS",
        "district": "District",
        "firearm": "Firearm",
        "lat": st.column_config.NumberColumn("Lat (~100 m)", format="%.3f"),
        "lon": st.column_config.NumberColumn("Lon (~100 m)", format="%.3f"),
        "source_id": "Record id",
    },
)
st.markdown(
    f"Rows {first_row:,}–{first_row + len(rows) - 1:,} of {total:,} offenses (page {int(page):,} of {last_page:,})."
    if total
    else "No offense matches these filters."
)
st.caption(cov.note(f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"))
download_csv(
    f"Download CSV (first {min(total, CSV_CAP):,} rows)",
    lazy_csv(incident_rows, q),
    f"psp_{city}_incidents_{start:%Y%m%d}_{end:%Y%m%d}.csv",
    help=f"The filtered rows, newest first, up to {CSV_CAP:,} (narrow the filter for more).",
    key="inc_csv",
    where=s3,
)
