"""The generic importer on the worked example (tests/fixtures/generic_example.csv, whose
12 rows were written to hit every check): hand-checked figures, idempotence, atomicity,
time zones, ids, and the refusals."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING
from ingest.errors import ImportFailed, MappingError, MixedDataError
from ingest.hashing import file_sha256
from ingest.importer import import_file
from ingest.outcome import ImportReport
from tests.ingest.helpers import query


def import_text(store: Path, tmp_path: Path, csv_text: str, mapping_text: str) -> ImportReport:
    """Write a CSV and a mapping to tmp_path and import them with source 'generic'."""
    csv, mapping = tmp_path / "input.csv", tmp_path / "input.toml"
    csv.write_text(csv_text)
    mapping.write_text(mapping_text)
    return import_file(store, "generic", csv, mapping=mapping)


def write_mapping(tmp_path: Path, **replace: str) -> Path:
    """The example mapping with some lines replaced (old text -> new text)."""
    text = EXAMPLE_MAPPING.read_text()
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "mapping.toml"
    path.write_text(text)
    return path


def test_example_figures(example: Callable[..., ImportReport], store: Path) -> None:
    report = example()
    # 12 rows: SP-002 twice (1 duplicate); SP-005 bad date, SP-006 in Chicago, the last row
    # has no case number (3 quarantined); 8 accepted of which LOITER (unknown), INFO-ONLY
    # (mapped to nothing on purpose) and SP-010 (no code) are unmapped.
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined, report.rows_duplicate) == (
        12,
        8,
        3,
        1,
    )
    assert report.quarantine_reasons == {
        "bad date (occurred_date)": 1,
        "coordinates outside the city (longitude)": 1,
        "missing id (case_number)": 1,
    }
    assert report.unmapped_codes == {"LOITER": 1, "INFO-ONLY": 1, "(no code) Unknown offense": 1}
    assert report.source == "example_pd_rms" and report.kind == "incidents"
    quarantine = query(store, "select line, reason, field, kept from quarantine order by line, kept")
    assert quarantine == [
        (7, "bad date", "occurred_date", False),
        (8, "coordinates outside the city", "longitude", False),
        (9, "unknown offense code", "offense_code", True),
        (12, "no offense code", "offense_code", True),
        (13, "missing id", "case_number", False),
    ]
    got = {
        r[0]: r[1:]
        for r in query(
            store,
            "select source_id, occurred_at, nibrs_code, offense_group, firearm, district, time_known,"
            " lat is not null from incidents",
        )
    }
    assert got["SP-001|09A"] == (datetime(2024, 1, 3, 22, 10), "09A", "violent", None, "A", True, True)
    assert got["SP-002|13A"][3] is True  # AGG-ASLT-GUN: firearm from the crosswalk
    assert got["SP-003|120"][1:] == ("120", "violent", None, "B", False, True)  # time 9999: unknown
    assert got["SP-003|120"][0] == datetime(2024, 1, 9)
    assert got["SP-004|220"][-1] is False  # no coordinates: kept
    assert got["SP-007|LOITER"][1:3] == (None, "other")
    assert got["SP-009|13A"][3] is False
    summary = report.summary()
    for text in ("rows read", "quarantined", "bad date (occurred_date)", "LOITER", "rows/s"):
        assert text in summary


def test_rollups_and_imports_log(example: Callable[..., ImportReport], store: Path) -> None:
    report = example()
    assert query(store, "select sum(n) from daily_counts") == [(8,)]
    monthly = dict(
        ((str(m), o), c)
        for m, o, c in query(
            store, "select month, offense, count from monthly_counts where source = 'example_pd_rms'"
        )
    )
    # Jan 2024: murder SP-001, agg assault SP-002, robbery SP-003, burglary SP-004; Feb: SP-009.
    assert monthly[("2024-01-01", "violent_crime")] == 3
    assert monthly[("2024-02-01", "aggravated_assault")] == 1
    assert monthly[("2024-01-01", "property_crime")] == 1
    log = query(
        store,
        "select source, kind, rows_read, rows_accepted, rows_quarantined, rows_duplicate, standard"
        " from imports where import_id = ?",
        [report.import_id],
    )
    assert log == [("example_pd_rms", "incidents", 12, 8, 3, 1, "NIBRS")]


def test_same_file_twice_adds_nothing(example: Callable[..., ImportReport], store: Path) -> None:
    example()
    tables = ("incidents", "quarantine", "daily_counts", "monthly_counts")
    before = {t: query(store, f"select * from {t} order by all") for t in tables}
    again = example()
    assert (again.rows_accepted, again.rows_quarantined, again.rows_duplicate) == (0, 0, 12)
    assert {t: query(store, f"select * from {t} order by all") for t in tables} == before
    assert query(store, "select count(*) from imports") == [(2,)]


def test_new_rows_in_a_later_file_are_added(
    example: Callable[..., ImportReport], store: Path, tmp_path: Path
) -> None:
    example()
    more = tmp_path / "more.csv"
    more.write_text(
        EXAMPLE_CSV.read_text()
        + "SP-011,ROB-ARM-GUN,Armed robbery (gun),02/10/2024,2130,02/10/2024 22:00,39.7710,-89.6480,C04\n"
    )
    report = example(more)
    assert (report.rows_accepted, report.rows_duplicate, report.rows_quarantined) == (1, 12, 0)
    assert query(store, "select firearm from incidents where source_id = 'SP-011|120'") == [(True,)]


@pytest.mark.parametrize(
    "content, line, column, words",
    [
        (
            "case_number,offense_code,offense_desc,occurred_date,occurred_time,reported_date,latitude,longitude,beat\n"
            "A,MURDER,x,01/03/2024,2210,01/03/2024 23:05,39.79,-89.64,A1\n"
            "B,MURDER,x,01/03/2024,2210,01/03/2024 23:05,39.79,-89.64,A1,extra\n",
            3,
            None,
            "too many columns",
        ),
        (
            "case_number,offense_code,offense_desc,occurred_date,occurred_time,reported_date,latitude,longitude,beat\n"
            "A,MURDER,x,01/03/2024,2210\n",
            2,
            "reported_date",
            "missing columns",
        ),
        ("case_number,offense_code\nA,MURDER\n", 1, "occurred_date", "not in the header"),
        ("", 1, None, "empty"),
    ],
)
def test_malformed_file_fails_and_leaves_store_identical(
    example: Callable[..., ImportReport],
    store: Path,
    tmp_path: Path,
    content: str,
    line: int,
    column: str | None,
    words: str,
) -> None:
    example()  # the store holds data: it must come out byte-identical
    before = file_sha256(store)
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    with pytest.raises(ImportFailed) as caught:
        example(bad)
    err = caught.value
    assert err.file == bad and err.line == line and err.column == column
    assert words in str(err) and str(bad) in str(err) and f"line {line}" in str(err)
    assert file_sha256(store) == before
    assert not list(store.parent.glob(".*.tmp*")), "temporary copy left behind"


def test_invalid_utf8_names_the_line(
    example: Callable[..., ImportReport], store: Path, tmp_path: Path
) -> None:
    before = file_sha256(store)
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(
        EXAMPLE_CSV.read_bytes()
        + "SP-099,THEFT,Caf\xe9,02/06/2024,1300,02/06/2024 13:15,39.77,-89.64,C3\n".encode("latin-1")
    )
    with pytest.raises(ImportFailed, match=r"line 14.*(utf-8|unicode)") as caught:
        example(bad)
    assert caught.value.line == 14
    assert file_sha256(store) == before


def test_mostly_failing_rows_mean_a_wrong_mapping(
    example: Callable[..., ImportReport], store: Path, tmp_path: Path
) -> None:
    before = file_sha256(store)
    mapping = write_mapping(
        tmp_path, **{'format = "%m/%d/%Y"           #': 'format = "%Y-%m-%d"           #'}
    )
    big = tmp_path / "big.csv"
    lines = EXAMPLE_CSV.read_text().splitlines()
    big.write_text("\n".join([lines[0]] + lines[1:] * 2) + "\n")  # 24 rows: enough to judge the mapping
    with pytest.raises(ImportFailed, match=r"24 of 24 rows .*bad date.*does not fit") as caught:
        example(big, mapping=mapping)
    assert caught.value.line == 2 and caught.value.column == "occurred_date"
    assert file_sha256(store) == before
    # A small file is not judged: its bad rows are simply quarantined.
    report = example(mapping=mapping)
    assert report.rows_quarantined == 12 and report.rows_accepted == 0


def test_bom_crlf_and_spaces_are_read(
    example: Callable[..., ImportReport], store: Path, tmp_path: Path
) -> None:
    text = EXAMPLE_CSV.read_text().replace(",", " , ").replace("\n", "\r\n")
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"\xef\xbb\xbf" + text.replace(" , ", ",", 8).encode())  # header without the padding
    report = example(odd)
    assert (report.rows_accepted, report.rows_quarantined) == (8, 3)


def test_utc_timestamps_are_converted_to_local_time(store: Path, tmp_path: Path) -> None:
    import_text(
        store,
        tmp_path,
        "id,code,when\n1,120,2024-07-01T03:30:00Z\n2,120,2024-01-15T18:00:00Z\n",
        '[source]\nname = "utc_test"\nkind = "incidents"\n[city]\nid = "memphis_tn"\n[id]\ncolumns = ["id"]\n'
        '[occurred]\ncolumn = "when"\nformat = "%Y-%m-%dT%H:%M:%SZ"\ntimezone = "UTC"\n'
        '[offense]\ncode = "code"\ncodes_are_nibrs = true\n',
    )
    got = query(store, "select source_id, occurred_at from incidents order by 1")
    # Memphis is UTC-5 in July (CDT) and UTC-6 in January (CST).
    assert got == [("1", datetime(2024, 6, 30, 22, 30)), ("2", datetime(2024, 1, 15, 12, 0))]


def test_rows_without_an_id_are_keyed_by_content(store: Path, tmp_path: Path) -> None:
    csv_text = "code,when\n120,2024-01-01 10:00\n120,2024-01-01 10:00\n13A,2024-01-02 11:00\n"
    mapping_text = (
        '[source]\nname = "noid"\nkind = "incidents"\n[city]\nid = "memphis_tn"\n'
        '[occurred]\ncolumn = "when"\nformat = "%Y-%m-%d %H:%M"\n[offense]\ncode = "code"\ncodes_are_nibrs = true\n'
    )
    first = import_text(store, tmp_path, csv_text, mapping_text)
    assert (first.rows_accepted, first.rows_duplicate) == (2, 1)
    assert all(r[0].startswith("md5:") for r in query(store, "select source_id from incidents"))
    second = import_text(store, tmp_path, csv_text, mapping_text)
    assert (second.rows_accepted, second.rows_duplicate) == (0, 3)


def test_city_from_a_column(store: Path, tmp_path: Path) -> None:
    report = import_text(
        store,
        tmp_path,
        "id,city,code,when\n1,Memphis,120,2024-01-01\n2,SPFD,120,2024-01-01\n3,Chicago,120,2024-01-01\n4,,120,2024-01-01\n",
        '[source]\nname = "multi"\nkind = "incidents"\n[city]\ncolumn = "city"\nmatch = "name"\n'
        '[city.values]\n"spfd" = "springfield_il"\n[id]\ncolumns = ["id"]\n'
        '[occurred]\ncolumn = "when"\nformat = "%Y-%m-%d"\n[offense]\ncode = "code"\ncodes_are_nibrs = true\n',
    )
    assert report.quarantine_reasons == {"unknown city (city)": 1, "missing city (city)": 1}
    assert query(store, "select source_id, city_id, time_known from incidents order by 1") == [
        ("1", "memphis_tn", False),
        ("2", "springfield_il", False),
    ]


def test_real_data_is_refused_in_a_demo_store(demo_store_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_store_path, copy)
    before = file_sha256(copy)
    with pytest.raises(MixedDataError, match="never mixed"):
        import_file(copy, "generic", EXAMPLE_CSV, mapping=EXAMPLE_MAPPING)
    assert file_sha256(copy) == before


def test_unknown_source_and_missing_mapping(store: Path) -> None:
    with pytest.raises(MappingError, match="no mapping for source 'nope'.*Known sources: .*cincinnati"):
        import_file(store, "nope", EXAMPLE_CSV)
    with pytest.raises(MappingError, match="needs --mapping"):
        import_file(store, "generic", EXAMPLE_CSV)
    with pytest.raises(ImportFailed, match="no such file"):
        import_file(store, "generic", Path("/nonexistent.csv"), mapping=EXAMPLE_MAPPING)


def test_quarantine_raw_is_the_record(example: Callable[..., ImportReport], store: Path) -> None:
    example()
    raw = query(store, "select raw from quarantine where reason = 'bad date'")[0][0]
    assert json.loads(str(raw))["occurred_date"] == "13/40/2024"


def test_status_after_example(example: Callable[..., ImportReport], store: Path) -> None:
    from analysis.sources.health import coverage_by_source, quarantine_by_reason
    from kernel.store import connect_readonly

    example()
    con = connect_readonly(store)
    cov = coverage_by_source(con).set_index("source").loc["example_pd_rms"]
    assert (cov["rows"], cov["quarantined"], cov["kept_unmapped"]) == (8, 3, 2)
    assert cov["geocoded_share"] == pytest.approx(7 / 8)
    assert str(cov["last_complete_month"])[:7] == "2024-01"  # data end on Feb 4: February is partial
    reasons = quarantine_by_reason(con)
    assert int(reasons["rows"].sum()) == 5


def test_raw_and_ids_after_the_fast_path(example: Callable[..., ImportReport], store: Path) -> None:
    """The importer builds quarantine.raw only for the rows quarantine lists and numbers the
    written rows without sorting them: every listed row (rejected at parse, rejected by the
    coordinate check afterwards, or kept with an unknown code) still carries its record,
    and the ids follow the file order with no gaps for the rows left out."""
    example()
    listed = query(store, "select line, raw from quarantine order by line, kept")
    assert [line for line, _ in listed] == [7, 8, 9, 12, 13]
    header = EXAMPLE_CSV.read_text().splitlines()[0].split(",")
    lines = EXAMPLE_CSV.read_text().splitlines()
    for line, raw in listed:
        record = json.loads(str(raw))
        assert list(record) == header
        assert [record[c] or "" for c in header] == lines[int(line) - 1].split(",")
    ids = query(store, "select incident_id, source_id from incidents order by incident_id")
    assert [i for i, _ in ids] == list(range(1, 9))
    cases = [str(s).split("|")[0] for _, s in ids]
    assert cases == ["SP-001", "SP-002", "SP-003", "SP-004", "SP-007", "SP-008", "SP-009", "SP-010"]
