"""Whole months, one source per city, and the City profile's comparison window, on the
tiny geo store (tests/fixtures/geo_stores.py). Its source 'fixture' ends on 2024-03-04,
so its last complete month is February 2024; Memphis has data from January 2023."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analysis.query.filters import CrimeFilter
from analysis.query.scope import (
    Window,
    add_months,
    comparison_window,
    coverage,
    incident_source,
    month_end,
    month_label,
    scoped,
    whole_months,
)


def window(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> Window | None:
    cov = coverage(con, filt.cities[0], filt.sources[0])
    assert cov is not None
    return comparison_window(cov, filt)


MEMPHIS = CrimeFilter(cities=("memphis_tn",), start=date(2023, 1, 3), end=date(2024, 3, 4))


def test_month_arithmetic() -> None:
    assert month_end(date(2024, 2, 10)) == date(2024, 2, 29)
    assert month_end(date(2023, 12, 31)) == date(2023, 12, 31)
    assert add_months(date(2024, 1, 1), -11) == date(2023, 2, 1)
    assert add_months(date(2023, 12, 1), 1) == date(2024, 1, 1)
    assert month_label(date(2025, 1, 1), date(2025, 12, 31)) == "Jan–Dec 2025"
    assert month_label(date(2024, 3, 1), date(2025, 2, 28)) == "Mar 2024 – Feb 2025"
    assert month_label(date(2025, 6, 1), date(2025, 6, 30)) == "Jun 2025"


def test_whole_months_widens_only_the_ends() -> None:
    widened = whole_months(MEMPHIS)
    assert (widened.start, widened.end) == (date(2023, 1, 1), date(2024, 3, 31))
    assert widened.cities == MEMPHIS.cities and widened.offenses == MEMPHIS.offenses


def test_scoped_picks_the_city_source_or_none(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    assert incident_source(tiny_geo, "memphis_tn") == "fixture"
    assert incident_source(tiny_geo, "houston_tx") is None
    filt = scoped(tiny_geo, MEMPHIS)
    assert filt is not None and filt.sources == ("fixture",) and filt.start == date(2023, 1, 1)
    assert scoped(tiny_geo, CrimeFilter(cities=("houston_tx",))) is None
    with pytest.raises(ValueError, match="exactly one city"):
        scoped(tiny_geo, CrimeFilter(cities=("memphis_tn", "springfield_il")))


def test_coverage_last_complete_month(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(tiny_geo, MEMPHIS)
    assert filt is not None
    cov = coverage(tiny_geo, "memphis_tn", "fixture")
    assert cov is not None and coverage(tiny_geo, "houston_tx", "fixture") is None
    assert (cov.first_month, cov.last_month, cov.last_complete_month) == (
        date(2023, 1, 1),
        date(2024, 2, 1),
        date(2024, 2, 1),
    )
    assert "last complete month Feb 2024" in cov.note("x")


def test_default_window_is_last_12_complete_months(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(tiny_geo, MEMPHIS)
    assert filt is not None
    w = window(tiny_geo, filt)
    assert w is not None
    # Chosen Jan 2023 - Mar 2024; March 2024 is incomplete; 12 months end in Feb 2024.
    assert (w.start, w.end) == (date(2023, 3, 1), date(2024, 2, 29))
    assert (w.prior_start, w.prior_end) == (date(2022, 3, 1), date(2023, 2, 28))
    assert w.clipped and w.cut_at_complete and not w.prior_covered  # data start in Jan 2023
    assert w.months == 12 and w.label == "Mar 2023 – Feb 2024"


def test_short_window_compares_same_months(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(
        tiny_geo, CrimeFilter(cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2024, 2, 29))
    )
    assert filt is not None
    w = window(tiny_geo, filt)
    assert w is not None
    assert (w.start, w.end, w.prior_start, w.prior_end) == (
        date(2024, 1, 1),
        date(2024, 2, 29),
        date(2023, 1, 1),
        date(2023, 2, 28),
    )
    assert not w.clipped and not w.cut_at_complete and w.prior_covered
    assert w.label == "Jan–Feb 2024" and w.prior_label == "Jan–Feb 2023"


def test_period_without_data_has_no_window(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(
        tiny_geo, CrimeFilter(cities=("memphis_tn",), start=date(2022, 1, 1), end=date(2022, 6, 30))
    )
    assert filt is not None
    assert window(tiny_geo, filt) is None
