"""The briefing: one ordered list of slides, built once from the analysis functions and
rendered three ways (PowerPoint, PDF, and the presenter view in the app).

The slides that carry data are built in report.slides; this module decides which
slides a briefing has, in order, and builds the text slides (title, methods, link).
The period is a year-to-date window (analysis.series.periods.YtdWindow): January to the last
month every chosen city has complete, at most December of the chosen year, against
the same months of the year before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import duckdb

from analysis.query import sqlfile
from analysis.query.filters import CELLS, CrimeFilter
from analysis.query.links import LinkState, link
from analysis.query.registry import city_names
from analysis.query.sqlfile import Fragment
from analysis.series.compare import ytd_by_city, ytd_window
from analysis.series.periods import Coverage, YtdWindow, coverage
from analysis.series.provenance import incident_sources
from analysis.sources.health import store_sources
from kernel.store import is_demo_store
from report.slides import (
    TREND_SLIDES,
    Slide,
    cohort_slide,
    funnel_slide,
    goals_slide,
    hotspot_slide,
    trend_key,
    trend_slide,
    ytd_slide,
)

DEFAULT_BASE_URL = "http://127.0.0.1:8501"


@dataclass(frozen=True)
class Briefing:
    """What a pack is about, the keys of its slides in order, and the slides built so far.

    `briefing_outline` decides the slides without building them (cheap: one YTD
    comparison), `briefing_slide` builds one, `build_briefing` builds all (the packs).
    The presenter view builds only the slide on screen."""

    cities: tuple[str, ...]
    city_label: str
    year: int
    period_label: str
    cutoff: date
    demo: bool
    sources: tuple[str, ...]
    generated_at: datetime
    link: str
    window: YtdWindow
    keys: tuple[str, ...] = ()
    slides: tuple[Slide, ...] = ()


def briefing_window(
    con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], year: int, cov: Coverage | None = None
) -> YtdWindow:
    """The YTD window of `year`: cut at the last month every chosen city has complete.
    (The window only: the firearm rows of the YTD table wait for the YTD slide.)"""
    window = ytd_window(con, _ytd_scope(cities, year), cov or coverage(con))
    if window is None or window.year != year:
        ends = f" (the data ends {window.cutoff:%B %Y})" if window is not None else ""
        raise ValueError(f"no complete month in {year} for every chosen city{ends}")
    return window


def _title_slide(b: Briefing) -> Slide:
    bullets = (
        f"Period: {b.period_label}",
        f"Data: {', '.join(b.sources)}" + (" — SYNTHETIC DEMO DATA, not real crime data" if b.demo else ""),
        f"Generated {b.generated_at:%d %B %Y, %H:%M}",
    )
    return Slide(
        key="title",
        title=f"PSP crime briefing — {b.city_label}",
        message=f"{b.city_label}: {b.period_label}",
        bullets=bullets,
        notes="National Public Safety Partnership working-group briefing. " + " ".join(bullets),
    )


def _methods_slide(b: Briefing) -> Slide:
    bullets = (
        "Violent crime = murder and nonnegligent manslaughter, rape, robbery, aggravated assault (FBI UCR).",
        "Rates are per 100,000 residents with each year's population; cities are compared by rate, never ranked.",
        f"Year-to-date comparisons use the same cutoff in both years ({b.period_label}); early-year figures are noisy.",
        "Change judgement: exact test of two Poisson counts over the days of each period (conditional "
        "binomial); notable p < 0.05, strong p < 0.001; no % and no colour below 10 events. With many "
        "judgements on one slide, up to 5% would read notable by chance alone (each slide says how many).",
        "Firearm-involved: NIBRS weapon codes 11–15, only where incident data records the weapon.",
        "Association is not causation: a change after a strategy launch does not prove the strategy caused it.",
    )
    return Slide(
        key="methods",
        title="Methods and caveats",
        message="How to read these numbers",
        bullets=bullets + (("DEMO DATA: synthetic, for demonstration only.",) if b.demo else ()),
        notes=" ".join(bullets),
    )


def _closing_slide(b: Briefing) -> Slide:
    return Slide(
        key="link",
        title="Open this view in the dashboard",
        message=b.link,
        bullets=(f"Generated on {b.generated_at:%d %B %Y at %H:%M}", f"Sources: {', '.join(b.sources)}"),
        notes=f"Link that reopens the same view: {b.link}",
    )


def _ytd_scope(cities: tuple[str, ...], year: int) -> CrimeFilter:
    return CrimeFilter(cities=cities, end=date(year, 12, 31))


def latest_briefing_year(con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], latest: int) -> int | None:
    """The latest calendar year, up to `latest`, with a complete month for every one of
    `cities` (empty = all): the year a briefing can cover (one source may run past the
    others, e.g. a city's own counts a year after the FBI's release ends)."""
    window = ytd_window(con, _ytd_scope(cities, latest), coverage(con))
    return None if window is None else window.year


def _city_label(names: dict[str, str], cities: tuple[str, ...]) -> str:
    if len(cities) == 1:
        return names[cities[0]]
    if not cities or len(cities) == len(names):
        return "All 12 PSP cities"
    return ", ".join(names[c] for c in cities)


def briefing_outline(
    con: duckdb.DuckDBPyConnection,
    cities: tuple[str, ...],
    year: int,
    base_url: str = DEFAULT_BASE_URL,
    now: datetime | None = None,
) -> Briefing:
    """What the briefing for `cities` (empty = all 12) and calendar `year` is about, and
    the keys of its slides in order; no slide is built yet."""
    names = city_names(con)
    unknown = [c for c in cities if c not in names]
    if unknown:
        raise ValueError(f"unknown city {unknown[0]!r}; known: {', '.join(names)}")
    window = briefing_window(con, cities, year)
    start, end = window.prior[0], window.current[1]
    mapped = hotspot_cities(con, cities or tuple(names), window)
    keys = (
        "title",
        "goals",
        "ytd",
        *(trend_key(o, f) for o, f in TREND_SLIDES),
        "cohort",
        "funnel",
        *(f"hotspots_{c}" for c in mapped),
        "methods",
        "link",
    )
    return Briefing(
        cities=cities,
        city_label=_city_label(names, cities),
        year=year,
        period_label=window.label(),
        cutoff=window.cutoff,
        demo=is_demo_store(con),
        sources=tuple(store_sources(con)),
        generated_at=now or datetime.now(),
        link=link("trends", LinkState(cities=tuple(cities), start=start, end=end), base_url),
        window=window,
        keys=keys,
    )


def hotspot_cities(
    con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], window: YtdWindow
) -> tuple[str, ...]:
    """The cities (in the given order) with located offenses in the current YTD window of
    their incident source: those get a hot-spot slide."""
    sources = tuple(incident_sources(con, cities).values())
    if not cities or not sources:
        return ()
    start, end = window.current
    filt = CrimeFilter(cities=cities, offenses=(), start=start, end=end, sources=sources)
    where, params = filt.bind(CELLS)
    rows = con.execute(
        sqlfile.render(__package__, "hotspot_cities.sql", where=Fragment(where)), params
    ).fetchall()
    found = {r[0] for r in rows}
    return tuple(c for c in cities if c in found)


def briefing_slide(con: duckdb.DuckDBPyConnection, b: Briefing, key: str) -> Slide:
    """Build the slide `key` (one of b.keys) of the briefing `b`."""
    if key not in b.keys:
        raise ValueError(f"unknown slide {key!r}; this briefing has {', '.join(b.keys)}")
    return _build_slide(con, b, key, coverage(con))


def _build_slide(con: duckdb.DuckDBPyConnection, b: Briefing, key: str, cov: Coverage) -> Slide:
    window = b.window
    if key == "title":
        return _title_slide(b)
    if key == "goals":
        return goals_slide(con, b.cities)
    if key == "ytd":
        return ytd_slide(ytd_by_city(con, _ytd_scope(b.cities, b.year), cov).table, window)
    for offense, firearm in TREND_SLIDES:
        if key == trend_key(offense, firearm):
            return trend_slide(con, b.cities, offense, firearm, window, cov)
    if key == "cohort":
        return cohort_slide(con, window, cov)
    if key == "funnel":
        return funnel_slide(con, window, cov)
    if key.startswith("hotspots_"):
        city_id = key.removeprefix("hotspots_")
        return hotspot_slide(con, city_id, city_names(con)[city_id], window)
    if key == "methods":
        return _methods_slide(b)
    return _closing_slide(b)


def build_briefing(con: duckdb.DuckDBPyConnection, outline: Briefing) -> Briefing:
    """The briefing `outline` (briefing_outline) with all its slides built (for the packs)."""
    cov = coverage(con)
    return replace(outline, slides=tuple(_build_slide(con, outline, key, cov) for key in outline.keys))
