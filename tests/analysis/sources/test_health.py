"""Data health on a hand-built store: an SRS extract, then a NIBRS one, with a gap."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.sources.health import (
    coverage_by_source,
    health_by_city_month,
    months_without_data,
    quarantine_by_reason,
    series_breaks,
)
from ingest.importer import import_file
from kernel.store import connect_readonly

MAPPING = """
[source]
name = "{name}"
kind = "incidents"
standard = "{standard}"
[city]
id = "springfield_il"
[id]
columns = ["id"]
[occurred]
column = "when"
format = "%Y-%m-%d %H:%M"
[offense]
code = "code"
codes_are_nibrs = true
[location]
x = "lon"
y = "lat"
"""


@pytest.fixture(scope="module")
def switch_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """spfd_ucr (SRS): Jan-Feb 2024, with a row outside the city in Feb;
    spfd_nibrs (NIBRS): Apr 2024 only (March has no data), data to Apr 15."""
    tmp = tmp_path_factory.mktemp("health")
    db = tmp / "health.duckdb"
    for name, standard, rows in (
        (
            "spfd_ucr",
            "SRS",
            [
                "1,120,2024-01-05 10:00,-89.65,39.80",
                "2,13A,2024-01-20 22:00,,",
                "3,220,2024-02-03 09:00,-89.64,39.78",
                "4,220,2024-02-10 09:00,-87.60,41.80",
            ],
        ),
        (
            "spfd_nibrs",
            "NIBRS",
            ["10,13A,2024-04-02 01:00,-89.66,39.79", "11,240,2024-04-15 12:00,-89.61,39.77"],
        ),
    ):
        csv = tmp / f"{name}.csv"
        csv.write_text("id,code,when,lon,lat\n" + "\n".join(rows) + "\n")
        mapping = tmp / f"{name}.toml"
        mapping.write_text(MAPPING.format(name=name, standard=standard))
        import_file(db, "generic", csv, mapping=mapping)
    return db


def test_series_breaks_find_the_source_and_standard_switch(switch_store: Path) -> None:
    con = connect_readonly(switch_store)
    breaks = series_breaks(con)
    got = [(str(r.month)[:7], r.data, r.kind, r.before, r.after) for r in breaks.itertuples()]
    assert got == [
        ("2024-04", "incidents", "reporting standard change", "SRS", "NIBRS"),
        ("2024-04", "incidents", "source change", "spfd_ucr", "spfd_nibrs"),
    ]


def test_health_by_city_month(switch_store: Path) -> None:
    con = connect_readonly(switch_store)
    frame = health_by_city_month(con).set_index("month")
    assert list(frame.index.strftime("%Y-%m")) == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert list(frame["incidents"]) == [2, 1, 0, 2]
    assert list(frame["has_data"]) == [True, True, False, True]
    assert frame.loc["2024-01-01", "geocoded_share"] == 0.5
    assert list(frame["quarantined"]) == [0, 1, 0, 0]  # the Chicago point of February
    # Each source covers whole months only: spfd_ucr runs Jan 5 to Feb 3 (January whole,
    # February not), spfd_nibrs Apr 2 to Apr 15 (April not); March has no source at all.
    assert list(frame["complete"]) == [True, False, False, False]
    gaps = months_without_data(con)
    assert [
        (str(a)[:7], str(b)[:7], n)
        for a, b, n in zip(gaps.first_month, gaps.last_month, gaps.months, strict=True)
    ] == [("2024-03", "2024-03", 1)]


def test_coverage_and_quarantine(switch_store: Path) -> None:
    con = connect_readonly(switch_store)
    cov = coverage_by_source(con).set_index("source")
    assert cov.loc["spfd_ucr", "standard"] == "SRS" and cov.loc["spfd_nibrs", "standard"] == "NIBRS"
    assert cov.loc["spfd_ucr", "rows"] == 3 and cov.loc["spfd_ucr", "quarantined"] == 1
    assert cov.loc["spfd_ucr", "last_complete_month"] == pd.Timestamp("2024-01-01")  # data end Feb 3
    reasons = quarantine_by_reason(con)
    assert reasons[["source", "reason", "rows"]].values.tolist() == [
        ["spfd_ucr", "coordinates outside the city", 1]
    ]


def test_demo_store_health_runs(demo: object) -> None:
    import duckdb

    assert isinstance(demo, duckdb.DuckDBPyConnection)
    frame = health_by_city_month(demo)
    assert frame["city_id"].nunique() == 12 and frame["has_data"].all()
    assert series_breaks(demo).empty


def test_months_without_data_runs_by_hand(tiny: object) -> None:
    """Runs of empty months from a health frame: consecutive months form one run, across
    a year end too; a city without gaps has none. (The frame is given, not read.)"""
    import duckdb

    assert isinstance(tiny, duckdb.DuckDBPyConnection)
    months = pd.date_range("2023-10-01", "2024-06-01", freq="MS")
    empty_a = {"2023-12-01", "2024-01-01", "2024-03-01", "2024-04-01", "2024-05-01"}
    health = pd.DataFrame(
        {
            "city_id": ["a_xx"] * len(months) + ["b_xx"] * len(months),
            "name": ["Aville"] * len(months) + ["Btown"] * len(months),
            "month": list(months) * 2,
            "has_data": [str(m.date()) not in empty_a for m in months] + [True] * len(months),
        }
    )
    gaps = months_without_data(tiny, health)
    assert [
        (r.name, str(r.first_month.date()), str(r.last_month.date()), r.months) for r in gaps.itertuples()
    ] == [
        ("Aville", "2023-12-01", "2024-01-01", 2),
        ("Aville", "2024-03-01", "2024-05-01", 3),
    ]
    assert months_without_data(tiny, health[health["city_id"] == "b_xx"]).empty
