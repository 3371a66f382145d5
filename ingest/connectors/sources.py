"""The registry of portals the connectors fetch from: every host, dataset id and field name.

Design: connectors are generic per platform (Socrata SODA, ArcGIS REST, a plain CSV, the
Census cartographic boundary zips); what differs between cities is data, kept here in one
place, so no host or dataset id is written anywhere else. Each source writes one file in
a fixed shape (`columns`), described by the mapping data/sources/<mapping>.toml that the
importer reads: field names that drift between a portal's datasets (Kansas City renames
`report_no` to `report` in some years) are renamed to one canonical name on the way in.

Facts come from ../shared/data/SOURCES.md ("Portal facts", taken from public code that
queries the portals) and from other public code that queries them; none was verified
live from here (there is no internet). A portal that renames a required field makes the
fetch fail with the list of fields it did send, so a wrong guess shows up at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ingest.connectors.http import FetchError
from kernel.settings import SETTINGS

# Scheme and host of every portal. PSP_PORTAL_BASE_URL (or a connector's base_url
# argument) replaces them all, keeping the path: tests point it at a local server.
PORTALS: dict[str, str] = {
    "cincinnati": "https://data.cincinnati-oh.gov",
    "kansas_city": "https://data.kcmo.org",
    "memphis": "https://data.memphistn.gov",
    "buffalo": "https://data.buffalony.gov",
    "baton_rouge": "https://data.brla.gov",
    "indianapolis": "https://gis.indy.gov",
    "github_raw": "https://raw.githubusercontent.com",
    "census": "https://www2.census.gov",
}

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
            f"update the field names of {source.name} in ingest/connectors/sources.py"
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


# ---- Socrata -------------------------------------------------------------------------

_CINCINNATI = Source(
    name="cincinnati_socrata",
    title="Cincinnati Police: PDI Crime Incidents (to 2024-06) and Reported Crime, STARS (from 2024-06-03)",
    platform="socrata",
    portal="cincinnati",
    mapping="cincinnati_socrata",
    city_id="cincinnati_oh",
    columns=(
        "instanceid",
        "incident_no",
        "date_reported",
        "date_from",
        "date_to",
        "offense",
        "type",
        "ucr",
        "dst",
        "beat",
        "weapons",
        "cpd_neighborhood",
        "sna_neighborhood",
        "address_x",
        "latitude",
        "longitude",
        "dataset",
    ),
    required=("incident_no", "date_reported", "offense"),
    datasets=(
        SodaDataset(
            "k59e-2pvf",
            "date_reported",
            label="PDI (legacy)",
            until=date(2024, 6, 2),
            renames=(("latitude_x", "latitude"), ("longitude_x", "longitude")),
        ),
        # STARS: the offense is `stars_category`, a different vocabulary from PDI's `offense`;
        # the mapping's crosswalk lists both.
        SodaDataset(
            "7aqy-xrv9",
            "datereported",
            label="STARS",
            renames=(
                ("datereported", "date_reported"),
                ("datefrom", "date_from"),
                ("dateto", "date_to"),
                ("stars_category", "offense"),
                ("latitude_x", "latitude"),
                ("longitude_x", "longitude"),
            ),
        ),
    ),
    date_column="date_reported",
    notes=("k59e-2pvf has one row per victim/offense: incident_no repeats; instanceid is the row id.",),
)

# KCPD publishes one dataset per year and its field names drift: the report number is
# `report` in 2023/2025/2026, the reporting date `report_date` from 2021; coordinates are
# latitude/longitude (2015-2016), a location object `location_1`/`location` (2017-2020;
# 2017 has an address only) or a GeoJSON point `location` (2021 on).
_KC_NEW = (("report", "report_no"), ("report_date", "reported_date"), ("report_time", "reported_time"))
_KC_OLD = (("location_1", "location"),)
_KANSAS_CITY = Source(
    name="kansas_city_socrata",
    title="Kansas City (MO) Police: KCPD Crime Data, one Socrata dataset per year",
    platform="socrata",
    portal="kansas_city",
    mapping="kansas_city_socrata",
    city_id="kansas_city_mo",
    columns=(
        "report_no",
        "reported_date",
        "reported_time",
        "from_date",
        "from_time",
        "to_date",
        "to_time",
        "offense",
        "ibrs",
        "description",
        "beat",
        "address",
        "city",
        "zip_code",
        "rep_dist",
        "area",
        "dvflag",
        "invl_no",
        "involvement",
        "race",
        "sex",
        "age",
        "firearm_used_flag",
        "latitude",
        "longitude",
        "dataset",
    ),
    required=("report_no", "reported_date"),
    datasets=(
        SodaDataset("kbzx-7ehe", "reported_date", label="2015", year=2015),
        SodaDataset("wbz8-pdv7", "reported_date", label="2016", year=2016),
        SodaDataset("98is-shjt", "reported_date", label="2017", year=2017, renames=_KC_OLD),
        SodaDataset("dmjw-d28i", "reported_date", label="2018", year=2018, renames=_KC_OLD),
        SodaDataset("pxaa-ahcm", "reported_date", label="2019", year=2019, renames=_KC_OLD),
        SodaDataset("vsgj-uufz", "reported_date", label="2020", year=2020, renames=_KC_OLD),
        SodaDataset("w795-ffu6", "report_date", label="2021", year=2021, renames=_KC_NEW),
        SodaDataset("x39y-7d3m", "report_date", label="2022", year=2022, renames=_KC_NEW),
        SodaDataset("bfyq-5nh6", "report_date", label="2023", year=2023, renames=_KC_NEW),
        SodaDataset("isbe-v4d8", "reported_date", label="2024", year=2024, renames=_KC_NEW),
        SodaDataset("dmnp-9ajg", "report_date", label="2025", year=2025, renames=_KC_NEW),
        SodaDataset("f7wj-ckmw", "report_date", label="2026", year=2026, renames=_KC_NEW),
    ),
    date_column="reported_date",
    point_column="location",
    notes=(
        "One row per involved person: report_no repeats.",
        "Dataset ids 2021-2023 and 2026 are from public code, not from SOURCES.md.",
    ),
)

_MEMPHIS = Source(
    name="memphis_socrata",
    title="Memphis Police: MPD Public Safety Incidents (2006 on, daily; no sex crimes or juveniles)",
    platform="socrata",
    portal="memphis",
    mapping="memphis_socrata",
    city_id="memphis_tn",
    columns=(
        "crime_id",
        "offense_date",
        "ucr_category",
        "ucr_description",
        "full_address_100_block",
        "latitude",
        "longitude",
        "dataset",
    ),
    required=("crime_id", "offense_date", "ucr_category"),
    datasets=(
        SodaDataset(
            "puh4-eea4", "offense_date", label="MPD", renames=(("lat", "latitude"), ("long", "longitude"))
        ),
    ),
    date_column="offense_date",
    point_column="location",
)

_BUFFALO = Source(
    name="buffalo_socrata",
    title="Buffalo Police: Crime Incidents (2009 on, daily)",
    platform="socrata",
    portal="buffalo",
    mapping="buffalo_socrata",
    city_id="buffalo_ny",
    columns=(
        "incident_id",
        "case_number",
        "incident_datetime",
        "incident_type_primary",
        "incident_description",
        "parent_incident_type",
        "clearance_type",
        "address_1",
        "city",
        "state",
        "zip",
        "neighborhood",
        "police_district",
        "council_district",
        "hour_of_day",
        "day_of_week",
        "latitude",
        "longitude",
        "dataset",
    ),
    required=("case_number", "incident_datetime", "incident_type_primary"),
    datasets=(
        SodaDataset(
            "d6g9-xbgu",
            "incident_datetime",
            label="Crime Incidents",
            renames=(("neighborhood_1", "neighborhood"),),
        ),
    ),
    date_column="incident_datetime",
    point_column="location",
)

_BATON_ROUGE = Source(
    name="baton_rouge_socrata",
    title="Baton Rouge Police: Crime Incidents (2021 on, NIBRS codes)",
    platform="socrata",
    portal="baton_rouge",
    mapping="baton_rouge_socrata",
    city_id="baton_rouge_la",
    columns=(
        "incident_number",
        "charge_date",
        "report_date",
        "nibrs_code",
        "offense_description",
        "statute_category",
        "crime_against",
        "district",
        "zone",
        "neighborhood",
        "latitude",
        "longitude",
        "dataset",
    ),
    required=("incident_number", "report_date", "nibrs_code"),
    datasets=(SodaDataset("pbin-pcm7", "report_date", label="BRPD 2021+"),),
    date_column="report_date",
    point_column="geolocation",
)

# ---- ArcGIS REST ---------------------------------------------------------------------

# Layer 1 (Incidents_Public) holds offenses with NIBRS classes. SOURCES.md names layer 0,
# but public code that queries the service shows layer 0 is CAD calls for service
# (RecDateTime, IncidentType, sAddress), which are not offenses.
_INDIANAPOLIS = Source(
    name="indianapolis_arcgis",
    title="Indianapolis (IMPD): public incidents, ArcGIS MapServer layer Incidents_Public",
    platform="arcgis",
    portal="indianapolis",
    mapping="indianapolis_arcgis",
    city_id="indianapolis_in",
    path="server/rest/services/IMPD/IMPD_Public_Data/MapServer/1",
    columns=(
        "OBJECTID",
        "CaseNum",
        "OccurredFrom",
        "NIBRSClassCode",
        "NIBRSClassDesc",
        "CR_Desc",
        "sAddress",
        "Geo_Districts",
        "Geo_Beats",
        "Latitude",
        "Longitude",
    ),
    required=("OBJECTID", "OccurredFrom"),
    date_column="OccurredFrom",
    page_size=2_000,  # the usual maxRecordCount of an ArcGIS Server layer
)

# ---- Plain files ---------------------------------------------------------------------

RTCI_COLUMNS = (
    "date",
    "agency_name",
    "agency_abbr",
    "state_name",
    "agency_full",
    "aggravated_assault",
    "burglary",
    "motor_vehicle_theft",
    "murder",
    "rape",
    "robbery",
    "theft",
    "violent_crime",
    "property_crime",
    "month_year",
    "state_abbr",
    "Last Updated",
)

_RTCI = Source(
    name="rtci",
    title="Real-Time Crime Index (AH Datalytics): monthly Part I counts by agency",
    platform="csv",
    portal="github_raw",
    mapping="rtci",
    path="AH-Datalytics/rtci/main/docs/app_data/by_agency_table.csv",
    columns=RTCI_COLUMNS,
    required=("date", "agency_full", "murder"),
    date_column="date",
    store_date="month",
    lookback_days=92,  # the RTCI revises its latest months
    notes=("Only the rows of the PSP cities' agencies (data/cities.toml rtci_agency) are kept.",),
)

# Same shape and mapping as the 2015 sample the importer loads (source census_boundaries):
# a fetched vintage replaces those polygons rather than adding a second set.
_CENSUS = Source(
    name="census_boundaries",
    title="US Census Bureau cartographic boundary files, places 1:500k: the 12 PSP cities",
    platform="census",
    portal="census",
    mapping="census_boundaries",
    path="geo/tiger/GENZ{year}/shp/cb_{year}_{state}_place_500k.zip",
    store_date="none",
)

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (_CINCINNATI, _KANSAS_CITY, _MEMPHIS, _BUFFALO, _BATON_ROUGE, _INDIANAPOLIS, _RTCI, _CENSUS)
}
