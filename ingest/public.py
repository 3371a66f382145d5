"""The public store: every public file shipped in data/public, imported into one store.

Design decisions
- The files live in the repository (data/public, ~4.5 MB, provenance in
  data/public/SOURCES.md), so a fresh clone builds real data for all 12 cities offline,
  and the app never reads anything outside the project at run time.
- One manifest (PUBLIC_FILES) says which mapping reads which file, in the order that
  matters: geography first, so incidents are checked against the city boundaries and
  get their districts by spatial join.
- The build goes into a temporary file beside the store and is renamed into place when
  every import succeeded: a failed build leaves the previous store (or none) as it was.
- Stale = the fingerprint recorded in the store (store_info 'public_fingerprint') differs
  from the fingerprint of what the build reads: the public files, the mappings and
  registry files in data/, and the write side's code and migrations. `--if-stale`
  rebuilds only then, so `make run` costs nothing when nothing changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingest.importer import ImportReport, import_file
from ingest.store import set_info, write_store
from kernel.settings import DATA_DIR, ROOT

PUBLIC_DIR = DATA_DIR / "public"
PUBLIC_DB = DATA_DIR / "public.duckdb"
INGEST_DIR = Path(__file__).resolve().parent

# (source mapping, file under data/public), in import order.
PUBLIC_FILES: tuple[tuple[str, str], ...] = (
    ("census_boundaries", "geography/psp_city_boundaries_cb2015.geojson"),
    ("memphis_precincts", "memphis/memphis_police_precincts.geojson"),
    ("kansas_city_districts", "kansas_city/kcmo_city_council_districts_2023_wkt.csv.gz"),
    *(
        ("ucr_return_a", f"ucr_return_a/{name}.csv.gz")
        for name in (
            "Alabama_Birmingham_Police_Department",
            "Illinois_Springfield_Police_Department",
            "Indiana_Indianapolis_Police",
            "Louisiana_Baton_Rouge_Police_Department",
            "Michigan_Lansing_Police_Department",
            "Missouri_Kansas_City_Police_Department",
            "New_York_Buffalo_Police_Department",
            "Ohio_Cincinnati_Police_Department",
            "Ohio_Toledo_Police_Department",
            "Tennessee_Jackson_Police_Department",
            "Tennessee_Memphis_Police_Department",
            "Texas_Houston_Police_Department",
        )
    ),
    ("rtci", "multi_city/rtci_monthly_by_agency_2018_2024.csv.gz"),
    ("rtci_ytd", "multi_city/rtci_ytd_table_2026-02.csv.gz"),
    ("rtci_sources", "multi_city/rtci_agency_sources.csv.gz"),
    ("cincinnati", "cincinnati/cincinnati_burglary_2016_2018.csv.gz"),
    ("indianapolis", "indianapolis/impd_ucr_2019_jan_may.csv.gz"),
    ("kansas_city", "kansas_city/kcpd_crime_2020_trimmed.csv.gz"),
    ("memphis", "memphis/memphis_personal_robberies_2019.csv.gz"),
    ("memphis_zcta", "memphis/memphis_monthly_by_zcta_type.csv.gz"),
    ("houston_zcta", "houston/houston_monthly_by_zcta_type.csv.gz"),
)

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PublicBuild:
    """What build_public did: the imports' reports and the seconds it took."""

    path: Path
    reports: tuple[ImportReport, ...]
    seconds: float


def _inputs(public_dir: Path) -> list[Path]:
    """Every file whose change makes the public store stale."""
    files = [public_dir / rel for _, rel in PUBLIC_FILES]
    files += sorted((DATA_DIR / "sources").glob("*"))
    files += sorted(p for p in DATA_DIR.glob("*") if p.suffix in (".toml", ".csv"))
    files += sorted(INGEST_DIR.rglob("*.py")) + sorted((INGEST_DIR / "migrations").glob("*.sql"))
    return [f for f in files if f.is_file()]


def _name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return path.name


def fingerprint(public_dir: Path = PUBLIC_DIR) -> str:
    """sha256 over the names and bytes of everything the build reads."""
    digest = hashlib.sha256()
    for path in _inputs(public_dir):
        digest.update(_name(path).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def stored_fingerprint(db: Path) -> str | None:
    """The fingerprint the store was built from (None: no store, or not a public build)."""
    if not db.exists():
        return None
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("select value from store_info where key = 'public_fingerprint'").fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    return str(row[0]) if row else None


def is_stale(db: Path = PUBLIC_DB, public_dir: Path = PUBLIC_DIR) -> bool:
    return stored_fingerprint(db) != fingerprint(public_dir)


def build_public(
    db: Path = PUBLIC_DB, public_dir: Path = PUBLIC_DIR, progress: Progress | None = None
) -> PublicBuild:
    """Import every file of PUBLIC_FILES into a new store and swap it in at `db`."""
    started = time.perf_counter()
    missing = [rel for _, rel in PUBLIC_FILES if not (public_dir / rel).is_file()]
    if missing:
        raise FileNotFoundError(f"public files missing under {public_dir}: {', '.join(missing)}")
    print_ = fingerprint(public_dir)
    tmp = db.with_name(f".{db.name}.{os.getpid()}.build.tmp")
    tmp.unlink(missing_ok=True)
    reports = []
    try:
        for i, (source, rel) in enumerate(PUBLIC_FILES):
            if progress:
                progress(i, len(PUBLIC_FILES), f"{source}: {rel}")
            reports.append(import_file(tmp, source, public_dir / rel))
        with write_store(tmp) as con:
            set_info(con, "public_fingerprint", print_)
            set_info(con, "dataset", "real")
        os.replace(tmp, db)
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal"), tmp.with_name(tmp.name + ".lock")):
            leftover.unlink(missing_ok=True)
    if progress:
        progress(len(PUBLIC_FILES), len(PUBLIC_FILES), "done")
    return PublicBuild(db, tuple(reports), time.perf_counter() - started)
