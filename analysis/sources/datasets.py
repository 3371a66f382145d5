"""The datasets the dashboard can show: every DuckDB store in data/ (PSP_DATASETS), plus PSP_DB.

Design: a dataset is one store file, and the dashboard shows one at a time, so demo,
public and a user's own data never mix (each store also refuses the other kind at
ingest). The choice is a short name (the file's stem: `public`, `demo`, `real`), never a
path, so a link (`?dataset=demo`) can only name a store that is listed here: a hostile
value (`../../etc/passwd`, a path, a store elsewhere) matches nothing and is ignored.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from kernel.settings import SETTINGS, audit_path

PUBLIC = "public"
DEMO = "demo"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")
LABELS = {
    PUBLIC: "Public data (real, 12 cities)",
    DEMO: "Demo (synthetic)",
}


@dataclass(frozen=True)
class Dataset:
    """One store the sidebar offers: its name (in the URL), label and path."""

    name: str
    path: Path
    label: str


def _label(name: str) -> str:
    return LABELS.get(name, f"{name}.duckdb")


def list_datasets(data_dir: Path | None = None) -> list[Dataset]:
    """PSP_DB's store first when it is set (the default choice), then public, demo and
    the other *.duckdb files of `data_dir` by name. Hidden files (builds in progress)
    are left out; a store that does not exist yet is not listed."""
    data_dir = Path(SETTINGS["PSP_DATASETS"].value()) if data_dir is None else data_dir
    found: dict[str, Dataset] = {}
    env = os.environ.get(SETTINGS["PSP_DB"].name)
    if env:
        path = Path(env).resolve()
        if path.is_file():
            found[path.stem] = Dataset(path.stem, path, _label(path.stem))
    # The audit trail is a DuckDB file too (PSP_AUDIT_DB, often in data/), but not a dataset.
    audit = audit_path().resolve()
    stores = sorted(
        p
        for p in data_dir.glob("*.duckdb")
        if p.is_file() and not p.name.startswith(".") and p.resolve() != audit
    )
    order = {PUBLIC: 0, DEMO: 1}
    for path in sorted(stores, key=lambda p: (order.get(p.stem, 2), p.stem)):
        if NAME.match(path.stem) and path.stem not in found:
            found[path.stem] = Dataset(path.stem, path.resolve(), _label(path.stem))
    return list(found.values())


def default_dataset(datasets: list[Dataset], default_path: Path) -> Dataset | None:
    """The dataset at `default_path` (PSP_DB or data/public.duckdb), else the first."""
    target = default_path.resolve()
    for d in datasets:
        if d.path == target:
            return d
    return datasets[0] if datasets else None
