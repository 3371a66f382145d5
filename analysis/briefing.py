"""The briefing: one ordered list of slides, built once from the analysis functions and
rendered three ways (PowerPoint, PDF, and the presenter view in the app).

A slide carries one message (a sentence a chief can say out loud), an optional Plotly
figure or table, and speaker notes with the numbers. Figures are the same builders the
pages use, so an exported chart is the chart on screen, not a re-drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import duckdb
import pandas as pd
import plotly.graph_objects as go

from analysis.charts import trend_chart
from analysis.filters import OFFENSE_LABELS, CrimeFilter
from analysis.goal_series import FIREARM_VIOLENT, firearm_violent_by_city_month
from analysis.goals import STATUS_RULE, goal_status_by_city
from analysis.health import last_complete_month_by_city, store_sources
from analysis.metrics import counts_by_city_month
from analysis.registry_read import city_names
from analysis.stats import compare_counts

DEFAULT_BASE_URL = "http://127.0.0.1:8501"


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


@dataclass(frozen=True)
class Briefing:
    """What a pack is about and its slides, in order."""

    cities: tuple[str, ...]
    city_label: str
    year: int
    period_label: str
    cutoff: date
    demo: bool
    sources: tuple[str, ...]
    generated_at: datetime
    link: str
    slides: list[Slide] = field(default_factory=list)


@dataclass(frozen=True)
class Period:
    """The briefing period: January to the cutoff month of `year`, against the same
    months of the year before (METHODS.md: YTD with the same cutoff in both years)."""

    year: int
    cutoff: date  # first day of the last complete month included

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def prior_start(self) -> date:
        return date(self.year - 1, 1, 1)

    @property
    def prior_cutoff(self) -> date:
        return date(self.year - 1, self.cutoff.month, 1)

    @property
    def end(self) -> date:
        """Last day of the cutoff month (filters take inclusive end dates)."""
        following = date(self.cutoff.year + self.cutoff.month // 12, self.cutoff.month % 12 + 1, 1)
        return following - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.cutoff.month == 12:
            return f"{self.year} (full year) vs {self.year - 1}"
        return f"Jan–{self.cutoff:%b} {self.year} vs Jan–{self.cutoff:%b} {self.year - 1}"


def briefing_period(con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], year: int) -> Period:
    """Cut the period at the last month every chosen city has complete (at most December)."""
    complete = last_complete_month_by_city(con)
    chosen = [m for c, m in complete.items() if not cities or c in cities]
    if not chosen:
        raise ValueError("the store has no complete month for the chosen cities")
    last = min(chosen)
    if last < date(year, 1, 1):
        raise ValueError(f"no complete month in {year} for every chosen city (the data ends {last:%B %Y})")
    cutoff = min(last, date(year, 12, 1))
    return Period(year=year, cutoff=cutoff)


def view_link(base_url: str, page: str, params: dict[str, str | list[str]]) -> str:
    """A link that reopens a view of the dashboard (the pages read these query params)."""
    return f"{base_url.rstrip('/')}/{page}?{urlencode(params, doseq=True)}"


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


FIREARM_LABEL = "Firearm-involved violent crime"


def _trend_slide(
    con: duckdb.DuckDBPyConnection, cities: tuple[str, ...], offense: str, period: Period
) -> Slide:
    if offense == FIREARM_VIOLENT:
        filt = CrimeFilter(cities=cities, start=date(period.year - 4, 1, 1), end=period.end)
        frame = firearm_violent_by_city_month(con, filt)
        label = FIREARM_LABEL
    else:
        filt = CrimeFilter(
            cities=cities, offenses=(offense,), start=date(period.year - 4, 1, 1), end=period.end
        )
        frame = counts_by_city_month(con, filt)
        label = OFFENSE_LABELS[offense]
    measure = "rate" if len(cities) != 1 else "count"
    if frame.empty:
        why = (
            " Weapon involvement is only known where incident data records it; published "
            "monthly counts carry no weapon."
            if offense == FIREARM_VIOLENT
            else ""
        )
        return Slide(
            key=f"trend_{offense}",
            title=f"{label}: monthly trend",
            message=f"No {label.lower()} data for this selection.{why}",
        )
    now = frame[
        (frame["month"] >= pd.Timestamp(period.start)) & (frame["month"] <= pd.Timestamp(period.cutoff))
    ]
    before = frame[
        (frame["month"] >= pd.Timestamp(period.prior_start))
        & (frame["month"] <= pd.Timestamp(period.prior_cutoff))
    ]
    n_now, n_before = int(now["count"].sum()), int(before["count"].sum())
    change = compare_counts(n_now, n_before)
    message = f"{label}: {change.text()} — {period.label}."
    notes = (
        f"{label}, {period.label}: {n_now:,} offenses vs {n_before:,}. Judgement: {change.strength} "
        f"(Poisson z = {change.z:+.2f}). Chart: {'rate per 100,000 residents' if measure == 'rate' else 'counts'} "
        f"per month, {frame['month'].min():%b %Y} to {frame['month'].max():%b %Y}."
    )
    return Slide(
        key=f"trend_{offense}",
        title=f"{label}: monthly trend",
        message=message,
        figure=trend_chart(frame, measure),
        data=frame[["city", "month", "count", "rate", "source"]].copy(),
        notes=notes,
    )


def _goals_slide(con: duckdb.DuckDBPyConnection, cities: tuple[str, ...]) -> Slide:
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


def _methods_slide(b: Briefing) -> Slide:
    bullets = (
        "Violent crime = murder and nonnegligent manslaughter, rape, robbery, aggravated assault (FBI UCR).",
        "Rates are per 100,000 residents with each year's population; cities are compared by rate, never ranked.",
        f"Year-to-date comparisons use the same cutoff in both years ({b.period_label}); early-year figures are noisy.",
        "Change judgement: Poisson z = 2(√current − √previous); |z| ≥ 2 notable, |z| ≥ 3 strong; no % below 10 events.",
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


def build_briefing(
    con: duckdb.DuckDBPyConnection,
    cities: tuple[str, ...],
    year: int,
    base_url: str = DEFAULT_BASE_URL,
    now: datetime | None = None,
) -> Briefing:
    """All slides for `cities` (empty = all 12) and calendar `year`."""
    names = city_names(con)
    unknown = [c for c in cities if c not in names]
    if unknown:
        raise ValueError(f"unknown city {unknown[0]!r}; known: {', '.join(names)}")
    period = briefing_period(con, cities, year)
    label = (
        names[cities[0]]
        if len(cities) == 1
        else (
            "All 12 PSP cities"
            if not cities or len(cities) == len(names)
            else ", ".join(names[c] for c in cities)
        )
    )
    sources = tuple(store_sources(con))
    params: dict[str, str | list[str]] = {"start": str(period.prior_start), "end": str(period.end)}
    if cities:
        params["city"] = list(cities)
    b = Briefing(
        cities=cities,
        city_label=label,
        year=year,
        period_label=period.label,
        cutoff=period.cutoff,
        demo="demo" in sources,
        sources=sources,
        generated_at=now or datetime.now(),
        link=view_link(base_url, "trends", params),
    )
    b.slides.append(_title_slide(b))
    b.slides.append(_goals_slide(con, cities))
    for offense in ("violent_crime", "murder", FIREARM_VIOLENT):
        b.slides.append(_trend_slide(con, cities, offense, period))
    b.slides.append(_methods_slide(b))
    b.slides.append(_closing_slide(b))
    return b
