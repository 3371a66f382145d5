"""What the proofs share: a synthetic records-system export, stores, leftovers, and
running `python -m ingest import` as a separate process (its argv and the file hash are
harness.files')."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import duckdb

from harness.files import import_cmd
from harness.server import ROOT
from ingest.registry import load_registry
from ingest.store import write_store

CODES = ["MURDER", "ROB-STR", "AGG-ASLT", "AGG-ASLT-GUN", "BURG-RES", "THEFT", "THEFT-MV", "MVT", "VANDAL"]


def synthetic_csv(
    path: Path,
    rows: int,
    prefix: str = "SP-",
    *,
    codes: list[str] = CODES,
    days: int = 730,
    bad_dates: bool = False,
    box: tuple[float, float, float, float] = (39.74, -89.70, 0.08, 0.08),
) -> Path:
    """A Springfield RMS export in the worked example's shape: ids `prefix`0..rows-1, the
    offense codes in turn, dates over `days` days from 2023-01-01 (with `bad_dates`, 1 row
    in 100 has an impossible one), points in `box` (south, west, height, width)."""
    duckdb.connect().execute(
        f"""
        copy (
            select $prefix || i as case_number, ($codes::varchar[])[1 + i % len($codes)] as offense_code,
                   'x' as offense_desc,
                   case when $bad and i % 100 = 7 then '13/45/2023'
                        else strftime(date '2023-01-01' + cast(i % $days as integer), '%m/%d/%Y') end
                       as occurred_date,
                   lpad(((i * 7) % 24)::varchar, 2, '0') || lpad(((i * 13) % 60)::varchar, 2, '0') as occurred_time,
                   strftime(date '2023-01-01' + cast(i % $days as integer), '%m/%d/%Y') || ' 12:00' as reported_date,
                   round($south::decimal(4, 2) + (i * 0.6180339 % 1) * $height::decimal(2, 2), 5) as latitude,
                   round($west::decimal(4, 2) + (i * 0.4142135 % 1) * $width::decimal(2, 2), 5) as longitude,
                   'A' || (i % 30) as beat
            from range({int(rows)}) t(i)
        ) to '{path}' (header, delimiter ',')
        """,  # noqa: S608 - an int and a path of ours (COPY takes no parameter for its target)
        {
            "codes": codes,
            "prefix": prefix,
            "days": days,
            "bad": bad_dates,
            "south": box[0],
            "west": box[1],
            "height": box[2],
            "width": box[3],
        },  # fmt: skip
    )
    return path


def registry_store(path: Path) -> Path:
    """A migrated store with the 12 cities and no crime data."""
    with write_store(path) as con:
        load_registry(con)
    return path


def leftovers(store: Path) -> list[str]:
    """Files a writer of `store` left beside it (its copies, their .wal): not the lock file."""
    return sorted(
        p.name
        for p in store.parent.iterdir()
        if p.name.startswith(f".{store.name}.") or p.name == f"{store.name}.wal"
    )


def start_import(store: Path, csv: Path, preexec: Callable[[], None] | None = None) -> subprocess.Popen[str]:
    """`python -m ingest import generic CSV` as its own process (output captured)."""
    return subprocess.Popen(
        import_cmd(store, csv),
        cwd=ROOT,
        env=dict(os.environ, COLUMNS="200"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec,  # noqa: PLW1509 - only setrlimit, before exec
    )


def run_import(store: Path, csv: Path, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    proc = start_import(store, csv)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def incident_count(store: Path) -> int:
    con = duckdb.connect(str(store), read_only=True)
    try:
        row = con.execute("select count(*) from incidents").fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`; nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]
