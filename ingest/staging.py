"""Reading a source file into a staging table, with DuckDB's CSV reader doing the parsing.

Design decisions
- Every value is read as text (`columns` all VARCHAR, no type sniffing): types are
  applied later with try_cast/try_strptime so that a bad value quarantines one row
  instead of failing the file, and the mapping, not a sniffer, decides what a column is.
- The dialect is given, not sniffed (delimiter, quote, encoding from the mapping): the
  sniffer gives up on exactly the malformed files a user most needs a clear message for.
- Structural problems (a row with too many or too few fields, an unterminated quote,
  bytes that are not valid in the encoding) fail the import: DuckDB's rejects table
  gives the line and column, which go into the message. A file whose rows do not line
  up with its header cannot be trusted row by row.
- The header is read in Python (one line; csv module) to check that every column the
  mapping names exists before any parsing; the rows are never looped over in Python.
- Values are trimmed and the mapping's null markers ('', 'NA', ...) become NULL in one
  SQL pass. `line` is the file line of the record (header = 1), exact when records
  take one line each (a quoted line break shifts later lines).
"""

from __future__ import annotations

import codecs
import csv
import gzip
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.errors import ImportFailed
from ingest.mapping.reading import CsvOptions
from kernel.sql import ident

STAGE = "stage_raw"
CLEAN = "stage"
LINE = "__line"
RAW = "__raw"
# (line, raw) of every staged record, the record as JSON of its untrimmed values: what
# quarantine.raw holds. For loaders that staged with clean = False.
RAW_JSON_SQL = (
    f"select r.rowid - (select min(rowid) from {STAGE}) + 2 as line,"  # noqa: S608 - fixed names
    f" to_json(r)::varchar as raw from {STAGE} r"
)
HEADER_MAX = 16 << 20  # bytes read at most to find the header's line break


@dataclass(frozen=True)
class Staged:
    """A file read into the temp table `stage` (columns: the header, __line, __raw)."""

    columns: tuple[str, ...]
    rows: int


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _python_codec(encoding: str) -> str:
    enc = encoding.lower().replace("_", "-")
    return "utf-8-sig" if enc in ("utf-8", "utf8") else enc


def _first_line(head: bytes, codec: str) -> str:
    """The first line of the file's first bytes (decoded only up to the line break, so a
    bad byte further down is reported by the CSV reader with its own line number)."""
    if codec.startswith("utf-16"):
        text = head.decode(codec, errors="ignore")
        return text.splitlines()[0] if text else ""
    end = head.find(b"\n")
    return head[: end if end >= 0 else len(head)].decode(codec).rstrip("\r")


def _other_encoding(opts: CsvOptions) -> str:
    """The encoding to suggest when the mapping's does not fit: latin-1 (Windows exports)
    unless the mapping already says latin-1."""
    return (
        "utf-8"
        if opts.encoding.lower().replace("_", "-") in ("latin-1", "latin1", "iso-8859-1")
        else "latin-1"
    )


def read_header(path: Path, opts: CsvOptions) -> tuple[str, ...]:
    """Column names from the first line (a UTF-8 byte-order mark is dropped)."""
    opener = gzip.open if _is_gzip(path) else open
    try:
        codecs.lookup(_python_codec(opts.encoding))
    except LookupError:
        raise ImportFailed(f"unknown encoding {opts.encoding!r} in the mapping", path) from None
    try:
        with opener(path, "rb") as raw:
            head = raw.read(1 << 16)
            # A header of 20,000 columns is longer than 64 KiB: read on to its line break.
            while b"\n" not in head and len(head) < HEADER_MAX:
                more = raw.read(1 << 20)
                if not more:
                    break
                head += more
        if b"\n" not in head and len(head) >= HEADER_MAX:
            raise ImportFailed(
                f"the first line is longer than {HEADER_MAX >> 20} MiB: this is no CSV header", path, line=1
            )
        first = _first_line(head, _python_codec(opts.encoding))
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"the header is not valid {opts.encoding}: {exc.reason}. If the file was saved in another "
            f"encoding, say so in the mapping: [csv] encoding = {_other_encoding(opts)!r}",
            path,
            line=1,
        ) from None
    except (OSError, EOFError) as exc:
        raise ImportFailed(f"cannot read the file: {exc}", path) from None
    if not first.strip():
        raise ImportFailed("the file is empty: no header line", path, line=1)
    try:
        names = next(csv.reader([first], delimiter=opts.delimiter, quotechar=opts.quote))
    except csv.Error as exc:
        raise ImportFailed(
            f"the header line cannot be read as CSV ({exc}); a line break inside it (a lone \\r?) or an"
            " unbalanced quote. Save the file with one header line and \\n or \\r\\n line breaks.",
            path,
            line=1,
        ) from None
    names = [n.strip() for n in names]
    for i, name in enumerate(names, start=1):
        if not name:
            raise ImportFailed(f"header field {i} is empty", path, line=1)
    seen = Counter(names)
    dupes = sorted(n for n, k in seen.items() if k > 1)
    if dupes:
        raise ImportFailed(f"the header repeats column(s) {dupes}", path, line=1)
    return tuple(names)


def check_columns(path: Path, header: tuple[str, ...], needed: list[str]) -> None:
    """Every column the mapping names must be in the header."""
    for name in needed:
        if name not in header:
            shown = ", ".join(header[:30])
            raise ImportFailed(
                f"the mapping names a column that is not in the header (header: {shown})",
                path,
                line=1,
                column=name,
            )


