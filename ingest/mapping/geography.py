"""[geography] (polygons: city boundaries, districts, small areas) and [agencies] (an
aggregator's table of agencies) of a mapping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from ingest.mapping.dates import DateSpec, parse_date
from ingest.mapping.table import TomlTable


@dataclass(frozen=True)
class GeographySpec:
    """Polygons for city_boundaries, districts, or areas (the small areas of published
    counts, e.g. ZCTAs: area_shapes, matched to area_counts by area_kind and name)."""

    target: Literal["city_boundaries", "districts", "areas"]
    crs: str = "EPSG:4326"
    geometry: str | None = None  # wkt-csv: the WKT column
    name: str | None = None  # districts: column with the district name
    district_kind: str = "district"  # precinct | council district | ...
    area_kind: str = "zcta"  # areas: area_counts.area_kind the polygons belong to


@dataclass(frozen=True)
class AgenciesSpec:
    """An aggregator's table of agencies: where each city's figures come from."""

    agency: str  # column naming the agency
    source_type: str | None = None
    source_method: str | None = None
    source_link: str | None = None
    population: str | None = None
    most_recent_month: DateSpec | None = None  # e.g. column 'most_recent_month', format '%B %Y'
    as_of: DateSpec | None = None

    def columns(self) -> list[str | None]:
        """The file columns this table names."""
        dates = [d.column for d in (self.most_recent_month, self.as_of) if d]
        return [self.agency, self.source_type, self.source_method, self.source_link, self.population, *dates]


def parse_geography(t: TomlTable | None, fmt: str) -> GeographySpec | None:
    """[geography]: the target table, CRS, geometry and name columns."""
    if t is None:
        return None
    geography = GeographySpec(
        target=cast(
            Literal["city_boundaries", "districts", "areas"],
            t.choice("target", ("city_boundaries", "districts", "areas")),
        ),
        crs=t.get("crs", str, "EPSG:4326"),
        geometry=t.get("geometry", str),
        name=t.get("name", str),
        district_kind=t.get("district_kind", str, "district"),
        area_kind=t.get("area_kind", str, "zcta"),
    )
    if geography.target in ("districts", "areas") and not geography.name:
        raise t.err("name", f"{geography.target} need the column holding each polygon's name")
    if fmt == "wkt-csv" and not geography.geometry:
        raise t.err("geometry", "format 'wkt-csv' needs the WKT column")
    t.done()
    return geography


def parse_agencies(t: TomlTable | None) -> AgenciesSpec | None:
    """[agencies]: the agency column and what the aggregator says about its figures."""
    if t is None:
        return None
    agencies = AgenciesSpec(
        agency=t.get("agency", str, required=True),
        source_type=t.get("source_type", str),
        source_method=t.get("source_method", str),
        source_link=t.get("source_link", str),
        population=t.get("population", str),
        most_recent_month=parse_date(t.sub("most_recent_month")),
        as_of=parse_date(t.sub("as_of")),
    )
    t.done(("most_recent_month", "as_of"))
    return agencies
