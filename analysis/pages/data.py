"""What the Data page shows, computed in one call (the design: analysis.pages.overview):
what the store holds, how complete it is, where its numbers come from and what was
imported."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.query.registry import import_log
from analysis.series.provenance import agreement, source_runs
from analysis.sources.health import (
    coverage_by_source,
    health_by_city_month,
    months_without_data,
    quarantine_by_reason,
    series_breaks,
)
from analysis.text.summaries import Summary, coverage_summary


@dataclass(frozen=True)
class DataPageData:
    """health: coverage per city and month, with its summary; sources: per city x source;
    runs: which source each city's official counts come from; agreement: two qualifying
    sources side by side; breaks; gaps: months with no data inside a city's span;
    quarantine: held-back rows by reason; imports: the import log."""

    health: pd.DataFrame
    summary: Summary
    sources: pd.DataFrame
    runs: pd.DataFrame
    agreement: pd.DataFrame
    breaks: pd.DataFrame
    gaps: pd.DataFrame
    quarantine: pd.DataFrame
    imports: pd.DataFrame


def data_page(con: duckdb.DuckDBPyConnection) -> DataPageData:
    """Everything the Data page draws."""
    health = health_by_city_month(con)
    return DataPageData(
        health=health,
        summary=coverage_summary(con, health),
        sources=coverage_by_source(con),
        runs=source_runs(con),
        agreement=agreement(con),
        breaks=series_breaks(con),
        gaps=months_without_data(con, health),
        quarantine=quarantine_by_reason(con),
        imports=import_log(con),
    )
