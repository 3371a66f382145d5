"""What an import reports: a kind-specific loader's Outcome (and the progress callback it
is given), and the ImportReport that import_file returns. Its own module so that the
loaders (ingest/incidents/, ingest/counts/, ...) and the importer that dispatches to them
never import each other in a circle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# step(label, fraction): a loader reports its progress (fraction in 0..1).
Step = Callable[[str, float], None]


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
        lines += [f"    {n:>8,}  {reason}" for reason, n in top(self.quarantine_reasons)]
        lines.append(
            f"  duplicates       {self.rows_duplicate:>10,}  (already in the store or repeated in the file)"
        )
        if self.rows_skipped:
            lines.append(f"  skipped          {self.rows_skipped:>10,}")
            lines += [f"    {n:>8,}  {reason}" for reason, n in top(self.skip_reasons)]
        if self.unmapped_codes:
            total = sum(self.unmapped_codes.values())
            lines.append(
                f"  unmapped codes   {total:>10,}  rows kept without a NIBRS code / Part I offense"
                f" ({len(self.unmapped_codes)} distinct):"
            )
            lines += [f"    {n:>8,}  {code}" for code, n in top(self.unmapped_codes, 15)]
            if len(self.unmapped_codes) > 15:
                lines.append(f"    ... and {len(self.unmapped_codes) - 15} more (see the quarantine table)")
        if self.written:
            lines.append("  written          " + ", ".join(f"{t}: {n:,}" for t, n in self.written.items()))
        lines += [f"  note: {note}" for note in self.notes]
        lines.append(f"  elapsed          {self.seconds:>10.2f} s  ({self.rows_per_s:,.0f} rows/s)")
        return "\n".join(lines)


def top(counts: dict[str, int], limit: int = 10) -> list[tuple[str, int]]:
    """The `limit` largest counts, largest first (ties by name)."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
