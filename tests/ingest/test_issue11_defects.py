"""Import defects found while testing as a user (issue 11, item 6): a header-only CSV, a
latin-1 file read as utf-8, and the mapping's [source] title/publisher/note."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from analysis.sources.health import source_descriptions
from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING
from ingest.errors import ImportFailed
from ingest.hashing import file_sha256
from ingest.importer import import_file


def test_header_only_csv_is_refused_and_not_logged(store: Path, tmp_path: Path) -> None:
    before = file_sha256(store)
    header = tmp_path / "header_only.csv"
    header.write_text(EXAMPLE_CSV.read_text().splitlines()[0] + "\n")
    with pytest.raises(ImportFailed, match="header but no rows") as err:
        import_file(store, "generic", header, mapping=EXAMPLE_MAPPING)
    assert err.value.line == 2
    assert file_sha256(store) == before
    con = duckdb.connect(str(store), read_only=True)
    assert con.execute("select count(*) from imports").fetchone() == (0,)
    con.close()


def test_latin1_file_suggests_the_csv_encoding(store: Path, tmp_path: Path) -> None:
    before = file_sha256(store)
    text = EXAMPLE_CSV.read_text().replace("Murder", "Homicidio en la calle Peñas", 1)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(text.encode("latin-1"))
    with pytest.raises(ImportFailed) as err:
        import_file(store, "generic", latin, mapping=EXAMPLE_MAPPING)
    assert "[csv] encoding = 'latin-1'" in str(err.value)
    assert err.value.line == 2
    assert file_sha256(store) == before
    # With the suggested setting the same file imports.
    fixed = tmp_path / "latin.toml"
    mapping = EXAMPLE_MAPPING.read_text()
    assert 'encoding = "utf-8"' in mapping
    fixed.write_text(mapping.replace('encoding = "utf-8"', 'encoding = "latin-1"', 1))
    report = import_file(store, "generic", latin, mapping=fixed)
    assert report.rows_accepted > 0


def test_source_title_publisher_note_are_stored(store: Path) -> None:
    import_file(store, "generic", EXAMPLE_CSV, mapping=EXAMPLE_MAPPING)
    con = duckdb.connect(str(store), read_only=True)
    described = source_descriptions(con)
    con.close()
    row = described.iloc[0]
    text = EXAMPLE_MAPPING.read_text()
    assert row["title"] and row["title"] in text
    assert row["publisher"] and row["publisher"] in text
