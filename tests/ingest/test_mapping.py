"""Mapping files: every committed one parses; mistakes are reported with file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING
from ingest.errors import MappingError
from ingest.hashing import file_sha256
from ingest.importer import import_file
from ingest.mapping.load import SOURCES_DIR, available_sources, load_mapping
from ingest.mapping.offense import read_crosswalk_csv

MINIMAL = """
[source]
name = "t"
kind = "incidents"
[city]
id = "memphis_tn"
[occurred]
column = "when"
format = "%Y-%m-%d"
[offense]
code = "code"
codes_are_nibrs = true
"""


def write(tmp_path: Path, text: str, name: str = "m.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_committed_mapping_parses() -> None:
    sources = available_sources()
    assert {
        "cincinnati",
        "indianapolis",
        "kansas_city",
        "kansas_city_frauds",
        "memphis",
        "rtci",
        "rtci_ytd",
        "memphis_zcta",
        "houston_zcta",
        "census_boundaries",
        "memphis_precincts",
        "kansas_city_districts",
        "rtci_sources",
    } <= set(sources)
    for source in sources:
        m = load_mapping(SOURCES_DIR / f"{source}.toml", default_source=source)
        assert m.source == source
        assert m.columns_used() or m.kind == "geography"
    example = load_mapping(EXAMPLE_MAPPING)
    assert example.source == "example_pd_rms" and example.offense.crosswalk["ROB-ARM-GUN"].firearm is True
    assert example.offense.crosswalk["INFO-ONLY"].nibrs_code is None


def test_indianapolis_crosswalk_covers_every_code_in_the_file(shared_data: Path) -> None:
    import duckdb

    codes = {
        r[0]
        for r in duckdb.connect()
        .execute(
            f"select distinct trim(UCR) from read_csv('{shared_data}/raw/indianapolis/impd_ucr_2019_jan_may.csv.gz',"
            " all_varchar = true)"
        )
        .fetchall()
    }
    crosswalk = read_crosswalk_csv(SOURCES_DIR / "indianapolis_ucr_codes.csv")
    assert codes <= set(crosswalk), sorted(codes - set(crosswalk))
    assert crosswalk["170"].firearm is True and crosswalk["171"].firearm is False


@pytest.mark.parametrize(
    "change, message",
    [
        (("[offense]", "[offense]\ncodez = 'x'"), r"\[offense\] unknown key\(s\): codez"),
        (('kind = "incidents"', 'kind = "incident"'), r"kind: must be one of incidents"),
        (('id = "memphis_tn"', "id = 12"), r"\[city\] id: must be str"),
        (("codes_are_nibrs = true", 'codes_are_nibrs = "yes"'), r"codes_are_nibrs: must be bool"),
        (('name = "t"', 'name = "Bad Name"'), r"source name must be lowercase"),
        (('[occurred]\ncolumn = "when"\nformat = "%Y-%m-%d"\n', ""), r"\[occurred\] .* is required"),
        (
            ("codes_are_nibrs = true", 'codes_are_nibrs = true\n[offense.crosswalk]\n"X" = 5'),
            r"crosswalk value",
        ),
        (('id = "memphis_tn"', 'id = "memphis_tn"\ncolumn = "city"'), r"either id = .* or column"),
        (("[source]", "stray = 1\n[source]"), r"unknown key\(s\): stray"),
        (("[source]", "[source"), r"not valid TOML"),
    ],
)
def test_mapping_mistakes_name_file_and_key(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write(tmp_path, MINIMAL.replace(*change))
    with pytest.raises(MappingError, match=message) as caught:
        load_mapping(path)
    assert str(path) in str(caught.value)


def test_crosswalk_to_a_code_that_is_not_nibrs_fails_before_writing(store: Path, tmp_path: Path) -> None:
    text = EXAMPLE_MAPPING.read_text().replace('"MURDER" = "09A"', '"MURDER" = "09X"')
    path = write(tmp_path, text)
    before = file_sha256(store)
    with pytest.raises(MappingError, match=r"not NIBRS codes.*'MURDER' -> '09X'"):
        import_file(store, "generic", EXAMPLE_CSV, mapping=path)
    assert file_sha256(store) == before


def test_unknown_crs_and_city_are_reported(store: Path, tmp_path: Path) -> None:
    text = EXAMPLE_MAPPING.read_text().replace('crs = "EPSG:4326"  ', 'crs = "EPSG:999999"')
    with pytest.raises(MappingError, match="crs 'EPSG:999999'"):
        import_file(store, "generic", EXAMPLE_CSV, mapping=write(tmp_path, text))
    text = EXAMPLE_MAPPING.read_text().replace('id = "springfield_il"', 'id = "gotham_nj"')
    with pytest.raises(MappingError, match="'gotham_nj' is not a city_id"):
        import_file(store, "generic", EXAMPLE_CSV, mapping=write(tmp_path, text, "city.toml"))


def test_crosswalk_csv_errors(tmp_path: Path) -> None:
    bad = write(tmp_path, "local,nibrs\nA,120\na,13A\n", "x.csv")
    with pytest.raises(MappingError, match=r"line 3: 'A' appears twice"):
        read_crosswalk_csv(bad)
    bad = write(tmp_path, "code,nibrs\nA,120\n", "y.csv")
    with pytest.raises(MappingError, match=r"line 1: missing column"):
        read_crosswalk_csv(bad)
