"""Declarative source mappings: one TOML file per source in data/sources/<source>.toml.

Design: a city's export differs from another's only in facts (column names, date
formats, time zone, coordinate system, id column, offense codes), so a source is
described by data, not by a Python class. This module parses and checks a mapping file;
ingest/importer.py and its helpers turn it into SQL. The format is documented in
README.md ("Loading real data") and shown whole in data/sources/generic_example.toml.

Parsing is strict: an unknown key is an error (a typo would otherwise be ignored
silently), and every error names the mapping file and the key.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, cast

from analysis.query.filters import OFFENSE_KEYS, PART1_OFFENSES
from ingest.errors import MappingError
from kernel.settings import DATA_DIR

SOURCES_DIR = DATA_DIR / "sources"

Kind = Literal["incidents", "monthly_counts", "period_counts", "geography", "agencies"]
Format = Literal["csv", "geojson", "wkt-csv"]
KINDS: tuple[str, ...] = ("incidents", "monthly_counts", "period_counts", "geography", "agencies")
FORMATS: tuple[str, ...] = ("csv", "geojson", "wkt-csv")
CITY_MATCH: tuple[str, ...] = ("city_id", "name", "rtci_agency", "census_geoid")
# Part I offense groups and their parts: a total is derived only when every part is there.
TOTAL_PARTS: dict[str, tuple[str, ...]] = {
    "violent_crime": ("murder", "rape", "robbery", "aggravated_assault"),
    "property_crime": ("burglary", "theft", "motor_vehicle_theft"),
}


@dataclass(frozen=True)
class CsvOptions:
    """How to read the CSV: DuckDB's reader with these settings, every value as text."""

    delimiter: str = ","
    quote: str = '"'
    encoding: str = "utf-8"  # utf-8 | utf-16 | latin-1 (DuckDB's reader)
    null: tuple[str, ...] = ("",)  # values read as missing (after trimming spaces)


@dataclass(frozen=True)
class CitySpec:
    """Which registry city a row belongs to: fixed, or looked up from a column."""

    fixed: str | None = None  # a city_id, e.g. "memphis_tn"
    column: str | None = None
    match: str = "city_id"  # what the column holds: city_id | name | rtci_agency | census_geoid
    values: dict[str, str] = field(default_factory=dict)  # extra value -> city_id (case-insensitive)
    other: Literal["quarantine", "skip"] = "quarantine"  # rows whose value is not a PSP city


@dataclass(frozen=True)
class DateSpec:
    """A date (and optional time) column with its strptime formats and time zone.

    timezone: "local" = the values are the city's wall-clock time (a trailing 'Z' in the
    format is then only a literal); "UTC" (or any IANA zone) = convert to the city's
    zone. Unparseable or out-of-range dates quarantine the row; an unparseable time
    keeps the row with time_known = false (00:00).
    """

    column: str
    format: str
    time_column: str | None = None
    time_format: str | None = None
    timezone: str = "local"


@dataclass(frozen=True)
class CrosswalkEntry:
    """What one local code or description means in NIBRS terms."""

    nibrs_code: str | None  # None: deliberately not mapped (kept as unmapped)
    firearm: bool | None = None  # the local code itself says a firearm was (not) used
    note: str = ""


@dataclass(frozen=True)
class OffenseSpec:
    """Local offense code/description columns and their crosswalk to NIBRS codes."""

    code: str | None = None  # column with the local code
    description: str | None = None  # column with the local text
    match: Literal["code", "description"] = "code"  # which column the crosswalk keys are
    codes_are_nibrs: bool = False  # the code column already holds NIBRS codes (KCPD IBRS)
    fixed: str | None = None  # every row is this NIBRS code (single-offense extracts)
    crosswalk: dict[str, CrosswalkEntry] = field(default_factory=dict)  # upper-cased keys


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


@dataclass(frozen=True)
class IdSpec:
    """The record id at the source. Without columns, a content hash of the row is used."""

    columns: tuple[str, ...] = ()
    per: Literal["row", "offense"] = "row"  # offense: rows repeating id + offense are one offense


