"""The slides of the briefing that carry data: goals, year to date, monthly trends, the
cohort index, the funnel plot and the hot spots (report.briefing orders them).

A slide carries one message (a sentence a chief can say out loud), an optional Plotly
figure or table, and speaker notes with the numbers. Figures come from the same data
functions and chart builders as the Overview and Trends pages (analysis.pages,
analysis.charts), so an exported chart is the chart on screen, not a re-drawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from analysis.charts.compare import cohort_chart, funnel_chart
from analysis.charts.trends import marker_key, series_chart
from analysis.geo.basemap import configured_or_none
from analysis.geo.cells import RESOLUTIONS, cell_summary, cell_table, counts_by_cell, map_cells
from analysis.geo.outlines import city_outline
from analysis.geo.static_maps import hotspot_chart
from analysis.goals.events import cohort_markers, markers_for
from analysis.goals.progress import goal_status_by_city
from analysis.goals.rules import STATUS_RULE
from analysis.pages.trends import trends_data
from analysis.query.filters import CrimeFilter
from analysis.query.scope import scoped
from analysis.series.compare import (
    annual_rates,
    baseline_years,
    default_baseline,
    index_summary,
    indexed_by_city_year,
    ytd_chance_note,
)
from analysis.series.funnel import FUNNEL_METHODS, funnel, funnel_summary
from analysis.series.monthly import period_series
from analysis.series.periods import Coverage, YtdWindow
from analysis.stats.exact import compare_counts, days_between, format_p
from kernel.vocabulary import FIREARM_VIOLENT, SERIES_LABELS

TREND_YEARS = 5  # years of monthly history on a trend slide
STATIC_MAX_CELLS = 2_500  # hexagons on a hot-spot slide (about 20,000 polygon points)
YTD_MEASURES = ("violent_crime", "murder", FIREARM_VIOLENT)
# (offense, firearm only) of the trend slides, in order.
TREND_SLIDES = (("violent_crime", False), ("murder", False), ("violent_crime", True))


@dataclass(frozen=True)
class Slide:
    """One screen of the briefing."""

    key: str
    title: str
    message: str
    bullets: tuple[str, ...] = ()
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None  # shown on the slide (short, formatted text cells)
    data: pd.DataFrame | None = None  # the numbers behind the slide (CSV), not shown
    notes: str = ""


def trend_key(offense: str, firearm: bool) -> str:
    """The key of the trend slide of `offense` (firearm-involved when `firearm`)."""
    return f"trend_{FIREARM_VIOLENT if firearm else offense}"


def goals_slide(con: duckdb.DuckDBPyConnection, cities: tuple[str, ...]) -> Slide:
    goals = goal_status_by_city(con)
    if cities:
        goals = goals[goals["city_id"].isin(cities)]
    if goals.empty:
        return Slide(
            key="goals",
            title="Goal status",
            message="No measurable goal is recorded for this selection yet (Goals page or data/goals.toml).",
        )
    counts = goals["status"].value_counts()
    order = ("ahead", "on track", "at risk", "off track")
    headline = ", ".join(f"{int(counts[s])} {s}" for s in order if s in counts)
    table = pd.DataFrame(
        {
            "City": goals["city"],
            "Goal": goals["label"],
            "Status": goals["status"],
            "So far vs expected": [
                f"{int(a):,} vs {e:,.0f} (interval {int(lo):,}–{int(hi):,})"
                for a, e, lo, hi in zip(
                    goals["actual"], goals["expected"], goals["low"], goals["high"], strict=True
                )
            ],
        }
    )
    notes = " ".join(f"{r.city}: {r.label} — {r.status}. {r.summary}" for r in goals.itertuples())
    return Slide(
        key="goals",
        title="Goal status",
        message=f"{len(goals)} goal{'s' if len(goals) != 1 else ''}: {headline}.",
        bullets=(STATUS_RULE.replace("**", ""),),
        table=table,
        data=goals.drop(columns=["spark"], errors="ignore"),
        notes=notes,
    )


def ytd_slide(table: pd.DataFrame, window: YtdWindow) -> Slide:
    """City x measure: count, rate and the change in words (no % below ten events)."""
    if table.empty:
        return Slide(key="ytd", title="Year to date", message="No year-to-date comparison is possible.")
    cells: dict[str, dict[str, str]] = {}
    notes = []
    for r in table.sort_values(["city", "measure"]).itertuples():
        if pd.isna(r.current):
            continue
        change = (
            compare_counts(int(r.current), int(r.previous), r.days_current, r.days_previous)
            if pd.notna(r.previous)
            else None
        )
        rate = f" · {r.rate_current:,.1f}/100k" if pd.notna(r.rate_current) else ""
        text = f"{int(r.current):,}{rate}" + (f" — {change.text()}" if change else "")
        cells.setdefault(str(r.city), {})[str(r.measure)] = text
        if change:
            notes.append(f"{r.city}, {SERIES_LABELS[str(r.measure)].lower()}: {change.text()}.")
    shown = pd.DataFrame(
        [
            {"City": city, **{SERIES_LABELS[m]: by.get(m, "no data") for m in YTD_MEASURES}}
            for city, by in sorted(cells.items())
        ]
    )
    violent = table[table["measure"] == "violent_crime"].dropna(subset=["current", "previous"])
    total = compare_counts(
        int(violent["current"].sum()),
        int(violent["previous"].sum()),
        days_between(*window.current),
        days_between(*window.prior),
    )
    message = (
        f"Violent crime, {window.label()}: {total.text()} across the "
        f"{len(violent)} {'city' if len(violent) == 1 else 'cities'} shown."
    )
    bullets = (window.caveat(), ytd_chance_note(table))
    return Slide(
        key="ytd",
        title="Year to date against the year before",
        message=message,
        bullets=bullets,
        table=shown,
        data=table,
        notes=" ".join(notes),
    )


def trend_slide(
    con: duckdb.DuckDBPyConnection,
    cities: tuple[str, ...],
    offense: str,
    firearm: bool,
    window: YtdWindow,
    cov: Coverage,
) -> Slide:
    label = SERIES_LABELS[FIREARM_VIOLENT if firearm else offense]
    key = trend_key(offense, firearm)
    filt = CrimeFilter(
        cities=cities,
        offenses=(offense,),
        start=date(window.year - TREND_YEARS + 1, 1, 1),
        end=window.current[1],
        firearm_only=firearm,
    )
    data = trends_data(con, filt, "month", cov)
    frame = data.series
    if frame.empty:
        why = (
            " Weapon involvement is only known where incident data records it; published "
            "monthly counts carry no weapon."
            if firearm
            else ""
        )
        return Slide(
            key=key,
            title=f"{label}: monthly trend",
            message=f"No {label.lower()} data for this selection.{why}",
        )
    measure = "count" if len(set(frame["city_id"])) == 1 else "rate"
    markers = markers_for(con, sorted(set(frame["city_id"])), data.breaks)
    figure = series_chart(frame, measure, "month", markers)
    (cur_start, cur_end), (pri_start, pri_end) = window.current, window.prior
    months = pd.to_datetime(frame["period"])
    now = int(frame[(months >= pd.Timestamp(cur_start)) & (months <= pd.Timestamp(cur_end))]["count"].sum())
    before = int(
        frame[(months >= pd.Timestamp(pri_start)) & (months <= pd.Timestamp(pri_end))]["count"].sum()
    )
    change = compare_counts(now, before, days_between(cur_start, cur_end), days_between(pri_start, pri_end))
    unit = "rate per 100,000 residents" if measure == "rate" else "counts"
    told = " ".join([marker_key(markers, months.min(), months.max()), "Markers show"]).strip()
    return Slide(
        key=key,
        title=f"{label}: monthly trend",
        message=f"{label}, {window.label()}: {change.text()}.",
        figure=figure,
        data=frame,
        notes=(
            f"{label}, {window.label()}: {now:,} offenses vs {before:,}. Judgement: {change.strength} "
            f"(exact Poisson test, {format_p(change.p)}). Chart: {unit} per month, "
            f"{months.min():%b %Y} to {months.max():%b %Y}, with the PSP launch and other markers. "
            f"{told} when something happened; they do not show that it caused what follows."
        ),
    )


def _violent_monthly(con: duckdb.DuckDBPyConnection, window: YtdWindow, cov: Coverage) -> pd.DataFrame:
    """All 12 cities' monthly violent crime up to the window's end (cohort and funnel)."""
    return period_series(con, CrimeFilter(offenses=("violent_crime",), end=window.current[1]), cov)


def cohort_slide(con: duckdb.DuckDBPyConnection, window: YtdWindow, cov: Coverage) -> Slide:
    """All 12 cities' violent crime, each indexed to its own baseline year."""
    annual = annual_rates(_violent_monthly(con, window, cov))
    base = default_baseline(baseline_years(annual))
    if base is None:
        return Slide(
            key="cohort", title="Each city against its own past", message="Not enough complete years."
        )
    indexed = indexed_by_city_year(annual, base)
    return Slide(
        key="cohort",
        title=f"Violent crime: each city against its own {base} (= 100)",
        message=index_summary(indexed, base),
        figure=cohort_chart(indexed, base, cohort_markers(con, list(dict.fromkeys(indexed["city_id"])))),
        data=indexed,
        notes="Each line is one city's violent crime rate divided by its own rate in the "
        f"baseline year {base}, times 100: cities are compared with their own past, not ranked.",
    )


