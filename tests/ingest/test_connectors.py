"""Connectors against the local portal server (tests/ingest/portals.py); never the network.

Expected figures are computed here from the raw sample files (or the rows the server
holds), not read back from the connector.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
import time
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from harness.portal_samples import Samples
from harness.portals import PortalServer
from ingest.cli.app import app
from ingest.connectors import FetchError, OfflineError, RetryPolicy, fetch_source
from ingest.connectors import fetch as fetch_module
from ingest.connectors.fetch import resolve_since
from ingest.connectors.sources import SOURCES, FetchJob, portal_url
from ingest.registry import load_cities, load_registry
from ingest.store import write_store
from tests.fixtures.stores import build_monthly_store

FAST = RetryPolicy(attempts=3, backoff_s=0.01, max_backoff_s=0.04, connect_timeout_s=2, read_timeout_s=5)


class Sleeps(list[float]):
    """Records the backoff waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetch(portal: PortalServer, name: str, out: Path, **kw: object) -> tuple[object, pd.DataFrame]:
    kw.setdefault("db", out / "absent.duckdb")
    kw.setdefault("policy", FAST)
    kw.setdefault("sleep", Sleeps())
    report = fetch_source(name, out=out, base_url=portal.url, import_data=False, **kw)  # type: ignore[arg-type]
    frame = (
        pd.read_csv(report.file, dtype=str, keep_default_na=False) if report.file.suffix == ".csv" else None
    )
    return report, frame  # type: ignore[return-value]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- paging ----------------------------------------------------------------------------


def test_soda_pages_through_every_row(portal: PortalServer, portal_samples: Samples, tmp_path: Path) -> None:
    report, frame = fetch(portal, "memphis_socrata", tmp_path, page_size=500)
    robberies = portal_samples.memphis_frame
    assert report.rows == len(robberies) == 2245
    assert sorted(frame["crime_id"].astype(int)) == sorted(robberies["uid"])
    asked = portal.requests_to("/resource/puh4-eea4.json")
    assert [int(p["$offset"]) for p in asked] == [0, 500, 1000, 1500, 2000]
    assert {p["$limit"] for p in asked} == {"500"} and {p["$order"] for p in asked} == {":id"}
    assert "$where" not in asked[0]  # nothing in the store: the full history
    assert list(frame.columns) == list(SOURCES["memphis_socrata"].columns)
    # lat/long renamed to latitude/longitude, values as the sample has them
    first = frame.set_index("crime_id").loc[str(robberies["uid"][0])]
    assert (float(first["latitude"]), float(first["longitude"])) == (
        robberies["latitude"][0],
        robberies["longitude"][0],
    )


def test_soda_page_boundary_exact_multiple(portal: PortalServer, tmp_path: Path) -> None:
    """437 rows in pages of 437: a full page is followed by one empty request, then stop."""
    report, frame = fetch(portal, "cincinnati_socrata", tmp_path, page_size=437)
    assert len(portal.requests_to("/resource/k59e-2pvf.json")) == 2
    assert report.rows == len(frame) == 437 + 30


def test_kansas_city_years_are_renamed_to_one_shape(
    portal: PortalServer, portal_samples: Samples, tmp_path: Path
) -> None:
    report, frame = fetch(portal, "kansas_city_socrata", tmp_path, page_size=400)
    kc = portal_samples.kansas_city
    assert report.rows == len(kc["vsgj-uufz"]) + 20 + 10
    for dataset in SOURCES["kansas_city_socrata"].datasets:  # every year asked once at least
        assert portal.requests_to(f"/resource/{dataset.dataset_id}.json")
    by_dataset = frame.groupby("dataset").size().to_dict()
    assert by_dataset == {"vsgj-uufz": len(kc["vsgj-uufz"]), "isbe-v4d8": 20, "dmnp-9ajg": 10}
    y2025 = frame[frame["dataset"] == "dmnp-9ajg"]
    assert y2025["report_no"].str.startswith("KC25").all()  # `report` -> report_no
    assert y2025["reported_date"].str.startswith("2025-02").all()  # `report_date` -> reported_date
    y2024 = frame[frame["dataset"] == "isbe-v4d8"].reset_index(drop=True)
    assert (float(y2024["latitude"][3]), float(y2024["longitude"][3])) == (39.053, -94.577)  # from the point
    assert (frame[frame["dataset"] == "vsgj-uufz"]["latitude"] == "").all()  # the 2020 extract has no points