@dataclass(frozen=True)
class DuplicatesSpec:
    """What to do with a month a counts file lists more than once (e.g. two releases).

    Copies are never summed. They are numbered by their order in the file (copy 1 = the
    month's first row). `keep` chooses one: "first" / "last" copy, or the copy with the
    "lowest" / "highest" value of the `compare` column; with per = "year" the values are
    summed over each copy's months of the calendar year, so one release is kept for the
    whole year (never a mix of releases inside a year). The copies not kept go to
    superseded_counts.
    """

    keep: Literal["first", "last", "lowest", "highest"] = "first"
    compare: str | None = None  # a numeric column of the file
    per: Literal["month", "year"] = "month"
    why: str = ""  # the evidence for the rule, stored with every superseded copy


@dataclass(frozen=True)
class NotReportedSpec:
    """Rows that mean "the agency did not report this month", not "no offenses".

    blank: every mapped count is empty; all_zero: every mapped count is 0. Such months are
    recorded in source_months as 'not reported' and nothing is written for them.
    zero_is_missing: offenses for which a 0 means not reported (a city of 100,000 does not
    have a month without a theft); the 0 is dropped, and so is a total containing it.
    """

    blank: bool = False
    all_zero: bool = False
    zero_is_missing: tuple[str, ...] = ()
    # A reported month right after a run of all-zero months that began in the same calendar
    # year holds the offenses of the whole run (a late report): it goes to period_counts for
    # that period, and the month itself is not a monthly figure.
    lump_after_zeros: bool = False


@dataclass(frozen=True)
class BreakSpec:
    """A series break the data cannot show (e.g. a definition change), declared by the mapping."""

    month: date
    offense: str
    kind: str
    before: str = ""
    after: str = ""
    note: str = ""


@dataclass(frozen=True)
class CountsSpec:
    """Aggregate counts: one column per offense (wide) or category/value rows (long)."""

    layout: Literal["wide", "long"] = "wide"
    month: DateSpec | None = None  # a date column giving the month (or period end)
    year_column: str | None = None  # or: year and month columns
    month_column: str | None = None
    month_format: str = "%m"  # strptime format of month_column, e.g. %b for 'Jan'
    columns: dict[str, str] = field(default_factory=dict)  # wide: offense -> column
    category: str | None = None  # long: column with the publisher's category
    value: str | None = None  # long: column with the count
    area: str | None = None  # long: column with a small-area id (ZCTA)
    area_kind: str = "zcta"
    categories: dict[str, str | None] = field(default_factory=dict)  # category -> offense | None
    derive_totals: bool = True  # violent/property totals from complete components when empty
    previous: str | None = None  # period_counts: column with the same period a year earlier
    population: str | None = None  # the publisher's agency population -> agency_population
    negative: Literal["quarantine", "keep"] = "quarantine"  # keep: net adjustments (flagged)
    flag_column: str | None = None  # a column whose values flag the counts (flag_values)
    flag_values: dict[str, str] = field(default_factory=dict)  # lower-cased value -> flag text
    duplicates: DuplicatesSpec | None = None  # None: a repeated month is a duplicate row
    not_reported: NotReportedSpec = NotReportedSpec()


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
        dates = [d.column for d in (self.most_recent_month, self.as_of) if d]
        return [self.agency, self.source_type, self.source_method, self.source_link, self.population, *dates]


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


