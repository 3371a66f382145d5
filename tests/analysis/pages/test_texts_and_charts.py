"""The words under the charts and the chart builders of the Overview and Trends pages,
on the tiny store (numbers by hand from tests/fixtures/tiny_incidents.csv)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analysis.charts.compare import cohort_chart, funnel_chart, label_positions
from analysis.charts.trends import marker_key, marker_layout, same_month_chart, seasonal_chart, series_chart
from analysis.goals.events import Marker, markers_for
from analysis.query.filters import CrimeFilter
from analysis.series.changes import same_month_last_year
from analysis.series.compare import ytd_by_city
from analysis.series.funnel import funnel
from analysis.series.monthly import period_series, seasonal_profile
from analysis.series.periods import coverage
from analysis.text.summaries import coverage_note, seasonal_summary, series_summary, spread_summary, ytd_note
from tests.plotly_json import values


def tiny_frame(con: duckdb.DuckDBPyConnection, **kw: object) -> pd.DataFrame:
    return period_series(con, CrimeFilter(**kw), coverage(con))  # type: ignore[arg-type]


def test_coverage_note(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = tiny_frame(tiny)
    assert coverage_note(frame) == (
        "Source of each line: Memphis: fixture Jan 2023 – Feb 2024; Springfield: fixture Jan 2023 – Feb 2024."
        " Complete months only; last complete month: February 2024."
    )
    # A city ending earlier is named.
    shorter = frame[~((frame["city_id"] == "springfield_il") & (frame["period"] > "2023-12-01"))]
    assert coverage_note(shorter, extra="More.") == (
        "Source of each line: Memphis: fixture Jan 2023 – Feb 2024; Springfield: fixture Jan–Dec 2023."
        " Complete months only; last complete month: February 2024 (Springfield: Dec 2023). More."
    )
    weekly = period_series(tiny, CrimeFilter(), coverage(tiny), "week")
    assert "last complete week: the week of 19 Feb 2024" in coverage_note(weekly, "week")
    assert ytd_note(ytd_by_city(tiny, CrimeFilter(), coverage(tiny))).endswith("February 2024.")


def test_series_summary(tiny: duckdb.DuckDBPyConnection) -> None:
    text = series_summary(tiny_frame(tiny), "count", "month")
    # The 12 months before Mar 2023..Feb 2024 are not in the data: no comparison is made.
    assert text == "Violent crime per month in 2 cities, Jan 2023 to Feb 2024."
    assert series_summary(tiny_frame(tiny).iloc[0:0], "count", "month") == "No data for this selection."


def test_series_summary_compares_whole_years(demo: duckdb.DuckDBPyConnection) -> None:
    frame = period_series(demo, CrimeFilter(cities=("memphis_tn",)), coverage(demo))
    last12 = int(frame[frame["period"] >= "2025-01-01"]["count"].sum())
    before = int(frame[(frame["period"] >= "2024-01-01") & (frame["period"] < "2025-01-01")]["count"].sum())
    text = series_summary(frame, "rate", "month")
    assert f"recorded {last12:,} offenses" in text and f"({before:,} → {last12:,})" in text


def test_spread_and_seasonal_summaries(tiny: duckdb.DuckDBPyConnection) -> None:
    same = same_month_last_year(tiny_frame(tiny))
    # Feb 2024 vs Feb 2023: Memphis 2 vs 1 (up), Springfield 0 vs 0 (unchanged).
    assert spread_summary(same, "{now} against {before}") == (
        "Feb 2024 against Feb 2023: lower in 0 of 2 cities (notable or strong in 0), higher in 1 "
        "(notable or strong in 0), unchanged in 1. Percentages are withheld below 10 offenses. Of these 2 "
        "changes, 0 read notable or strong; with no real change anywhere, up to 0.1 would read notable by "
        "chance alone (each is tested at p < 0.05)."
    )
    profile = seasonal_profile(tiny_frame(tiny))
    # One complete year (2023): pooled counts Jan 5, Feb 1, then zeros; mean 0.5 per month.
    assert seasonal_summary(profile, "count", "the shown cities together") == (
        "The shown cities together, averaged over 1 complete year: the highest month is January "
        "(+900% against the average month), the lowest March (-100%)."
    )


def test_series_chart_marks_only_events_in_range(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = tiny_frame(tiny, cities=("memphis_tn",))
    inside = Marker(date(2023, 6, 1), "Something in June 2023", "break", ("memphis_tn",))
    fig = series_chart(frame, "count", "month", [*markers_for(tiny, ["memphis_tn"]), inside])
    # PSP (2017) and ORP (2019) are before the data; the break is numbered, its words on hover.
    assert [(a.text, a.hovertext) for a in fig.layout.annotations] == [("1", "Something in June 2023")]
    assert values(fig.to_plotly_json()["data"][0], "y")[:3] == [4, 1, 0]
    first, last = frame["period"].min(), frame["period"].max()
    assert marker_key([inside], first, last) == (
        "Series breaks (numbered dashed red lines): 1 Jun 2023, Something in June 2023."
    )
    assert marker_key(markers_for(tiny, ["memphis_tn"]), first, last) == ""


def test_markers_of_one_day_share_a_line_and_labels_never_overprint() -> None:
    first, last = pd.Timestamp("2010-01-01"), pd.Timestamp("2024-12-01")
    markers = [
        Marker(date(2013, 1, 1), "Baton Rouge, Buffalo: definition change", "break", ("a", "b")),
        Marker(date(2013, 1, 1), "Houston: source change", "break", ("c",)),
        Marker(date(2017, 6, 20), "PSP designation (Jun 2017)", "intervention"),
        Marker(
            date(2019, 12, 18),
            "Operation Relentless Pursuit: Kansas City, Memphis (Dec 2019)",
            "intervention",
        ),
        Marker(date(2024, 1, 1), "Houston: gap", "break", ("c",)),
    ]
    layout = marker_layout(markers, first, last)
    notes = layout["annotations"]
    assert [n["text"] for n in notes] == [
        "1",
        "PSP designation (Jun 2017)",
        "Operation Relentless Pursuit: Kansas City, Memphis (Dec 2019)",
        "2",
    ]
    assert notes[0]["hovertext"] == "Baton Rouge, Buffalo: definition change; Houston: source change"
    assert len(layout["shapes"]) == 4
    # Right of the middle a label ends at its line, so none widens the x axis past the data.
    assert [n["xanchor"] for n in notes] == ["left", "right", "right", "right"]
    # The two long labels would overprint on one row (2017 + ~4 years of text vs. 2019 - ~5 years).
    assert notes[1]["y"] != notes[2]["y"]
    assert marker_key(markers, first, last) == (
        "Series breaks (numbered dashed red lines): 1 Jan 2013, Baton Rouge, Buffalo: definition change; "
        "Houston: source change; 2 Jan 2024, Houston: gap."
    )


def test_same_month_chart_lists_cities_alphabetically(tiny: duckdb.DuckDBPyConnection) -> None:
    fig = same_month_chart(same_month_last_year(tiny_frame(tiny)), "count")
    bars = fig.to_plotly_json()["data"]
    assert [b["name"] for b in bars] == ["Feb 2023", "Feb 2024"]
    # Plotly draws the first category at the bottom, so the frame is reversed.
    assert list(bars[1]["y"]) == ["Springfield", "Memphis"] and values(bars[1], "x") == [0, 2]


def test_seasonal_chart_highlights_the_latest_year(tiny: duckdb.DuckDBPyConnection) -> None:
    fig = seasonal_chart(seasonal_profile(tiny_frame(tiny)), "count")
    lines = {t["name"]: t for t in fig.to_plotly_json()["data"]}
    assert set(lines) == {"2023", "2024"}
    assert lines["2024"]["line"]["color"] == "#0072B2" and lines["2023"]["line"]["dash"] == "dash"
    assert list(lines["2024"]["x"]) == ["Jan", "Feb"]


def test_compare_charts(tiny: duckdb.DuckDBPyConnection) -> None:
    frame = tiny_frame(tiny)
    fig = funnel_chart(funnel(frame), "Violent crime")
    names = [t["name"] for t in fig.to_plotly_json()["data"]]
    # two tiny-store cities cannot estimate a spread: plain Poisson limits, named so
    assert names.count("95% limits (Poisson)") == 2 and names.count("99.8% limits (Poisson)") == 2
    assert names[-1] == "City"
    assert fig.layout.xaxis.type == "log"
    indexed = pd.DataFrame(
        {
            "city": ["A", "A"],
            "year": [2017, 2018],
            "index": [100.0, 90.0],
            "rate": [10.0, 9.0],
            "count": [10, 9],
        }
    )
    cohort = cohort_chart(indexed, 2017)
    assert values(cohort.to_plotly_json()["data"][0], "y") == [100.0, 90.0]
    assert any(a.text == "2017 = 100" for a in cohort.layout.annotations)


def test_funnel_labels_of_neighbours_do_not_overprint() -> None:
    # Lansing and Springfield are both about 113,000 residents: the lower one's name goes
    # below its point; Houston, far from both, keeps its name above.
    assert label_positions([112_500, 113_000, 2_300_000], [14.0, 8.0, 16.0]) == [
        "top center",
        "bottom center",
        "top center",
    ]
