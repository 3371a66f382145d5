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
