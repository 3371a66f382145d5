"""What a kind-specific loader reports back to the importer, and the progress callback
it is given. Its own module so that the loaders (ingest/incidents/, ingest/counts/, ...)
and the importer that dispatches to them never import each other in a circle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
