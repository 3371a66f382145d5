"""`python -m ingest fetch SOURCE`: download what is new from a portal, then import it.

Design: a fetch is two separate steps joined by a file. The connector writes what it
downloaded to one file under the downloads folder (as `<name>.part`, renamed only when
complete), in the shape its mapping (data/sources/<mapping>.toml) describes; then the
ordinary importer loads that file, with all its guarantees (one transaction, idempotent,
quarantine). So a fetch that fails on the network never touches the store, a file
fetched on one machine can be imported on another, and the importer is the only code
that writes incidents.

Incremental: without --since, the fetch starts from the newest record the store already
holds for the source, minus the source's look-back (records are often entered weeks
after the fact, and the RTCI revises recent months); the importer's de-duplication drops
what is already there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from ingest.connectors.arcgis import fetch_arcgis
from ingest.connectors.files import fetch_census_places, fetch_rtci
from ingest.connectors.http import FetchError, PortalClient, RetryPolicy
from ingest.connectors.socrata import fetch_socrata
from ingest.connectors.sources import SOURCES, FetchJob, Platform, Progress, Source
from ingest.importer import import_file, latest_loaded
from ingest.outcome import ImportReport
from kernel.settings import SETTINGS
from kernel.store import StoreError

DEFAULT_CENSUS_YEAR = 2023
# The connector of each platform; each writes job.dest and returns the rows it wrote.
CONNECTORS: dict[Platform, Callable[[FetchJob], int]] = {
    "socrata": fetch_socrata,
    "arcgis": fetch_arcgis,
    "csv": fetch_rtci,
    "census": fetch_census_places,
}


@dataclass(frozen=True)
class FetchReport:
    """What one fetch did: the file it wrote, rows, requests, and the import's report."""

    source: str
    file: Path
    rows: int
    requests: int
    since: datetime | None
    since_origin: str
    seconds: float
    imported: ImportReport | None = None  # None with --download-only or when nothing was new


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise FetchError(f"Unknown source {name!r}; known: {', '.join(sorted(SOURCES))}") from None


def resolve_since(db: Path, source: Source, since: date | datetime | None) -> tuple[datetime | None, str]:
    """The start of the fetch and where it came from (for the report)."""
    if since is not None:
        start = since if isinstance(since, datetime) else datetime(since.year, since.month, since.day)
        return start, "--since"
    if source.store_date == "none":
        return None, "whole file (no incremental fetch for this source)"
    try:
        latest = latest_loaded(db, source.name)
    except StoreError as exc:
        return None, f"full history (the store could not be read: {exc})"
    if latest is None:
        return None, "full history (nothing from this source in the store)"
    newest = datetime.fromisoformat(latest)
    start = (newest - timedelta(days=source.lookback_days)).replace(hour=0, minute=0, second=0, microsecond=0)
    if source.store_date == "month":
        start = start.replace(day=1)
    return start, f"store: newest record {newest:%Y-%m-%d} minus {source.lookback_days} days of look-back"


def offline_hint(source: Source) -> str:
    return (
        f"To load the data from a file instead: where the portal is reachable run "
        f"`python -m ingest fetch {source.name} --download-only`, copy the file it writes here and run "
        f"`python -m ingest import {source.mapping} FILE`."
    )


def _client(source: Source, policy: RetryPolicy | None, sleep: Callable[[float], None]) -> PortalClient:
    headers = {}
    token = SETTINGS["PSP_SOCRATA_APP_TOKEN"].value()
    if source.platform == "socrata" and token:
        headers["X-App-Token"] = token
    return PortalClient(policy, offline_hint=offline_hint(source), headers=headers, sleep=sleep)


def download(job: FetchJob) -> int:
    """Run the source's connector into job.dest (complete or absent: written as dest.part)."""
    job.dest.parent.mkdir(parents=True, exist_ok=True)
    part = job.dest.with_name(job.dest.name + ".part")
    try:
        rows = CONNECTORS[job.source.platform](replace(job, dest=part))
        part.replace(job.dest)
    finally:
        part.unlink(missing_ok=True)
    return rows


def fetch_source(
    name: str,
    *,
    db: Path,
    out: Path | None = None,
    since: date | datetime | None = None,
    import_data: bool = True,
    base_url: str | None = None,
    policy: RetryPolicy | None = None,
    page_size: int | None = None,
    year: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch one source into a file under `out`, then import it into `db` (unless told not to)."""
    started = time.perf_counter()
    source = get_source(name)
    start, origin = resolve_since(db, source, since)
    folder = out if out is not None else Path(SETTINGS["PSP_DOWNLOADS"].value())
    suffix = "geojson" if source.platform == "census" else "csv"
    stamp = f"{source.name}_{datetime.now():%Y%m%dT%H%M%S}"
    dest = folder / f"{stamp}.{suffix}"
    for n in range(2, 100):  # two fetches in one second keep both files
        if not dest.exists() and not dest.with_name(dest.name + ".part").exists():
            break
        dest = folder / f"{stamp}-{n}.{suffix}"
    client = _client(source, policy, sleep)
    job = FetchJob(client, source, start, dest, base_url, page_size, year or DEFAULT_CENSUS_YEAR, progress)
    rows = download(job)
    imported = None
    if import_data and rows > 0:
        imported = import_file(db, source.mapping, dest)
    return FetchReport(
        source=source.name,
        file=dest,
        rows=rows,
        requests=client.requests_sent,
        since=start,
        since_origin=origin,
        seconds=time.perf_counter() - started,
        imported=imported,
    )
