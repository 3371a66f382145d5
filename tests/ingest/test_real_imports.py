"""Every real file in ../shared/data imports, with figures computed independently from
the raw files here (a separate DuckDB/pandas/geopandas read), not taken from the importer.

The store is built once per session (tests/ingest/conftest.py `real_store`, README order).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyproj
import pytest

from analysis.query.filters import CrimeFilter
from analysis.series.rates import counts_by_city_month
from analysis.sources.health import coverage_by_source, months_without_data, series_breaks
from harness.files import REAL_FILES
from ingest.importer import import_file
from ingest.outcome import ImportReport
from kernel.store import connect_readonly
from tests.ingest.helpers import MURDERS_2019, Imported, copy_of, pairs, read_only, unchanged

pytestmark = pytest.mark.realdata

RealFile = Callable[[str], tuple[Path, ImportReport]]


@pytest.fixture(scope="module")
def con(real_store: Imported) -> Iterator[duckdb.DuckDBPyConnection]:
    with read_only(real_store[0]) as c:
        yield c


@pytest.fixture(scope="module")
def raw() -> duckdb.DuckDBPyConnection:
    """An independent in-memory DuckDB for reading the raw files."""
    return duckdb.connect()


@pytest.fixture(scope="module")
def real(real_store: Imported, shared_data: Path) -> RealFile:
    """A real file by source: its path under ../shared/data/raw and its import's report."""
    files = dict(REAL_FILES)
    return lambda source: (shared_data / "raw" / files[source], real_store[1][source])


def read(raw_con: duckdb.DuckDBPyConnection, path: Path) -> str:
    return f"read_csv('{path}', all_varchar = true, header = true)"


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    row = con.execute(sql, params or []).fetchone()
    assert row is not None
    return row[0]


def test_every_file_imports_with_consistent_counts(real_store: Imported) -> None:
    _, reports = real_store
    assert set(reports) == {s for s, _ in REAL_FILES}
    for source, r in reports.items():
        assert r.rows_read > 0, source
        assert r.rows_read == r.rows_accepted + r.rows_quarantined + r.rows_duplicate + r.rows_skipped, source
        assert r.rows_per_s > 0 and r.seconds > 0
        assert sum(r.quarantine_reasons.values()) == r.rows_quarantined, source


# --- Cincinnati PDI burglaries ---------------------------------------------------------


