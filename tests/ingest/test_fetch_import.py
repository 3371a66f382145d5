"""Fetch -> import: what the connectors write is what the mappings describe, and the store
gains the rows the portal served (figures computed here from the served rows or the raw
sample files, not from the importer)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

from harness.portal_samples import Samples
from harness.portals import PortalServer
from ingest.cli.app import app
from ingest.connectors import RetryPolicy, fetch_source
from ingest.connectors.fetch import FetchReport
from ingest.connectors.sources import SOURCES
from ingest.mapping.load import load_mapping, mapping_path
from ingest.outcome import ImportReport
from tests.ingest.helpers import MURDERS_2019, query

FAST = RetryPolicy(attempts=2, backoff_s=0.01, connect_timeout_s=2, read_timeout_s=10)


def run(portal: PortalServer, name: str, db: Path, out: Path, **kw: object) -> FetchReport:
    return fetch_source(name, db=db, out=out, base_url=portal.url, policy=FAST, **kw)  # type: ignore[arg-type]


Fetched = Callable[[str], tuple[Path, ImportReport]]


@pytest.fixture()
def fetched(portal: PortalServer, tmp_path: Path) -> Fetched:
    """Fetch a source from the local portal into a new store: (the store, the import's report)."""

    def fetch(name: str) -> tuple[Path, ImportReport]:
        db = tmp_path / "real.duckdb"
        report = run(portal, name, db, tmp_path / "dl")
        assert report.imported is not None
        return db, report.imported

    return fetch


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_source_has_a_mapping_for_the_shape_it_writes(name: str) -> None:
    source = SOURCES[name]
    mapping = load_mapping(mapping_path(source.mapping), default_source=source.mapping)
    assert mapping.source == source.name  # fetch NAME stores rows as source NAME
    used = set(mapping.columns_used())
    if source.platform == "census":
        assert used == {"GEOID"} and mapping.kind == "geography"
    else:
        assert used <= set(source.columns), (
            f"the mapping reads columns the connector never writes: {used - set(source.columns)}"
        )
        assert set(source.required) <= set(source.columns)


def test_memphis_fetch_imports_every_row_then_nothing_twice(
    portal: PortalServer, portal_samples: Samples, tmp_path: Path
) -> None:
    db = tmp_path / "real.duckdb"
    report = run(portal, "memphis_socrata", db, tmp_path / "dl", page_size=1000)
    robberies = portal_samples.memphis_frame
    assert report.imported is not None and report.imported.rows_accepted == robberies["uid"].nunique() == 2245
    ((count, codes, first, last),) = query(
        db,
        "select count(*), string_agg(distinct nibrs_code), min(occurred_at), max(occurred_at)"
        " from incidents where source = 'memphis_socrata'",
    )
    assert count == 2245 and codes == "120"
    dates = pd.to_datetime(robberies["date"])
    assert (first, last) == (
        dates.min().to_pydatetime(),
        dates.max().to_pydatetime(),
    )  # local time kept as is

    # again, incrementally: from the newest stored day minus 30 days; nothing new is written
    portal.seen.clear()
    again = run(portal, "memphis_socrata", db, tmp_path / "dl")
    assert portal.seen[0].params["$where"] == "offense_date >= '2019-12-01T00:00:00'"
    expected = (dates >= "2019-12-01").sum()
    assert again.rows == expected and again.imported is not None
    assert again.imported.rows_accepted == 0 and again.imported.rows_duplicate == expected
    assert query(db, "select count(*) from incidents where source = 'memphis_socrata'") == [(2245,)]


def test_indianapolis_utc_dates_come_back_local(fetched: Fetched, portal_samples: Samples) -> None:
    db, imported = fetched("indianapolis_arcgis")
    indy = portal_samples.indy_frame
    pairs = indy.assign(code=[f["attributes"]["NIBRSClassCode"] for f in portal_samples.indy_features])
    distinct = len(pairs.drop_duplicates(["CASE", "code"]))
    assert imported.rows_accepted + imported.rows_quarantined + imported.rows_duplicate == 1712
    assert imported.rows_accepted == distinct - imported.rows_quarantined and imported.rows_quarantined < 5
    # I190009753A: 2018-12-13 11:18 in Indianapolis, sent as 16:18 UTC
    assert query(
        db, "select occurred_at::varchar, nibrs_code from incidents where source_id like 'I190009753A|%'"
    ) == [("2018-12-13 11:18:00", "220")]


def test_kansas_city_years_import_as_one_source(fetched: Fetched, portal_samples: Samples) -> None:
    db, imported = fetched("kansas_city_socrata")
    served = pd.DataFrame(
        [r for ds in ("vsgj-uufz", "isbe-v4d8") for r in portal_samples.kansas_city[ds]]
        + [{**r, "report_no": r["report"]} for r in portal_samples.kansas_city["dmnp-9ajg"]]
    )
    keys = served.assign(ibrs=served["ibrs"].fillna("")).drop_duplicates(["report_no", "ibrs"])
    stored = dict(
        query(
            db,
            "select left(source_id, 4), count(*) from incidents where source = 'kansas_city_socrata' group by 1",
        )
    )
    expected = keys["report_no"].str[:4].value_counts()
    assert stored["KC25"] == expected["KC25"] > 0  # the year whose field is `report`, renamed
    assert stored["KC24"] == expected["KC24"] > 0
    assert sum(stored.values()) == len(keys) - imported.rows_quarantined
    ((located,),) = query(
        db, "select count(*) from incidents where source = 'kansas_city_socrata' and lat is not null"
    )
    assert located == stored["KC24"] + stored["KC25"]  # only 2024+ rows carried points


def test_cincinnati_both_datasets(portal: PortalServer, portal_samples: Samples, tmp_path: Path) -> None:
    db = tmp_path / "real.duckdb"
    report = run(portal, "cincinnati_socrata", db, tmp_path / "dl")
    incidents = {r["incident_no"] for r in portal_samples.cincinnati_pdi} | {
        r["incident_no"] for r in portal_samples.cincinnati_stars
    }
    assert report.imported is not None and report.imported.rows_accepted == len(
        incidents
    )  # burglary -> 220 only
    assert query(
        db,
        "select count(*) from incidents where source = 'cincinnati_socrata'"
        " and nibrs_code = '220' and year(occurred_at) = 2024",
    ) == [(30,)]


def test_rtci_fetch_gives_the_issue_figures(portal: PortalServer, tmp_path: Path) -> None:
    db = tmp_path / "real.duckdb"
    run(portal, "rtci", db, tmp_path / "dl")
    murders = dict(
        query(
            db,
            "select city_id, sum(count) from monthly_counts"
            " where source = 'rtci' and offense = 'murder' and year(month) = 2019 group by 1",
        )
    )
    assert set(murders) == {*MURDERS_2019, "baton_rouge_la", "toledo_oh"}
    assert {city: murders[city] for city in MURDERS_2019} == MURDERS_2019


def test_census_fetch_replaces_boundaries(portal: PortalServer, shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "real.duckdb"
    report = run(portal, "census_boundaries", db, tmp_path / "dl", year=2015)
    assert report.rows == 12
    stored = dict(
        query(db, "select city_id, geometry_wkt from city_boundaries where source = 'census_boundaries'")
    )
    assert len(stored) == 12
    reference = gpd.read_file(shared_data / "raw/geography/psp_city_boundaries_cb2015.geojson")
    houston = reference.loc[reference["GEOID"] == "4835000", "geometry"].iloc[0]
    assert abs(shapely.from_wkt(stored["houston_tx"]).area / houston.area - 1) < 1e-3


def test_cli_fetch_imports_and_a_failed_import_keeps_store_and_file(
    portal: PortalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSP_PORTAL_BASE_URL", portal.url)
    db, out = tmp_path / "real.duckdb", tmp_path / "dl"
    result = CliRunner().invoke(app, ["fetch", "buffalo_socrata", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "buffalo_socrata: 300 rows from the beginning" in result.output and "accepted" in result.output
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    # the portal now sends rows far outside Buffalo: the importer refuses the file as a whole
    portal.add_soda(
        "d6g9-xbgu",
        [
            {
                "case_number": f"X{i}",
                "incident_datetime": "2030-01-01T00:00:00.000",
                "incident_type_primary": "ROBBERY",
                "latitude": "10.0",
                "longitude": "10.0",
            }
            for i in range(30)  # enough rows for the share rule (MIN_ROWS_FOR_SHARE)
        ],
    )
    result = CliRunner().invoke(app, ["fetch", "buffalo_socrata", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 2
    assert (
        "was not changed" in result.output and "python -m ingest import buffalo_socrata FILE" in result.output
    )
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert len(list(out.glob("buffalo_socrata_*.csv"))) == 2  # the refused download is kept
