"""FBI Return A (data/sources/ucr_return_a.toml) on the 12 real files in ../shared/data.

Every figure is checked against the raw files read here with pandas, independently of
the importer: the duplicate rule is recomputed from the file (copies numbered by their
order, the year's copy with the fewest index clearances kept), and the 2019 murders
are checked against the literal RTCI figures and against the RTCI file itself.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.sources.health import months_not_reported, series_breaks, superseded_by_city_year
from ingest.errors import ImportFailed
from ingest.hashing import file_sha256
from ingest.importer import import_file
from ingest.public import PUBLIC_DIR
from tests.ingest.helpers import MURDERS_2019, Imported, copy_of, imported_store, pairs, read_only, unchanged

pytestmark = pytest.mark.realdata

ORI = {
    "AL00102": "birmingham_al",
    "IL08402": "springfield_il",
    "INIPD00": "indianapolis_in",
    "LA01702": "baton_rouge_la",
    "MI33519": "lansing_mi",
    "MOKPD00": "kansas_city_mo",
    "NY01401": "buffalo_ny",
    "OHCIP00": "cincinnati_oh",
    "OH04807": "toledo_oh",
    "TN05701": "jackson_tn",
    "TNMPD00": "memphis_tn",
    "TXHPD00": "houston_tx",
}
COLUMNS = {
    "murder": "actual_murder",
    "rape": "actual_rape_total",
    "robbery": "actual_robbery_total",
    "aggravated_assault": "actual_assault_aggravated",
    "burglary": "actual_burg_total",
    "theft": "actual_theft_total",
    "motor_vehicle_theft": "actual_mtr_veh_theft_total",
    "violent_crime": "actual_index_violent",
    "property_crime": "actual_index_property",
}


def raw_files(shared: Path) -> list[Path]:
    return sorted((shared / "raw" / "ucr_return_a").glob("*.csv.gz"))


def read_raw(path: Path) -> pd.DataFrame:
    """The raw file as pandas reads it, with its file line (header = 1)."""
    frame = pd.read_csv(path, low_memory=False)
    extra = pd.DataFrame({"line": range(2, len(frame) + 2), "city_id": frame["ORI"].map(ORI)})
    return pd.concat([extra, frame], axis=1)


def chosen_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The documented rule, recomputed: copies numbered by file order within a month; for
    each city x year the copy with the lowest sum of tot_clr_index_total over the months
    listed more than once is kept (ties: the first). Not-reported rows (all blank or all 0)
    are set aside before. One row per reported month."""
    counts = frame[list(COLUMNS.values())]
    reported = frame[~(counts.isna().all(axis=1) | (counts.fillna(0) == 0).all(axis=1))].copy()
    reported["copy"] = reported.groupby("year").cumcount() + 1
    reported["copies"] = reported.groupby("year")["line"].transform("size")
    reported["yr"] = reported["year"].str[:4]
    dup = reported[reported["copies"] > 1]
    score = dup.groupby(["yr", "copy"])["tot_clr_index_total"].sum().reset_index()
    score = score.sort_values(["yr", "tot_clr_index_total", "copy"])
    winner = score.drop_duplicates("yr").set_index("yr")["copy"]
    keep = (reported["copies"] == 1) | (reported["copy"] == reported["yr"].map(winner))
    out = reported[keep]
    assert not out["year"].duplicated().any()
    return out[~out["year"].isin(lump_months(frame))]


def lump_months(frame: pd.DataFrame) -> set[str]:
    """Months that end a run of all-zero months begun in the same calendar year (they
    carry the run's offenses: period_counts, not monthly figures)."""
    counts = frame[list(COLUMNS.values())]
    zero = set(frame.loc[(counts.fillna(0) == 0).all(axis=1) & ~counts.isna().all(axis=1), "year"])
    months = pd.Series(sorted(zero), dtype=str)
    lumps = set()
    if months.empty:
        return lumps
    stamp = pd.to_datetime(months)
    run = (stamp.dt.year * 12 + stamp.dt.month) - pd.Series(range(len(months)))
    for _, group in months.groupby(run):
        first, last = pd.Timestamp(group.iloc[0]), pd.Timestamp(group.iloc[-1])
        after = last + pd.DateOffset(months=1)
        if after.year == first.year and after.strftime("%Y-%m-%d") in set(frame["year"]):
            lumps.add(after.strftime("%Y-%m-%d"))
    return lumps


