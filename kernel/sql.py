"""The helpers that put a name into SQL text.

Values are always bound parameters. Identifiers (table and column names) cannot be
parameters, so they are checked against an allow-list and quoted here (`ident`); a name
that is not allowed raises instead of reaching the database. A file path is a value, but
a statement DuckDB cannot prepare (a view body: `create view v as select * from
read_parquet('...')`) cannot take a parameter, so there, and only there, the path is
quoted as a string literal (`path_literal`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def ident(name: str, allowed: Iterable[str]) -> str:
    """`name` double-quoted for SQL, if it is in `allowed`; ValueError otherwise."""
    # A set is used as it is: a 10,000-column header checked per column stays linear.
    names = allowed if isinstance(allowed, set | frozenset | dict) else set(allowed)
    if name not in names:
        raise ValueError(f"identifier {name!r} is not allowed here")
    return '"' + name.replace('"', '""') + '"'


def path_literal(path: Path | str) -> str:
    """`path` as a SQL string literal, single quotes doubled: for statements DuckDB cannot
    prepare (view bodies); everywhere else a path is a bound parameter."""
    return "'" + str(path).replace("'", "''") + "'"
