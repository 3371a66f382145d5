"""H3 cells of an import's points: one h3 call per distinct point, in batches."""

from __future__ import annotations

import h3
import numpy as np
import pytest

from ingest.incidents import cells
from ingest.incidents.cells import h3_cells


def test_cells_in_batches_are_h3s_cells_point_by_point(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    lat = np.round(rng.uniform(29.5, 30.2, 500), 6)
    lon = np.round(rng.uniform(-95.8, -95.0, 500), 6)
    lat[::7], lon[::7] = lat[0], lon[0]  # repeated points share one call
    monkeypatch.setattr(cells, "POINTS_PER_BATCH", 13)  # batches that do not divide the points
    got = h3_cells(lat, lon)
    expected = [int(h3.str_to_int(h3.latlng_to_cell(a, b, 9))) for a, b in zip(lat, lon, strict=True)]
    assert got.dtype == np.uint64 and got.tolist() == expected
    assert h3_cells(np.zeros(0), np.zeros(0)).tolist() == []
