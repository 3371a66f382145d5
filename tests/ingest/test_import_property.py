"""Property-based: malformed CSVs fed to the generic importer never crash it. Each
import either succeeds with consistent figures (bad rows quarantined) or fails with
ImportFailed naming the file -- and then the store is byte-identical."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING
from ingest.errors import ImportFailed
from ingest.hashing import file_sha256
from ingest.importer import import_file

HEADER = EXAMPLE_CSV.read_text().splitlines()[0]
GOOD_ROWS = EXAMPLE_CSV.read_text().splitlines()[1:]
N_FIELDS = HEADER.count(",") + 1

# Field values a broken export really contains: good values, empty, junk, quotes, separators.
fields = st.one_of(
    st.sampled_from(["SP-1", "MURDER", "THEFT", "01/03/2024", "2210", "9999", "39.79", "-89.64", "A1", ""]),
    st.sampled_from(["NA", "13/45/2024", "2024-01-01", "abc", "1e400", "-0", " 39.8 ", "NULL", "🙂", "x\ty"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.text(alphabet=',"\n;', min_size=1, max_size=4),
    st.just("\r"),
)


def quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n\r') else value


@st.composite
def rows(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["good", "good", "fields", "fields", "ragged", "raw"]))
    if kind == "good":
        return draw(st.sampled_from(GOOD_ROWS))
    if kind == "raw":  # unquoted junk: may break the row structure
        return ",".join(draw(st.lists(fields, min_size=1, max_size=N_FIELDS + 2)))
    n = N_FIELDS if kind == "fields" else draw(st.integers(1, N_FIELDS + 3))
    return ",".join(quote(v) for v in draw(st.lists(fields, min_size=n, max_size=n)))


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    body = "\n".join(draw(st.lists(rows(), min_size=0, max_size=8)))
    text = HEADER + "\n" + body + draw(st.sampled_from(["", "\n", "\r\n"]))
    data = text.encode()
    if draw(st.booleans()) and draw(st.integers(0, 4)) == 0:  # sometimes corrupt bytes
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, registry_only_store_path: Path) -> Path:
    path = tmp_path_factory.mktemp("prop")
    shutil.copyfile(registry_only_store_path, path / "store.duckdb")
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_bytes())
def test_malformed_csv_never_crashes(workdir: Path, data: bytes) -> None:
    store = workdir / "store.duckdb"
    csv = workdir / "input.csv"
    csv.write_bytes(data)
    before = file_sha256(store)
    try:
        report = import_file(store, "generic", csv, mapping=EXAMPLE_MAPPING)
    except ImportFailed as exc:
        assert str(csv) in str(exc)
        assert file_sha256(store) == before, "a failed import changed the store"
        return
    assert report.rows_read == (
        report.rows_accepted + report.rows_quarantined + report.rows_duplicate + report.rows_skipped
    )
    assert sum(report.quarantine_reasons.values()) == report.rows_quarantined
    if report.rows_read - report.rows_skipped >= 20:
        assert report.rows_quarantined <= 0.5 * report.rows_read


def test_header_only_is_refused(store: Path, tmp_path: Path) -> None:
    """A header without rows is not an import (issue 11): refused, the store unchanged."""
    csv = tmp_path / "empty.csv"
    csv.write_text(HEADER + "\n")
    before = file_sha256(store)
    with pytest.raises(ImportFailed, match="header but no rows"):
        import_file(store, "generic", csv, mapping=EXAMPLE_MAPPING)
    assert file_sha256(store) == before
