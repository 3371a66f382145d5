"""[offense] of a mapping: the local code/description columns and their crosswalk to
NIBRS codes (inline, or a CSV file beside the mapping)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from ingest.errors import MappingError
from ingest.mapping.table import TomlTable


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


def crosswalk_entry(value: Any, t: TomlTable, key: str) -> CrosswalkEntry:
    """One inline crosswalk value: a NIBRS code, or {nibrs, firearm, note}."""
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


def parse_offense(t: TomlTable | None, path: Path) -> OffenseSpec:
    """[offense]: code/description columns, how they match, and the crosswalk."""
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
            crosswalk[norm] = crosswalk_entry(value, inline, key)
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
