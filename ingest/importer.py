"""Import one real data file into the store: the public API of the write side.

    from ingest.importer import import_file, ImportFailed
    report = import_file(Path("data/real.duckdb"), "rtci", Path("rtci.csv.gz"))
    print(report.summary())

Design decisions
- One declarative mapping per source (data/sources/<source>.toml, parsed by
  ingest/mapping.py) says what the file's columns mean; the same code imports every
  source. `source` names the mapping; the mapping's [source] name (default: `source`)
  is what the store records in every row.
- One write transaction per file via ingest.store.write_store (copy-and-swap): any
  error leaves the store byte-identical and raises ImportFailed naming the file, line
  and column. A running dashboard keeps reading the old file and sees the new one on
  its next rerun.
- DuckDB parses and transforms (ingest/staging.py, one SQL pass per step); Python only
  does what SQL cannot: reprojection (pyproj), point-in-polygon (shapely) and H3 cells,
  each vectorised or one library call per point, never a parsing loop.
- Row-level problems go to `quarantine` with a reason and the column at fault. An
  unknown offense code is not a rejection: the row is kept in incidents as unmapped
  (nibrs_code NULL, offense_group 'other') and also listed in quarantine with kept =
  true, and the report counts it under unmapped_codes.
- Idempotent: rows are keyed on (source, source_id) -- the mapping's id column(s), per
  offense where a source repeats ids (one row per victim), or an md5 of the whole row
  when there is no id. Keys already in the store, or repeated in the file, count as
  duplicates and are not written again; rows already quarantined are not listed twice.
- Demo and real data never mix: importing into a store with demo rows is refused.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingest.errors import ImportFailed, MappingError
from ingest.mapping import Mapping, available_sources, load_mapping, mapping_path
from ingest.registry import load_registry
from ingest.store import finish_import, set_info, start_import, write_store
from kernel.settings import ROOT

Progress = Callable[[str, float], None]
# Below this many rows a high quarantine share says little about the mapping (a daily
# increment of three rows with two bad ones is not a wrong mapping).
MIN_ROWS_FOR_SHARE = 20

__all__ = [
    "ImportFailed",
    "ImportReport",
    "MappingError",
    "Outcome",
    "import_file",
    "latest_loaded",
    "resolve_mapping",
]


@dataclass(frozen=True)
class ImportReport:
    """What one import did. rows_read = accepted + quarantined + duplicate + skipped.

    rows_accepted counts source rows written (for aggregates: rows whose counts were
    written or revised). quarantine_reasons: "reason (column)" -> rows. unmapped_codes:
    local offense code or category -> rows kept without a NIBRS code / Part I offense.
    written: table -> rows written there. notes: facts the user should know (derived
    totals, unknown times, series left unmapped and why).
    """

    source: str
    file: Path
    import_id: int
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    rows_duplicate: int
    quarantine_reasons: dict[str, int]
    unmapped_codes: dict[str, int]
    seconds: float
    rows_per_s: float
    rows_skipped: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    kind: str = ""

    def summary(self) -> str:
        """A few lines for people: the counts, the reasons, the unmapped codes, the speed."""
        lines = [
            f"{self.source} ({self.kind}) from {self.file.name}: import #{self.import_id}",
            f"  rows read        {self.rows_read:>10,}",
            f"  accepted         {self.rows_accepted:>10,}",
            f"  quarantined      {self.rows_quarantined:>10,}",
        ]
        lines += [f"    {n:>8,}  {reason}" for reason, n in _top(self.quarantine_reasons)]
        lines.append(
            f"  duplicates       {self.rows_duplicate:>10,}  (already in the store or repeated in the file)"
        )
        if self.rows_skipped:
            lines.append(f"  skipped          {self.rows_skipped:>10,}")
            lines += [f"    {n:>8,}  {reason}" for reason, n in _top(self.skip_reasons)]
        if self.unmapped_codes:
            total = sum(self.unmapped_codes.values())
            lines.append(
                f"  unmapped codes   {total:>10,}  rows kept without a NIBRS code / Part I offense"
                f" ({len(self.unmapped_codes)} distinct):"
            )
            lines += [f"    {n:>8,}  {code}" for code, n in _top(self.unmapped_codes, 15)]
            if len(self.unmapped_codes) > 15:
                lines.append(f"    ... and {len(self.unmapped_codes) - 15} more (see the quarantine table)")
        if self.written:
            lines.append("  written          " + ", ".join(f"{t}: {n:,}" for t, n in self.written.items()))
        lines += [f"  note: {note}" for note in self.notes]
        lines.append(f"  elapsed          {self.seconds:>10.2f} s  ({self.rows_per_s:,.0f} rows/s)")
        return "\n".join(lines)


def _top(counts: dict[str, int], limit: int = 10) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


@dataclass
class Outcome:
    """What a kind-specific loader reports back to import_file (mutable while it runs)."""

    rows_read: int = 0
    accepted: int = 0
    quarantined: int = 0
    duplicate: int = 0
    skipped: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def resolve_mapping(source: str, mapping: Path | None) -> Mapping:
    """The mapping for `source`: the given file, or data/sources/<source>.toml."""
    if mapping is None:
        path = mapping_path(source)
        if not path.exists():
            known = ", ".join(available_sources())
            raise MappingError(
                f"no mapping for source {source!r} (looked for {path}). Known sources: {known}. "
                "For your own file, write a mapping and use: "
                "python -m ingest import generic FILE --mapping MY.toml"
            )
        return load_mapping(path, default_source=source)
    return load_mapping(mapping, default_source=None if source == "generic" else source)


def _shown_path(path: Path) -> str:
    """The mapping's path relative to the project when it is inside it (data/sources/x.toml)."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def refuse_demo_store(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """Real data never goes into a store holding the synthetic demo."""
    from ingest.demo import SOURCE as DEMO
    from ingest.demo import MixedDataError

    demo = con.execute(
        "select (select count(*) from incidents where source = ?) + (select count(*) from monthly_counts where source = ?)"
        " + (select count(*) from store_info where key = 'dataset' and value = 'demo')",
        [DEMO, DEMO],
    ).fetchone()
    if demo and demo[0]:
        raise MixedDataError(
            f"This store holds the synthetic DEMO dataset; real data ({source}) is never mixed with it. "
            "Import into a store of its own, e.g. --db data/real.duckdb (or PSP_DB=data/real.duckdb)."
        )


