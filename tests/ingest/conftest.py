"""Stores for the importer tests (an empty migrated store, copied per test, and one real
store holding every file of ../shared/data, built once per session) and the local portal
server for the connector tests, loaded with real-sample rows."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING, REAL_FILES
from harness.portal_samples import Samples, build_samples
from harness.portals import PortalServer, start
from ingest.connectors.sources import SOURCES
from ingest.importer import import_file
from ingest.outcome import ImportReport
from tests.conftest import ROOT
from tests.ingest.helpers import Imported, imported_store

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture()
def store(registry_only_store_path: Path, tmp_path: Path) -> Path:
    """A fresh migrated store with the registry and no data (a copy of the session's)."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(registry_only_store_path, path)
    return path


@pytest.fixture()
def example(store: Path) -> Callable[..., ImportReport]:
    """Import the worked example (or another CSV with the example mapping) into `store`."""

    def run(csv: Path = EXAMPLE_CSV, mapping: Path = EXAMPLE_MAPPING) -> ImportReport:
        return import_file(store, "generic", csv, mapping=mapping)

    return run


@pytest.fixture(scope="session")
def real_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """Every real file imported once, in README order; the reports by source."""
    return imported_store(
        tmp_path_factory, "real", [(s, s, shared_data / "raw" / rel) for s, rel in REAL_FILES]
    )


@pytest.fixture(scope="session")
def portal_samples(shared_data: Path) -> Samples:
    return build_samples(shared_data)


@pytest.fixture()
def portal(portal_samples: Samples) -> Iterator[PortalServer]:
    """A fresh server (no faults, no recorded requests) answering for every source."""
    s = portal_samples
    server = PortalServer()
    server.add_soda("k59e-2pvf", s.cincinnati_pdi)
    server.add_soda("7aqy-xrv9", s.cincinnati_stars)
    for dataset_id, rows in s.kansas_city.items():
        server.add_soda(dataset_id, rows)
    server.add_soda("puh4-eea4", s.memphis)
    server.add_soda("d6g9-xbgu", s.buffalo)
    server.add_soda("pbin-pcm7", s.baton_rouge)
    server.add_arcgis(
        SOURCES["indianapolis_arcgis"].path, s.indy_fields, s.indy_features, max_record_count=500
    )
    server.add_file(SOURCES["rtci"].path, s.rtci_csv, "text/csv")
    for state, body in s.census_zips.items():
        server.add_file(
            SOURCES["census_boundaries"].path.format(year=2015, state=state), body, "application/zip"
        )
    stop = start(server)
    yield server
    stop()
