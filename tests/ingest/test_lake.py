"""The lake: export-lake writes every table as Parquet (incidents and rollups split by city
and year), a failed export leaves the previous lake as it was, a lake is read-only, and
Apache Spark recomputes every rollup from the lake's incidents with the same SQL, to the row."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from harness.stores import build_demo_store
from ingest import lake as lake_mod
from ingest.lake import export_lake
from ingest.lake_spark import duckdb_queries, spark_sql
from ingest.rollups import ROLLUP_TABLES
from ingest.store import ReadOnlyLake, write_store
from kernel.lake import MANIFEST, read_manifest, table_glob
from kernel.store import connect_readonly
from tests.conftest import skip_or_fail


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def differing_rows(con: duckdb.DuckDBPyConnection, a: str, b: str) -> int:
    """Rows in one relation and not the other, counting repeats (except all, both ways)."""
    row = con.execute(
        f"select (select count(*) from (select * from {a} except all select * from {b}))"  # noqa: S608 - test names
        f" + (select count(*) from (select * from {b} except all select * from {a}))"
    ).fetchone()
    return int(row[0]) if row else -1


def assert_lake_equals_store(store_path: Path, lake: Path, tables: list[str]) -> None:
    """Each table's Parquet files in the lake hold exactly the store's rows."""
    store = connect_readonly(store_path)
    try:
        store.execute("attach ':memory:' as cmp")
        for table in tables:
            store.execute(
                f"create table cmp.{table} as select * from read_parquet(?, hive_partitioning = false)",
                [table_glob(lake, table)],
            )
            assert differing_rows(store, f"store.main.{table}", f"cmp.{table}") == 0, table
    finally:
        store.close()


def test_export_lake_holds_every_table_of_the_store(tiny_store_path: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    written = export_lake(tiny_store_path, lake)
    manifest = read_manifest(lake)
    assert set(manifest["tables"]) == set(written) and {"incidents", *ROLLUP_TABLES} <= set(written)
    assert written["incidents"] > 0
    # Incidents are split by city and year (each file keeps every column); the rollups and
    # the other tables are one file each, not thousands of tiny city x year files.
    assert manifest["tables"]["incidents"]["partitioned"]
    assert not manifest["tables"]["cities"]["partitioned"]
    cities = sorted(p.name for p in (lake / "incidents").glob("city=*"))
    assert cities and all(list((lake / "incidents" / c).glob("year=*/data_0.parquet")) for c in cities)
    for table in ROLLUP_TABLES:
        assert not manifest["tables"][table]["partitioned"], table
        assert [p.name for p in (lake / table).rglob("*") if p.is_file()] == ["data_0.parquet"], table
    assert_lake_equals_store(tiny_store_path, lake, list(written))
    store = connect_readonly(tiny_store_path)
    lake_con = connect_readonly(lake)  # PSP_DB pointing at a lake folder opens it like this
    try:
        for table in written:
            store_cols = store.execute(f"describe store.main.{table}").fetchall()
            lake_cols = lake_con.execute(f"describe {table}").fetchall()
            assert [c[:2] for c in store_cols] == [c[:2] for c in lake_cols], table
    finally:
        store.close()
        lake_con.close()


def test_a_failed_export_leaves_the_previous_lake_byte_identical(
    tiny_store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = tmp_path / "lake"
    export_lake(tiny_store_path, lake)
    before = tree_digest(lake)
    real = lake_mod.copy_table
    calls = {"n": 0}

    def failing(con: duckdb.DuckDBPyConnection, table: str, folder: Path, allowed: list[str]) -> int:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full (simulated)")
        return real(con, table, folder, allowed)

    monkeypatch.setattr(lake_mod, "copy_table", failing)
    with pytest.raises(OSError, match="disk full"):
        export_lake(tiny_store_path, lake)
    assert tree_digest(lake) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake"]  # no half-written folder left


def test_export_refuses_to_replace_a_folder_that_is_not_a_lake(tiny_store_path: Path, tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a lake"):
        export_lake(tiny_store_path, precious)
    assert (precious / "notes.txt").read_text() == "keep me"


def test_a_lake_is_read_only(tiny_store_path: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    export_lake(tiny_store_path, lake)
    before = tree_digest(lake)
    with pytest.raises(ReadOnlyLake, match="read-only"), write_store(lake):
        pass
    assert tree_digest(lake) == before
    assert (lake / MANIFEST).is_file()


def test_spark_sql_is_transpiled_from_the_ingest_sql() -> None:
    queries = duckdb_queries()
    assert list(queries) == list(ROLLUP_TABLES)
    hour = spark_sql(queries["hour_counts"], ["demo", "o'brien"])
    assert "WEEKDAY(occurred_at) + 1" in hour  # isodow, Monday = 1
    assert "occurred_at = DATE_TRUNC('DAY', occurred_at)" in hour  # at midnight, without a TIME type
    assert "ARRAY('demo', 'o\\'brien')" in hour  # Spark's string escape
    assert "TIME" not in hour.replace("TIMESTAMP", "")
    assert "ORDER BY" not in hour  # storage order only: each file is sorted by city instead
    assert spark_sql(queries["monthly_counts"], ["demo"]).endswith(
        "CAST(count AS INT) AS count, source FROM final"
    )
    daily = spark_sql(queries["daily_counts"], ["demo"])
    assert daily.startswith("SELECT city_id, CAST(occurred_at AS DATE) AS day")


@pytest.fixture(scope="module")
def million_row_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store of about 1M offenses (scale 0.197) exported as a lake."""
    folder = tmp_path_factory.mktemp("lake1m")
    store = build_demo_store(folder / "demo.duckdb", scale=0.197, seed=42)
    lake = folder / "lake"
    export_lake(store, lake)
    return lake