def funnel_slide(con: duckdb.DuckDBPyConnection, window: YtdWindow, cov: Coverage) -> Slide:
    """All 12 cities' violent crime rate against population (funnel plot)."""
    f = funnel(_violent_monthly(con, window, cov), pd.Timestamp(window.cutoff))
    summary = funnel_summary(f, "violent crime")
    return Slide(
        key="funnel",
        title="Violent crime: rate against population (funnel plot)",
        message=summary.split(". ")[0] + ".",
        figure=funnel_chart(f, "Violent crime"),
        data=f.points,
        notes=summary + f" Control limits: 95% and 99.8% around the pooled rate, {FUNNEL_METHODS[f.method]} "
        "(Spiegelhalter 2005). Cities are placed, not ranked.",
    )


def _hotspot_filter(con: duckdb.DuckDBPyConnection, city_id: str, window: YtdWindow) -> CrimeFilter | None:
    """Violent crime of one city in the current YTD window, on its incident source."""
    base = CrimeFilter(
        cities=(city_id,), offenses=("violent_crime",), start=window.current[0], end=window.current[1]
    )
    return scoped(con, base)


def hotspot_slide(con: duckdb.DuckDBPyConnection, city_id: str, name: str, window: YtdWindow) -> Slide:
    """Violent crime hot spots of one city in the current YTD window (the Map's cells)."""
    key, title = f"hotspots_{city_id}", f"{name}: where violent crime concentrates"
    filt = _hotspot_filter(con, city_id, window)
    if filt is None:
        return Slide(key=key, title=title, message="No located violent offenses in this period.")
    cells = map_cells(con, filt)
    # A slide draws every hexagon as a polygon (8 points): past STATIC_MAX_CELLS cells the
    # map takes the next coarser cell size, as the Map page does past its own limit.
    while len(cells.cells) > STATIC_MAX_CELLS and cells.res > min(RESOLUTIONS):
        cells = counts_by_cell(con, filt, cells.res - 1)
    if cells.cells.empty:
        return Slide(key=key, title=title, message="No located violent offenses in this period.")
    summary = cell_summary(cells, "violent offenses")
    return Slide(
        key=key,
        title=title,
        message=f"{window.label().split(' vs ')[0]}: {summary.split('; ')[-1]}",
        figure=hotspot_chart(cells, city_outline(con, city_id), basemap=configured_or_none()),
        data=cell_table(cells),
        notes=summary + f" Hexagonal H3 cells of equal size (resolution {cells.res}); darker = more offenses"
        " (five log-spaced classes). "
        "Locations only where the source records them; no individual incident is shown.",
    )