class _Table:
    """A TOML table being read: tracks the keys used so leftovers can be reported."""

    def __init__(self, raw: dict[str, Any], where: str, path: Path) -> None:
        self.raw, self.where, self.path, self.used = raw, where, path, set[str]()

    def err(self, key: str, message: str) -> MappingError:
        return MappingError(f"{self.path}: [{self.where}] {key}: {message}")

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False
    ) -> Any:
        self.used.add(key)
        if key not in self.raw:
            if required:
                raise self.err(key, "is required")
            return default
        value = self.raw[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        # TOML booleans are Python ints too: `true` is not a number here.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.err(key, f"must be {'/'.join(k.__name__ for k in kinds)}, got {value!r}")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        value = self.get(key, str, default, required=default is None)
        if value not in options:
            raise self.err(key, f"must be one of {', '.join(options)}; got {value!r}")
        return cast(str, value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, (list, str), [])
        items = [value] if isinstance(value, str) else value
        if not all(isinstance(v, str) for v in items):
            raise self.err(key, "must be a list of strings")
        return tuple(items)

    def sub(self, key: str) -> _Table | None:
        value = self.get(key, dict)
        return (
            None if value is None else _Table(value, f"{self.where}.{key}" if self.where else key, self.path)
        )

    def done(self, nested: tuple[str, ...] = ()) -> None:
        extra = sorted(set(self.raw) - self.used - set(nested))
        if extra:
            raise MappingError(f"{self.path}: [{self.where}] unknown key(s): {', '.join(extra)}")


def _date(t: _Table | None) -> DateSpec | None:
    if t is None:
        return None
    spec = DateSpec(
        column=t.get("column", str, required=True),
        format=t.get("format", str, required=True),
        time_column=t.get("time_column", str),
        time_format=t.get("time_format", str),
        timezone=t.get("timezone", str, "local"),
    )
    if (spec.time_column is None) != (spec.time_format is None):
        raise t.err("time_column", "time_column and time_format go together")
    t.done()
    return spec


def _crosswalk_entry(value: Any, t: _Table, key: str) -> CrosswalkEntry:
    if isinstance(value, str):
        return CrosswalkEntry(value or None)
    if isinstance(value, dict):
        unknown = set(value) - {"nibrs", "firearm", "note"}
        if unknown:
            raise t.err(key, f"unknown crosswalk field(s) {sorted(unknown)}")
        nibrs = value.get("nibrs", "")
        firearm = value.get("firearm")
        if not isinstance(nibrs, str) or (firearm is not None and not isinstance(firearm, bool)):
            raise t.err(key, "crosswalk entries are {nibrs = '220', firearm = true, note = '...'}")
        return CrosswalkEntry(nibrs or None, firearm, str(value.get("note", "")))
    raise t.err(key, "a crosswalk value is a NIBRS code string or a table {nibrs = ..., firearm = ...}")


def read_crosswalk_csv(path: Path) -> dict[str, CrosswalkEntry]:
    """A crosswalk CSV beside the mapping: columns local, nibrs[, firearm][, note]."""
    if not path.exists():
        raise MappingError(f"crosswalk file {path} does not exist")
    entries: dict[str, CrosswalkEntry] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"local", "nibrs"} - set(reader.fieldnames or [])
        if missing:
            raise MappingError(f"{path}: line 1: missing column(s) {sorted(missing)}")
        for line, row in enumerate(reader, start=2):
            key = (row["local"] or "").strip().upper()
            if not key:
                raise MappingError(f"{path}: line {line}: empty 'local' value")
            if key in entries:
                raise MappingError(f"{path}: line {line}: {key!r} appears twice")
            firearm_text = (row.get("firearm") or "").strip().lower()
            if firearm_text not in ("", "true", "false"):
                raise MappingError(f"{path}: line {line}: firearm must be true, false or empty")
            entries[key] = CrosswalkEntry(
                (row["nibrs"] or "").strip() or None,
                None if not firearm_text else firearm_text == "true",
                (row.get("note") or "").strip(),
            )
    return entries


def _offense(t: _Table | None, path: Path) -> OffenseSpec:
    if t is None:
        return OffenseSpec()
    crosswalk: dict[str, CrosswalkEntry] = {}
    csv_name = t.get("crosswalk_file", str)
    if csv_name:
        crosswalk.update(read_crosswalk_csv(path.parent / csv_name))
    inline = t.sub("crosswalk")
    if inline is not None:
        for key, value in inline.raw.items():
            norm = key.strip().upper()
            if norm in crosswalk:
                raise inline.err(key, "is also in the crosswalk file")
            crosswalk[norm] = _crosswalk_entry(value, inline, key)
    spec = OffenseSpec(
        code=t.get("code", str),
        description=t.get("description", str),
        match=cast(Literal["code", "description"], t.choice("match", ("code", "description"), "code")),
        codes_are_nibrs=t.get("codes_are_nibrs", bool, False),
        fixed=t.get("fixed", str),
        crosswalk=crosswalk,
    )
    if spec.fixed is None and spec.code is None and spec.description is None:
        raise t.err("code", "give a code and/or description column, or fixed = '<NIBRS code>'")
    if spec.match == "description" and spec.description is None:
        raise t.err("match", "match = 'description' needs a description column")
    if spec.match == "code" and spec.code is None and spec.fixed is None:
        raise t.err("match", "match = 'code' needs a code column (or set match = 'description')")
    t.done(("crosswalk",))
    return spec


