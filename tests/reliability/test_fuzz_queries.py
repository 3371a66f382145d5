"""Hostile query strings, scaled down from `python -m bench.reliability` (1,000 there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.pages import dashboard_pages
from bench.reliability import fuzz_queries


@pytest.mark.timeout(1800)  # not a speed check: a shared 2-core machine can be very slow
def test_hostile_query_strings_raise_nothing_and_get_a_notice(demo_store_path: Path) -> None:
    pages = len(dashboard_pages())
    result = fuzz_queries.run(demo_store_path, cases=100, page_sample=2 * pages, seed_value=14)
    print(fuzz_queries.describe(result))
    assert result["defects"] == []
    assert result["layer_runs"] == 200 and result["layer_notices"] == 200  # each link holds a bad city
    assert sorted(result["page_runs"]) == sorted(p["file"] for p in dashboard_pages())
    assert all(n == 2 for n in result["page_runs"].values())
    for page in fuzz_queries.READS_CITY:
        assert result["page_notices"][page] == 2


def test_the_generator_is_hostile() -> None:
    queries = fuzz_queries.generate(200, 3)
    assert len(queries) == 200
    values = [v for q in queries for vs in q.values() for v in vs]
    assert any("\x00" in v for v in values) and any(len(v) >= 5000 for v in values)
    assert any(v.startswith("=cmd") for v in values)
    assert len({k for q in queries for k in q}) > len(fuzz_queries.KEYS)  # unknown keys too
