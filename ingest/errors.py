"""The errors of the write side: what went wrong, in which file, on which line and column."""

from __future__ import annotations

from pathlib import Path


class ImportFailed(Exception):
    """An import could not be done; the store was left exactly as it was.

    The message names the file and, where it applies, the line (1-based, the header is
    line 1) and the column, e.g. ``data.csv: line 47, column 'latitude': ...``.
    """

    def __init__(
        self, message: str, file: Path | str | None = None, line: int | None = None, column: str | None = None
    ) -> None:
        self.file = Path(file) if file is not None else None
        self.line = line
        self.column = column
        self.detail = message
        where = []
        if file is not None:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class MappingError(ImportFailed):
    """A mapping file is missing, unreadable or inconsistent; the message names file and key."""


class OutOfSpace(ImportFailed):
    """The disk (or this process's file-size limit) ran out while the new version of the
    store was being written; the copy was discarded and the store is as it was."""


class MixedDataError(RuntimeError):
    """Raised rather than mixing demo rows with real ones in one store."""