def _counts(t: _Table | None, kind: str) -> CountsSpec:
    if t is None:
        if kind in ("monthly_counts", "period_counts"):
            raise MappingError(f"[counts] is required for kind = '{kind}'")
        return CountsSpec()
    columns_t = t.sub("columns")
    columns: dict[str, str] = {}
    if columns_t is not None:
        for offense, column in columns_t.raw.items():
            if offense not in OFFENSE_KEYS:
                raise columns_t.err(offense, f"offense must be one of {', '.join(OFFENSE_KEYS)}")
            if not isinstance(column, str):
                raise columns_t.err(offense, "must be a column name")
            columns[offense] = column
    categories_t = t.sub("categories")
    categories: dict[str, str | None] = {}
    if categories_t is not None:
        for category, offense in categories_t.raw.items():
            if not isinstance(offense, str) or (offense and offense not in OFFENSE_KEYS):
                raise categories_t.err(
                    category, f"must be '' (not mapped) or one of {', '.join(OFFENSE_KEYS)}"
                )
            categories[category.strip().lower()] = offense or None
    spec = CountsSpec(
        layout=cast(Literal["wide", "long"], t.choice("layout", ("wide", "long"), "wide")),
        month=_date(t.sub("month")),
        year_column=t.get("year_column", str),
        month_column=t.get("month_column", str),
        month_format=t.get("month_format", str, "%m"),
        columns=columns,
        category=t.get("category", str),
        value=t.get("value", str),
        area=t.get("area", str),
        area_kind=t.get("area_kind", str, "zcta"),
        categories=categories,
        derive_totals=t.get("derive_totals", bool, True),
        previous=t.get("previous", str),
        population=t.get("population", str),
        negative=cast(
            Literal["quarantine", "keep"], t.choice("negative", ("quarantine", "keep"), "quarantine")
        ),
        flag_column=t.get("flag_column", str),
        flag_values=_flag_values(t.sub("flag_values")),
        duplicates=_duplicates(t.sub("duplicates")),
        not_reported=_not_reported(t.sub("not_reported")),
    )
    if spec.flag_values and not spec.flag_column:
        raise t.err("flag_values", "needs flag_column (the column whose values they are)")
    if spec.month is None and not (spec.year_column and spec.month_column):
        raise t.err("month", "give [counts.month] (column, format) or year_column + month_column")
    if spec.layout == "wide" and not spec.columns:
        raise t.err("columns", "layout = 'wide' needs [counts.columns] offense = 'column'")
    if spec.layout == "long" and not (spec.category and spec.value):
        raise t.err("category", "layout = 'long' needs category and value columns")
    if spec.layout == "long" and not spec.categories:
        raise t.err("categories", "layout = 'long' needs [counts.categories] category = 'offense' or ''")
    t.done(("columns", "categories", "month", "flag_values", "duplicates", "not_reported"))
    return spec


def _flag_values(t: _Table | None) -> dict[str, str]:
    if t is None:
        return {}
    out: dict[str, str] = {}
    for value, text in t.raw.items():
        if not isinstance(text, str) or not text:
            raise t.err(value, "must be the flag text (a non-empty string)")
        out[value.strip().lower()] = text
    return out


def _duplicates(t: _Table | None) -> DuplicatesSpec | None:
    if t is None:
        return None
    keep = t.choice("keep", ("first", "last", "lowest", "highest"))
    spec = DuplicatesSpec(
        keep=cast(Literal["first", "last", "lowest", "highest"], keep),
        compare=t.get("compare", str),
        per=cast(Literal["month", "year"], t.choice("per", ("month", "year"), "month")),
        why=t.get("why", str, ""),
    )
    if keep in ("lowest", "highest") and not spec.compare:
        raise t.err("compare", f"keep = '{keep}' needs the column to compare")
    t.done()
    return spec


def _not_reported(t: _Table | None) -> NotReportedSpec:
    if t is None:
        return NotReportedSpec()
    spec = NotReportedSpec(
        blank=t.get("blank", bool, False),
        all_zero=t.get("all_zero", bool, False),
        zero_is_missing=t.strings("zero_is_missing"),
        lump_after_zeros=t.get("lump_after_zeros", bool, False),
    )
    if spec.lump_after_zeros and not spec.all_zero:
        raise t.err("lump_after_zeros", "needs all_zero = true (the months the lump sum covers)")
    bad = [o for o in spec.zero_is_missing if o not in OFFENSE_KEYS]
    if bad:
        raise t.err("zero_is_missing", f"not offenses: {bad}; use {', '.join(OFFENSE_KEYS)}")
    t.done()
    return spec


