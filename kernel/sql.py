"""The one helper that puts an identifier into SQL text.

Values are always bound parameters. Identifiers (table and column names) cannot be
parameters, so they are checked against an allow-list and quoted here; a name that is
not allowed raises instead of reaching the database.
"""

from __future__ import annotations

from collections.abc import Iterable


def ident(name: str, allowed: Iterable[str]) -> str:
    """`name` double-quoted for SQL, if it is in `allowed`; ValueError otherwise."""
    # A set is used as it is: a 10,000-column header checked per column stays linear.
    names = allowed if isinstance(allowed, set | frozenset | dict) else set(allowed)
    if name not in names:
        raise ValueError(f"identifier {name!r} is not allowed here")
    return '"' + name.replace('"', '""') + '"'