@pytest.fixture(scope="module")
def return_a(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return imported_store(
        tmp_path_factory, "return_a", [(f.name, "ucr_return_a", f) for f in raw_files(shared_data)]
    )


@pytest.fixture(scope="module")
def con(return_a: Imported) -> Iterator[duckdb.DuckDBPyConnection]:
    with read_only(return_a[0]) as c:
        yield c


@pytest.fixture(scope="module")
def raw(shared_data: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    for f in raw_files(shared_data):
        frame = read_raw(f)
        frames[str(frame["city_id"].dropna().iloc[0])] = frame
    return frames


def test_twelve_files_twelve_cities(raw: dict[str, pd.DataFrame], return_a: Imported) -> None:
    assert sorted(raw) == sorted(ORI.values())
    for name, report in return_a[1].items():
        assert report.rows_quarantined == 0, (name, report.quarantine_reasons)
        assert report.rows_read == report.rows_accepted + report.rows_duplicate + report.rows_skipped, name


def test_2019_murders_are_the_fbi_figures_rtci_publishes(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame], shared_data: Path
) -> None:
    stored = pairs(
        con,
        "select city_id, sum(count)::integer from monthly_counts where source = 'ucr_return_a'"
        " and offense = 'murder' and year(month) = 2019 group by 1",
    )
    rtci = pd.read_csv(shared_data / "raw" / "multi_city" / "rtci_monthly_by_agency_2018_2024.csv.gz")
    rtci = rtci[rtci["date"].str.startswith("2019")]
    agencies = {
        "houston_tx": "Houston, Texas",
        "memphis_tn": "Memphis, Tennessee",
        "kansas_city_mo": "Kansas City, Missouri",
        "indianapolis_in": "Indianapolis, Indiana",
        "cincinnati_oh": "Cincinnati, Ohio",
        "buffalo_ny": "Buffalo, New York",
        "springfield_il": "Springfield, Illinois",
    }
    for city, murders in MURDERS_2019.items():
        assert stored[city] == murders, city
        assert int(rtci.loc[rtci["agency_full"] == agencies[city], "murder"].sum()) == murders, city
        chosen = chosen_rows(raw[city])
        assert int(chosen.loc[chosen["year"].str.startswith("2019"), "actual_murder"].sum()) == murders, city
    # Summing both copies (what a naive import does) would give other figures.
    houston = raw["houston_tx"]
    assert int(houston.loc[houston["year"].str.startswith("2019"), "actual_murder"].sum()) == 281 + 275


def test_every_reported_month_is_stored_with_the_chosen_copy(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    """All 12 cities (Birmingham, Jackson and Lansing included): every month the file
    reports has its counts, equal to the chosen copy's, and nothing else is stored."""
    stored = con.execute(
        "select city_id, strftime(month, '%Y-%m-%d') as month, offense, count from monthly_counts"
        " where source = 'ucr_return_a'"
    ).df()
    zero_missing = {"theft", "burglary", "motor_vehicle_theft"}
    for city, frame in raw.items():
        chosen = chosen_rows(frame)
        expected = chosen.melt(id_vars=["year"], value_vars=list(COLUMNS.values()), var_name="column")
        expected["offense"] = expected["column"].map({v: k for k, v in COLUMNS.items()})
        expected = expected.dropna(subset=["value"])
        # A 0 the mapping reads as not reported is dropped with the total over it.
        zero = expected[expected["offense"].isin(zero_missing) & (expected["value"] == 0)]
        gone = set(zero["year"])
        expected = expected[
            ~(expected["offense"].isin(zero_missing) & (expected["value"] == 0))
            & ~((expected["offense"] == "property_crime") & expected["year"].isin(gone))
        ]
        mine = stored[stored["city_id"] == city]
        got = {(r.month, r.offense): r.count for r in mine.itertuples()}
        want = {(r.year, r.offense): int(r.value) for r in expected.itertuples()}
        assert got == want, city
        assert set(mine["month"]) == set(chosen["year"]), city


def test_birmingham_blank_2019_is_a_gap_not_zero(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    frame = raw["birmingham_al"]
    blank = frame[frame["year"].str.startswith("2019")]
    assert len(blank) == 12 and blank[list(COLUMNS.values())].isna().all().all()
    n = con.execute(
        "select count(*) from monthly_counts where city_id = 'birmingham_al' and year(month) = 2019"
    ).fetchone()
    assert n == (0,)
    status = con.execute(
        "select distinct status, reason from source_months where city_id = 'birmingham_al' and year(month) = 2019"
    ).fetchall()
    assert status == [("not reported", "not reported: blank month")]
    runs = months_not_reported(con)
    bham = runs[runs["city_id"] == "birmingham_al"]
    spans = {(str(r.first_month)[:7], str(r.last_month)[:7], r.reason) for r in bham.itertuples()}
    assert spans == {
        ("2010-01", "2010-12", "not reported: blank month"),
        ("2012-01", "2012-11", "not reported: every count 0"),
        (
            "2012-12",
            "2012-12",
            "not reported monthly: a lump sum of the months since 2012-01 (period_counts)",
        ),
        ("2017-01", "2017-12", "not reported: blank month"),
        ("2019-01", "2019-12", "not reported: blank month"),
        ("2020-05", "2021-01", "not reported: every count 0"),
    }
    # The six block files have no 2015 rows: those months are gaps too.
    missing_2015 = con.execute(
        "select list(distinct city_id order by city_id) from source_months"
        " where status = 'not in file' and year(month) = 2015"
    ).fetchone()
    assert missing_2015 is not None
    assert missing_2015[0] == sorted(c for c, f in raw.items() if not f["year"].str.startswith("2015").any())


def test_duplicated_months_are_never_summed(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    one_per_key = con.execute(
        "select count(*) from (select city_id, month, offense from monthly_counts group by all having count(*) > 1)"
    ).fetchone()
    assert one_per_key == (0,)
    table = superseded_by_city_year(con)
    for city, frame in raw.items():
        chosen = chosen_rows(frame)
        dup_months = frame.loc[frame["year"].duplicated(keep=False), "year"].unique()
        other = frame[frame["year"].isin(dup_months) & ~frame["line"].isin(chosen["line"])]
        got = con.execute(
            "select strftime(month, '%Y-%m-%d'), count from superseded_counts"
            " where city_id = ? and offense = 'murder'",
            [city],
        ).fetchall()
        assert sorted(got) == sorted(zip(other["year"], other["actual_murder"].astype(int), strict=True)), (
            city
        )
    houston = table[
        (table["city_id"] == "houston_tx") & (table["year"] == 2019) & (table["offense"] == "murder")
    ]
    assert houston[["kept", "other", "copy_kept", "copy_other", "months"]].values.tolist() == [
        [281, 275, 1, 2, 12]
    ]


def test_violent_total_is_the_fbi_four_and_flags(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    """actual_index_violent = murder + rape + robbery + aggravated assault (manslaughter
    by negligence not in it) in every reported row; adjustment cards are flagged."""
    for city, frame in raw.items():
        rows = frame.dropna(subset=["actual_index_violent"])
        parts = rows[
            ["actual_murder", "actual_rape_total", "actual_robbery_total", "actual_assault_aggravated"]
        ]
        assert (parts.sum(axis=1) == rows["actual_index_violent"]).all(), city
    adjustments = {c: int((chosen_rows(f)["card_actual_type"] == "adjustment").sum()) for c, f in raw.items()}
    flagged = pairs(
        con,
        "select city_id, count(distinct month) from monthly_counts where flag like 'adjustment card%'"
        " group by 1",
    )
    assert flagged == {c: n for c, n in adjustments.items() if n}
    assert adjustments["houston_tx"] > 0


def test_rape_definition_break_2013(con: duckdb.DuckDBPyConnection) -> None:
    breaks = series_breaks(con)
    rape = breaks[breaks["kind"].str.contains("definition change: rape")]
    assert sorted(rape["city_id"]) == sorted(ORI.values())
    assert {str(m)[:10] for m in rape["month"]} == {"2013-01-01"}


def test_toledo_theft_zero_is_not_reported(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    chosen = chosen_rows(raw["toledo_oh"])
    zero_months = set(chosen.loc[chosen["actual_theft_total"] == 0, "year"])
    assert len(zero_months) == 52
    stored = con.execute(
        "select strftime(month, '%Y-%m-%d'), list(offense order by offense) from monthly_counts"
        " where city_id = 'toledo_oh' and source = 'ucr_return_a' group by 1"
    ).fetchall()
    for month, offenses in stored:
        if month in zero_months:
            assert "theft" not in offenses and "property_crime" not in offenses
            assert "burglary" in offenses
        else:
            assert "theft" in offenses and "property_crime" in offenses


def test_agency_population_beside_census(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    pops = pairs(
        con,
        "select year, population from agency_population where city_id = 'buffalo_ny' and source = 'ucr_return_a'",
    )
    assert pops[2021] == 253809 and pops[2022] == 275710
    frame = raw["buffalo_ny"]
    assert int(frame.loc[frame["year"] == "2021-06-01", "population"].iloc[0]) == 253809
    # Birmingham's blank years have no population: none is invented.
    bham = {
        r[0]
        for r in con.execute("select year from agency_population where city_id = 'birmingham_al'").fetchall()
    }
    assert not bham & {2010, 2017, 2019}
    census = con.execute("select count(*) from city_population where source ilike '%return%'").fetchone()
    assert census == (0,)


def test_reimport_is_idempotent(return_a: Imported, shared_data: Path, tmp_path: Path) -> None:
    path = copy_of(return_a[0], tmp_path)
    tables = ("monthly_counts", "superseded_counts", "source_months", "agency_population", "source_breaks")

    def dump() -> dict[str, list[tuple[object, ...]]]:
        c = duckdb.connect(str(path), read_only=True)
        try:
            return {
                t: c.execute(f"select * exclude (import_id) from {t} order by all").fetchall()  # noqa: S608
                if t not in ("monthly_counts", "source_breaks")
                else c.execute(f"select * from {t} order by all").fetchall()  # noqa: S608
                for t in tables
            }
        finally:
            c.close()

    before = dump()
    houston = shared_data / "raw" / "ucr_return_a" / "Texas_Houston_Police_Department.csv.gz"
    report = import_file(path, "ucr_return_a", houston)
    assert report.rows_accepted == 0
    assert report.rows_duplicate + report.rows_skipped == report.rows_read
    assert dump() == before


def test_a_bad_file_leaves_the_store_byte_identical(
    return_a: Imported, shared_data: Path, tmp_path: Path
) -> None:
    path = copy_of(return_a[0], tmp_path)
    lines = gzip.decompress((raw_files(shared_data)[0]).read_bytes()).decode().splitlines()
    lines[5] = ",".join(lines[5].split(",")[:50])  # a row cut short
    bad = tmp_path / "cut.csv"
    bad.write_text("\n".join(lines) + "\n")
    with unchanged(path), pytest.raises(ImportFailed) as err:
        import_file(path, "ucr_return_a", bad)
    assert err.value.line == 6


def test_negative_totals_are_kept_and_flagged(store: Path, shared_data: Path, tmp_path: Path) -> None:
    """A negative total (a net adjustment) is kept as published with a flag, not
    quarantined; with the default negative = 'quarantine' the row is quarantined."""
    frame = read_raw(raw_files(shared_data)[-1]).drop(columns=["line", "city_id"])  # Houston
    sample = frame[frame["year"].isin(["2011-03-01", "2011-04-01"])].copy()
    sample.loc[sample["year"] == "2011-03-01", "actual_murder"] = -2
    sample.loc[sample["year"] == "2011-03-01", "card_actual_type"] = "adjustment"
    csv = tmp_path / "negative.csv"
    sample.to_csv(csv, index=False)
    report = import_file(store, "ucr_return_a", csv)
    assert report.rows_quarantined == 0
    c = duckdb.connect(str(store), read_only=True)
    row = c.execute(
        "select count, flag from monthly_counts where month = '2011-03-01' and offense = 'murder'"
    ).fetchone()
    c.close()
    assert row is not None and row[0] == -2
    assert "adjustment card" in row[1] and "negative" in row[1]
    strict = tmp_path / "strict.toml"
    text = (PUBLIC_DIR.parent / "sources" / "ucr_return_a.toml").read_text()
    strict.write_text(text.replace('negative = "keep"\n', ""))
    report2 = import_file(tmp_path / "strict.duckdb", "ucr_return_a", csv, mapping=strict)
    assert report2.rows_quarantined == 1
    assert report2.quarantine_reasons == {"negative count (actual_murder)": 1}


def test_public_copies_are_the_raw_files(shared_data: Path) -> None:
    """data/public ships byte-identical copies of the raw files the app builds from."""
    for shipped in sorted(PUBLIC_DIR.rglob("*.gz")) + sorted(PUBLIC_DIR.rglob("*.geojson")):
        rel = shipped.relative_to(PUBLIC_DIR)
        assert file_sha256(shipped) == file_sha256(shared_data / "raw" / rel), rel


def test_trend_markers_one_per_gap_and_only_the_affected_series(con: duckdb.DuckDBPyConnection) -> None:
    from analysis.series.periods import coverage
    from analysis.sources.health import chart_breaks

    cov = coverage(con)
    murder = chart_breaks(con, cov, ("birmingham_al",), ("murder",))
    assert not murder["label"].str.contains("definition change").any()
    gaps = murder[murder["label"].str.startswith("gap in published counts")]
    # 2012-01..11, 2017, 2019 and 2020-05..2021-01 inside the span (2010 is before it): one marker each.
    assert sorted(str(m)[:7] for m in gaps["month"]) == ["2012-01", "2017-01", "2019-01", "2020-05"]
    assert "gap in published counts, Jan 2019 – Dec 2019 (ucr_return_a)" in set(gaps["label"])
    violent = chart_breaks(con, cov, ("birmingham_al",), ("violent_crime",))
    assert violent["label"].str.contains("definition change: violent_crime").sum() == 1
    assert not violent["label"].str.contains("definition change: rape").any()


def test_birmingham_2012_is_a_year_reported_in_december(
    con: duckdb.DuckDBPyConnection, raw: dict[str, pd.DataFrame]
) -> None:
    frame = raw["birmingham_al"]
    assert lump_months(frame) == {"2012-12-01"}
    december = frame[frame["year"] == "2012-12-01"].iloc[0]
    stored = pairs(
        con,
        "select offense, count from period_counts where city_id = 'birmingham_al' and source = 'ucr_return_a'"
        " and period_start = '2012-01-01' and period_end = '2012-12-31'",
    )
    assert stored == {o: int(december[c]) for o, c in COLUMNS.items()}
    assert stored["murder"] == 67
    n = con.execute(
        "select count(*) from monthly_counts where city_id = 'birmingham_al' and year(month) = 2012"
    ).fetchone()
    assert n == (0,)
    # Not every run of zeros is followed by a lump: 2020-05..2021-01 ends in a new year.
    assert all(not lump_months(f) for c, f in raw.items() if c != "birmingham_al")


def test_status_shows_the_copies_and_the_gaps(return_a: Imported) -> None:
    import json

    from typer.testing import CliRunner

    from ingest.cli.app import app

    runner = CliRunner()
    result = runner.invoke(app, ["status", "--json", "--db", str(return_a[0])])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    houston = [
        r
        for r in data["superseded"]
        if r["city_id"] == "houston_tx" and r["year"] == 2019 and r["offense"] == "murder"
    ]
    assert [(r["kept"], r["other"]) for r in houston] == [(281, 275)]
    assert any(
        r["city_id"] == "birmingham_al" and r["first_month"] == "2019-01" for r in data["months_not_reported"]
    )
    assert data["source_info"][0]["publisher"].startswith("FBI Uniform Crime Reporting")
    table = runner.invoke(app, ["status", "--db", str(return_a[0])])
    assert "Months listed twice" in table.output and "Months a source did not report" in table.output
