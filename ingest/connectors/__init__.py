"""Portal connectors: fetch the public city data over the network into files the importer loads.

One generic connector per platform (socrata.py, arcgis.py, files.py for the RTCI CSV and
the Census zips), one registry of hosts, datasets and field names (data/portals.toml, read
by sources.py), one HTTP layer with bounded retries and a clear offline error (http.py),
and the fetch-then-import command (fetch.py). Tests point every connector at a local server through a base URL.
"""

from ingest.connectors.fetch import FetchReport, fetch_source
from ingest.connectors.http import FetchError, OfflineError, PortalClient, RetryPolicy
from ingest.connectors.sources import PORTALS, SOURCES, Source

__all__ = [
    "PORTALS",
    "SOURCES",
    "FetchError",
    "FetchReport",
    "OfflineError",
    "PortalClient",
    "RetryPolicy",
    "Source",
    "fetch_source",
]
