"""Shared fixtures: the tiny store, a small demo store, the real data in ../shared."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from harness.stores import build_demo_store
from ingest.registry import load_registry
from ingest.store import write_store
from tests.fixtures.goals import build_goals_store
from tests.fixtures.mixed import build_mixed_store
from tests.fixtures.stores import build_tiny_store

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Every test (and every server a test starts) writes its audit trail to a scratch file, never
# to data/audit.duckdb; tests that read the trail set PSP_AUDIT_DB themselves.
os.environ["PSP_AUDIT_DB"] = str(Path(tempfile.mkdtemp(prefix="psp-audit-")) / "audit.duckdb")
# Tests choose their store with PSP_DB; the Dataset switch must not also offer the stores a
# developer's `make run` / `make demo` left in data/ (tests that list datasets set their own).
os.environ.setdefault("PSP_DATASETS", tempfile.mkdtemp(prefix="psp-datasets-"))


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI a skip is a failure (the brief: CI must prove everything)."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this may not be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "raw").is_dir():
        skip_or_fail(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")


@pytest.fixture(scope="session")
def demo_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo_store(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="session")
def goals_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Monthly counts made for goals and alerts (tests/fixtures/goals.py)."""
    return build_goals_store(tmp_path_factory.mktemp("goals") / "goals.duckdb")


@pytest.fixture()
def goals_store(goals_store_path: Path, tmp_path: Path) -> Path:
    """A private copy of the goals fixture store, for tests that write."""
    path = tmp_path / "goals.duckdb"
    path.write_bytes(goals_store_path.read_bytes())
    return path


@pytest.fixture(scope="session")
def mixed_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny store plus a city with published monthly counts only, a second incident
    source with a stray early month, and a city boundary (tests/fixtures/mixed.py)."""
    return build_mixed_store(tmp_path_factory.mktemp("mixed") / "mixed.duckdb")


@pytest.fixture(scope="session")
def registry_only_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the 12 cities and no crime data at all (a fresh install)."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    with write_store(path) as con:
        load_registry(con)
    return path


@pytest.fixture()
def mixed(mixed_store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(mixed_store_path), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def tiny(tiny_store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tiny_store_path), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def demo(demo_store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(demo_store_path), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def tiny_geo_store_path(tmp_path_factory: pytest.TempPathFactory, tiny_store_path: Path) -> Path:
    from tests.fixtures.geo_stores import build_tiny_geo_store

    return build_tiny_geo_store(tmp_path_factory.mktemp("tiny_geo") / "tiny_geo.duckdb", tiny_store_path)


@pytest.fixture()
def tiny_geo(tiny_geo_store_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(tiny_geo_store_path), read_only=True)
    yield con
    con.close()


# Real files from ../shared/data for a store holding only real data (Map, City profile):
# city boundaries, Memphis precincts and 2019 personal robberies, Kansas City council
# districts and 2020 offenses (no coordinates, dates only), Indianapolis 2019, Cincinnati
# burglaries 2016-2018.
REAL_FILES: tuple[tuple[str, str], ...] = (
    ("census_boundaries", "raw/geography/psp_city_boundaries_cb2015.geojson"),
    ("memphis_precincts", "raw/memphis/memphis_police_precincts.geojson"),
    ("memphis", "raw/memphis/memphis_personal_robberies_2019.csv.gz"),
    ("kansas_city_districts", "raw/kansas_city/kcmo_city_council_districts_2023_wkt.csv.gz"),
    ("kansas_city", "raw/kansas_city/kcpd_crime_2020_trimmed.csv.gz"),
    ("indianapolis", "raw/indianapolis/impd_ucr_2019_jan_may.csv.gz"),
    ("cincinnati", "raw/cincinnati/cincinnati_burglary_2016_2018.csv.gz"),
)


@pytest.fixture(scope="session")
def real_store_path(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    from ingest.importer import import_file

    path = tmp_path_factory.mktemp("real") / "real.duckdb"
    for source, file in REAL_FILES:
        import_file(path, source, shared_data / file)
    return path


@pytest.fixture(scope="session")
def area_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Houston counts by ZCTA with polygons for three ZCTAs (tests/fixtures/area_stores.py)."""
    from tests.fixtures.area_stores import build_area_store

    return build_area_store(tmp_path_factory.mktemp("areas") / "areas.duckdb")


# The tests that take minutes, longest first: `make test` runs two pytest workers
# (pytest-xdist), and a long test handed out last would leave the other workers idle
# while it runs alone.
LONGEST_FIRST = (
    "tests/reliability/test_sessions.py",
    "tests/bench/test_bench_smoke.py::test_bench_runs_at_tiny_scale",
    "tests/ingest/test_lake.py::test_spark_and_duckdb_compute_identical_rollups_on_a_million_row_lake",
    "tests/reliability/test_fuzz_files.py",
    "tests/reliability/test_kill_and_disk.py",
    "tests/e2e/test_auth_browser.py",
    "tests/ingest/test_demo.py",
)


# The tests that drive chromium run one after another in one worker (`--dist loadgroup`):
# two browser tests side by side on 2 cores made clicks land on elements a slow run was
# still redrawing.
BROWSER_TESTS = ("tests/e2e/", "tests/reliability/test_sessions.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, p in enumerate(LONGEST_FIRST) if item.nodeid.startswith(p)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: every other test keeps its place
    for item in items:
        if item.nodeid.startswith(BROWSER_TESTS):
            item.add_marker(pytest.mark.xdist_group("browser"))
