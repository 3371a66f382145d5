"""The registry of portals the connectors fetch from, read from data/portals.toml, and the
value objects a connector works with (`Source`, `SodaDataset`, `FetchJob`).

Design: connectors are generic per platform (Socrata SODA, ArcGIS REST, a plain CSV, the
Census cartographic boundary zips); what differs between cities is data, kept in one
table (data/portals.toml, where the facts and their provenance are noted), so no host or
dataset id is written anywhere else. Each source writes one file in a fixed shape
(`columns`), described by the mapping data/sources/<mapping>.toml that the importer reads:
field names that drift between a portal's datasets (Kansas City renames `report_no` to
`report` in some years) are renamed to one canonical name on the way in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from ingest.connectors.http import FetchError, PortalClient
from kernel.settings import DATA_DIR, SETTINGS

PORTALS_FILE = DATA_DIR / "portals.toml"

Platform = Literal["socrata", "arcgis", "csv", "census"]
Progress = Callable[[str, int], None]  # (what is being fetched, rows so far)


def portal_url(portal: str, path: str, base_url: str | None = None) -> str:
    """Full URL of `path` on `portal`, honouring the base-URL override."""
    base = base_url or SETTINGS["PSP_PORTAL_BASE_URL"].value() or PORTALS[portal]
    return base.rstrip("/") + "/" + path.lstrip("/")


def require_fields(source: Source, sent: Iterable[object], url: str) -> None:
    """Fail with the fields the portal did send when a required one is missing."""
    names = {str(n) for n in sent}
    missing = [c for c in source.required if c not in names]
    if missing:
        raise FetchError(
            f"{url} no longer sends {', '.join(missing)} (it sent: {', '.join(sorted(names))}); "
            f"update the field names of {source.name} in data/portals.toml"
        )


@dataclass(frozen=True)
class SodaDataset:
    """One Socrata dataset of a source.

    date_field is the dataset's own name of the date that incremental fetches filter on
    (the reporting date where there is one: a late-entered record still has a reporting
    date after the last fetch). renames map this dataset's field names to the source's
    canonical ones; a rename applies only when the canonical name is not already there.
    """

    dataset_id: str
    date_field: str
    label: str = ""
    year: int | None = None  # per-year datasets are skipped when --since is a later year
    until: date | None = None  # the dataset stopped taking new records after this day
    renames: tuple[tuple[str, str], ...] = ()

    @property
    def path(self) -> str:
        return f"resource/{self.dataset_id}.json"


@dataclass(frozen=True)
class Source:
    """A fetchable source: where it lives and the shape of the file the fetch writes.

    name is what users type (`python -m ingest fetch NAME`) and the `source` the importer
    stores; mapping names data/sources/<mapping>.toml. columns are the written file's
    columns in order (a column the portal does not send is left empty); a missing
    `required` column is an error. date_column is the written column holding the date
    that the store's newest record is read from (via store_date) for incremental fetches.
    """

    name: str
    title: str
    platform: Platform
    portal: str
    mapping: str
    city_id: str | None = None
    columns: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    datasets: tuple[SodaDataset, ...] = ()
    path: str = ""
    date_column: str = ""
    point_column: str | None = None  # Socrata point/location field split into latitude/longitude
    renames: tuple[tuple[str, str], ...] = ()  # ArcGIS fields -> written columns
    page_size: int = 50_000
    store_date: Literal["occurred_at", "month", "none"] = "occurred_at"
    lookback_days: int = 30  # re-fetch this far before the newest stored record
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class FetchJob:
    """One download a connector runs: the source, from when (None: everything), the file it
    writes, and the overrides of the command line (base URL, page size, Census vintage)."""

    client: PortalClient
    source: Source
    since: datetime | None
    dest: Path
    base_url: str | None = None
    page_size: int | None = None
    year: int | None = None
    progress: Progress | None = None

    @property
    def limit(self) -> int:
        """Rows asked for per page."""
        return self.page_size or self.source.page_size


def _renames(value: dict[str, str] | str, sets: dict[str, dict[str, str]]) -> tuple[tuple[str, str], ...]:
    """A rename table, or the name of one in [rename_sets], as (portal field, column) pairs."""
    return tuple((sets[value] if isinstance(value, str) else value).items())


def _source(name: str, raw: dict[str, Any], sets: dict[str, dict[str, str]]) -> Source:
    """One [source.NAME] table as a Source (TOML arrays become tuples, datasets SodaDatasets)."""
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    fields["renames"] = _renames(raw.get("renames", {}), sets)
    fields["datasets"] = tuple(
        SodaDataset(**{**d, "renames": _renames(d.get("renames", {}), sets)}) for d in raw.get("datasets", [])
    )
    return Source(name=name, **fields)


def load_portals(path: Path = PORTALS_FILE) -> tuple[dict[str, str], dict[str, Source]]:
    """The hosts and the sources of data/portals.toml."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    sets = raw.get("rename_sets", {})
    return raw["portals"], {name: _source(name, s, sets) for name, s in raw["source"].items()}


PORTALS, SOURCES = load_portals()
