"""Complete spans and year-to-date windows, with answers worked out by hand from
tests/fixtures/tiny_incidents.csv and tests/fixtures/mixed.py."""

from __future__ import annotations

from datetime import date

import duckdb

from analysis.series.periods import SourceSpan, YtdWindow, common_cutoff, coverage


def test_coverage_of_the_tiny_store(tiny: duckdb.DuckDBPyConnection) -> None:
    # The 'fixture' source runs 2023-01-03 .. 2024-03-04: January 2023 is its first month
    # (the busiest month has 10 offenses; every month has at least 5% of that) and, as
    # 2024-03-04 is not a month's last day, February 2024 its last complete month.
    spans = coverage(tiny).spans
    assert spans == (
        SourceSpan("memphis_tn", "fixture", "incidents", date(2023, 1, 1), date(2024, 2, 1)),
        SourceSpan("springfield_il", "fixture", "incidents", date(2023, 1, 1), date(2024, 2, 1)),
    )


def test_coverage_of_published_counts_and_a_stray_month(mixed: duckdb.DuckDBPyConnection) -> None:
    spans = {s.city_id: s for s in coverage(mixed).spans}
    # Houston: published counts Jan 2023 .. Feb 2024 (the June gap stays inside the span).
    assert spans["houston_tx"] == SourceSpan(
        "houston_tx", "published", "counts", date(2023, 1, 1), date(2024, 2, 1)
    )
    # Jackson: 40 offenses a month from Jan 2023 (41 in Feb 2024); March 2015 has 1
    # (< 5% of 41 = 2.05), so it does not start the series. The extract's last day is 2024-02-29: February complete.
    assert spans["jackson_tn"] == SourceSpan(
        "jackson_tn", "portal", "incidents", date(2023, 1, 1), date(2024, 2, 1)
    )
    assert coverage(mixed).cities("counts") == {"houston_tx"}


def test_coverage_params_line_up(tiny: duckdb.DuckDBPyConnection) -> None:
    cities, sources, kinds, firsts, lasts = coverage(tiny).sql_params().values()
    assert cities == ["memphis_tn", "springfield_il"] and sources == ["fixture", "fixture"]
    assert kinds == ["incidents", "incidents"] and firsts == [date(2023, 1, 1)] * 2
    assert lasts == [date(2024, 2, 1)] * 2


def test_ytd_window_by_hand() -> None:
    w = YtdWindow(date(2024, 3, 1))
    assert w.current == (date(2024, 1, 1), date(2024, 3, 31))
    assert w.prior == (date(2023, 1, 1), date(2023, 3, 31))
    assert w.months == 3 and w.early
    assert w.label() == "Jan–Mar 2024 vs Jan–Mar 2023"
    assert "Only 3 months into the year" in w.caveat()
    # A leap February: the current side ends on the 29th, the prior on the 28th.
    feb = YtdWindow(date(2024, 2, 1))
    assert feb.current[1] == date(2024, 2, 29) and feb.prior[1] == date(2023, 2, 28)
    assert YtdWindow(date(2025, 1, 1)).label() == "Jan 2025 vs Jan 2024"
    december = YtdWindow(date(2025, 12, 1))
    assert not december.early and "months into the year" not in december.caveat()


def test_common_cutoff_leaves_out_stale_cities() -> None:
    cutoff, stale = common_cutoff(
        {"a": date(2025, 12, 1), "b": date(2025, 10, 1), "c": date(2023, 6, 1), "d": date(2024, 12, 1)}
    )
    # c ends 30 months before a: left out. d ends exactly 12 months before a: kept, and it
    # is then the last month everybody kept has complete.
    assert stale == {"c": date(2023, 6, 1)}
    assert cutoff == date(2024, 12, 1)
    assert common_cutoff({}) == (None, {})