def _diagnose(path: Path) -> tuple[int | None, str]:
    """Find the line DuckDB's reader choked on when it did not say (failure path only):
    a carriage return inside a line, or a line ending that differs from the header's."""
    opener = gzip.open if _is_gzip(path) else open
    header_ending = b""
    with opener(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            ending = b"\r\n" if line.endswith(b"\r\n") else b"\n" if line.endswith(b"\n") else b""
            if b"\r" in line[: len(line) - len(ending)]:
                return (
                    number,
                    "a carriage return (\\r) inside the line; save the file with one kind of line break",
                )
            if number == 1:
                header_ending = ending
            elif ending and ending != header_ending:
                kinds = {b"\r\n": "CRLF", b"\n": "LF"}
                return number, (
                    f"the line ends with {kinds[ending]} but the header with "
                    f"{kinds.get(header_ending, 'nothing')}: mixed line breaks"
                )
    return None, ""


def _raise_first_reject(con: duckdb.DuckDBPyConnection, path: Path, opts: CsvOptions) -> None:
    """The first line the CSV reader rejected, as ImportFailed (an encoding problem says
    which encoding to declare); nothing when every line was read."""
    reject = con.execute(
        "select line, column_name, error_type, error_message, csv_line from stage_rejects"
        " order by line limit 1"
    ).fetchone()
    if reject is not None:
        line, column, kind, message, text = reject
        snippet = (text or "")[:120]
        if "ENCODING" in str(kind).upper():
            why = (
                f"the file is not valid {opts.encoding} text (the line reads: {snippet!r}). If it was saved "
                f"in another encoding, say so in the mapping: [csv] encoding = {_other_encoding(opts)!r} "
                "(DuckDB reads utf-8, utf-16 and latin-1)."
            )
        else:
            why = (
                f"{str(kind).lower()}: {message} (the line reads: {snippet!r}). The file's rows must "
                "match its header; fix or remove this line and import again."
            )
        raise ImportFailed(why, path, line=int(line), column=column if isinstance(column, str) else None)


def stage_csv(
    con: duckdb.DuckDBPyConnection, path: Path, opts: CsvOptions, needed: list[str], clean: bool = True
) -> Staged:
    """Read `path` into temp table `stage`; ImportFailed on any structural problem.

    clean = False leaves the file as read in `stage_raw` (no `stage`): the caller trims
    with cleaned_columns() in its own pass and builds `raw` only for the rows that need it.
    """
    header = read_header(path, opts)
    check_columns(path, header, needed)
    columns = {name: "VARCHAR" for name in header}
    con.execute("drop table if exists stage_rejects")
    con.execute("drop table if exists stage_reject_scans")
    try:
        con.execute(
            f"create or replace temp table {STAGE} as select * from read_csv(?, columns = ?, header = true,"  # noqa: S608
            " auto_detect = false, delim = ?, quote = ?, escape = ?, encoding = ?, compression = ?,"
            " strict_mode = true, null_padding = false, store_rejects = true,"
            " rejects_table = 'stage_rejects', rejects_scan = 'stage_reject_scans', rejects_limit = 5)",
            [
                str(path),
                columns,
                opts.delimiter,
                opts.quote,
                opts.quote,
                opts.encoding,
                "gzip" if _is_gzip(path) else "none",
            ],
        )
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        line, why = _diagnose(path)
        raise ImportFailed(
            f"the CSV reader failed ({first}){': ' + why if why else ''}", path, line=line
        ) from None
    _raise_first_reject(con, path, opts)
    row = con.execute(f"select count(*) from {STAGE}").fetchone()  # noqa: S608
    if not row or not row[0]:
        raise ImportFailed(
            "the file has a header but no rows: there is nothing to import (the store is unchanged)",
            path,
            line=2,
        )
    if not clean:
        return Staged(header, int(row[0]))
    # Trimmed values, null markers as NULL, the file line and the record as JSON.
    con.execute(
        f"create or replace temp table {CLEAN} as select {cleaned_columns(header)},"  # noqa: S608 - allow-listed header names
        f" to_json(r)::varchar as {RAW} from {STAGE} r",
        {"nulls": list(opts.null)},
    )
    con.execute(f"drop table {STAGE}")
    row = con.execute(f"select count(*) from {CLEAN}").fetchone()  # noqa: S608
    return Staged(header, int(row[0]) if row else 0)


def cleaned_columns(header: tuple[str, ...], used: list[str] | None = None) -> str:
    """The select list over `stage_raw r`: each column (or only the `used` ones: a file of
    10,000 columns is not 10,000 expressions) trimmed, the null markers (named parameter
    $nulls) as NULL, and the file line as __line."""
    names = frozenset(header)
    wanted = names if used is None else frozenset(used)
    cleaned = ", ".join(
        f"case when list_contains($nulls::varchar[], trim(r.{ident(c, names)})) then null"
        f" else trim(r.{ident(c, names)}) end as {ident(c, names)}"
        for c in header
        if c in wanted
    )
    line = f"r.rowid - (select min(rowid) from {STAGE}) + 2 as {LINE}"  # noqa: S608 - fixed names
    return f"{cleaned}, {line}" if cleaned else line
