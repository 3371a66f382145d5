"""Date columns of a mapping ([occurred], [reported], [counts.month], agencies' dates)."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.mapping.table import TomlTable


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


def parse_date(t: TomlTable | None) -> DateSpec | None:
    """A date table (column, format[, time_column, time_format, timezone]); None when absent."""
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
