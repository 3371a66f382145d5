"""The one helper that puts an identifier into SQL text.

Values are always bound parameters. Identifiers (table and column names) cannot be
parameters, so they are checked against an allow-list and quoted here; a name that is
not allowed raises instead of reaching the database.
"""

from __future__ import annotations

from collections.abc import Iterable


def ident(name: str, allowed: Iterable[str]) -> str:
    """`name` double-quoted for SQL, if it is in `allowed`; ValueError otherwise."""
    if name not in set(allowed):
        raise ValueError(f"identifier {name!r} is not allowed here")
    return '"' + name.replace('"', '""') + '"'
