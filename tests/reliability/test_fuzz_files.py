"""Hostile import files (hypothesis), scaled down from `python -m bench.reliability`, and
regression tests for the defects the fuzzing found."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bench.reliability import fuzz_files
from bench.reliability.common import registry_store
from harness.files import EXAMPLE_MAPPING as MAPPING
from ingest.errors import ImportFailed
from ingest.hashing import file_sha256 as sha256
from ingest.importer import import_file
from ingest.staging import cleaned_columns

HEADER = fuzz_files.HEADER
GOOD = fuzz_files.GOOD


@pytest.mark.timeout(1800)  # not a speed check: a shared 2-core machine can be very slow
def test_hostile_files_never_crash_nor_write_partly(tmp_path: Path) -> None:
    result = fuzz_files.run(tmp_path, cases=200, seed=14)
    print(fuzz_files.describe(result))
    assert result["cases"] == 200
    assert result["defects"] == []
    assert result["outcomes"].get("crashed", 0) == 0
    assert result["outcomes"].get("refused", 0) > 50  # the generator does reach the failure paths
    assert len(result["kinds"]) >= 8


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    return registry_store(tmp_path / "s.duckdb")


@pytest.mark.parametrize(
    ("breaks", "said"),
    [
        ("\r", r"line 1: the header line cannot be read as CSV"),
        ("\r\r\n", r"line 1: the CSV reader failed .*a carriage return"),
        ("\n\r", r"line 2: the CSV reader failed .*a carriage return"),
    ],
)
def test_a_header_with_lone_carriage_returns_is_a_clear_error(
    store: Path, tmp_path: Path, breaks: str, said: str
) -> None:
    """Found by fuzzing: the csv module raised `csv.Error: new-line character seen in
    unquoted field` (a crash, not an ImportFailed)."""
    path = tmp_path / "cr.csv"
    path.write_bytes((breaks.join([",".join(HEADER), ",".join(GOOD)]) + breaks).encode())
    before = sha256(store)
    with pytest.raises(ImportFailed, match=r"cr\.csv, " + said):
        import_file(store, "generic", path, mapping=MAPPING)
    assert sha256(store) == before


def test_ten_thousand_columns_import_and_only_mapped_ones_are_cleaned(store: Path, tmp_path: Path) -> None:
    """Found by fuzzing: a one-row file of 10,000 columns took ~2 minutes (every column was
    trimmed in the parse SQL; identifiers checked against a list rebuilt per column)."""
    extra = [f"c{i}" for i in range(10_000 - len(HEADER))]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[*HEADER, *extra], [*GOOD, *("x" for _ in extra)]])
    path = tmp_path / "wide.csv"
    path.write_text(out.getvalue())
    report = import_file(store, "generic", path, mapping=MAPPING)
    assert report.rows_accepted == 1
    header = (*HEADER, *extra)
    select = cleaned_columns(header, ["beat", "case_number"])
    assert select.count(" as ") == 3 and '"c1"' not in select  # two columns and the line
    assert cleaned_columns(header).count(" as ") == len(header) + 1


def test_a_header_longer_than_64_kib_is_read_whole(store: Path, tmp_path: Path) -> None:
    """Found by fuzzing: the header was read from the first 64 KiB only, so a 20,000-column
    header was cut mid-name and the import failed with a bogus 'repeats column c109'."""
    extra = [f"c{i}" for i in range(20_000 - len(HEADER))]
    path = tmp_path / "wider.csv"
    path.write_text(",".join([*HEADER, *extra]) + "\n" + ",".join([*GOOD, *("" for _ in extra)]) + "\n")
    assert len(",".join(extra)) > 1 << 16
    assert import_file(store, "generic", path, mapping=MAPPING).rows_accepted == 1


def test_a_first_line_without_end_is_refused(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ingest.staging.HEADER_MAX", 1 << 17)
    path = tmp_path / "oneline.csv"
    path.write_bytes(b"a," * (1 << 17))
    with pytest.raises(ImportFailed, match=r"oneline\.csv, line 1: the first line is longer than"):
        import_file(store, "generic", path, mapping=MAPPING)
