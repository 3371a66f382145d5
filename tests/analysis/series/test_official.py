"""The official series (analysis/series/official.py) on small stores with hand-computed answers:
every branch of the precedence, what qualifies, each series' own span in the alerts,
and the agreement table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.query.filters import CrimeFilter
from analysis.series.monthly import period_series
from analysis.series.periods import coverage
from analysis.series.provenance import agreement, candidates, last_month_by_city, source_runs
from analysis.series.rates import counts_by_city_month
from analysis.stats.alerts import alerts_from_cusum, unjudged_series
from analysis.stats.cusum import cusum_by_series
from analysis.stats.cusum_params import CUSUM
from ingest.registry import load_registry
from ingest.rollups import rebuild_rollups
from ingest.store import finish_import, start_import, write_store

M = date  # month helper: M(2019, 1, 1)


def _counts(con: duckdb.DuckDBPyConnection, source: str, rows: list[tuple[str, date, str, int]]) -> None:
    import_id = start_import(con, source, "monthly_counts", "test", coverage="city")
    con.executemany(
        "insert into monthly_counts (city_id, month, offense, count, source) values (?, ?, ?, ?, ?)",
        [[c, m, o, n, source] for c, m, o, n in rows],
    )
    finish_import(con, import_id, rows_read=len(rows), rows_accepted=len(rows))


def _from_january(city_id: str, offense: str, counts: list[int]) -> list[tuple[str, date, str, int]]:
    """Rows of one monthly series: counts[0] is January 2019, counts[1] February, ..."""
    return [(city_id, M(2019, i + 1, 1), offense, n) for i, n in enumerate(counts)]


def _incidents(
    con: duckdb.DuckDBPyConnection,
    source: str,
    city_id: str,
    rows: list[tuple[str, str]],
    coverage: str,
    scope: list[str],
) -> None:
    """rows: (timestamp, NIBRS code)."""
    import_id = start_import(con, source, "incidents", "test", coverage=coverage, part1_scope=scope)
    for i, (when, code) in enumerate(rows):
        con.execute(
            """
            insert into incidents (incident_id, city_id, occurred_at, reported_at, nibrs_code, offense,
                local_offense, part1_offense, offense_group, crime_against, firearm, lat, lon, h3_r9,
                district, source, source_id, import_id)
            select (select coalesce(max(incident_id), 0) + 1 from incidents), ?, ?::timestamp, ?::timestamp,
                   o.nibrs_code, o.name, o.nibrs_code, o.part1_offense, o.offense_group, o.crime_against,
                   null, null, null, null, null, ?, ?, ?
            from offenses o where o.nibrs_code = ?
            """,
            [city_id, when, when, source, f"{source}-{i}", import_id, code],
        )
    rebuild_rollups(con, [source])
    finish_import(con, import_id, rows_read=len(rows), rows_accepted=len(rows))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("official") / "official.duckdb"
    with write_store(path) as con:
        load_registry(con)
        # Memphis: Return A reports Jan and Feb 2019 (March not reported: no row); RTCI Jan-Apr.
        _counts(
            con,
            "ucr_return_a",
            [
                *_from_january("memphis_tn", "murder", [10, 11]),
                *_from_january("memphis_tn", "violent_crime", [100, 100]),
            ],
        )
        _counts(
            con,
            "rtci",
            [
                *_from_january("memphis_tn", "murder", [12, 11, 13, 14]),
                *_from_january("memphis_tn", "violent_crime", [110, 104]),
            ],
        )
        # Houston: other published counts Jan-Apr (rank 4); the city's records (rank 3,
        # declared complete for murder only) run 1 Feb to 31 Mar.
        _counts(con, "agency_counts", _from_january("houston_tx", "murder", [5, 5, 5, 5]))
        _incidents(
            con,
            "hpd_rms",
            "houston_tx",
            [("2019-02-01 01:00", "09A"), ("2019-02-15 12:00", "09A"), ("2019-03-31 22:00", "220")],
            coverage="city",
            scope=["murder"],
        )
        # Springfield: a citywide extract from 1 January to 12 March 2019, one burglary a day
        # (March is only partly covered), and an area extract with a robbery.
        days = pd.date_range("2019-01-01", "2019-03-12", freq="D")
        _incidents(
            con,
            "spd",
            "springfield_il",
            [(f"{d:%Y-%m-%d} 10:00", "220") for d in days],
            coverage="city",
            scope=[
                "murder",
                "rape",
                "robbery",
                "aggravated_assault",
                "burglary",
                "theft",
                "motor_vehicle_theft",
            ],
        )
        _incidents(
            con, "district_7", "springfield_il", [("2019-01-05 10:00", "120")], coverage="area", scope=[]
        )
    return path


@pytest.fixture(scope="module")
def con(store: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(store), read_only=True)


def official(con: duckdb.DuckDBPyConnection, city: str, offense: str) -> list[tuple[str, int, str]]:
    rows = con.execute(
        "select strftime(month, '%Y-%m'), count, source from official_monthly"
        " where city_id = ? and offense = ? order by month",
        [city, offense],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def test_return_a_first_then_rtci_where_return_a_has_no_month(con: duckdb.DuckDBPyConnection) -> None:
    assert official(con, "memphis_tn", "murder") == [
        ("2019-01", 10, "ucr_return_a"),
        ("2019-02", 11, "ucr_return_a"),
        ("2019-03", 13, "rtci"),  # not reported to Return A: the next rank, never 0
        ("2019-04", 14, "rtci"),
    ]
    row = con.execute(
        "select rank, kind, alternatives, reason from official_monthly"
        " where city_id = 'memphis_tn' and offense = 'murder' and month = '2019-01-01'"
    ).fetchone()
    assert row == (1, "return_a", 1, "qualifies: FBI Return A (rank 1)")
    # The count not chosen stays queryable, with its verdict.
    alternatives = candidates(con, "memphis_tn", "murder")
    jan = alternatives[alternatives["month"] == pd.Timestamp("2019-01-01")]
    assert jan[["source", "count", "rank", "chosen"]].values.tolist() == [
        ["ucr_return_a", 10, 1, True],
        ["rtci", 12, 2, False],
    ]


def test_incident_records_before_other_counts_with_true_zeros(con: duckdb.DuckDBPyConnection) -> None:
    # Feb and Mar are whole months of hpd_rms (1 Feb to 31 Mar): 2 murders, then a true 0.
    assert official(con, "houston_tx", "murder") == [
        ("2019-01", 5, "agency_counts"),
        ("2019-02", 2, "hpd_rms"),
        ("2019-03", 0, "hpd_rms"),
        ("2019-04", 5, "agency_counts"),
    ]
    # hpd_rms is declared complete for murder only: no burglary and no totals from it.
    assert official(con, "houston_tx", "burglary") == []
    assert official(con, "houston_tx", "violent_crime") == []


def test_partly_covered_months_and_area_extracts_do_not_qualify(con: duckdb.DuckDBPyConnection) -> None:
    # 31 + 28 burglaries in the whole months; the 12 days of March are not a month.
    assert official(con, "springfield_il", "burglary") == [("2019-01", 31, "spd"), ("2019-02", 28, "spd")]
    march = con.execute(
        "select count, qualifies, reason from official_candidates where source = 'spd'"
        " and offense = 'burglary' and month = '2019-03-01'"
    ).fetchone()
    assert march == (12, False, "month not wholly inside the months the extract covers")
    # The area extract never reaches the city's counts (not even its robbery).
    assert con.execute("select count(*) from monthly_counts where source = 'district_7'").fetchone() == (0,)
    assert official(con, "springfield_il", "robbery") == [("2019-01", 0, "spd"), ("2019-02", 0, "spd")]
    spans = con.execute(
        "select source, coverage, first_month, last_month from source_spans order by source"
    ).df()
    assert spans[spans["source"] == "spd"][["first_month", "last_month"]].values.tolist() == [
        [pd.Timestamp("2019-01-01"), pd.Timestamp("2019-02-01")]
    ]
    assert coverage(con).cities("incidents") == {"houston_tx", "springfield_il"}
    assert "district_7" not in {s.source for s in coverage(con).spans}


def test_pages_read_the_official_series(con: duckdb.DuckDBPyConnection) -> None:
    frame = counts_by_city_month(con, CrimeFilter(cities=("houston_tx",), offenses=("murder",)))
    assert frame["count"].tolist() == [5, 2, 0, 5]
    assert frame["source"].tolist() == ["agency_counts", "hpd_rms", "hpd_rms", "agency_counts"]
    series = period_series(con, CrimeFilter(cities=("memphis_tn",), offenses=("murder",)), coverage(con))
    assert series["count"].tolist() == [10, 11, 13, 14]
    assert last_month_by_city(con) == {
        "memphis_tn": date(2019, 4, 1),
        "houston_tx": date(2019, 4, 1),
        "springfield_il": date(2019, 2, 1),
    }
    runs = source_runs(con).set_index("city")["sources"].to_dict()
    assert runs == {
        "Houston": "agency_counts + hpd_rms",
        "Memphis": "ucr_return_a + rtci",
        "Springfield": "spd",
    }


def test_agreement_table(con: duckdb.DuckDBPyConnection) -> None:
    table = agreement(con)
    memphis = table[table["city_id"] == "memphis_tn"].set_index("offense")
    # Murder, the months both report (Jan, Feb): 10 + 11 = 21 against 12 + 11 = 23: +2,
    # +9.5%, not flagged (2 offenses). Violent crime: 200 against 214: +14, +7.0%, flagged.
    assert memphis.loc["murder", ["months", "official", "other", "diff", "pct", "flagged"]].tolist() == [
        2, 21, 23, 2, 9.5, False,
    ]  # fmt: skip
    assert memphis.loc["violent_crime", ["months", "official", "other", "diff", "pct", "flagged"]].tolist() == [
        2, 200, 214, 14, 7.0, True,
    ]  # fmt: skip
    assert set(memphis["official_source"]) == {"ucr_return_a"} and set(memphis["other_source"]) == {"rtci"}
    # Houston Feb-Mar: hpd_rms 2 + 0 against agency_counts 5 + 5: -8, -400%: flagged.
    houston = table[table["city_id"] == "houston_tx"].iloc[0]
    assert (houston["official"], houston["other"], houston["diff"], bool(houston["flagged"])) == (
        2,
        10,
        8,
        True,
    )


@pytest.fixture(scope="module")
def spans_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Toledo's counts end in December 2023 (a rise in its last three months), Buffalo's
    run to June 2024 (flat), Lansing has 18 months only."""
    path = tmp_path_factory.mktemp("spans") / "spans.duckdb"
    toledo = pd.date_range("2019-01-01", "2023-12-01", freq="MS")
    buffalo = pd.date_range("2019-01-01", "2024-06-01", freq="MS")
    lansing = pd.date_range("2023-01-01", "2024-06-01", freq="MS")
    rows = [
        ("toledo_oh", m.date(), "violent_crime", 200 if m >= pd.Timestamp("2023-10-01") else 100)
        for m in toledo
    ]
    rows += [("buffalo_ny", m.date(), "violent_crime", 50) for m in buffalo]
    rows += [("lansing_mi", m.date(), "violent_crime", 30) for m in lansing]
    with write_store(path) as con:
        load_registry(con)
        _counts(con, "rtci", rows)
    return path


