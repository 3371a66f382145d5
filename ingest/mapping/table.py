"""Reading one TOML table of a mapping, strictly: typed values, errors naming the file
and key, and the keys left unread reported as unknown."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from ingest.errors import MappingError


class TomlTable:
    """A TOML table being read: tracks the keys used so leftovers can be reported."""

    def __init__(self, raw: dict[str, Any], where: str, path: Path) -> None:
        self.raw, self.where, self.path, self.used = raw, where, path, set[str]()

    def err(self, key: str, message: str) -> MappingError:
        """An error naming the file, the table and the key."""
        return MappingError(f"{self.path}: [{self.where}] {key}: {message}")

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False
    ) -> Any:
        """The value of `key`, checked to be of `kind` (default when absent, unless required)."""
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
        """A string that must be one of `options`."""
        value = self.get(key, str, default, required=default is None)
        if value not in options:
            raise self.err(key, f"must be one of {', '.join(options)}; got {value!r}")
        return cast(str, value)

    def strings(self, key: str) -> tuple[str, ...]:
        """A string or a list of strings, as a tuple."""
        value = self.get(key, (list, str), [])
        items = [value] if isinstance(value, str) else value
        if not all(isinstance(v, str) for v in items):
            raise self.err(key, "must be a list of strings")
        return tuple(items)

    def sub(self, key: str) -> TomlTable | None:
        """The nested table `key` (None when absent)."""
        value = self.get(key, dict)
        return (
            None
            if value is None
            else TomlTable(value, f"{self.where}.{key}" if self.where else key, self.path)
        )

    def done(self, nested: tuple[str, ...] = ()) -> None:
        """Every key was read (`nested`: tables read by their own parser): else an error."""
        extra = sorted(set(self.raw) - self.used - set(nested))
        if extra:
            raise MappingError(f"{self.path}: [{self.where}] unknown key(s): {', '.join(extra)}")
