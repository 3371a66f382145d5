"""One-line text summaries and source notes for charts (the words under every chart)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analysis.query.scope import month_label
from analysis.series.compare import YtdComparison
from analysis.stats.exact import chance_note, compare_counts
from kernel.vocabulary import OFFENSE_LABELS


@dataclass(frozen=True)
class Summary:
    text: str
    sources_note: str


def trend_summary(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, measure: str = "count") -> Summary:
    """Summarise a counts_by_city_month frame: what is shown, the span, the last 12 months.

    Cities are not ranked; each is described against its own previous 12 months.
    """
    if frame.empty:
        return Summary("No data for this selection.", "")
    first, last = frame["month"].min(), frame["month"].max()
    offense = ", ".join(OFFENSE_LABELS.get(o, o) for o in sorted(frame["offense"].unique()))
    cities = frame["city"].nunique()
    recent = frame[frame["month"] > last - pd.DateOffset(months=12)]
    prior = frame[
        (frame["month"] <= last - pd.DateOffset(months=12))
        & (frame["month"] > last - pd.DateOffset(months=24))
    ]
    now, before = int(recent["count"].sum()), int(prior["count"].sum())
    change = ""
    if before:
        word = "up" if now > before else "down" if now < before else "unchanged"
        change = f" Over the last 12 months the shown cities together recorded {now:,} offenses, {word} from {before:,} in the 12 months before."
    text = (
        f"{offense} per month for {cities} {'city' if cities == 1 else 'cities'}, "
        f"{first:%b %Y} to {last:%b %Y}"
        f"{' as rates per 100,000 residents of each year' if measure == 'rate' else ''}.{change}"
    )
    used = frame.groupby("source")["city"].nunique()
    note = "Source: " + "; ".join(f"{src} ({n} {'city' if n == 1 else 'cities'})" for src, n in used.items())
    note += f". Last month shown: {last:%B %Y}."
    return Summary(text, note)


def coverage_summary(con: duckdb.DuckDBPyConnection, health: pd.DataFrame) -> Summary:
    """One line on coverage from analysis.sources.health.health_by_city_month."""
    if health.empty:
        return Summary("The store holds no data yet: load real data below or build the demo.", "")
    cities = health["name"].nunique()
    gaps = int((~health["has_data"]).sum())
    complete = health[health["complete"].fillna(False).astype(bool)]
    last = (
        complete.groupby("name")["month"].max() if not complete.empty else pd.Series(dtype="datetime64[ns]")
    )
    common = last.min() if len(last) else None
    text = f"{cities} {'city has' if cities == 1 else 'cities have'} data"
    if common is not None and pd.notna(common):
        text += f"; the last month complete for all of them is {common:%B %Y}"
    text += f"; {gaps} city-month{'s' if gaps != 1 else ''} inside their spans have no data at all."
    sources = sorted(
        {
            s
            for col in ("incident_sources", "count_sources")
            for v in health[col].dropna()
            for s in str(v).split(", ")
        }
    )
    return Summary(text, "Sources: " + ", ".join(sources) + ".")


# --- Summaries for the series frames of analysis.series.monthly (Overview and Trends pages) ---

PERIOD_WORDS = {"month": ("month", "months"), "week": ("week", "weeks")}


def line_sources(frame: pd.DataFrame, fmt: str = "%b %Y") -> str:
    """'Houston: ucr_return_a Jan 2010–Dec 2023, rtci Jan–Jul 2024; Memphis: rtci ...': per
    city the runs of periods each source supplies (a line can change source where a
    higher-ranked source stops; rows without a source are gaps).

    One sort and one pass over plain arrays: a pandas groupby per city and per run cost
    about 10 ms a city, and the Overview draws this note four times per rerun."""
    known = frame.dropna(subset=["source"]).sort_values(["city", "period"], kind="stable")
    if known.empty:
        return ""
    city = known["city"].astype(str).to_numpy(dtype=object)
    source = known["source"].astype(str).to_numpy(dtype=object)
    period = known["period"].to_numpy()
    # A run starts where the city or the source changes (periods are sorted within a city).
    starts = np.flatnonzero(np.r_[True, (city[1:] != city[:-1]) | (source[1:] != source[:-1])])
    stops = np.r_[starts[1:], len(city)] - 1
    by_city: dict[str, dict[str, list[str]]] = {}
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        first, last = pd.Timestamp(period[a]), pd.Timestamp(period[b])
        if fmt == "%b %Y":
            span = month_label(first.date(), last.date())
        else:
            span = f"{first:{fmt}}" if first == last else f"{first:{fmt}}–{last:{fmt}}"
        by_city.setdefault(city[a], {}).setdefault(source[a], []).append(span)
    return "; ".join(
        f"{name}: " + ", ".join(f"{src} {' and '.join(spans)}" for src, spans in merged.items())
        for name, merged in by_city.items()
    )


def coverage_note(frame: pd.DataFrame, granularity: str = "month", extra: str = "") -> str:
    """'Source: demo (12 cities). Complete months only; last complete month: December 2025.'

    `frame` has city, source and period columns. When cities end at different periods the
    note names the ones that end earlier than the latest.
    """
    if frame.empty:
        return "No data for this selection." + (f" {extra}" if extra else "")
    fmt = "%b %Y" if granularity == "month" else "%d %b %Y"
    note = "Source of each line: " + line_sources(frame, fmt)
    one, many = PERIOD_WORDS.get(granularity, ("month", "months"))
    ends = frame.groupby("city")["period"].max()
    last = ends.max()
    when = f"{last:%B %Y}" if granularity == "month" else f"the week of {last:%d %b %Y}"
    note += f". Complete {many} only; last complete {one}: {when}"
    earlier = ends[ends < last]
    if len(earlier):
        fmt = "%b %Y" if granularity == "month" else "%d %b %Y"
        note += " (" + ", ".join(f"{c}: {d:{fmt}}" for c, d in earlier.sort_index().items()) + ")"
    note += "."
    return note + (f" {extra}" if extra else "")


def series_summary(frame: pd.DataFrame, measure: str, granularity: str) -> str:
    """What the series chart shows, and the shown cities' last 12 months against the 12
    before (with the Poisson judgement), when every shown city has both complete."""
    if frame.empty:
        return "No data for this selection."
    offense = ", ".join(OFFENSE_LABELS.get(o, o) for o in sorted(frame["offense"].unique()))
    one, _ = PERIOD_WORDS.get(granularity, ("month", "months"))
    cities = frame["city"].nunique()
    first, last = frame["period"].min(), frame["period"].max()
    fmt = "%b %Y" if granularity == "month" else "%d %b %Y"
    text = (
        f"{offense} per {one} in {cities} {'city' if cities == 1 else 'cities'}, {first:{fmt}} to {last:{fmt}}"
        f"{', as rates per 100,000 residents of each year' if measure == 'rate' else ''}."
    )
    ends = frame.groupby("city_id")["period"].max()
    common_end = ends.min()
    recent = frame[
        (frame["period"] > common_end - pd.DateOffset(months=12)) & (frame["period"] <= common_end)
    ]
    before = frame[
        (frame["period"] > common_end - pd.DateOffset(months=24))
        & (frame["period"] <= common_end - pd.DateOffset(months=12))
    ]
    if granularity != "month":
        return text
    complete = (
        recent.groupby("city_id")["period"].nunique().ge(12).reindex(ends.index, fill_value=False).all()
        and before.groupby("city_id")["period"].nunique().ge(12).reindex(ends.index, fill_value=False).all()
        and recent["count"].notna().all()
        and before["count"].notna().all()
    )
    if complete:
        year_before = common_end - pd.DateOffset(months=12)
        change = compare_counts(
            int(recent["count"].sum()),
            int(before["count"].sum()),
            _twelve_month_days(common_end),
            _twelve_month_days(year_before),
        )
        text += (
            f" In the 12 months to {common_end:{fmt}} the shown cities together recorded "
            f"{change.current:,} offenses: {change.text()} against the 12 months before."
        )
    return text


def _twelve_month_days(last: pd.Timestamp) -> int:
    """Days in the 12 months ending with month `last`."""
    return int((last + pd.offsets.MonthEnd(0) - (last - pd.DateOffset(months=11))).days) + 1


def spread_summary(table: pd.DataFrame, compared: str) -> str:
    """'12 months to Dec 2025 against the 12 months to Dec 2024: lower in 8 of 12 cities
    (notable or strong in 6), higher in 3 (notable or strong in 1), unchanged in 1.'

    `table` has a month column and add_change's columns; `compared` is a template with
    {now} and {before} (the month and the same month a year earlier).
    """
    judged = table.dropna(subset=["p"])
    if judged.empty:
        return "No city has a complete comparison with a year before."
    last = pd.Timestamp(judged["month"].max())
    words = compared.format(now=f"{last:%b %Y}", before=f"{last - pd.DateOffset(years=1):%b %Y}")
    if judged["month"].nunique() > 1:
        words += " (each city at its own last complete month)"
    down = judged[judged["direction"] == "down"]
    up = judged[judged["direction"] == "up"]
    same = len(judged) - len(down) - len(up)
    n = len(judged)

    def firm(part: pd.DataFrame) -> int:
        return int((part["strength"] != "not notable").sum())

    return (
        f"{words[0].upper()}{words[1:]}: lower in {len(down)} of {n} {'city' if n == 1 else 'cities'}"
        f" (notable or strong in {firm(down)}), higher in {len(up)} (notable or strong in {firm(up)})"
        f"{f', unchanged in {same}' if same else ''}. Percentages are withheld below 10 offenses. "
        + chance_note(n, firm(down) + firm(up), "changes")
    )


def seasonal_summary(profile: pd.DataFrame, measure: str, where: str) -> str:
    """Which month of the year is highest and lowest on average over the complete years."""
    if profile.empty:
        return "No data for a seasonal profile."
    full_years = profile.groupby("year")["month_of_year"].nunique()
    years = full_years[full_years == 12].index
    if len(years) == 0:
        return f"No complete calendar year for {where} yet: the profile shows the months there are."
    mean = profile[profile["year"].isin(years)].groupby("month_of_year")[measure].mean()
    overall = mean.mean()
    if overall == 0:
        return f"No offenses in {where} in the complete years."
    high, low = int(mean.idxmax()), int(mean.idxmin())
    return (
        f"{where[0].upper()}{where[1:]}, averaged over {len(years)} complete "
        f"year{'s' if len(years) > 1 else ''}: the highest month is {calendar.month_name[high]} "
        f"({(mean[high] / overall - 1) * 100:+.0f}% against the average month), the lowest "
        f"{calendar.month_name[low]} ({(mean[low] / overall - 1) * 100:+.0f}%)."
    )


def ytd_note(comparison: YtdComparison, extra: str = "") -> str:
    """The source note of a YTD comparison: sources and the month it is cut at."""
    if comparison.window is None:
        return "No complete months for a year-to-date comparison." + (f" {extra}" if extra else "")
    return coverage_note(comparison.table.assign(period=pd.Timestamp(comparison.window.cutoff)), extra=extra)
