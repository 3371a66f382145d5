"""The Memphis selection the map and profile tests share: January-February 2024 of the
fixture source in the tiny geo store, and its comparison window (the same months of 2023)."""

from __future__ import annotations

from datetime import date

import duckdb

from analysis.query.filters import CrimeFilter
from analysis.query.scope import Window, comparison_window, coverage

MEMPHIS_2024 = CrimeFilter(
    cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2024, 2, 29), sources=("fixture",)
)


def memphis_window(con: duckdb.DuckDBPyConnection) -> Window:
    """The comparison window of MEMPHIS_2024 on the fixture source."""
    cov = coverage(con, "memphis_tn", "fixture")
    assert cov is not None
    window = comparison_window(cov, MEMPHIS_2024)
    assert window is not None
    return window
