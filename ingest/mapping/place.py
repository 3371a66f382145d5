"""Where a row is: [city] (which registry city), [location] (coordinates, ZIP) and
[district] (a column, or polygons by spatial join) of a mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from ingest.errors import MappingError
from ingest.mapping.table import TomlTable

CITY_MATCH: tuple[str, ...] = ("city_id", "name", "rtci_agency", "census_geoid")


@dataclass(frozen=True)
class CitySpec:
    """Which registry city a row belongs to: fixed, or looked up from a column."""

    fixed: str | None = None  # a city_id, e.g. "memphis_tn"
    column: str | None = None
    match: str = "city_id"  # what the column holds: city_id | name | rtci_agency | census_geoid
    values: dict[str, str] = field(default_factory=dict)  # extra value -> city_id (case-insensitive)
    other: Literal["quarantine", "skip"] = "quarantine"  # rows whose value is not a PSP city


@dataclass(frozen=True)
class LocationSpec:
    """Coordinates (any CRS pyproj knows) and/or a ZIP code column."""

    x: str | None = None  # longitude or easting column
    y: str | None = None  # latitude or northing column
    crs: str = "EPSG:4326"
    zip: str | None = None
    zip_prefixes: tuple[str, ...] = ()  # ZIPs of the city's area; other ZIPs are quarantined
    boundary_tolerance_m: float = 250.0  # slack around the city boundary (rounded coordinates)


@dataclass(frozen=True)
class DistrictSpec:
    """Where an incident's district comes from: a column, or polygons by spatial join."""

    column: str | None = None
    pattern: str | None = None  # regex; group 1 of the first match is the district
    layer: str | None = None  # districts.source to join against; default: the city's layer


def parse_city(t: TomlTable | None, kind: str, path: Path) -> CitySpec:
    """[city]: a fixed city_id or a column looked up in the registry (required but for
    geography, whose polygons may name their city)."""
    if t is None:
        if kind != "geography":
            raise MappingError(f"{path}: [city] is required (id = 'memphis_tn' or column = ...)")
        return CitySpec()
    values_t = t.sub("values")
    values = {k.strip().lower(): str(v) for k, v in (values_t.raw if values_t else {}).items()}
    city = CitySpec(
        fixed=t.get("id", str),
        column=t.get("column", str),
        match=t.choice("match", CITY_MATCH, "city_id"),
        values=values,
        other=cast(Literal["quarantine", "skip"], t.choice("other", ("quarantine", "skip"), "quarantine")),
    )
    if (city.fixed is None) == (city.column is None):
        raise t.err("id", "give either id = '<city_id>' or column = '<column>'")
    t.done(("values",))
    return city


def parse_location(t: TomlTable | None) -> LocationSpec:
    """[location]: x/y in a CRS, ZIP and its prefixes, the boundary tolerance."""
    if t is None:
        return LocationSpec()
    location = LocationSpec(
        x=t.get("x", str),
        y=t.get("y", str),
        crs=t.get("crs", str, "EPSG:4326"),
        zip=t.get("zip", str),
        zip_prefixes=t.strings("zip_prefixes"),
        boundary_tolerance_m=float(t.get("boundary_tolerance_m", (int, float), 250.0)),
    )
    if (location.x is None) != (location.y is None):
        raise t.err("x", "x and y go together")
    t.done()
    return location


def parse_district(t: TomlTable | None) -> DistrictSpec:
    """[district]: a column (with a pattern) or the layer to join against."""
    if t is None:
        return DistrictSpec()
    district = DistrictSpec(
        column=t.get("column", str), pattern=t.get("pattern", str), layer=t.get("layer", str)
    )
    t.done()
    return district
