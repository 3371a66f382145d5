"""The public store `make run` builds from data/public: all 12 cities from real files,
rebuilt only when stale, and a failed build leaves the previous store as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ingest.errors import ImportFailed
from ingest.hashing import file_sha256
from ingest.public import PUBLIC_DIR, PUBLIC_FILES, build_public, fingerprint, is_stale, stored_fingerprint

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def public_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("public") / "public.duckdb"
    result = build_public(path)
    assert len(result.reports) == len(PUBLIC_FILES)
    return path


def test_all_twelve_cities_from_2010(public_store: Path) -> None:
    con = duckdb.connect(str(public_store), read_only=True)
    spans = dict(
        con.execute(
            "select city_id, min(month) from monthly_counts where offense = 'violent_crime'"
            " and source = 'ucr_return_a' group by 1"
        ).fetchall()
    )
    cities = [r[0] for r in con.execute("select city_id from cities").fetchall()]
    demo = con.execute("select value from store_info where key = 'dataset'").fetchone()
    con.close()
    assert sorted(spans) == sorted(cities) and len(cities) == 12
    assert {str(d)[:4] for d in spans.values()} <= {"2010", "2011"}  # Birmingham's 2010 is blank
    assert demo == ("real",)


def test_rebuilt_only_when_stale(public_store: Path, tmp_path: Path) -> None:
    assert stored_fingerprint(public_store) == fingerprint()
    assert not is_stale(public_store)
    assert is_stale(tmp_path / "missing.duckdb")
    # Another set of files (one byte changed) gives another fingerprint.
    other = tmp_path / "public"
    shutil.copytree(PUBLIC_DIR, other)
    target = other / PUBLIC_FILES[0][1]
    target.write_bytes(target.read_bytes() + b"\n")
    assert fingerprint(other) != fingerprint()


def test_a_failed_build_leaves_the_previous_store(public_store: Path, tmp_path: Path) -> None:
    path = tmp_path / "public.duckdb"
    shutil.copyfile(public_store, path)
    before = file_sha256(path)
    broken = tmp_path / "broken"
    shutil.copytree(PUBLIC_DIR, broken)
    rtci = next(rel for source, rel in PUBLIC_FILES if source == "rtci")
    (broken / rtci).write_bytes(b"date,agency_full\n2019-01-01\n")  # a row shorter than its header
    with pytest.raises(ImportFailed):
        build_public(path, public_dir=broken)
    assert file_sha256(path) == before
    assert not list(tmp_path.glob(".public.duckdb*"))