def test_arcgis_pages_until_transfer_limit_clears(
    portal: PortalServer, portal_samples: Samples, tmp_path: Path
) -> None:
    report, frame = fetch(portal, "indianapolis_arcgis", tmp_path)
    layer = "/" + SOURCES["indianapolis_arcgis"].path + "/query"
    asked = portal.requests_to(layer)
    # 1,712 features, the layer caps answers at 500: 4 pages, offsets advance by what came
    assert [int(p["resultOffset"]) for p in asked] == [0, 500, 1000, 1500]
    assert (
        asked[0]["where"] == "1=1"
        and asked[0]["outSR"] == "4326"
        and asked[0]["orderByFields"] == "OBJECTID ASC"
    )
    indy = portal_samples.indy_frame
    assert report.rows == len(frame) == len(indy) == 1712
    assert frame["OBJECTID"].astype(int).tolist() == indy["OBJECTID"].tolist()
    # epoch ms -> ISO 8601 UTC; the first sample row is 2018-12-13 11:18 local (EST)
    assert frame["OccurredFrom"][0] == "2018-12-13T16:18:00Z"
    assert abs(float(frame["Latitude"][0]) - indy["lat"][0]) < 1e-6


def test_arcgis_error_body_is_an_error(portal: PortalServer, tmp_path: Path) -> None:
    """ArcGIS answers HTTP 200 with {"error": ...}; a 400 there fails at once with its message."""
    source = SOURCES["indianapolis_arcgis"]
    broken = dataclasses.replace(source, date_column="Occurred From")  # a where clause the server rejects

    client = fetch_module._client(broken, FAST, Sleeps())
    with pytest.raises(FetchError, match="ArcGIS error 400 .*Unable to complete operation"):
        fetch_module.download(FetchJob(client, broken, datetime(2019, 1, 1), tmp_path / "x.csv", portal.url))
    assert list(tmp_path.iterdir()) == []


# ---- incremental -----------------------------------------------------------------------


def test_since_asks_only_for_newer_rows(
    portal: PortalServer, portal_samples: Samples, tmp_path: Path
) -> None:
    report, frame = fetch(portal, "memphis_socrata", tmp_path, since=date(2019, 7, 1), page_size=500)
    (asked,) = portal.requests_to("/resource/puh4-eea4.json")[:1]
    assert asked["$where"] == "offense_date >= '2019-07-01T00:00:00'"
    robberies = portal_samples.memphis_frame
    expected = (pd.to_datetime(robberies["date"]) >= "2019-07-01").sum()
    assert report.rows == len(frame) == expected == 1162
    assert report.since_origin == "--since"


def test_since_skips_kansas_city_years_before_it(portal: PortalServer, tmp_path: Path) -> None:
    report, frame = fetch(portal, "kansas_city_socrata", tmp_path, since=date(2024, 3, 10))
    asked = {s.path for s in portal.seen}
    assert asked == {f"/resource/{d}.json" for d in ("isbe-v4d8", "dmnp-9ajg", "f7wj-ckmw")}
    assert (
        portal.requests_to("/resource/isbe-v4d8.json")[0]["$where"]
        == "reported_date >= '2024-03-10T00:00:00'"
    )
    assert (
        portal.requests_to("/resource/dmnp-9ajg.json")[0]["$where"] == "report_date >= '2024-03-10T00:00:00'"
    )
    assert report.rows == 11 + 10  # 2024-03-10..03-20 and all of 2025


def test_since_in_arcgis_where(portal: PortalServer, portal_samples: Samples, tmp_path: Path) -> None:
    report, frame = fetch(portal, "indianapolis_arcgis", tmp_path, since=date(2019, 4, 1))
    layer = "/" + SOURCES["indianapolis_arcgis"].path + "/query"
    assert portal.requests_to(layer)[0]["where"] == "OccurredFrom >= TIMESTAMP '2019-04-01 00:00:00'"
    # ArcGIS compares its UTC dates with the TIMESTAMP literal
    expected = (portal_samples.indy_frame["occurred_utc"] >= "2019-04-01").sum()
    assert report.rows == len(frame) == expected


