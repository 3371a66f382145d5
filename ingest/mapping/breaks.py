"""[[breaks]] of a mapping: series breaks the data cannot show (e.g. a definition change)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ingest.errors import MappingError
from ingest.mapping.table import TomlTable
from kernel.vocabulary import OFFENSE_KEYS


@dataclass(frozen=True)
class BreakSpec:
    """A series break the data cannot show (e.g. a definition change), declared by the mapping."""

    month: date
    offense: str
    kind: str
    before: str = ""
    after: str = ""
    note: str = ""


def parse_breaks(raw: Any, path: Path) -> tuple[BreakSpec, ...]:
    """[[breaks]] tables: month, offense, kind, before, after, note."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MappingError(f"{path}: [[breaks]] must be an array of tables")
    out = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise MappingError(f"{path}: [[breaks]] #{i} must be a table")
        t = TomlTable(item, f"breaks #{i}", path)
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
