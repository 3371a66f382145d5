"""One-line text summaries and source notes for charts (the words under every chart)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.filters import OFFENSE_LABELS


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
    """One line on coverage from analysis.health.health_by_city_month."""
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