def _breaks(raw: Any, path: Path) -> tuple[BreakSpec, ...]:
    """[[breaks]] tables: month, offense, kind, before, after, note."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MappingError(f"{path}: [[breaks]] must be an array of tables")
    out = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise MappingError(f"{path}: [[breaks]] #{i} must be a table")
        t = _Table(item, f"breaks #{i}", path)
        month = t.get("month", (str, date), required=True)
        if isinstance(month, str):
            try:
                month = date.fromisoformat(month)
            except ValueError:
                raise t.err("month", f"must be a date YYYY-MM-DD; got {month!r}") from None
        offense = t.get("offense", str, required=True)
        if offense not in OFFENSE_KEYS:
            raise t.err("offense", f"must be one of {', '.join(OFFENSE_KEYS)}")
        out.append(
            BreakSpec(
                month=month.replace(day=1),
                offense=offense,
                kind=t.get("kind", str, required=True),
                before=t.get("before", str, ""),
                after=t.get("after", str, ""),
                note=t.get("note", str, ""),
            )
        )
        t.done()
    return tuple(out)


def load_mapping(path: Path, default_source: str | None = None) -> Mapping:
    """Parse and check a mapping file. Raises MappingError naming the file and key."""
    path = Path(path)
    if not path.exists():
        raise MappingError(f"mapping file {path} does not exist")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: not valid TOML: {exc}") from None
    top = _Table(raw, "", path)
    src = top.sub("source")
    if src is None:
        raise MappingError(f"{path}: [source] table is required (kind, format, ...)")
    name = src.get("name", str, default_source)
    if not name or not name.replace("_", "").isalnum() or not name.islower():
        raise src.err("name", f"source name must be lowercase letters, digits and _; got {name!r}")
    kind = src.choice("kind", KINDS)
    fmt = src.choice("format", FORMATS, "csv")
    standard = src.get("standard", str)
    if standard is not None and standard not in ("NIBRS", "SRS"):
        raise src.err("standard", "must be NIBRS or SRS")
    share = src.get("max_quarantine_share", (int, float), 0.5)
    if not 0 < share <= 1:
        raise src.err("max_quarantine_share", "must be in (0, 1]")
    basis = src.choice("date_basis", ("occurred", "reported"), "occurred")
    # Nothing is complete unless the mapping says so: an incident extract feeds the city's
    # monthly counts only for the Part I offenses it lists, and only if it covers the city.
    scope = src.strings("part1_scope") if "part1_scope" in src.raw else (() if kind == "incidents" else None)
    coverage = src.choice("coverage", ("city", "area"), "area")
    bad_scope = [o for o in scope or () if o not in PART1_OFFENSES]
    if bad_scope:
        raise src.err("part1_scope", f"not Part I offenses: {bad_scope}; use {', '.join(PART1_OFFENSES)}")
    title, publisher, note = (
        src.get("title", str, ""),
        src.get("publisher", str, ""),
        src.get("note", str, ""),
    )
    src.done()

    csv_t = top.sub("csv")
    csv_opts = CsvOptions()
    if csv_t is not None:
        csv_opts = CsvOptions(
            delimiter=csv_t.get("delimiter", str, ","),
            quote=csv_t.get("quote", str, '"'),
            encoding=csv_t.get("encoding", str, "utf-8"),
            null=csv_t.strings("null") or ("",),
        )
        csv_t.done()

    city_t = top.sub("city")
    city = CitySpec()
    if city_t is not None:
        values_t = city_t.sub("values")
        values = {k.strip().lower(): str(v) for k, v in (values_t.raw if values_t else {}).items()}
        city = CitySpec(
            fixed=city_t.get("id", str),
            column=city_t.get("column", str),
            match=city_t.choice("match", CITY_MATCH, "city_id"),
            values=values,
            other=cast(
                Literal["quarantine", "skip"], city_t.choice("other", ("quarantine", "skip"), "quarantine")
            ),
        )
        if (city.fixed is None) == (city.column is None):
            raise city_t.err("id", "give either id = '<city_id>' or column = '<column>'")
        city_t.done(("values",))
    elif kind != "geography":
        raise MappingError(f"{path}: [city] is required (id = 'memphis_tn' or column = ...)")

    id_t = top.sub("id")
    ids = IdSpec()
    if id_t is not None:
        ids = IdSpec(
            columns=id_t.strings("columns"),
            per=cast(Literal["row", "offense"], id_t.choice("per", ("row", "offense"), "row")),
        )
        id_t.done()

    loc_t = top.sub("location")
    location = LocationSpec()
    if loc_t is not None:
        location = LocationSpec(
            x=loc_t.get("x", str),
            y=loc_t.get("y", str),
            crs=loc_t.get("crs", str, "EPSG:4326"),
            zip=loc_t.get("zip", str),
            zip_prefixes=loc_t.strings("zip_prefixes"),
            boundary_tolerance_m=float(loc_t.get("boundary_tolerance_m", (int, float), 250.0)),
        )
        if (location.x is None) != (location.y is None):
            raise loc_t.err("x", "x and y go together")
        loc_t.done()

    dist_t = top.sub("district")
    district = DistrictSpec()
    if dist_t is not None:
        district = DistrictSpec(
            column=dist_t.get("column", str),
            pattern=dist_t.get("pattern", str),
            layer=dist_t.get("layer", str),
        )
        dist_t.done()

    geo_t = top.sub("geography")
    geography = None
    if geo_t is not None:
        geography = GeographySpec(
            target=cast(
                Literal["city_boundaries", "districts", "areas"],
                geo_t.choice("target", ("city_boundaries", "districts", "areas")),
            ),
            crs=geo_t.get("crs", str, "EPSG:4326"),
            geometry=geo_t.get("geometry", str),
            name=geo_t.get("name", str),
            district_kind=geo_t.get("district_kind", str, "district"),
            area_kind=geo_t.get("area_kind", str, "zcta"),
        )
        if geography.target in ("districts", "areas") and not geography.name:
            raise geo_t.err("name", f"{geography.target} need the column holding each polygon's name")
        if fmt == "wkt-csv" and not geography.geometry:
            raise geo_t.err("geometry", "format 'wkt-csv' needs the WKT column")
        geo_t.done()
    ag_t = top.sub("agencies")
    agencies = None
    if ag_t is not None:
        agencies = AgenciesSpec(
            agency=ag_t.get("agency", str, required=True),
            source_type=ag_t.get("source_type", str),
            source_method=ag_t.get("source_method", str),
            source_link=ag_t.get("source_link", str),
            population=ag_t.get("population", str),
            most_recent_month=_date(ag_t.sub("most_recent_month")),
            as_of=_date(ag_t.sub("as_of")),
        )
        ag_t.done(("most_recent_month", "as_of"))
    if kind == "agencies" and agencies is None:
        raise MappingError(f"{path}: [agencies] is required for kind = 'agencies'")
    if kind == "geography" and geography is None:
        raise MappingError(f"{path}: [geography] is required for kind = 'geography'")
    if kind != "geography" and fmt != "csv":
        raise MappingError(f"{path}: [source] format: {kind} are read from csv")

    mapping = Mapping(
        path=path,
        source=name,
        kind=cast(Kind, kind),
        format=cast(Format, fmt),
        title=title,
        publisher=publisher,
        standard=standard,
        part1_scope=scope,
        coverage=cast(Literal["city", "area"], coverage),
        note=note,
        date_basis=cast(Literal["occurred", "reported"], basis),
        max_quarantine_share=float(share),
        csv=csv_opts,
        city=city,
        id=ids,
        occurred=_date(top.sub("occurred")),
        reported=_date(top.sub("reported")),
        offense=_offense(top.sub("offense"), path),
        location=location,
        district=district,
        counts=_counts(top.sub("counts"), kind),
        geography=geography,
        agencies=agencies,
        breaks=_breaks(top.get("breaks", list), path),
    )
    if kind == "incidents":
        if mapping.occurred is None:
            raise MappingError(f"{path}: [occurred] (column, format) is required for incidents")
        if top.raw.get("offense") is None:
            raise MappingError(f"{path}: [offense] is required for incidents")
    top.done(
        (
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
    )
    return mapping


def mapping_path(source: str) -> Path:
    """data/sources/<source>.toml"""
    return SOURCES_DIR / f"{source}.toml"


def available_sources() -> list[str]:
    """Sources with a committed mapping (the names `python -m ingest import` accepts)."""
    return sorted(p.stem for p in SOURCES_DIR.glob("*.toml") if p.stem != "generic_example")


__all__ = [
    "PART1_OFFENSES",
    "BreakSpec",
    "CountsSpec",
    "DuplicatesSpec",
    "NotReportedSpec",
    "CrosswalkEntry",
    "DateSpec",
    "Mapping",
    "MappingError",
    "available_sources",
    "load_mapping",
    "mapping_path",
]
