"""Connectors for whole files: the RTCI monthly CSV and the Census boundary zips.

Neither can be filtered on the server, so the file is downloaded whole and cut here:
the RTCI table to the PSP cities' agencies (and to months from `since` on); the Census
state "place" shapefiles to the 12 PSP places, written as one GeoJSON.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ingest.connectors.http import FetchError
from ingest.connectors.sources import FetchJob, portal_url, require_fields
from ingest.registry import load_cities


def fetch_rtci(job: FetchJob) -> int:
    """Download the RTCI by-agency table; keep the PSP agencies (and months >= job.since)."""
    source, since = job.source, job.since
    url = portal_url(source.portal, source.path, job.base_url)
    with tempfile.TemporaryDirectory(dir=job.dest.parent) as tmp:
        raw = Path(tmp) / "by_agency_table.csv"
        job.client.download(url, raw)
        try:
            table = pd.read_csv(raw, dtype=str, keep_default_na=False)
        except (ValueError, pd.errors.ParserError) as exc:
            raise FetchError(f"{url} is not the RTCI CSV: {exc}") from None
    require_fields(source, table.columns, url)
    agencies = {c.rtci_agency for c in load_cities()}
    keep = table["agency_full"].isin(agencies)
    if since is not None:
        keep &= table["date"] >= since.strftime("%Y-%m-01")
    table = table[keep]
    table.to_csv(job.dest, index=False)
    if job.progress is not None:
        job.progress(source.name, len(table))
    return len(table)


def fetch_census_places(job: FetchJob) -> int:
    """Download cb_<year>_<state>_place_500k.zip for the PSP states (year: job.year);
    write the 12 places."""
    source, year = job.source, job.year
    cities = load_cities()
    geoids = {c.census_geoid: c.city_id for c in cities}
    parts = []
    with tempfile.TemporaryDirectory(dir=job.dest.parent) as tmp:
        for state in sorted({g[:2] for g in geoids}):
            url = portal_url(source.portal, source.path.format(year=year, state=state), job.base_url)
            zipped = Path(tmp) / f"cb_{year}_{state}_place_500k.zip"
            job.client.download(url, zipped)
            try:
                places = gpd.read_file(zipped)
            except Exception as exc:  # pyogrio raises its own DataSourceError and friends
                raise FetchError(f"{url} is not a readable shapefile zip: {exc}") from None
            if "GEOID" not in places.columns:
                raise FetchError(f"{url} has no GEOID column; is it a Census place file?")
            parts.append(places[places["GEOID"].isin(geoids)])
            if job.progress is not None:
                job.progress(f"{source.name} state {state}", sum(len(p) for p in parts))
    found = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    absent = sorted(set(geoids) - set(found["GEOID"]))
    if absent:
        names = ", ".join(geoids[g] for g in absent)
        raise FetchError(
            f"The Census {year} place files have no place with GEOID {', '.join(absent)} ({names})"
        )
    found.insert(0, "city_id", found["GEOID"].map(geoids))
    found = found.sort_values("city_id")  # kept in the files' own CRS (NAD83); the importer reprojects
    found.to_file(job.dest, driver="GeoJSON")
    return len(found)