def test_cincinnati_rows_by_year_before_dedup(raw: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    path = shared_data / "raw/cincinnati/cincinnati_burglary_2016_2018.csv.gz"
    by_year = dict(
        raw.execute(
            f"select substr(offense_date, 1, 4), count(*) from {read(raw, path)} group by 1"
        ).fetchall()
    )
    assert by_year == {"2016": 3380, "2017": 2656, "2018": 2687}


def test_cincinnati_dedup_leaves_one_burglary_per_incident(
    real: RealFile, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection
) -> None:
    path, report = real("cincinnati")
    frame = raw.execute(f"select * from {read(raw, path)}").df()
    assert report.rows_read == len(frame) == 8723
    # Both offense texts are NIBRS 220, so the key is the incident number: expected rows are
    # the distinct incident numbers among rows that pass the checks.
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    box = (39.05192, 39.22076, -84.71208, -84.36875)  # Census bounding box of Cincinnati
    outside = lat.notna() & ~(lat.between(box[0], box[1]) & lon.between(box[2], box[3]))
    assert report.rows_quarantined == int(outside.sum()) == 1
    kept = frame[~outside]
    expected_year = kept.groupby(kept["offense_date"].str[:4])["incident_no"].nunique()
    got = pairs(
        con,
        "select strftime(occurred_at, '%Y'), count(*) from incidents where source = 'cincinnati' group by 1",
    )
    # An incident whose rows fall in one year each time: first row in the file decides the year.
    assert got == {"2016": 2764, "2017": 2121, "2018": 2064}
    assert sum(got.values()) == kept["incident_no"].nunique() == 6949
    assert expected_year.to_dict() == got
    assert report.rows_duplicate == len(kept) - 6949 == 1773
    assert one(con, "select count(distinct nibrs_code) from incidents where source = 'cincinnati'") == 1
    # The 'Z' is a label: 2016-01-01T01:00:00Z stays 01:00 local, not 20:00 the day before.
    assert one(con, "select min(occurred_at) from incidents where source = 'cincinnati'") == pd.Timestamp(
        "2016-01-01 01:00"
    )
    geocoded = one(con, "select count(lat) from incidents where source = 'cincinnati'")
    assert geocoded == 6949 - 289
    # Not every burglary (breaking and entering is missing): nothing in monthly_counts.
    assert one(con, "select count(*) from monthly_counts where source = 'cincinnati'") == 0
    assert one(con, "select sum(n) from daily_counts where source = 'cincinnati'") == 6949


# --- Indianapolis IMPD UCR 2019 --------------------------------------------------------


def test_indianapolis_reprojection_and_checks(
    real: RealFile, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    path, report = real("indianapolis")
    with gzip.open(path, "rb") as fh:
        assert fh.read(3) == b"\xef\xbb\xbf"  # the BOM is really there
    frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    frame = frame.apply(lambda s: s.str.strip())
    assert report.rows_read == len(frame) == 17111
    # Independent reprojection and boundary test with geopandas.
    to_wgs = pyproj.Transformer.from_crs("EPSG:2965", "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(
        frame["X_COORD"].astype(float).to_numpy(), frame["Y_COORD"].astype(float).to_numpy()
    )
    pts = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    bounds = gpd.read_file(shared_data / "raw/geography/psp_city_boundaries_cb2015.geojson")
    indy = bounds[bounds["GEOID"] == "1836003"].to_crs("EPSG:26916").buffer(250).to_crs("EPSG:4326").iloc[0]
    inside = pts.within(indy)
    assert report.rows_quarantined == int((~inside).sum())
    assert report.quarantine_reasons == {
        "coordinates outside the city (X_COORD)": 2,
        "coordinates outside the city boundary (X_COORD)": 12,
    }
    kept = frame[inside.to_numpy()]
    assert report.rows_duplicate == 3  # 3 cases list one NIBRS offense twice (e.g. UCR 236 and 246)
    assert report.rows_accepted == len(kept) - 3 == 17094
    # Part I figures by NIBRS code from the raw UCR codes (Jan-May 2019 offenses).
    kept19 = kept[kept["DATE_"].str.startswith("2019")]
    ucr = kept19["UCR"].astype(int)
    expected = {
        "09A": int((ucr == 110).sum()),
        "11A": int(ucr.isin([120, 121]).sum()),
        "13A": int(ucr.between(170, 173).sum()),
        "240": int(ucr.isin([259, 260]).sum()),
    }
    got = pairs(
        con,
        "select nibrs_code, count(*) from incidents where source = 'indianapolis' and year(occurred_at) = 2019"
        " and nibrs_code in ('09A', '11A', '13A', '240') group by 1",
    )
    # One 13A duplicate (case I190037106B: UCR 170 and 172) is in 2019.
    expected["13A"] -= 1
    assert got == expected
    assert one(con, "select count(*) from incidents where source = 'indianapolis' and firearm") == int(
        (kept["UCR"] == "170").sum()
    )
    unknown_time = int((kept["TIME"] == "99:99").sum())
    assert (
        one(con, "select count(*) from incidents where source = 'indianapolis' and not time_known")
        == unknown_time
    )
    # The projection is right if the downtown beats (DT) lie around Monument Circle.
    centre = con.execute(
        "select avg(lat), avg(lon) from incidents where source = 'indianapolis' and district = 'DT'"
    ).fetchone()
    assert centre is not None
    assert abs(centre[0] - 39.768) < 0.01 and abs(centre[1] - (-86.158)) < 0.01
    north = one(con, "select avg(lat) from incidents where district = 'ND'")
    south = one(con, "select avg(lat) from incidents where district = 'SW'")
    assert isinstance(north, float) and isinstance(south, float) and north > south + 0.05


def test_indianapolis_matches_the_rtci_counts(
    con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    """The extract holds the offenses REPORTED January-May 2019 (occurrence dates go back to
    2008): summed over all months, every Part I offense is within 1.5% (or 2 offenses) of
    RTCI's count."""
    path = shared_data / "raw/multi_city/rtci_monthly_by_agency_2018_2024.csv.gz"
    parts = ("murder", "rape", "robbery", "aggravated_assault", "burglary", "theft", "motor_vehicle_theft")
    sums = ", ".join(f"sum({p}::int)" for p in parts)
    row = raw.execute(
        f"select {sums} from {read(raw, path)} where agency_full = 'Indianapolis, Indiana'"
        " and date between '2019-01-01' and '2019-05-01'"
    ).fetchone()
    assert row is not None
    rtci = dict(zip(parts, row, strict=True))
    ours = pairs(
        con,
        "select offense, sum(count) from monthly_counts where source = 'indianapolis' group by 1",
    )
    for offense in parts:
        assert abs(ours[offense] - rtci[offense]) <= max(2, 0.015 * rtci[offense]), (
            offense,
            ours[offense],
            rtci[offense],
        )
    assert ours["violent_crime"] == sum(ours[p] for p in parts[:4])


# --- Kansas City KCPD 2020 ---------------------------------------------------------------


def test_kansas_city_one_offense_per_report_and_code(
    real: RealFile, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection
) -> None:
    path, report = real("kansas_city")
    src = read(raw, path)
    assert report.rows_read == one(raw, f"select count(*) from {src}") == 42082
    area = "substr(lpad(cast(cast(zip as double) as integer)::varchar, 5, '0'), 1, 3) in ('640', '641')"
    assert report.rows_quarantined == one(raw, f"select count(*) from {src} where not ({area})") == 92
    expected = one(
        raw, f"select count(distinct (Report_No, coalesce(IBRS, upper(Offense)))) from {src} where {area}"
    )
    assert report.rows_accepted == expected
    assert report.rows_duplicate == 42082 - 92 - expected
    # Murders: distinct reports with IBRS 09A (a murder with 3 victims is one offense here).
    murders = one(raw, f"select count(distinct Report_No) from {src} where IBRS = '09A' and {area}")
    assert (
        one(con, "select count(*) from incidents where source = 'kansas_city' and nibrs_code = '09A'")
        == murders
    )
    # Rows without an IBRS code are kept, unmapped, with KCPD's own offense text.
    no_code = one(
        raw, f"select count(distinct (Report_No, upper(Offense))) from {src} where IBRS is null and {area}"
    )
    assert (
        one(
            con,
            "select count(*) from incidents where source = 'kansas_city' and local_offense is not null"
            " and nibrs_code is null and offense_group = 'other' and local_offense not like '09D'",
        )
        == no_code
    )
    assert report.unmapped_codes["09D"] == 1  # 'DV related suicide' is not a NIBRS offense
    assert report.unmapped_codes["(no code) City/Municipal Warrant Arrest"] > 400
    assert one(con, "select count(*) from quarantine where source = 'kansas_city' and kept") == no_code
    assert one(con, "select count(*) from incidents where source = 'kansas_city' and lat is not null") == 0
    assert (
        one(
            con,
            "select count(distinct date_basis) || any_value(date_basis) from incidents where source = 'kansas_city'",
        )
        == "1reported"
    )
    assert one(con, "select max(occurred_at)::date from incidents where source = 'kansas_city'") == date(
        2020, 7, 12
    )
    # Only the offenses that agree with the state's counts are rolled up (see kansas_city.toml).
    offenses = {
        r[0]
        for r in con.execute(
            "select distinct offense from monthly_counts where source = 'kansas_city'"
        ).fetchall()
    }
    assert offenses == {"rape", "theft", "motor_vehicle_theft"}


def test_kansas_city_frauds_fixture(real_store: Imported, con: duckdb.DuckDBPyConnection) -> None:
    report = real_store[1]["kansas_city_frauds"]
    assert (report.rows_read, report.rows_accepted) == (6, 6)
    got = con.execute(
        "select nibrs_code, count(*), any_value(offense_group) from incidents where source = 'kansas_city_frauds'"
        " group by 1 order by 1"
    ).fetchall()
    assert got == [("26A", 2, "other"), ("26B", 2, "other"), ("26C", 2, "other")]
    # Points in Kansas City get their council district by spatial join.
    assert one(con, "select count(district) from incidents where source = 'kansas_city_frauds'") == 6


# --- Memphis personal robberies 2019 ----------------------------------------------------


def test_memphis_robberies_by_month_and_precinct(
    real: RealFile, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    path, report = real("memphis")
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (2245, 2245, 0)
    by_month = dict(
        raw.execute(f"select substr(date, 1, 7), count(*) from {read(raw, path)} group by 1").fetchall()
    )
    got = pairs(
        con,
        "select strftime(occurred_at, '%Y-%m'), count(*) from incidents where source = 'memphis' group by 1",
    )
    assert got == by_month
    assert one(con, "select count(*) from incidents where source = 'memphis' and nibrs_code = '120'") == 2245
    assert (
        one(con, "select count(*) from monthly_counts where source = 'memphis'") == 0
    )  # personal robbery only
    # Naive local timestamps are stored as given.
    first = raw.execute(f"select date from {read(raw, path)} order by date limit 1").fetchone()
    assert first is not None
    assert one(con, "select min(occurred_at) from incidents where source = 'memphis'") == pd.Timestamp(
        first[0]
    )
    # Precincts by an independent spatial join (geopandas) agree with the importer's.
    frame = pd.read_csv(path, dtype={"uid": str})
    pts = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame.longitude, frame.latitude), crs="EPSG:4326"
    )
    precincts = gpd.read_file(shared_data / "raw/memphis/memphis_police_precincts.geojson")
    joined = gpd.sjoin(pts, precincts, predicate="within", how="left").drop_duplicates("uid")
    expected = joined.groupby("precinct").size().to_dict()
    got_p = pairs(
        con,
        "select district, count(*) from incidents where source = 'memphis' and district is not null group by 1",
    )
    assert got_p == expected
    assert set(got_p) <= set(precincts["precinct"])


# --- RTCI monthly counts and year-to-date table -----------------------------------------


def test_rtci_2019_murders_from_monthly_counts(con: duckdb.DuckDBPyConnection) -> None:
    got = pairs(
        con,
        "select city_id, sum(count) from monthly_counts where source = 'rtci' and offense = 'murder'"
        " and year(month) = 2019 group by 1",
    )
    assert {k: got[k] for k in MURDERS_2019} == MURDERS_2019


def test_rtci_psp_rows_and_derived_totals(
    real: RealFile, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection
) -> None:
    path, report = real("rtci")
    src = read(raw, path)
    agencies = [r[0] for r in con.execute("select rtci_agency from cities").fetchall()]
    psp = one(
        raw, f"select count(*) from {src} where agency_full in (select unnest(?::varchar[]))", [agencies]
    )
    assert (report.rows_read, report.rows_accepted, report.rows_skipped) == (28531, psp, 28531 - psp)
    assert psp == 709
    # Springfield MA/MO/OH/OR and Jackson MI are not taken for PSP cities.
    assert one(con, "select count(distinct city_id) from monthly_counts where source = 'rtci'") == 9
    assert (
        one(con, "select count(*) from monthly_counts where source = 'rtci' and city_id = 'springfield_il'")
        == 79 * 9
    )
    # Baton Rouge and Toledo: NA totals derived from their parts, flagged; nothing else derived.
    parts = raw.execute(
        f"""select agency_full, date::date, murder::int + rape::int + robbery::int + aggravated_assault::int,
                   burglary::int + theft::int + motor_vehicle_theft::int
            from {src} where agency_full in ('Baton Rouge, Louisiana', 'Toledo, Ohio')"""
    ).fetchall()
    city = {"Baton Rouge, Louisiana": "baton_rouge_la", "Toledo, Ohio": "toledo_oh"}
    stored = {
        (c, m, o): (n, f)
        for c, m, o, n, f in con.execute(
            "select city_id, month, offense, count, flag from monthly_counts where source = 'rtci'"
            " and offense in ('violent_crime', 'property_crime') and city_id in ('baton_rouge_la', 'toledo_oh')"
        ).fetchall()
    }
    assert len(stored) == 2 * len(parts) == 312
    for agency, month, violent, property_ in parts:
        assert stored[(city[agency], month, "violent_crime")] == (
            violent,
            stored[(city[agency], month, "violent_crime")][1],
        )
        assert stored[(city[agency], month, "property_crime")][0] == property_
    assert one(con, "select count(*) from monthly_counts where flag like 'derived%'") == 312
    assert (
        one(
            con,
            "select count(*) from monthly_counts where flag like 'derived%' and city_id not in"
            " ('baton_rouge_la', 'toledo_oh')",
        )
        == 0
    )


def test_rtci_ytd_period_counts(
    real_store: Imported, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    path = shared_data / "raw/multi_city/rtci_ytd_table_2026-02.csv.gz"
    src = read(raw, path)
    agencies = [r[0] for r in con.execute("select rtci_agency from cities").fetchall()]
    expected = one(
        raw, f"select count(*) from {src} where agency_full in (select unnest(?::varchar[]))", [agencies]
    )
    assert real_store[1]["rtci_ytd"].rows_accepted == expected == 98
    assert one(con, "select count(distinct city_id) from period_counts") == 12
    memphis = dict(
        ((str(s), str(e)), n)
        for s, e, n in con.execute(
            "select period_start, period_end, count from period_counts where city_id = 'memphis_tn' and offense = 'murder'"
        ).fetchall()
    )
    ytd = raw.execute(
        f"select YTD::int, PrevYTD::int from {src} where agency_full = 'Memphis, Tennessee'"
        " and crime_type = 'Murders'"
    ).fetchone()
    assert ytd is not None
    assert memphis == {("2026-01-01", "2026-02-28"): ytd[0], ("2025-01-01", "2025-02-28"): ytd[1]}
    # Birmingham's single row is for January only.
    assert con.execute(
        "select offense, period_end from period_counts where city_id = 'birmingham_al'"
        " and period_start = '2026-01-01'"
    ).fetchall() == [("murder", date(2026, 1, 31))]


def test_rtci_sources_table(real_store: Imported, con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    report = real_store[1]["rtci_sources"]
    assert (report.rows_read, report.rows_accepted, report.rows_skipped) == (718, 12, 706)
    reference = pd.read_csv(shared_data / "reference/psp_cities.csv")
    expected = dict(
        zip(reference["city"] + ", " + reference["state"], reference["population_rtci_2026"], strict=True)
    )
    got = {
        f"{n}, {s}": p
        for n, s, p in con.execute(
            "select c.name, c.state, a.population from agency_sources a join cities c using (city_id)"
        ).fetchall()
    }
    assert got == expected
    types = dict(con.execute("select city_id, source_type from agency_sources").fetchall())
    assert types["memphis_tn"] == "Crime Data Explorer" and types["houston_tx"] == "State UCR"
    assert one(con, "select most_recent_month from agency_sources where city_id = 'birmingham_al'") == date(
        2026, 1, 1
    )


# --- Houston and Memphis counts by ZCTA ----------------------------------------------


def test_houston_zcta_maps_only_honest_categories(
    real_store: Imported, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    path = shared_data / "raw/houston/houston_monthly_by_zcta_type.csv.gz"
    src = read(raw, path)
    report = real_store[1]["houston_zcta"]
    assert report.rows_read == report.rows_accepted == 65321
    sums = dict(
        raw.execute(
            f"select desc_crime_type, sum(count::int) from {src} where year = '2019' group by 1"
        ).fetchall()
    )
    got = pairs(
        con,
        "select offense, sum(count) from monthly_counts where source = 'houston_zcta' and year(month) = 2019 group by 1",
    )
    assert got == {"murder": sums["homicide"], "robbery": sums["robbery"], "burglary": sums["burglary"]}
    # ... and those three agree with the FBI-based RTCI counts within 2 %.
    rtci = pairs(
        con,
        "select offense, sum(count) from monthly_counts where source = 'rtci' and city_id = 'houston_tx'"
        " and year(month) = 2019 group by 1",
    )
    for offense in ("murder", "robbery", "burglary"):
        assert abs(got[offense] / rtci[offense] - 1) < 0.02, offense
    # theft and mvt do not (that is why they are not mapped).
    assert sums["theft"] < 0.5 * rtci["theft"] and sums["mvt"] > 2 * rtci["motor_vehicle_theft"]
    total = one(raw, f"select sum(count::int) from {src}")
    assert one(con, "select sum(count) from area_counts where source = 'houston_zcta'") == total
    assert set(report.unmapped_codes) == {
        "theft",
        "mvt",
        "assault",
        "sex crimes",
        "arson",
        "weapon",
        "drugs",
        "other",
    }


def test_memphis_zcta_kept_whole_but_not_summed(
    real_store: Imported, con: duckdb.DuckDBPyConnection, raw: duckdb.DuckDBPyConnection, shared_data: Path
) -> None:
    path = shared_data / "raw/memphis/memphis_monthly_by_zcta_type.csv.gz"
    src = read(raw, path)
    assert real_store[1]["memphis_zcta"].rows_accepted == 20217
    assert one(con, "select count(*) from monthly_counts where source = 'memphis_zcta'") == 0
    assert one(con, "select sum(count) from area_counts where source = 'memphis_zcta'") == one(
        raw, f"select sum(count::int) from {src}"
    )
    # Why nothing is mapped: 'homicide' is more than twice the murders Memphis reported.
    homicide = one(
        raw, f"select sum(count::int) from {src} where year = '2019' and desc_crime_type = 'homicide'"
    )
    assert isinstance(homicide, int | float) and homicide > 2 * MURDERS_2019["memphis_tn"]


# --- Geography ------------------------------------------------------------------------


def test_boundaries_and_districts(con: duckdb.DuckDBPyConnection, real_store: Imported) -> None:
    import shapely

    assert one(con, "select count(*) from city_boundaries") == 12
    for city_id, wkt, lat, lon in con.execute(
        "select b.city_id, b.geometry_wkt, c.rep_lat, c.rep_lon from city_boundaries b join cities c using (city_id)"
    ).fetchall():
        assert shapely.from_wkt(wkt).contains(shapely.Point(lon, lat)), city_id
    assert [
        r[0]
        for r in con.execute(
            "select district from districts where source = 'memphis_precincts' order by 1"
        ).fetchall()
    ] == [
        "Airways",
        "Appling Farms",
        "Austin Peay",
        "Crump",
        "Mt. Moriah",
        "North Main",
        "Raines",
        "Ridgeway",
        "Tillman",
    ]
    assert [
        r[0]
        for r in con.execute(
            "select district from districts where source = 'kansas_city_districts' order by 1"
        ).fetchall()
    ] == ["1st", "2nd", "3rd", "4th", "5th", "6th"]
    assert real_store[1]["kansas_city_districts"].written == {"districts": 6}


def test_districts_loaded_after_incidents_are_assigned(tmp_path: Path, shared_data: Path) -> None:
    """Load order does not matter: polygons imported later give existing incidents their district."""
    db = tmp_path / "late.duckdb"
    raw_dir = shared_data / "raw"
    import_file(db, "memphis", raw_dir / "memphis/memphis_personal_robberies_2019.csv.gz")
    with read_only(db) as c:
        assert one(c, "select count(district) from incidents") == 0
    report = import_file(db, "memphis_precincts", raw_dir / "memphis/memphis_police_precincts.geojson")
    assert any("joined to layer 'memphis_precincts'" in n for n in report.notes)
    with read_only(db) as c:
        assert one(c, "select count(district) from incidents") == 2244
        assert one(c, "select sum(n) from daily_counts where district is not null") == 2244


# --- The whole store ------------------------------------------------------------------


def test_reimporting_every_file_adds_nothing(real_store: Imported, shared_data: Path, tmp_path: Path) -> None:
    db = copy_of(real_store[0], tmp_path)
    tables = (
        "incidents",
        "quarantine",
        "monthly_counts",
        "daily_counts",
        "area_counts",
        "period_counts",
        "districts",
        "city_boundaries",
    )

    def snapshot() -> dict[str, int]:
        c = connect_readonly(db)
        try:
            return {t: int(one(c, f"select count(*) from {t}")) for t in tables}  # type: ignore[call-overload]
        finally:
            c.close()

    before = snapshot()
    for source, rel in REAL_FILES:
        report = import_file(db, source, shared_data / "raw" / rel)
        assert (report.rows_accepted, report.rows_quarantined) == (0, 0), source
        assert report.rows_duplicate + report.rows_skipped == report.rows_read, source
    assert snapshot() == before


def test_store_quality(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "select count(*) - count(distinct incident_id) from incidents") == 0
    assert one(con, "select count(*) - count(distinct (source, source_id)) from incidents") == 0
    assert one(con, "select sum(n) from daily_counts") == one(con, "select count(*) from incidents")
    assert (
        one(con, "select count(*) from incidents where nibrs_code not in (select nibrs_code from offenses)")
        == 0
    )
    outside = one(
        con,
        """select count(*) from incidents i join cities c using (city_id)
           where i.lat is not null and not (i.lat between c.bbox_min_lat and c.bbox_max_lat
                 and i.lon between c.bbox_min_lon and c.bbox_max_lon)""",
    )
    assert outside == 0
    assert one(con, "select value from store_info where key = 'dataset'") == "real"


def test_quarantine_lines_point_at_the_file(con: duckdb.DuckDBPyConnection, shared_data: Path) -> None:
    """The quarantine's line is the line of the file (header = 1)."""
    for source, rel, id_col in (
        ("kansas_city", "kansas_city/kcpd_crime_2020_trimmed.csv.gz", "Report_No"),
        ("indianapolis", "indianapolis/impd_ucr_2019_jan_may.csv.gz", "OBJECTID"),
    ):
        lines = gzip.open(shared_data / "raw" / rel, "rt", encoding="utf-8-sig").read().split("\n")
        sample = con.execute(
            "select line, raw from quarantine where source = ? order by hash(line) limit 50", [source]
        ).fetchall()
        assert sample
        for line, raw_json in sample:
            assert lines[line - 1].split(",")[0].strip() == json.loads(raw_json)[id_col].strip()


def test_dashboard_query_reads_the_real_store(con: duckdb.DuckDBPyConnection) -> None:
    frame = counts_by_city_month(
        con,
        CrimeFilter(
            cities=("springfield_il",), offenses=("murder",), start=date(2019, 1, 1), end=date(2019, 12, 31)
        ),
    )
    assert frame["count"].sum() == 9 and set(frame["source"]) == {"rtci"}


def test_health_on_the_real_store(con: duckdb.DuckDBPyConnection) -> None:
    cov = coverage_by_source(con).set_index(["city_id", "source"])
    kc = cov.loc[("kansas_city_mo", "kansas_city")]
    assert (kc["date_basis"], kc["standard"], str(kc["last_complete_month"])[:7]) == (
        "reported",
        "NIBRS",
        "2020-06",
    )
    assert kc["geocoded_share"] == 0 and kc["quarantined"] == 92
    indy = cov.loc[("indianapolis_in", "indianapolis")]
    assert indy["standard"] == "SRS" and str(indy["last_complete_month"])[:7] == "2019-05"
    # Indianapolis's mapping now lists every Part I offense explicitly (nothing by default).
    assert len(indy["part1_scope"]) == 7 and list(kc["part1_scope"]) == [
        "rape",
        "theft",
        "motor_vehicle_theft",
    ]
    assert indy["months_missing"] > 50  # late-reported offenses back to 2008 leave most months empty
    cin = cov.loc[("cincinnati_oh", "cincinnati")]
    assert cin["geocoded_share"] == pytest.approx((6949 - 289) / 6949)
    breaks = series_breaks(con)
    houston = breaks[breaks.city_id == "houston_tx"]
    assert [(str(m)[:7], k) for m, k in zip(houston.month, houston.kind, strict=True)] == [
        ("2019-01", "source change"),
        ("2024-08", "source change"),
    ]
    kc_breaks = set(breaks[breaks.city_id == "kansas_city_mo"].kind)
    assert kc_breaks == {"source change", "date basis change"}
    gaps = months_without_data(con)
    kc_gap = gaps[gaps.city_id == "kansas_city_mo"].iloc[0]
    assert (str(kc_gap.first_month)[:7], str(kc_gap.last_month)[:7], kc_gap.months) == (
        "2015-03",
        "2017-12",
        34,
    )


def test_failed_real_import_leaves_real_store_identical(
    real_store: Imported, tmp_path: Path, shared_data: Path
) -> None:
    from ingest.errors import ImportFailed

    db = copy_of(real_store[0], tmp_path)
    wrong = shared_data / "raw/memphis/memphis_personal_robberies_2019.csv.gz"
    with unchanged(db), pytest.raises(ImportFailed, match="column 'incident_no'"):
        import_file(db, "cincinnati", wrong)  # Memphis's file with Cincinnati's mapping
