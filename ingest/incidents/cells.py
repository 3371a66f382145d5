"""H3 cells and incident ids of the rows an incident import writes."""

from __future__ import annotations

import duckdb
import h3.api.numpy_int as h3
import numpy as np
import pandas as pd
import pyarrow as pa

from ingest.rowchecks import WRITTEN

POINTS_PER_BATCH = 1_000_000


def h3_cells(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """H3 cell (resolution 9) of each point, computed once per distinct point.

    The h3 package has no vectorised call: one C call per point. Coordinates are rounded
    to 6 decimals (parse/locate), so records geocoded to the same block or address share
    one call: the points are keyed on their integer micro-degrees and factorised first.
    """
    if not len(lat):
        return np.zeros(0, dtype=np.uint64)
    key = (np.rint(lat * 1e6).astype(np.int64) + (1 << 27)) << 29 | (
        np.rint(lon * 1e6).astype(np.int64) + (1 << 28)
    )
    codes, uniques = pd.factorize(key, sort=False)
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # a row holding each distinct point
    cells = np.empty(len(first), dtype=np.uint64)
    # A million points at a time: two Python lists of 100M floats would hold 6 GB.
    for at in range(0, len(first), POINTS_PER_BATCH):
        rows = first[at : at + POINTS_PER_BATCH]
        cells[at : at + len(rows)] = np.fromiter(
            (h3.latlng_to_cell(a, b, 9) for a, b in zip(lat[rows].tolist(), lon[rows].tolist(), strict=True)),
            dtype=np.uint64,
            count=len(rows),
        )
    out: np.ndarray = cells[codes]
    return out


def located_points(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line, lat, lon) of the rows that passed every check and have a location (final
    once locate() has run: de-duplication decides ids, not cells)."""
    pts = con.execute(
        "select line, lat, lon from parsed where reason is null and lat is not null order by line"
    ).fetchnumpy()
    return (
        np.asarray(pts["line"]),
        np.asarray(pts["lat"], dtype=float),
        np.asarray(pts["lon"], dtype=float),
    )


def numbered_cells(
    con: duckdb.DuckDBPyConnection, cells: tuple[np.ndarray, np.ndarray] | None = None
) -> pa.Table:
    """One row per row of `parsed` (line): the incident_id of each row to write (the
    store's next ids, in file order) and the H3 cell (resolution 9) of each located one.
    `cells` = (line, cell) of the located rows when computed beforehand (load_incidents
    computes them in a worker thread while DuckDB de-duplicates). Numbering by a running
    sum over the rows in line order (nearly sorted already: a cheap stable sort of one
    integer array) spares the sort of every column that row_number() over (order by line)
    costs in SQL."""
    if cells is None:
        line_xy, lat, lon = located_points(con)
        cells = (line_xy, h3_cells(lat, lon))
    pts = con.execute(f"select line, {WRITTEN} as written from parsed").fetchnumpy()  # noqa: S608 - fixed text
    line = np.asarray(pts["line"])
    first = int(con.execute("select coalesce(max(incident_id), 0) from incidents").fetchall()[0][0])
    written = np.asarray(pts["written"], dtype=bool)
    order = np.argsort(line, kind="stable")
    ids = np.empty(len(line), dtype=np.int64)
    ids[order] = first + np.cumsum(written[order], dtype=np.int64)
    # Place each located row's cell at its position in `line` (lines are unique).
    cell_of = np.zeros(len(line), dtype=np.uint64)
    located = np.zeros(len(line), dtype=bool)
    if len(cells[0]):
        pos = order[np.searchsorted(line[order], cells[0])]
        cell_of[pos] = cells[1]
        located[pos] = True
    return pa.table(
        {
            "line": line,
            "incident_id": pa.array(ids, mask=~written),
            "h3_r9": pa.array(cell_of, mask=~located),
        }
    )
