"""ArcGIS REST connector: page a FeatureServer/MapServer layer's `query` and write one CSV.

Paging uses `resultOffset`/`resultRecordCount` ordered by OBJECTID and stops when the
server no longer sets `exceededTransferLimit` (a layer caps each answer at its
maxRecordCount, typically 1,000-2,000 features). An incremental fetch sets
`where=<date field> >= TIMESTAMP 'YYYY-MM-DD HH:MM:SS'`. ArcGIS reports errors as HTTP 200
with an {"error": {"code", "message"}} body, so those codes are checked too (and 429/5xx
retried). Date fields arrive as epoch milliseconds (UTC) and are written as ISO-8601 with
'Z'; point geometry, requested in WGS84, fills Latitude/Longitude where they are empty.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ingest.connectors.http import RETRY_STATUSES, FetchError, PortalClient
from ingest.connectors.sources import FetchJob, Source, portal_url, require_fields


def _query(client: PortalClient, url: str, params: dict[str, str | int]) -> dict[str, Any]:
    policy = client.policy
    for attempt in range(1, policy.attempts + 1):
        body = client.get_json(url, params)
        if not isinstance(body, dict):
            raise FetchError(f"{url} did not return an ArcGIS JSON object")
        error = body.get("error")
        if not isinstance(error, dict):
            return body
        code = int(error.get("code") or 0)
        message = f"ArcGIS error {code} from {url}: {error.get('message', '')}".rstrip(": ")
        if code not in RETRY_STATUSES:
            raise FetchError(message)
        if attempt == policy.attempts:
            raise FetchError(f"Gave up after {policy.attempts} attempts; last: {message}")
        client.sleep(policy.delay(attempt))
    raise AssertionError("unreachable")


def arcgis_frame(body: dict[str, Any], source: Source, url: str) -> pd.DataFrame:
    """One page of features as a frame with exactly the source's columns."""
    features = body.get("features") or []
    frame = pd.DataFrame.from_records([f.get("attributes") or {} for f in features])
    date_fields = {f["name"] for f in body.get("fields") or [] if f.get("type") == "esriFieldTypeDate"}
    for column in date_fields & set(frame.columns):
        stamps = pd.to_datetime(pd.to_numeric(frame[column], errors="coerce"), unit="ms", utc=True)
        frame[column] = stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    xs = [(f.get("geometry") or {}).get("x") for f in features]
    ys = [(f.get("geometry") or {}).get("y") for f in features]
    for column, values in (("Latitude", ys), ("Longitude", xs)):
        from_geometry = pd.Series(values, index=frame.index, dtype=object)
        frame[column] = (
            frame[column].where(frame[column].notna(), from_geometry) if column in frame else from_geometry
        )
    frame = frame.rename(columns=dict(source.renames))
    require_fields(source, frame.columns, url)
    return frame.reindex(columns=list(source.columns))


def fetch_arcgis(job: FetchJob) -> int:
    """Write every feature of the layer (newer than `job.since`) to job.dest as CSV; return rows."""
    source, since = job.source, job.since
    url = portal_url(source.portal, source.path.rstrip("/") + "/query", job.base_url)
    where = "1=1" if since is None else f"{source.date_column} >= TIMESTAMP '{since:%Y-%m-%d %H:%M:%S}'"
    total = 0
    with open(job.dest, "w", newline="", encoding="utf-8") as out:
        header = True
        while True:
            params: dict[str, str | int] = {
                "where": where,
                "outFields": "*",
                "orderByFields": "OBJECTID ASC",
                "returnGeometry": "true",
                "outSR": 4326,
                "resultOffset": total,
                "resultRecordCount": job.limit,
                "f": "json",
            }
            body = _query(job.client, url, params)
            features = body.get("features") or []
            if features:
                arcgis_frame(body, source, url).to_csv(out, header=header, index=False)
                header = False
            total += len(features)
            if job.progress is not None:
                job.progress(source.name, total)
            if not features or not body.get("exceededTransferLimit"):
                break
        if header:
            pd.DataFrame(columns=list(source.columns)).to_csv(out, index=False)
    return total
