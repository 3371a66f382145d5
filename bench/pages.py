"""One bench entry per page of dashboard.py: the page's interaction, twice.

`run(t, con, combo)` makes exactly the analysis calls the page file makes on a rerun
after a filter change (sidebar look-ups included, since without Streamlit's cache a
rerun makes them too), with the same arguments, and returns what the page would send to
the browser. `baseline(t, pdx, combo)` computes the same outputs from a pandas frame of
the incidents (bench/baseline.py). `url(combo)` is the page's deep link for that filter,
used to drive a real browser. Keep these in step with views/*.py: tests/bench checks
that every page in dashboard.py has an entry here.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import pickle
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

import analysis.goals.progress
import analysis.pages.overview
import analysis.pages.trends
import analysis.series.compare
import analysis.stats.cusum
import report.briefing
from analysis.charts.city import hour_weekday_chart, offense_mix_chart
from analysis.charts.compare import cohort_chart, funnel_chart
from analysis.charts.goals import its_chart, progress_chart
from analysis.charts.health import coverage_chart
from analysis.charts.trends import rolling_chart, same_month_chart, seasonal_chart, series_chart
from analysis.geo.cell_decks import crime_deck
from analysis.geo.cells import CELL_SIZES, cell_summary, cell_table, map_cells
from analysis.geo.decks import city_change_deck, deck_summary
from analysis.geo.districts import counts_by_district, district_shapes, view_bounds
from analysis.geo.outlines import city_outline
from analysis.geo.points import POINTS_BY_DEFAULT, drawable_points, points, sensitive_offenses
from analysis.goals.events import break_markers, cohort_markers, markers_for
from analysis.goals.interventions import (
    first_post_month,
    interrupted_time_series,
    interventions_by_city,
    its_fit,
)
from analysis.goals.progress import goal_progress, goal_status_by_city, progress
from analysis.pages.overview import overview_data
from analysis.pages.trends import trends_data
from analysis.query.filters import CrimeFilter
from analysis.query.profile import (
    PAGE_SIZES,
    counts_by_hour_weekday,
    district_changes,
    hotspot_cells,
    incident_count,
    incident_page,
    offense_codes,
    offense_mix,
    total_change,
)
from analysis.query.registry import city_names, data_span, district_names, import_log
from analysis.query.scope import comparison_window, scoped
from analysis.query.scope import coverage as scope_coverage
from analysis.series.compare import baseline_years, default_baseline, indexed_by_city_year, strongest_change
from analysis.series.monthly import cities_in, seasonal_profile
from analysis.series.periods import coverage
from analysis.sources.health import (
    coverage_by_source,
    health_by_city_month,
    months_without_data,
    quarantine_by_reason,
    series_breaks,
)
from analysis.stats.alerts import alerts_by_series, alerts_from_cusum
from analysis.stats.calibration import clear_memo
from analysis.stats.cusum import cusum_by_series
from analysis.stats.cusum_params import CUSUM
from analysis.text.summaries import coverage_summary, series_summary
from bench.baseline import PandasStore
from bench.combos import Combo
from kernel.settings import ROOT
from kernel.store import is_demo_store as is_demo
from kernel.vocabulary import OFFENSE_LABELS
from report.briefing import briefing_outline, briefing_slide

Outputs = dict[str, Any]
Params = dict[str, str | list[str]]


@dataclass
class Timer:
    """Calls functions and adds up the time each name took (one interaction).

    Each call is also recorded with its arguments: a call whose first argument is a
    DuckDB connection is one the page makes through ui.data.query, which Streamlit
    caches on the arguments; `new_call_seconds` uses that to tell what a cached app
    would recompute (chart builders and other direct calls always run)."""

    times: dict[str, float] = field(default_factory=dict)
    calls: list[tuple[str, tuple[Any, ...], float, bool]] = field(default_factory=list)

    def __call__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            elapsed = time.perf_counter() - started
            name = getattr(fn, "__name__", repr(fn))
            self.times[name] = self.times.get(name, 0.0) + elapsed
            cached = bool(args) and isinstance(args[0], duckdb.DuckDBPyConnection)
            self.calls.append((name, args[1:] if cached else args, elapsed, cached))

    @property
    def total(self) -> float:
        return sum(self.times.values())


def _fingerprint(value: Any) -> Any:
    """A hashable stand-in for an argument, by content (as Streamlit's cache hashes)."""
    if isinstance(value, pd.DataFrame):
        return ("frame", tuple(value.columns), int(pd.util.hash_pandas_object(value, index=False).sum()))
    try:
        hash(value)
        return value
    except TypeError:
        return ("pickle", hashlib.sha1(pickle.dumps(value)).hexdigest())


def new_call_seconds(t: Timer, seen: set[Any]) -> float:
    """Seconds of the calls a cached app would run: uncached calls, and cached calls with
    arguments not seen before (added to `seen`)."""
    total = 0.0
    for name, args, elapsed, cached in t.calls:
        if not cached:
            total += elapsed
            continue
        key = (name, tuple(_fingerprint(a) for a in args))
        if key not in seen:
            seen.add(key)
            total += elapsed
    return total


@dataclass(frozen=True)
class PageBench:
    """How to replay one page's interaction. `file` is the path used in dashboard.py."""

    file: str
    run: Callable[[Timer, duckdb.DuckDBPyConnection, Combo], Outputs]
    baseline: Callable[[Timer, PandasStore, Combo], Outputs] | None  # None: no pandas version yet
    url: Callable[[Combo], Params]
    ready: str  # CSS selector that appears when the page has drawn its main element
    varies: bool = True  # False: the page has no filter, every combination is the same view


# Shared sidebar work -----------------------------------------------------------------
def sidebar(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo, districts: bool) -> None:
    """ui.filters.sidebar's look-ups plus the demo banner (ui.data.demo_banner)."""
    t(city_names, con)
    t(data_span, con)
    if districts and len(k.cities) == 1:
        t(district_names, con, k.cities[0])
    t(is_demo, con)


def sidebar_pd(t: Timer, pdx: PandasStore, k: Combo, districts: bool) -> None:
    t(pdx.city_names)
    t(pdx.data_span)
    if districts and len(k.cities) == 1:
        t(pdx.district_names, k.cities[0])
    t(pdx.is_demo)


def params(k: Combo, keys: tuple[str, ...]) -> Params:
    """The URL query parameters ui.filters reads, for the controls a page has."""
    out: Params = {}
    if "city" in keys and k.cities:
        out["city"] = list(k.cities)
    if "offense" in keys:
        out["offense"] = k.offense
    if "measure" in keys:
        out["measure"] = k.measure
    if "dates" in keys:
        if k.start:
            out["start"] = k.start.isoformat()
        if k.end:
            out["end"] = k.end.isoformat()
    if "district" in keys and k.districts:
        out["district"] = list(k.districts)
    if "firearm" in keys and k.firearm:
        out["firearm"] = "1"
    return out


# Trends (views/trends.py): cities, offense, period, granularity, measure, firearm ------------
def _trends_out(t: Timer, data: Any, k: Combo, con: duckdb.DuckDBPyConnection | None) -> Outputs:
    """The Trends outputs; the interventions are read from `con` (none for the pandas engine)."""
    out: Outputs = {
        "frame_series": data.series,
        "frame_monthly": data.monthly,
        "frame_rolling": data.rolling,
        "frame_same_month": data.same_month,
        "frame_ytd": data.ytd.table,
    }
    if data.series.empty:
        return out
    markers = (
        t(markers_for, con, list(cities_in(data.series)), data.breaks)
        if con is not None
        else break_markers(list(cities_in(data.series)), data.breaks)
    )
    out["series_chart"] = t(series_chart, data.series, k.measure, k.granularity, markers)
    t(series_summary, data.series, k.measure, k.granularity)
    out["rolling_chart"] = t(rolling_chart, data.rolling, k.measure, markers)
    out["same_month_chart"] = t(same_month_chart, data.same_month, k.measure)
    profile = t(seasonal_profile, data.monthly, None)
    out["seasonal_chart"] = t(seasonal_chart, profile, k.measure)
    t(strongest_change, data.ytd.table)
    return out


def _trends_filter(k: Combo) -> CrimeFilter:
    return CrimeFilter(
        cities=k.cities, offenses=(k.offense,), start=k.start, end=k.end, firearm_only=k.firearm
    )


def trends(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    sidebar(t, con, k, districts=False)
    cov = t(coverage, con)
    data = t(trends_data, con, _trends_filter(k), k.granularity, cov)
    return _trends_out(t, data, k, con)


def _breaks_pd(pdx: PandasStore, cities: tuple[str, ...]) -> pd.DataFrame:
    """chart_breaks from pandas: the detected source changes (the demo has none)."""
    changes = pdx.series_breaks(pdx.source_months())
    if cities:
        changes = changes[changes["city_id"].isin(cities)]
    return pd.DataFrame(
        {
            "city_id": changes["city_id"],
            "city": changes["city_id"],
            "month": changes["month"],
            "source": changes["after"],
            "label": "source change",
        }
    )


def trends_pd(t: Timer, pdx: PandasStore, k: Combo) -> Outputs:
    sidebar_pd(t, pdx, k, districts=False)
    cov = t(pdx.coverage)
    with (
        patched(
            analysis.pages.trends, "period_series", lambda con, f, c, g="month": pdx.period_series(f, c, g)
        ),
        patched(
            analysis.pages.trends,
            "chart_breaks",
            lambda con, c, cities=(), offenses=(): _breaks_pd(pdx, cities),
        ),
        patched(analysis.pages.trends, "city_names", lambda con: pdx.city_names()),
    ):
        data = t(trends_data, None, _trends_filter(k), k.granularity, cov)
    return _trends_out(t, data, k, None)


# Overview (views/overview.py): cities and offense --------------------------------------------
def _overview_out(t: Timer, data: Any, k: Combo, con: duckdb.DuckDBPyConnection | None) -> Outputs:
    """The Overview outputs; the interventions are read from `con` (none for the pandas engine)."""
    out: Outputs = {"frame_ytd": data.ytd.table, "frame_monthly": data.monthly, "frame_annual": data.annual}
    if data.ytd.window is None or data.monthly.empty:
        return out
    label = OFFENSE_LABELS[k.offense]
    t(strongest_change, data.ytd.table)
    out["overview_map"] = t(city_change_deck, data.points, data.places)
    t(deck_summary, data.points, label, data.ytd.window)
    base = default_baseline(t(baseline_years, data.annual))
    if base is not None:
        indexed = t(indexed_by_city_year, data.annual, base)
        out["cohort_chart"] = t(
            cohort_chart, indexed, base, cohort_markers(con, list(indexed["city_id"].unique())) if con else []
        )
    out["funnel_chart"] = t(funnel_chart, data.funnel, label)
    return out


def overview(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    sidebar(t, con, k, districts=False)
    cov = t(coverage, con)
    data = t(overview_data, con, CrimeFilter(cities=k.cities, offenses=(k.offense,)), cov)
    return _overview_out(t, data, k, con)


def overview_pd(t: Timer, pdx: PandasStore, k: Combo) -> Outputs:
    sidebar_pd(t, pdx, k, districts=False)
    cov = t(pdx.coverage)
    series = lambda con, f, c, g="month": pdx.period_series(f, c, g)  # noqa: E731
    with (
        patched(analysis.pages.overview, "period_series", series),
        patched(analysis.series.compare, "period_series", series),
        patched(analysis.pages.overview, "city_places", lambda con: pdx.places),
        patched(analysis.pages.overview, "city_names", lambda con: pdx.city_names()),
        patched(
            analysis.pages.overview,
            "incident_sources",
            lambda con, cities, firearm=False: pdx.incident_sources(cities),
        ),
    ):
        data = t(overview_data, None, CrimeFilter(cities=k.cities, offenses=(k.offense,)), cov)
    return _overview_out(t, data, k, None)


# Presenter view (views/presenter.py): cities and year --------------------------------------
# The view builds the outline and the slide on screen; the combos go round the slides
# ("hotspots" = the first city's hot-spot map, which has no pandas twin: see below).
SLIDES = (
    "trend_violent_crime",
    "ytd",
    "hotspots",
    "goals",
    "cohort",
    "trend_murder",
    "funnel",
    "title",
    "trend_firearm_violent_crime",
    "methods",
    "link",
)


def _slide_key(keys: tuple[str, ...], k: Combo) -> str:
    want = SLIDES[k.slide % len(SLIDES)]
    if want == "hotspots":
        return next((key for key in keys if key.startswith("hotspots_")), "ytd")
    return want


def _presenter_out(deck: Any, slide: Any) -> Outputs:
    out: Outputs = {"briefing": deck, "slide": slide}
    if slide.data is not None:
        out[f"frame_{slide.key}"] = slide.data.reset_index(drop=True)
    return out


def presenter(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    t(city_names, con)
    t(data_span, con)
    deck = t(briefing_outline, con, k.cities, k.year)
    slide = t(briefing_slide, con, deck, _slide_key(deck.keys, k))
    t(is_demo, con)
    return _presenter_out(deck, slide)


def presenter_pd(t: Timer, pdx: PandasStore, k: Combo) -> Outputs:
    """The briefing built by the same report.briefing and report.slides code, its data read from pandas."""
    import report.briefing as ab
    import report.slides as slides

    t(pdx.city_names)
    t(pdx.data_span)
    with contextlib.ExitStack() as stack:
        for module, name, value in (
            (ab, "city_names", lambda con: pdx.city_names()),
            (ab, "store_sources", lambda con: pdx.store_sources()),
            (ab, "coverage", lambda con: pdx.coverage()),
            (slides, "period_series", lambda con, f, c, g="month": pdx.period_series(f, c, g)),
            (
                analysis.series.compare,
                "period_series",
                lambda con, f, c, g="month": pdx.period_series(f, c, g),
            ),
            (analysis.pages.trends, "period_series", lambda con, f, c, g="month": pdx.period_series(f, c, g)),
            (
                analysis.pages.trends,
                "chart_breaks",
                lambda con, c, cities=(), offenses=(): _breaks_pd(pdx, cities),
            ),
            (analysis.pages.trends, "city_names", lambda con: pdx.city_names()),
            (analysis.goals.progress, "stored_goals", lambda con: pdx.goals),
            (
                analysis.goals.progress,
                "monthly_series",
                lambda con, c, o, d=None: pdx.monthly_series(c, o, d),
            ),
            (
                analysis.goals.progress,
                "monthly_series_many",
                lambda con, keys: [pdx.monthly_series(*k) for k in keys],
            ),
            # The hot-spot map slides read the Map's cell rollups, which have no pandas twin
            # here: the baseline has none (its "hotspots" combos show the YTD slide instead).
            (report.briefing, "hotspot_cities", lambda con, cities, window: ()),
            (report.briefing, "is_demo_store", lambda con: pdx.is_demo()),
            # The stored interventions have no pandas twin either: the breaks only.
            (slides, "markers_for", lambda con, cities, breaks=None: break_markers(cities, breaks)),
            (slides, "cohort_markers", lambda con, cities: []),
        ):
            stack.enter_context(patched(module, name, value))
        deck = t(briefing_outline, None, k.cities, k.year)
        slide = t(briefing_slide, None, deck, _slide_key(deck.keys, k))
    t(pdx.is_demo)
    return _presenter_out(deck, slide)


# Data (views/data.py): no filter; the interaction is opening the page (or the rerun after
# an import), every combination times the same calls ----------------------------------------
def data(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    t(is_demo, con)
    health = t(health_by_city_month, con)
    out: Outputs = {"frame_health": health}
    if not health.empty:
        out["coverage_chart"] = t(coverage_chart, health)
    t(coverage_summary, con, health)
    out["frame_sources"] = t(coverage_by_source, con)
    t(series_breaks, con)
    t(months_without_data, con, health)
    t(quarantine_by_reason, con)
    t(import_log, con)
    return out


def data_pd(t: Timer, pdx: PandasStore, k: Combo) -> Outputs:
    t(pdx.is_demo)
    months = t(pdx.source_months)
    health = t(pdx.health_by_city_month, months)
    out: Outputs = {"frame_health": health}
    if not health.empty:
        out["coverage_chart"] = t(coverage_chart, health)
    t(coverage_summary, None, health)
    out["frame_sources"] = t(pdx.coverage_by_source, months)
    t(pdx.series_breaks, months)
    t(pdx.months_without_data, health)
    t(pdx.quarantine_by_reason)
    t(lambda: pdx.small["imports"].sort_values("import_id", ascending=False).head(200))
    return out


# Goals (views/goals.py): pick a goal (?goal=ID) and the alert look-back -----------------------
LOOKBACKS = (3, 6, 12, 24)


def _goal_id(goals: list[int], i: int) -> int | None:
    return goals[i % len(goals)] if goals else None


def _combo_index(k: Combo) -> int:
    # A stable small integer per combination, to spread goals and look-backs over combos.
    return sum(ord(c) for c in k.label())


def goals(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    i = _combo_index(k)
    t(is_demo, con)
    frame = t(goal_status_by_city, con)
    out: Outputs = {"frame_goals": frame.drop(columns=["spark", "summary"])}
    goal_id = _goal_id(frame["goal_id"].tolist(), i)
    if goal_id is not None:
        prog = t(goal_progress, con, goal_id)
        out["progress_chart"] = t(progress_chart, prog)
    names = t(city_names, con)
    t(data_span, con)
    t(district_names, con, next(iter(names)))
    params = CUSUM.with_lookback(LOOKBACKS[i % len(LOOKBACKS)])
    clear_memo()  # the thresholds simulated from scratch, as on a store the server has not seen
    out["frame_alerts"] = t(alerts_from_cusum, t(cusum_by_series, con, CUSUM), params)
    return out


@contextlib.contextmanager
def patched(module: object, name: str, value: object) -> Iterator[None]:
    """Swap a module attribute for the pandas run (the page logic stays the analysis
    module's own; only where the data comes from changes)."""
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


def goals_pd(t: Timer, pdx: PandasStore, k: Combo) -> Outputs:
    i = _combo_index(k)
    t(pdx.is_demo)
    with (
        patched(analysis.goals.progress, "stored_goals", lambda con: pdx.goals),
        patched(
            analysis.goals.progress, "monthly_series", lambda con, c, o, d=None: pdx.monthly_series(c, o, d)
        ),
        patched(
            analysis.goals.progress,
            "monthly_series_many",
            lambda con, keys: [pdx.monthly_series(*k) for k in keys],
        ),
    ):
        frame = t(goal_status_by_city, None)
    out: Outputs = {"frame_goals": frame.drop(columns=["spark", "summary"])}
    goal_id = _goal_id(frame["goal_id"].tolist(), i)
    if goal_id is not None:
        goal = next(g for g in pdx.goals if g.goal_id == goal_id)
        prog = t(progress, goal, t(pdx.monthly_series, goal.city_id, goal.offense, goal.district))
        out["progress_chart"] = t(progress_chart, prog)
    names = t(pdx.city_names)
    t(pdx.data_span)
    t(pdx.district_names, next(iter(names)))
    params = CUSUM.with_lookback(LOOKBACKS[i % len(LOOKBACKS)])
    # Each series is scored over its own span (analysis.stats.cusum): the monthly counts are all
    # the pandas side has to supply.
    clear_memo()
    with patched(analysis.stats.cusum, "counts_by_city_month", lambda con, f: pdx.counts_by_city_month(f)):
        out["frame_alerts"] = t(alerts_by_series, None, params)
    return out


def goals_url(k: Combo) -> Params:
    return {"goal": str(1 + _combo_index(k) % 13)}


# Interventions (views/interventions.py): city, offense, intervention, months before/after --
WINDOWS = (12, 24, 36, 48, 60)


def _its_choice(interventions: pd.DataFrame, k: Combo) -> tuple[str, str, int | None, int, int]:
    i = _combo_index(k)
    city = k.cities[0] if k.cities else str(interventions["city_id"].iloc[0]) if len(interventions) else ""
    offense = "firearm_violent_crime" if k.firearm else k.offense
    mine = interventions[interventions["city_id"] == city]
    chosen = int(mine["intervention_id"].iloc[i % len(mine)]) if len(mine) else None
    return city, offense, chosen, WINDOWS[i % len(WINDOWS)], WINDOWS[(i // 5) % len(WINDOWS)]


def interventions(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    t(is_demo, con)
    t(city_names, con)
    city, offense, chosen, before, after = _its_choice(interventions_by_city(con), k)
    listed = t(interventions_by_city, con, city)
    out: Outputs = {"frame_interventions": listed}
    if chosen is not None:
        _its_outputs(
            t,
            out,
            listed,
            chosen,
            lambda: t(interrupted_time_series, con, city, offense, chosen, before, after),
        )
    t(interventions_by_city, con, city)
    t(city_names, con)
    return out


def _its_outputs(t: Timer, out: Outputs, listed: pd.DataFrame, chosen: Any, fit: Callable[[], Any]) -> None:
    """The interrupted time series' chart and frame into `out` (none when `fit` finds
    too few months: ValueError or None)."""
    try:
        its = fit()
    except ValueError:
        return
    if its is not None:
        name = str(listed.set_index("intervention_id").loc[chosen, "name"])
        out["its_chart"] = t(its_chart, its, name)
        out["frame_its"] = its.frame


def interventions_pd(t: Timer, pdx: PandasStore, k: Combo) -> Outputs:
    t(pdx.is_demo)
    t(pdx.city_names)
    every = pdx.small["interventions"]
    city, offense, chosen, before, after = _its_choice(every, k)
    listed = every[every["city_id"] == city].reset_index(drop=True)
    out: Outputs = {"frame_interventions": listed}
    if chosen is not None:
        start = listed.set_index("intervention_id").loc[chosen, "start_date"]
        series = t(pdx.monthly_series, city, offense)

        def fit() -> Any:
            return t(its_fit, series, first_post_month(start), before, after) if not series.empty else None

        _its_outputs(t, out, listed, chosen, fit)
    t(pdx.city_names)
    return out


def interventions_url(k: Combo) -> Params:
    out: Params = {"its_offense": "firearm_violent_crime" if k.firearm else k.offense}
    if k.cities:
        out["its_city"] = k.cities[0]
    return out


# Map and City profile (views/map.py, views/city.py): one city, offense, period, districts,
# firearm; the map's layer and cell size. No pandas version yet (pandas_ms is null).
def _one_city(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> tuple[Any, Any, str]:
    t(is_demo, con)
    names = t(city_names, con)
    city = k.cities[0] if k.cities else next(iter(names))
    t(data_span, con)
    t(district_names, con, city)
    view = CrimeFilter(
        cities=(city,),
        offenses=(k.offense,),
        start=k.start,
        end=k.end,
        districts=k.districts if k.cities[:1] == (city,) else (),
        firearm_only=k.firearm,
    )
    filt = t(scoped, con, view)
    cov = t(scope_coverage, con, city, filt.sources[0]) if filt is not None else None
    return filt, cov, city


def map_page(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    filt, cov, city = _one_city(t, con, k)
    if filt is None or cov is None:
        return {}
    i = _combo_index(k)
    mode = ("cells", "heat")[i % 2]
    size = CELL_SIZES[i % len(CELL_SIZES)]
    drawable = t(drawable_points, con, filt)
    cells = t(map_cells, con, filt, size)
    outline = t(city_outline, con, city)
    shapes = t(district_shapes, con, city)
    district_counts = t(counts_by_district, con, filt)
    dots = t(points, con, filt) if 0 < drawable <= POINTS_BY_DEFAULT else None
    bounds = t(view_bounds, outline, shapes, filt.districts)
    deck = t(crime_deck, cells, outline, shapes, district_counts, dots, mode=mode, bounds=bounds)
    t(cell_summary, cells, "offenses")
    t(sensitive_offenses, con)
    t(cell_table, cells, 1_000)
    return {"map_deck": deck, "frame_districts": district_counts}


def city_page(t: Timer, con: duckdb.DuckDBPyConnection, k: Combo) -> Outputs:
    filt, cov, city = _one_city(t, con, k)
    if filt is None or cov is None:
        return {}
    window = t(comparison_window, cov, filt)
    if window is None:
        return {}
    current = window.current(filt)
    out: Outputs = {}
    mix = t(offense_mix, con, replace(filt, offenses=()), window)
    districts = t(district_changes, con, filt, window)
    t(total_change, districts)
    t(total_change, mix)
    if len(mix):
        out["mix_chart"] = t(offense_mix_chart, mix, window.label, window.prior_label)
    grid = t(counts_by_hour_weekday, con, current)
    out["hour_chart"] = t(hour_weekday_chart, grid)
    t(hotspot_cells, con, filt, window)
    t(offense_codes, con, current)
    q = current
    t(incident_count, con, q)
    t(incident_page, con, q, 1, PAGE_SIZES[0])
    out["frame_mix"] = mix
    return out


def one_city_url(k: Combo) -> Params:
    out = params(k, ("offense", "dates", "firearm"))
    if k.cities:
        out["city"] = k.cities[0]
        if k.districts:
            out["district"] = list(k.districts)
    return out


PAGES: dict[str, PageBench] = {
    b.file: b
    for b in (
        PageBench(
            "views/overview.py",
            overview,
            overview_pd,
            lambda k: params(k, ("city", "offense")),
            "[data-testid='stPlotlyChart'] .main-svg",
        ),
        PageBench(
            "views/trends.py",
            trends,
            trends_pd,
            lambda k: {
                **params(k, ("city", "offense", "measure", "dates", "firearm")),
                **({"gran": "week"} if k.granularity == "week" else {}),
            },
            "[data-testid='stPlotlyChart'] .main-svg",
        ),
        PageBench("views/map.py", map_page, None, one_city_url, "[data-testid='stDeckGlJsonChart']"),
        PageBench("views/city.py", city_page, None, one_city_url, "[data-testid='stPlotlyChart'] .main-svg"),
        PageBench(
            "views/goals.py",
            goals,
            goals_pd,
            goals_url,
            "[data-testid='stPlotlyChart'] .main-svg",
        ),
        PageBench(
            "views/interventions.py",
            interventions,
            interventions_pd,
            interventions_url,
            "[data-testid='stPlotlyChart'] .main-svg",
        ),
        PageBench(
            "views/data.py",
            data,
            data_pd,
            lambda k: {},
            "[data-testid='stPlotlyChart'] .main-svg",
            varies=False,
        ),
        PageBench(
            "views/presenter.py",
            presenter,
            presenter_pd,
            lambda k: {
                **({"city": list(k.cities)} if k.cities else {}),
                "year": str(k.year),
                "slide": str(k.slide % len(SLIDES) + 1),
            },
            "text=/Slide \\d+ of \\d+/",
        ),
    )
}


def dashboard_pages(path: Path = ROOT / "dashboard.py") -> list[dict[str, Any]]:
    """The pages dashboard.py registers: file, title, url_path, default (read from its
    source, so the bench follows the navigation without running Streamlit)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Page"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            spec: dict[str, Any] = {"file": node.args[0].value, "url_path": "", "default": False}
            for kw in node.keywords:
                if kw.arg in ("title", "url_path", "default") and isinstance(kw.value, ast.Constant):
                    spec[kw.arg] = kw.value.value
            found.append(spec)
    return found


def default_page() -> str:
    pages = dashboard_pages()
    chosen: str = next((p["file"] for p in pages if p["default"]), pages[0]["file"])
    return chosen
