"""[csv] (how to read the file) and [id] (what identifies a record) of a mapping."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

from ingest.mapping.table import TomlTable


@dataclass(frozen=True)
class CsvOptions:
    """How to read the CSV: DuckDB's reader with these settings, every value as text."""

    delimiter: str = ","
    quote: str = '"'
    encoding: str = "utf-8"  # utf-8 | utf-16 | latin-1 (DuckDB's reader)
    null: tuple[str, ...] = ("",)  # values read as missing (after trimming spaces)


@dataclass(frozen=True)
class IdSpec:
    """The record id at the source. Without columns, a content hash of the row is used."""

    columns: tuple[str, ...] = ()
    per: Literal["row", "offense"] = "row"  # offense: rows repeating id + offense are one offense


def parse_csv(t: TomlTable | None) -> CsvOptions:
    """[csv]: delimiter, quote, encoding, null values."""
    if t is None:
        return CsvOptions()
    opts = CsvOptions(
        delimiter=t.get("delimiter", str, ","),
        quote=t.get("quote", str, '"'),
        encoding=t.get("encoding", str, "utf-8"),
        null=t.strings("null") or ("",),
    )
    t.done()
    return opts


def parse_id(t: TomlTable | None) -> IdSpec:
    """[id]: the id column(s), and whether an id repeats per offense."""
    if t is None:
        return IdSpec()
    ids = IdSpec(
        columns=t.strings("columns"),
        per=cast(Literal["row", "offense"], t.choice("per", ("row", "offense"), "row")),
    )
    t.done()
    return ids
