"""A whole mapping file: the Mapping it parses to, and where the committed ones live."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from ingest.errors import MappingError
from ingest.mapping.breaks import BreakSpec, parse_breaks
from ingest.mapping.counts import CountsSpec, parse_counts
from ingest.mapping.dates import DateSpec, parse_date
from ingest.mapping.geography import AgenciesSpec, GeographySpec, parse_agencies, parse_geography
from ingest.mapping.offense import OffenseSpec, parse_offense
from ingest.mapping.place import (
    CitySpec,
    DistrictSpec,
    LocationSpec,
    parse_city,
    parse_district,
    parse_location,
)
from ingest.mapping.reading import CsvOptions, IdSpec, parse_csv, parse_id
from ingest.mapping.source import Format, Kind, SourceSection, parse_source
from ingest.mapping.table import TomlTable
from kernel.settings import DATA_DIR

SOURCES_DIR = DATA_DIR / "sources"
# The tables of a mapping file, each read by its section's parser.
SECTIONS = (
    "source",
    "csv",
    "city",
    "id",
    "occurred",
    "reported",
    "offense",
    "location",
    "district",
    "counts",
    "geography",
    "agencies",
    "breaks",
)


@dataclass(frozen=True)
class Mapping:
    """A parsed data/sources/<source>.toml."""

    path: Path
    source: str
    kind: Kind
    format: Format
    title: str = ""
    publisher: str = ""
    standard: str | None = None  # NIBRS | SRS: series breaks are detected from this
    # Part I offenses the extract covers completely. Incident mappings: nothing unless the
    # mapping lists them ([] = none). Count mappings: None = the offenses their columns map to.
    part1_scope: tuple[str, ...] | None = ()
    coverage: Literal["city", "area"] = "area"  # the whole city, or only an area of it
    note: str = ""
    date_basis: Literal["occurred", "reported"] = "occurred"
    max_quarantine_share: float = 0.5  # above this the mapping is surely wrong: fail instead
    csv: CsvOptions = CsvOptions()
    city: CitySpec = CitySpec()
    id: IdSpec = IdSpec()
    occurred: DateSpec | None = None
    reported: DateSpec | None = None
    offense: OffenseSpec = OffenseSpec()
    location: LocationSpec = LocationSpec()
    district: DistrictSpec = DistrictSpec()
    counts: CountsSpec = CountsSpec()
    geography: GeographySpec | None = None
    agencies: AgenciesSpec | None = None
    breaks: tuple[BreakSpec, ...] = ()

    def columns_used(self) -> list[str]:
        """Every source column the mapping names (they must exist in the file)."""
        names: list[str | None] = [self.city.column, *self.id.columns]
        for d in (self.occurred, self.reported, self.counts.month):
            if d:
                names += [d.column, d.time_column]
        names += [self.offense.code, self.offense.description]
        names += [self.location.x, self.location.y, self.location.zip, self.district.column]
        c = self.counts
        names += [c.year_column, c.month_column, c.category, c.value, c.area, c.previous]
        names += [c.population, c.flag_column, c.duplicates.compare if c.duplicates else None]
        names += list(c.columns.values())
        if self.geography:
            names += [self.geography.geometry, self.geography.name]
        if self.agencies:
            names += self.agencies.columns()
        return list(dict.fromkeys(n for n in names if n))


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise MappingError(f"mapping file {path} does not exist")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from None


def _check_kind(
    path: Path, src: SourceSection, geography: GeographySpec | None, agencies: AgenciesSpec | None
) -> None:
    """The sections a kind needs, and the file formats it is read from."""
    if src.kind == "agencies" and agencies is None:
        raise MappingError(f"{path}: [agencies] is required for kind = 'agencies'")
    if src.kind == "geography" and geography is None:
        raise MappingError(f"{path}: [geography] is required for kind = 'geography'")
    if src.kind != "geography" and src.format != "csv":
        raise MappingError(f"{path}: [source] format: {src.kind} are read from csv")


def load_mapping(path: Path, default_source: str | None = None) -> Mapping:
    """Parse and check a mapping file. Raises MappingError naming the file and key."""
    path = Path(path)
    top = TomlTable(_read_toml(path), "", path)
    src_t = top.sub("source")
    if src_t is None:
        raise MappingError(f"{path}: [source] table is required (kind, format, ...)")
    src = parse_source(src_t, default_source)
    csv_opts = parse_csv(top.sub("csv"))
    city = parse_city(top.sub("city"), src.kind, path)
    ids = parse_id(top.sub("id"))
    location = parse_location(top.sub("location"))
    district = parse_district(top.sub("district"))
    geography = parse_geography(top.sub("geography"), src.format)
    agencies = parse_agencies(top.sub("agencies"))
    _check_kind(path, src, geography, agencies)
    mapping = Mapping(
        path=path,
        source=src.name,
        kind=cast(Kind, src.kind),
        format=cast(Format, src.format),
        title=src.title,
        publisher=src.publisher,
        standard=src.standard,
        part1_scope=src.part1_scope,
        coverage=cast(Literal["city", "area"], src.coverage),
        note=src.note,
        date_basis=cast(Literal["occurred", "reported"], src.date_basis),
        max_quarantine_share=src.max_quarantine_share,
        csv=csv_opts,
        city=city,
        id=ids,
        occurred=parse_date(top.sub("occurred")),
        reported=parse_date(top.sub("reported")),
        offense=parse_offense(top.sub("offense"), path),
        location=location,
        district=district,
        counts=parse_counts(top.sub("counts"), src.kind),
        geography=geography,
        agencies=agencies,
        breaks=parse_breaks(top.get("breaks", list), path),
    )
    if src.kind == "incidents":
        if mapping.occurred is None:
            raise MappingError(f"{path}: [occurred] (column, format) is required for incidents")
        if top.raw.get("offense") is None:
            raise MappingError(f"{path}: [offense] is required for incidents")
    top.done(SECTIONS)
    return mapping


def mapping_path(source: str) -> Path:
    """data/sources/<source>.toml"""
    return SOURCES_DIR / f"{source}.toml"


def available_sources() -> list[str]:
    """Sources with a committed mapping (the names `python -m ingest import` accepts)."""
    return sorted(p.stem for p in SOURCES_DIR.glob("*.toml") if p.stem != "generic_example")


def resolve_mapping(source: str, mapping: Path | None) -> Mapping:
    """The mapping for `source`: the given file, or data/sources/<source>.toml."""
    if mapping is None:
        path = mapping_path(source)
        if not path.exists():
            known = ", ".join(available_sources())
            raise MappingError(
                f"no mapping for source {source!r} (looked for {path}). Known sources: {known}. "
                "For your own file, write a mapping and use: "
                "python -m ingest import generic FILE --mapping MY.toml"
            )
        return load_mapping(path, default_source=source)
    return load_mapping(mapping, default_source=None if source == "generic" else source)