# About 2 minutes on 2 idle cores (JVM start, 1M-row demo build, export, eight rollups);
# the limit leaves room for a machine shared with other jobs.
@pytest.mark.timeout(2400)
def test_spark_and_duckdb_compute_identical_rollups_on_a_million_row_lake(
    million_row_lake: Path, tmp_path: Path
) -> None:
    if shutil.which("java") is None:
        skip_or_fail("no Java runtime for Spark (.ci/run installs Debian's default-jre-headless)")
    pytest.importorskip("pyspark")
    from ingest.lake_spark import spark_rollups

    lake = million_row_lake
    assert read_manifest(lake)["tables"]["incidents"]["rows"] >= 1_000_000
    out = tmp_path / "spark"
    written = spark_rollups(lake, out)
    assert list(written) == list(ROLLUP_TABLES)
    con = duckdb.connect()
    try:
        for table in ROLLUP_TABLES:
            mine = f"read_parquet('{table_glob(lake, table)}', hive_partitioning = false)"
            theirs = f"read_parquet('{table_glob(out, table)}', hive_partitioning = false)"
            cols = [r[0] for r in con.execute(f"describe select * from {mine}").fetchall()]
            assert [r[0] for r in con.execute(f"describe select * from {theirs}").fetchall()] == cols, table
            # Spark writes Parquet's UINT64 (h3_r9) back as DECIMAL(20,0): compare as values.
            casted = ", ".join(f"{c}::varchar as {c}" if c == "h3_r9" else c for c in cols)
            a, b = f"(select {casted} from {mine})", f"(select {casted} from {theirs})"
            n = con.execute(f"select count(*) from {mine}").fetchone()
            assert n and n[0] == written[table] and n[0] > 0, table
            assert differing_rows(con, a, b) == 0, table
    finally:
        con.close()


def test_rollups_recomputed_from_the_lake_replace_its_own_and_match_the_store(
    tiny_store_path: Path, tmp_path: Path
) -> None:
    from ingest.lake import replace_tables
    from ingest.lake_spark import duckdb_rollups
    from ingest.rollups import rebuild_rollups

    # The fixture's monthly_counts are written by hand: roll them up as an import would.
    store_path = tmp_path / "tiny.duckdb"
    shutil.copyfile(tiny_store_path, store_path)
    with write_store(store_path) as con:
        rebuild_rollups(con, [r[0] for r in con.execute("select distinct source from incidents").fetchall()])
    lake = tmp_path / "lake"
    export_lake(store_path, lake)
    computed = tmp_path / "computed"
    written = duckdb_rollups(lake, computed)  # the same transpiled statements, run by DuckDB
    assert list(written) == list(ROLLUP_TABLES) and written["daily_counts"] > 0
    replace_tables(lake, computed, written)
    assert read_manifest(lake)["rollups_by"] == "recomputed from the lake"
    assert sorted(p.name for p in lake.iterdir() if p.name.startswith(".")) == []
    assert_lake_equals_store(store_path, lake, list(ROLLUP_TABLES))