def test_alerts_score_each_series_over_its_own_span(spans_store: Path) -> None:
    con = duckdb.connect(str(spans_store), read_only=True)
    cusum = cusum_by_series(con)
    ends = cusum.groupby("city_id")["month"].max()
    # Toledo is not padded with zeros to Buffalo's June 2024, nor Buffalo cut at Toledo's end.
    assert ends.to_dict() == {
        "buffalo_ny": pd.Timestamp("2024-06-01"),
        "lansing_mi": pd.Timestamp("2024-06-01"),
        "toledo_oh": pd.Timestamp("2023-12-01"),
    }
    assert (cusum["count"] > 0).all()
    alerts = alerts_from_cusum(cusum, CUSUM)
    # Toledo's rise (200 against a baseline of 100 from October) signals within its own last
    # three months; Buffalo is flat.
    assert alerts["city_id"].tolist() == ["toledo_oh"]
    assert alerts["as_of"].tolist() == [pd.Timestamp("2023-12-01")]
    # Lansing has 18 months: no month has three earlier years, so it cannot be judged.
    unjudged = unjudged_series(cusum, CUSUM)
    assert unjudged["city_id"].tolist() == ["lansing_mi"]
    assert not cusum[cusum["city_id"] == "lansing_mi"]["scored"].any()
    con.close()
