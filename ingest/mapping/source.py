"""[source] of a mapping: the source's name, kind, file format, standard and scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ingest.mapping.table import TomlTable
from kernel.vocabulary import PART1_OFFENSES

Kind = Literal["incidents", "monthly_counts", "period_counts", "geography", "agencies"]
Format = Literal["csv", "geojson", "wkt-csv"]
KINDS: tuple[str, ...] = ("incidents", "monthly_counts", "period_counts", "geography", "agencies")
FORMATS: tuple[str, ...] = ("csv", "geojson", "wkt-csv")


@dataclass(frozen=True)
class SourceSection:
    """The [source] table, checked (Mapping holds these fields)."""

    name: str
    kind: str
    format: str
    standard: str | None
    max_quarantine_share: float
    date_basis: str
    part1_scope: tuple[str, ...] | None
    coverage: str
    title: str
    publisher: str
    note: str


def parse_source(src: TomlTable, default_source: str | None) -> SourceSection:
    """[source]: name (default: the mapping's file name), kind, format and the rest."""
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
    return SourceSection(
        name, kind, fmt, standard, float(share), basis, scope, coverage, title, publisher, note
    )
