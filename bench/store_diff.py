"""Compare every table of two stores row by row: a refactor of the write side must build
the same store (issue 13).

    python -m bench.store_diff BEFORE.duckdb AFTER.duckdb [--root-a DIR --root-b DIR]

Wall-clock columns (imports.started_at/finished_at, schema_migrations.applied_at,
goals.created_at, store_info's demo_built_at) are left out, and so is store_info's
public_fingerprint (a hash of ingest/'s code: it changes with any edit); text naming a file under the checkout (--root-a/--root-b:
two worktrees build the same files from different folders) is compared with the folder
replaced by `<root>`. Prints one line per table and exits 1 when any table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

# Columns holding the time the build ran, not data.
WALL_CLOCK = {
    ("imports", "started_at"),
    ("imports", "finished_at"),
    ("schema_migrations", "applied_at"),
    ("goals", "created_at"),
    ("interventions", "created_at"),
}
# store_info keys that hold the build's time or a hash of the code that built it.
BUILD_INFO = ("demo_built_at", "public_fingerprint")


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [
        (r[0], r[1])
        for r in con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'main' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
        if (table, r[0]) not in WALL_CLOCK
    ]


def _rows(con: duckdb.DuckDBPyConnection, table: str, root: str) -> list[tuple[object, ...]]:
    cols = _columns(con, table)
    exprs = [f"replace(\"{c}\", ?, '<root>')" if t == "VARCHAR" else f'"{c}"::varchar' for c, t in cols]
    params: list[object] = [root for _, t in cols if t == "VARCHAR"]
    sql = f'select {", ".join(exprs)} from "{table}"'  # noqa: S608 - names from information_schema
    if table == "store_info":
        sql += " where key not in (select unnest(?::varchar[]))"
        params.append(list(BUILD_INFO))
    rows = con.execute(sql, params).fetchall()
    return sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r))


def compare(a: Path, b: Path, root_a: str, root_b: str) -> list[str]:
    """One line per table: its row count and whether the two stores agree."""
    ca, cb = duckdb.connect(str(a), read_only=True), duckdb.connect(str(b), read_only=True)
    lines, bad = [], 0
    try:
        ta, tb = _tables(ca), _tables(cb)
        if ta != tb:
            lines.append(
                f"DIFFERENT TABLES: only before {sorted(set(ta) - set(tb))}, only after {sorted(set(tb) - set(ta))}"
            )
            bad += 1
        for table in sorted(set(ta) & set(tb)):
            if _columns(ca, table) != _columns(cb, table):
                lines.append(f"{table:28s} DIFFERENT COLUMNS")
                bad += 1
                continue
            ra, rb = _rows(ca, table, root_a), _rows(cb, table, root_b)
            same = ra == rb
            bad += not same
            detail = (
                ""
                if same
                else f"  ({len(set(ra) - set(rb))} rows only before, {len(set(rb) - set(ra))} only after)"
            )
            lines.append(f"{table:28s} {len(ra):>10,} rows  {'same' if same else 'DIFFERENT'}{detail}")
    finally:
        ca.close()
        cb.close()
    lines.append("ALL TABLES IDENTICAL" if not bad else f"{bad} TABLE(S) DIFFER")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--root-a", default=str(Path.cwd()))
    ap.add_argument("--root-b", default=str(Path.cwd()))
    args = ap.parse_args()
    lines = compare(args.before, args.after, args.root_a, args.root_b)
    print("\n".join(lines))
    return 0 if lines[-1] == "ALL TABLES IDENTICAL" else 1


if __name__ == "__main__":
    sys.exit(main())