def test_since_defaults_to_the_newest_stored_record(portal: PortalServer, tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    with write_store(db) as con:
        load_registry(con)
        con.execute(
            "insert into incidents (incident_id, city_id, occurred_at, offense_group, source) values"
            " (1, 'memphis_tn', '2019-09-30 22:15', 'violent', 'memphis_socrata'),"
            " (2, 'memphis_tn', '2020-05-01 10:00', 'violent', 'another_source')"
        )
    since, origin = resolve_since(db, SOURCES["memphis_socrata"], None)
    assert since == datetime(2019, 8, 31) and "2019-09-30" in origin  # 30 days of look-back
    before = _sha(db)
    fetch(portal, "memphis_socrata", tmp_path / "dl", db=db)
    assert (
        portal.requests_to("/resource/puh4-eea4.json")[0]["$where"] == "offense_date >= '2019-08-31T00:00:00'"
    )
    assert _sha(db) == before  # reading the store for the date leaves it alone


def test_since_from_store_month_for_rtci(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    build_monthly_store(db, [("memphis_tn", "2024-06-01", "murder", 30, "rtci")])
    assert resolve_since(db, SOURCES["rtci"], None)[0] == datetime(2024, 3, 1)  # 92 days back, month start


# ---- retries and errors ----------------------------------------------------------------


def test_retry_recovers_from_503(portal: PortalServer, portal_samples: Samples, tmp_path: Path) -> None:
    portal.fail("/resource/puh4-eea4.json", 503, 503)
    sleeps = Sleeps()
    report, frame = fetch(portal, "memphis_socrata", tmp_path, sleep=sleeps, page_size=1000)
    assert report.rows == len(frame) == 2245
    assert sleeps == [0.01, 0.02]  # exponential backoff
    assert report.requests == 2 + 3


def test_retry_gives_up_after_n_attempts(portal: PortalServer, tmp_path: Path) -> None:
    portal.fail("/resource/puh4-eea4.json", 503, 503, 503, 503)
    sleeps = Sleeps()
    with pytest.raises(
        FetchError, match=r"Gave up on .*/resource/puh4-eea4.json after 3 attempts; last: HTTP 503"
    ):
        fetch(portal, "memphis_socrata", tmp_path, sleep=sleeps)
    assert len(portal.requests_to("/resource/puh4-eea4.json")) == 3 and sleeps == [0.01, 0.02]
    assert list(tmp_path.iterdir()) == []  # no half-written file


def test_retry_after_on_429_is_honoured_within_bounds(portal: PortalServer, tmp_path: Path) -> None:
    portal.fail("/resource/d6g9-xbgu.json", 429)  # the server says Retry-After: 0
    sleeps = Sleeps()
    policy = RetryPolicy(attempts=2, backoff_s=0.03, max_backoff_s=0.05)
    report, _ = fetch(portal, "buffalo_socrata", tmp_path, sleep=sleeps, policy=policy)
    assert report.rows == 300 and sleeps == [0.03]
    assert policy.delay(1, retry_after=120.0) == 0.05  # a long Retry-After is capped


def test_a_slow_answer_times_out_and_is_retried(portal: PortalServer, tmp_path: Path) -> None:
    portal.delay("/resource/pbin-pcm7.json", 1.0)
    policy = RetryPolicy(attempts=2, backoff_s=0.01, connect_timeout_s=2, read_timeout_s=0.3)
    sleeps = Sleeps()
    report, frame = fetch(portal, "baton_rouge_socrata", tmp_path, policy=policy, sleep=sleeps)
    assert report.rows == len(frame) == 300 and sleeps == [0.01]


def test_client_errors_are_not_retried(portal: PortalServer, tmp_path: Path) -> None:
    portal.fail("/resource/d6g9-xbgu.json", 400)
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"HTTP 400 .* from .*d6g9-xbgu.json: injected fault"):
        fetch(portal, "buffalo_socrata", tmp_path, sleep=sleeps)
    assert sleeps == [] and len(portal.seen) == 1


def test_a_renamed_required_field_is_a_clear_error(portal: PortalServer, tmp_path: Path) -> None:
    portal.add_soda("d6g9-xbgu", [{"case_no": "1", "incident_datetime": "2020-01-01T00:00:00.000"}])
    with pytest.raises(
        FetchError, match="no longer sends case_number, incident_type_primary .*it sent: case_no"
    ):
        fetch(portal, "buffalo_socrata", tmp_path)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_offline_fails_fast_with_a_clear_message_and_store_unchanged(
    tiny_store_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "store.duckdb"
    db.write_bytes(tiny_store_path.read_bytes())
    before = _sha(db)
    sleeps = Sleeps()
    started = time.perf_counter()
    with pytest.raises(OfflineError) as caught:
        fetch_source(
            "cincinnati_socrata",
            db=db,
            out=tmp_path / "dl",
            base_url=f"http://127.0.0.1:{_closed_port()}",
            policy=RetryPolicy(attempts=5, backoff_s=10),
            sleep=sleeps,
        )
    elapsed = time.perf_counter() - started
    message = str(caught.value)
    assert "\n" not in message
    assert "/resource/k59e-2pvf.json (connection refused)" in message
    assert "python -m ingest import cincinnati_socrata FILE" in message
    assert sleeps == [] and elapsed < 5  # no backoff: unreachable is not transient
    assert _sha(db) == before
    assert not (tmp_path / "dl").exists() or list((tmp_path / "dl").iterdir()) == []


# ---- whole files -----------------------------------------------------------------------


def test_rtci_keeps_the_psp_agencies(portal: PortalServer, shared_data: Path, tmp_path: Path) -> None:
    report, frame = fetch(portal, "rtci", tmp_path)
    raw = pd.read_csv(
        shared_data / "raw/multi_city/rtci_monthly_by_agency_2018_2024.csv.gz",
        dtype=str,
        keep_default_na=False,
    )
    agencies = {c.rtci_agency for c in load_cities()}
    expected = raw[raw["agency_full"].isin(agencies)]
    assert report.rows == len(frame) == len(expected) == 709
    assert list(frame.columns) == list(raw.columns)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected.reset_index(drop=True))
    houston_2019 = frame[(frame["agency_full"] == "Houston, Texas") & frame["date"].str.startswith("2019")]
    assert houston_2019["murder"].astype(int).sum() == 281  # the figure


def test_rtci_since_keeps_later_months(portal: PortalServer, tmp_path: Path) -> None:
    report, frame = fetch(portal, "rtci", tmp_path, since=date(2024, 1, 15))
    assert frame["date"].min() == "2024-01-01" and report.rows == len(frame)
    assert set(frame["date"].str[:7]) <= {f"2024-0{m}" for m in range(1, 8)}


def test_census_boundaries_keep_the_twelve_cities(
    portal: PortalServer, shared_data: Path, tmp_path: Path
) -> None:
    report, _ = fetch(portal, "census_boundaries", tmp_path, year=2015)
    places = gpd.read_file(report.file)
    reference = gpd.read_file(shared_data / "raw/geography/psp_city_boundaries_cb2015.geojson")
    assert report.rows == len(places) == 12
    assert set(places["GEOID"]) == set(reference["GEOID"])  # the decoy places were dropped
    assert dict(zip(places["GEOID"], places["city_id"], strict=True))["2938000"] == "kansas_city_mo"
    asked = sorted(s.path for s in portal.seen)
    assert asked[0] == "/geo/tiger/GENZ2015/shp/cb_2015_01_place_500k.zip" and len(asked) == 10
    merged = places.merge(reference[["GEOID", "geometry"]], on="GEOID")
    for a, b in zip(merged["geometry_x"], merged["geometry_y"], strict=True):
        assert a.symmetric_difference(b).area < 1e-6 * b.area  # same polygons after the round trip


def test_no_host_is_hard_coded_outside_the_registry() -> None:
    root = Path(__file__).resolve().parents[2] / "ingest"
    hosts = [
        u.split("//")[1]
        for u in __import__("ingest.connectors.sources", fromlist=["PORTALS"]).PORTALS.values()
    ]
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert not [h for h in hosts if h in text], f"{path} names a portal host"
    assert (
        portal_url("memphis", "resource/x.json", "http://127.0.0.1:1/")
        == "http://127.0.0.1:1/resource/x.json"
    )


# ---- command line ----------------------------------------------------------------------


def test_cli_fetch_download_only(
    portal: PortalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PSP_PORTAL_BASE_URL", portal.url)
    result = CliRunner().invoke(
        app,
        [
            "fetch",
            "baton_rouge_socrata",
            "--since",
            "2022-03-01",
            "--download-only",
            "--db",
            str(tmp_path / "s.duckdb"),
            "--out",
            str(tmp_path / "dl"),
        ],
    )
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "dl").iterdir()
    rows = len(pd.read_csv(written))
    assert rows > 0 and f"baton_rouge_socrata: {rows:,} rows from 2022-03-01 (--since)" in result.output
    assert not (tmp_path / "s.duckdb").exists()


def test_cli_fetch_offline_and_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSP_PORTAL_BASE_URL", f"http://127.0.0.1:{_closed_port()}")
    result = CliRunner().invoke(
        app, ["fetch", "rtci", "--db", str(tmp_path / "s.duckdb"), "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "Offline: cannot reach" in result.output and "by_agency_table.csv" in result.output
    result = CliRunner().invoke(app, ["fetch", "atlantis", "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2 and "Unknown source 'atlantis'; known: baton_rouge_socrata" in result.output


def test_soda_rows_are_json_strings(portal_samples: Samples) -> None:
    """The fixture itself: SODA sends strings (points excepted) and leaves out null fields."""
    row = portal_samples.kansas_city["vsgj-uufz"][0]
    assert all(isinstance(v, str) for v in row.values()) and "location" not in row
    assert json.loads(json.dumps(portal_samples.kansas_city["isbe-v4d8"][0]))["location"]["type"] == "Point"
