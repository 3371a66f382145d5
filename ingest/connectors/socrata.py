"""Socrata SODA 2.x connector: page through a source's datasets and write one CSV.

Paging follows Socrata's advice: `$limit`/`$offset` with an explicit `$order=:id` (the
row id), so that pages neither overlap nor skip rows while the dataset is read. An
incremental fetch adds `$where=<date field> >= '<since>'` (a floating timestamp, the
portal's local wall-clock time). Rows come as JSON (values are strings; a point is
{"type": "Point", "coordinates": [lon, lat]}, a legacy location {"latitude", "longitude",
"human_address"}) and are written in the source's fixed column order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TextIO

import pandas as pd

from ingest.connectors.http import FetchError
from ingest.connectors.sources import FetchJob, SodaDataset, Source, portal_url, require_fields


def _point(value: Any) -> tuple[Any, Any]:
    """(lat, lon) of a Socrata point or legacy location value; (None, None) if absent."""
    if isinstance(value, dict):
        coords = value.get("coordinates")
        if isinstance(coords, list) and len(coords) == 2:
            return coords[1], coords[0]
        return value.get("latitude"), value.get("longitude")
    if isinstance(value, str) and value.upper().startswith("POINT"):
        parts = value[value.find("(") + 1 : value.rfind(")")].split()
        if len(parts) == 2:
            return parts[1], parts[0]
    return None, None


def soda_frame(rows: list[dict[str, Any]], source: Source, dataset: SodaDataset, url: str) -> pd.DataFrame:
    """One page of SODA JSON rows as a frame with exactly the source's columns."""
    frame = pd.DataFrame.from_records(rows)
    frame = frame.rename(
        columns={
            old: new for old, new in dataset.renames if old in frame.columns and new not in frame.columns
        }
    )
    if source.point_column and source.point_column in frame.columns:
        points = [_point(v) for v in frame[source.point_column]]
        for i, column in enumerate(("latitude", "longitude")):
            from_point = pd.Series([p[i] for p in points], index=frame.index, dtype=object)
            if column in frame.columns:
                have = frame[column].notna() & (frame[column].astype(str).str.strip() != "")
                frame[column] = frame[column].where(have, from_point)
            else:
                frame[column] = from_point
    require_fields(source, frame.columns, url)
    frame["dataset"] = dataset.dataset_id
    return frame.reindex(columns=list(source.columns))


def wanted(dataset: SodaDataset, since: datetime | None) -> bool:
    """Whether an incremental fetch from `since` needs this dataset at all."""
    if since is None:
        return True
    if dataset.year is not None and dataset.year < since.year:
        return False
    return not (dataset.until is not None and dataset.until < since.date())


def fetch_socrata(job: FetchJob) -> int:
    """Write every row of the source's datasets (newer than `job.since`) to job.dest as CSV;
    return rows."""
    with open(job.dest, "w", newline="", encoding="utf-8") as out:
        return _fetch(job, out)


def _fetch(job: FetchJob, out: TextIO) -> int:
    source, since, limit = job.source, job.since, job.limit
    total = 0
    header = True
    for dataset in source.datasets:
        if not wanted(dataset, since):
            continue
        url = portal_url(source.portal, dataset.path, job.base_url)
        offset = 0
        while True:
            params: dict[str, str | int] = {"$limit": limit, "$offset": offset, "$order": ":id"}
            if since is not None:
                params["$where"] = f"{dataset.date_field} >= '{since:%Y-%m-%dT%H:%M:%S}'"
            rows = job.client.get_json(url, params)
            if not isinstance(rows, list):
                raise FetchError(
                    f"{url} did not return a list of rows (a SODA error or not a Socrata portal)"
                )
            if rows:
                soda_frame(rows, source, dataset, url).to_csv(out, header=header, index=False)
                header = False
            total += len(rows)
            if job.progress is not None:
                job.progress(f"{source.name} {dataset.label or dataset.dataset_id}", total)
            if len(rows) < limit:
                break
            offset += limit
    if header:  # nothing new: still write the header so the file has the documented shape
        pd.DataFrame(columns=list(source.columns)).to_csv(out, index=False)
    return total
