"""Prove that two versions of the importer write the same store: import one file with the
code in OLD_TREE and with this tree, then compare every table row for row (except all,
both ways; the imports table without its timings and paths).

    .venv/bin/python bench/same_import.py OLD_TREE FILE MAPPING [--source generic]

OLD_TREE is a checkout of the earlier version (e.g. `git archive REV | tar -x -C DIR`).
Prints one line per table and exits 1 if any table differs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
IMPORT = (
    "import sys; from pathlib import Path; from ingest.importer import import_file;"
    "r = import_file(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), mapping=Path(sys.argv[4]));"
    "print(f'{r.rows_read} rows in {r.seconds:.2f} s')"
)
# Columns that differ between any two runs by design (clock, file locations).
VOLATILE = {"imports": ("started_at", "finished_at", "location"), "schema_migrations": ("applied_at",)}


def import_with(tree: Path, db: Path, source: str, file: Path, mapping: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-c", IMPORT, str(db), source, str(file), str(mapping)],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def compare(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """table -> (rows, rows differing) over the tables of store `a`."""
    con = duckdb.connect()
    con.execute("attach ? as a (read_only)", [str(a)])
    con.execute("attach ? as b (read_only)", [str(b)])
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'a'"
            " and table_schema = 'main' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    ]
    result = {}
    for table in tables:
        cols = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'a'"
                " and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            if r[0] not in VOLATILE.get(table, ())
        ]
        sel = ", ".join(f'"{c}"' for c in cols)
        # Table and column names come from the store's own catalog.
        row = con.execute(
            f"select (select count(*) from a.main.{table}),"  # noqa: S608
            f" (select count(*) from (select {sel} from a.main.{table} except all select {sel} from b.main.{table}))"
            f" + (select count(*) from (select {sel} from b.main.{table} except all select {sel} from a.main.{table}))"
        ).fetchone()
        assert row is not None
        result[table] = (int(row[0]), int(row[1]))
    con.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("old_tree", type=Path)
    parser.add_argument("file", type=Path)
    parser.add_argument("mapping", type=Path)
    parser.add_argument("--source", default="generic")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old.duckdb", Path(tmp) / "new.duckdb"
        print(
            "old:", import_with(args.old_tree, old, args.source, args.file.resolve(), args.mapping.resolve())
        )
        print("new:", import_with(ROOT, new, args.source, args.file.resolve(), args.mapping.resolve()))
        diffs = compare(old, new)
    bad = 0
    for table, (rows, differing) in diffs.items():
        print(f"{table:<24}{rows:>12,} rows  {'same' if differing == 0 else f'{differing:,} rows DIFFER'}")
        bad += differing
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