def import_file(
    db: Path,
    source: str,
    file: Path,
    mapping: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import `file` into the store at `db` with the mapping of `source`.

    `mapping` overrides data/sources/<source>.toml (required for source 'generic').
    `progress(label, fraction)` is called as the steps go (fraction in 0..1).
    Raises ImportFailed (file, line, column in the message) and leaves the store as it was;
    raises ingest.demo.MixedDataError for a store holding demo data.
    """
    from ingest.loaders import load  # the kind-specific loaders

    started = time.perf_counter()
    file = Path(file)
    if source == "generic" and mapping is None:
        raise MappingError("source 'generic' needs --mapping MY.toml (see data/sources/generic_example.toml)")
    spec = resolve_mapping(source, mapping)
    if not file.is_file():
        raise ImportFailed("no such file", file)

    def step(label: str, fraction: float) -> None:
        if progress:
            progress(label, max(0.0, min(1.0, fraction)))

    step("checking file", 0.0)
    # The file's hash is computed beside the import (hashlib releases the GIL) and recorded
    # before the commit: it costs a second core's time instead of a step of its own.
    with ThreadPoolExecutor(max_workers=1) as hasher, write_store(Path(db)) as con:
        sha = hasher.submit(_sha256, file)
        load_registry(con)
        refuse_demo_store(con, spec.source)
        import_id = start_import(con, spec.source, spec.kind, str(file.resolve()))
        # Recorded first: the loaders' rollups read the scope of the source's latest import.
        con.execute(
            "update imports set standard = ?, part1_scope = ?, coverage = ? where import_id = ?",
            [
                spec.standard,
                list(spec.part1_scope) if spec.part1_scope is not None else None,
                spec.coverage if spec.kind in ("incidents", "monthly_counts") else None,
                import_id,
            ],
        )
        outcome = load(con, spec, file, import_id, step)
        if spec.kind in ("incidents", "monthly_counts"):
            outcome.notes.append(citywide_note(con, spec))
        con.execute(
            "insert or replace into source_info (source, kind, title, publisher, note, standard, mapping, import_id)"
            " values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                spec.source,
                spec.kind,
                spec.title or None,
                spec.publisher or None,
                spec.note or None,
                spec.standard,
                _shown_path(spec.path),
                import_id,
            ],
        )
        considered = outcome.rows_read - outcome.skipped
        if considered >= MIN_ROWS_FOR_SHARE and outcome.quarantined / considered > spec.max_quarantine_share:
            _fail_too_many(con, file, spec, import_id, outcome, considered)
        finish_import(
            con,
            import_id,
            rows_read=outcome.rows_read,
            rows_accepted=outcome.accepted,
            rows_quarantined=outcome.quarantined,
            rows_duplicate=outcome.duplicate,
            note="; ".join(outcome.notes) or None,
        )
        con.execute(
            "update imports set rows_skipped = ?, content_sha256 = ? where import_id = ?",
            [outcome.skipped, sha.result(), import_id],
        )
        set_info(con, "dataset", "real")
        step("saving", 0.97)
    seconds = time.perf_counter() - started
    step("done", 1.0)
    return ImportReport(
        source=spec.source,
        file=file,
        import_id=import_id,
        rows_read=outcome.rows_read,
        rows_accepted=outcome.accepted,
        rows_quarantined=outcome.quarantined,
        rows_duplicate=outcome.duplicate,
        quarantine_reasons=dict(outcome.quarantine_reasons),
        unmapped_codes=dict(outcome.unmapped),
        seconds=seconds,
        rows_per_s=outcome.rows_read / seconds if seconds > 0 else 0.0,
        rows_skipped=outcome.skipped,
        skip_reasons=dict(outcome.skip_reasons),
        written=dict(outcome.written),
        notes=tuple(outcome.notes),
        kind=spec.kind,
    )


def citywide_note(con: duckdb.DuckDBPyConnection, spec: Mapping) -> str:
    """What of this source went into the city's citywide monthly counts (and why not)."""
    rows = con.execute(
        "select city_id, string_agg(distinct offense, ', ' order by offense), min(month), max(month)"
        " from monthly_counts where source = ? group by city_id order by city_id",
        [spec.source],
    ).fetchall()
    if spec.coverage != "city":
        why = (
            f'nothing: the mapping declares [source] coverage = "{spec.coverage}" (an area of the city); '
            'set coverage = "city" if the file covers the whole city'
        )
        if rows:
            why = (
                f'none: the mapping declares [source] coverage = "{spec.coverage}", so its monthly counts are '
                "kept but never stand for the city (official_candidates says why)"
            )
        return f"citywide counts: {why}"
    if not rows:
        scope = "" if spec.part1_scope is None else f" (part1_scope = {list(spec.part1_scope)})"
        return (
            "citywide counts: nothing; the mapping declares no Part I offense the file "
            f"covers completely{scope}. List them in [source] part1_scope to roll them up"
        )
    shown = "; ".join(f"{r[0]}: {r[1]} ({r[2]:%Y-%m} to {r[3]:%Y-%m})" for r in rows)
    return f"citywide counts (monthly_counts, candidates for official_monthly): {shown}"


def _fail_too_many(
    con: duckdb.DuckDBPyConnection,
    file: Path,
    spec: Mapping,
    import_id: int,
    outcome: Outcome,
    considered: int,
) -> None:
    """More than max_quarantine_share of the rows failed: the mapping is surely wrong."""
    first = con.execute(
        "select line, field, reason from quarantine where import_id = ? and not kept order by line limit 1",
        [import_id],
    ).fetchone()
    top = ", ".join(f"{reason}: {n:,}" for reason, n in _top(outcome.quarantine_reasons, 3))
    share = outcome.quarantined / considered
    raise ImportFailed(
        f"{outcome.quarantined:,} of {considered:,} rows ({share:.0%}) failed the checks ({top}); "
        f"more than max_quarantine_share = {spec.max_quarantine_share:g} means the mapping "
        f"({spec.path}) does not fit this file. First failure: {first[2] if first else '?'}. Nothing was imported.",
        file,
        line=int(first[0]) if first and first[0] is not None else None,
        column=first[1] if first else None,
    )


def latest_loaded(db: Path, source: str) -> str | None:
    """The latest date (ISO) the store holds for `source`: incidents' occurred_at or the
    last month of its counts; None when the source has nothing yet. For incremental
    fetches (`--since`)."""
    from kernel.store import connect_readonly

    if not Path(db).exists():
        return None
    con = connect_readonly(Path(db))
    try:
        row = con.execute(
            # Incident sources first: their monthly_counts are rollups ending on a month's last day.
            "select coalesce((select max(occurred_at)::date from incidents where source = ?),"
            " (select max(last_day(month)) from monthly_counts where source = ?),"
            " (select max(last_day(month)) from area_counts where source = ?),"
            " (select max(period_end) from period_counts where source = ?))",
            [source, source, source, source],
        ).fetchone()
    finally:
        con.close()
    return row[0].isoformat() if row and row[0] is not None else None
