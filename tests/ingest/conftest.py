"""Fixtures for the connector tests: the local portal server loaded with real-sample rows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.connectors.sources import SOURCES
from tests.ingest.portal_samples import Samples, build_samples
from tests.ingest.portals import PortalServer, start


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
