"""The official series on the real files of ../shared/data: the figures of issue 11,
each checked against the raw files' publishers (RTCI, FBI Return A), and the defects it
reported, reproduced and fixed.

`real_store` holds the files the issue was written on (README order, no Return A);
`full_store` adds the twelve FBI Return A files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.query.filters import CrimeFilter
from analysis.series.monthly import period_series
from analysis.series.periods import coverage
from analysis.series.provenance import agreement, source_runs
from analysis.stats.alerts import alerts_from_cusum
from analysis.stats.cusum import cusum_by_series
from ingest.importer import import_file
from kernel.store import connect_readonly
from tests.ingest.helpers import MURDERS_2019, Imported, by_name, read_only

README_QUERY = """
select c.name, year(m.month) as year, sum(m.count) as violent
from official_monthly m join cities c using (city_id)
where m.offense = ? group by all
"""


@pytest.fixture(scope="module")
def real(real_store: Imported) -> Iterator[duckdb.DuckDBPyConnection]:
    with read_only(real_store[0]) as con:
        yield con


@pytest.fixture(scope="module")
def full_store(
    real_store: Imported,
    shared_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    path = tmp_path_factory.mktemp("full") / "full.duckdb"
    shutil.copyfile(real_store[0], path)
    for file in sorted((shared_data / "raw" / "ucr_return_a").glob("*.csv.gz")):
        import_file(path, "ucr_return_a", file)
    return path


@pytest.fixture(scope="module")
def full(full_store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with read_only(full_store) as con:
        yield con


def yearly(con: duckdb.DuckDBPyConnection, offense: str, year: int) -> dict[str, int]:
    rows = con.execute(README_QUERY, [offense]).fetchall()
    return {r[0]: int(r[2]) for r in rows if r[1] == year}


def kc_property_h1_2020(con: duckdb.DuckDBPyConnection) -> list[int]:
    frame = period_series(
        con,
        CrimeFilter(
            cities=("kansas_city_mo",),
            offenses=("property_crime",),
            start=pd.Timestamp("2020-01-01").date(),
            end=pd.Timestamp("2020-06-30").date(),
        ),
        coverage(con),
    )
    return [int(v) for v in frame["count"]]


def test_kansas_city_property_crime_is_not_zero(real: duckdb.DuckDBPyConnection) -> None:
    # Was 0 every month Jan-Jun 2020 on Trends: the KCPD file (rape, theft and vehicle
    # theft only) won a span tie-break. Now the RTCI's property crime, 8,638 in all.
    counts = kc_property_h1_2020(real)
    assert len(counts) == 6 and min(counts) > 1000 and sum(counts) == 8638


def test_readme_query_on_the_official_series(real: duckdb.DuckDBPyConnection) -> None:
    # Summing every source gave 12,047 and 557.
    assert yearly(real, "violent_crime", 2019)["Indianapolis"] == 7831
    assert yearly(real, "murder", 2019)["Houston"] == 281


def test_alerts_score_each_series_over_its_own_span(real: duckdb.DuckDBPyConnection) -> None:
    cusum = cusum_by_series(real)
    houston = cusum[(cusum["city_id"] == "houston_tx") & (cusum["offense"] == "murder")].set_index("month")
    # Aug 2024-Apr 2025 come from HPD's counts by ZCTA (the RTCI stops in July 2024): scored
    # with their own counts, never as 0.
    late = houston.loc["2024-08-01":"2025-04-01"]
    assert len(late) == 9 and (late["count"] > 0).all() and late["scored"].all()
    # Indianapolis and Kansas City are scored to their own last month.
    for city in ("indianapolis_in", "kansas_city_mo"):
        own = cusum[cusum["city_id"] == city]
        assert own["month"].max() == pd.Timestamp("2024-07-01") and own["scored"].any()
    alerts = alerts_from_cusum(cusum)
    assert {"indianapolis_in", "kansas_city_mo"} <= set(alerts["city_id"])


def test_official_2019_murders_are_the_fbi_figures(full: duckdb.DuckDBPyConnection) -> None:
    murders = yearly(full, "murder", 2019)
    expected = by_name(MURDERS_2019)
    assert {c: murders[c] for c in expected} == expected
    assert yearly(full, "violent_crime", 2019)["Indianapolis"] == 7831
    sources = full.execute(
        "select distinct source from official_monthly where year(month) = 2019 and offense = 'murder'"
    ).fetchall()
    assert sources == [("ucr_return_a",)]


def test_return_a_first_and_the_rtci_beside_it(full: duckdb.DuckDBPyConnection) -> None:
    # Kansas City, Jan-Jun 2020: Return A's 8,705 property crimes are official; the RTCI's
    # 8,638 stays queryable and is compared in the agreement table.
    assert sum(kc_property_h1_2020(full)) == 8705
    rtci = full.execute(
        "select sum(count) from official_candidates where city_id = 'kansas_city_mo' and source = 'rtci'"
        " and offense = 'property_crime' and month between '2020-01-01' and '2020-06-01' and qualifies"
    ).fetchone()
    assert rtci == (8638,)
    table = agreement(full)
    kc = table[
        (table["city_id"] == "kansas_city_mo")
        & (table["offense"] == "property_crime")
        & (table["year"] == 2020)
    ]
    assert kc[["official_source", "other_source"]].values.tolist() == [["ucr_return_a", "rtci"]]
    # Birmingham, Jackson and Lansing (no RTCI) have official series from Return A; a month
    # Birmingham did not report (all of 2019) has none.
    runs = source_runs(full)
    for city in ("Birmingham", "Jackson", "Lansing"):
        assert set(runs[runs["city"] == city]["sources"]) == {"ucr_return_a"}
    birmingham_2019 = full.execute(
        "select count(*) from official_monthly where city_id = 'birmingham_al' and year(month) = 2019"
    ).fetchone()
    assert birmingham_2019 == (0,)
    # Every city has an official series from January 2010, Birmingham from 2011 (its 2010
    # rows are blank: not reported).
    first = dict(full.execute("select city_id, min(month) from official_monthly group by city_id").fetchall())
    assert len(first) == 12
    assert {c: str(m)[:7] for c, m in first.items() if str(m)[:7] != "2010-01"} == {
        "birmingham_al": "2011-01"
    }


def test_an_area_extract_never_becomes_citywide(store: Path, tmp_path: Path) -> None:
    """A newcomer's generic mapping that declares neither coverage nor part1_scope: the
    incidents are kept, nothing reaches the city's counts, and the summary says so."""
    csv = tmp_path / "district.csv"
    csv.write_text(
        "id,code,when\n"
        + "\n".join(f"{i},13A,2024-{m:02d}-{d:02d} 10:00" for i, (m, d) in enumerate(
            [(m, d) for m in range(1, 4) for d in range(1, 29)]
        ))
        + "\n"
    )  # fmt: skip
    mapping = tmp_path / "district.toml"
    mapping.write_text(
        '[source]\nname = "district_9"\nkind = "incidents"\n[city]\nid = "springfield_il"\n'
        '[id]\ncolumns = ["id"]\n[occurred]\ncolumn = "when"\nformat = "%Y-%m-%d %H:%M"\n'
        '[offense]\ncode = "code"\ncodes_are_nibrs = true\n'
    )
    report = import_file(store, "generic", csv, mapping=mapping)
    assert report.rows_accepted == 84
    assert any('coverage = "area"' in note and "citywide counts" in note for note in report.notes)
    con = connect_readonly(store)
    assert con.execute("select count(*) from monthly_counts").fetchone() == (0,)
    assert con.execute("select count(*) from official_monthly").fetchone() == (0,)
    assert con.execute("select coverage from source_spans where source = 'district_9'").fetchall() == [
        ("area",)
    ]
    con.close()
