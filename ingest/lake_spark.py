"""The rollups of a lake computed by Apache Spark from the SAME SQL DuckDB runs at ingest.

    python -m ingest lake-rollups DIR [--out OUT]    # Spark (local mode unless configured)

There is no second copy of the rollup SQL. The statements are the ones ingest runs: the
select of ingest.rollups.DAILY_SQL and MONTHLY_SQL, and the body of each `<table>_of(sources)`
table macro in ingest/migrations/*.sql. sqlglot parses them as DuckDB SQL and writes them
as Spark SQL, after three rewrites of constructs that Spark lacks or that sqlglot maps
wrongly (each checked by the equality test, tests/ingest/test_lake.py):
- the `sources` list (a macro argument, or the `?::varchar[]` parameter) becomes an array
  literal of the lake's incident sources;
- isodow(x) becomes weekday(x) + 1 (sqlglot's mapping counts from Sunday);
- cast(x as time) = time '00:00:00' becomes x = date_trunc('day', x) (Spark has no TIME).
The statement's final ORDER BY (storage order only) is dropped: each file Spark writes is
sorted by city instead, without a global sort.

Spark reads the lake's incidents (and offenses, for monthly_counts), computes daily_counts
first, writes it and reads it back as the `daily_counts` the later statements read, as
DuckDB does, and writes each table in the lake's layout (one flat folder per table).
duckdb_rollups runs the same statements with DuckDB, the baseline. Sources whose mapping
covers only part of the Part I offenses (imports.part1_scope) are refused: the scope
filter (ingest.rollups.SCOPE_SQL) is a DELETE, which Spark SQL has no equivalent for.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from ingest.rollups import DAILY_SQL, MACRO_ROLLUPS, MONTHLY_SQL, ROLLUP_TABLES
from kernel.lake import attach_views, read_manifest, table_glob
from kernel.sql import ident, path_literal

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MACRO = re.compile(r"create\s+macro\s+(\w+)_of\(sources\)\s+as\s+table\s+(.*?);", re.S | re.I)


def duckdb_queries() -> dict[str, str]:
    """table -> the DuckDB select that computes it from `sources` (the name of the list)."""
    text = "\n".join(p.read_text() for p in sorted(MIGRATIONS.glob("*.sql")))
    macros = {name: body for name, body in _MACRO.findall(text)}
    queries: dict[str, str] = {}
    for table, insert in (("daily_counts", DAILY_SQL), ("monthly_counts", MONTHLY_SQL)):
        tree = sqlglot.parse_one(insert.replace("?::varchar[]", "sources"), read="duckdb")
        assert isinstance(tree, exp.Insert)
        queries[table] = tree.expression.sql(dialect="duckdb")
    for table in MACRO_ROLLUPS:
        queries[table] = macros[table]
    missing = [t for t in ROLLUP_TABLES if t not in queries]
    if missing:
        raise LookupError(f"no SQL found for rollup(s) {missing} (ingest.rollups / migrations)")
    return {t: queries[t] for t in ROLLUP_TABLES}


def _rewrite(node: exp.Expression, sources: list[str]) -> exp.Expression:
    node = _sources(node, sources)
    if isinstance(node, exp.DayOfWeekIso):
        return exp.Add(
            this=exp.Anonymous(this="weekday", expressions=[node.this]), expression=exp.Literal.number(1)
        )
    if isinstance(node, exp.EQ):
        sides = [node.this, node.expression]
        times = [s for s in sides if isinstance(s, exp.Cast) and s.to.this == exp.DataType.Type.TIME]
        if len(times) == 2:
            value = next((s.this for s in times if not isinstance(s.this, exp.Literal)), None)
            literal = next((s.this for s in times if isinstance(s.this, exp.Literal)), None)
            if value is not None and literal is not None and literal.this == "00:00:00":
                trunc = exp.TimestampTrunc(this=value.copy(), unit=exp.Var(this="DAY"))
                return exp.EQ(this=value.copy(), expression=trunc)
    return node


def spark_sql(duckdb_sql: str, sources: list[str]) -> str:
    """One DuckDB rollup select as Spark SQL over the given sources."""
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    tree = tree.transform(lambda n: _rewrite(n, sources))
    # The statement's own ORDER BY only sets the order rows are stored in; Spark would run a
    # sampling job and a range shuffle for it. _write sorts each file by city instead.
    tree.set("order", None)
    text: str = _named(tree).sql(dialect="spark")
    return text


def _named(tree: Any) -> Any:
    """`x::integer` named x, as DuckDB names it in the original text (regenerated SQL and
    Spark would name it "CAST(x AS INT)")."""
    if isinstance(tree, exp.Select):
        tree.set(
            "expressions",
            [
                exp.alias_(e, e.this.name)
                if isinstance(e, exp.Cast) and isinstance(e.this, exp.Column)
                else e
                for e in tree.expressions
            ],
        )
    return tree


def _in_lake_columns(
    con: duckdb.DuckDBPyConnection, lake: Path, table: str, select: str
) -> duckdb.DuckDBPyRelation:
    """The statement `select` (transpiled from ingest's own SQL) as a relation in the columns
    of the lake's table, in its order: a column the statement does not write is NULL, as
    with ingest's `insert into t (columns...)` (monthly_counts.flag)."""
    stored = con.read_parquet(table_glob(lake, table), hive_partitioning=False)
    names = stored.columns
    statement = con.sql(select)
    made = set(statement.columns)
    return statement.select(
        ", ".join(
            ident(c, made) if c in made else f"null::{kind} as {ident(c, names)}"
            for c, kind in zip(names, map(str, stored.types), strict=True)
        )
    )


# Called after each table with (table, rows, seconds it took): the bench's per-stage figures.
OnTable = Callable[[str, int, float], None]


def duckdb_rollups(lake: Path, out: Path, on_table: OnTable | None = None) -> dict[str, int]:
    """The same rollups computed by DuckDB from the lake's Parquet (one machine): the
    baseline that Spark is compared with (bench/lake_engines.py). Each statement runs once,
    straight from the lake's incidents into one Parquet file per table; daily_counts
    is then read back from its file by the statements that use it, as Spark does. Returns
    table -> rows."""
    lake, out = Path(lake), Path(out)
    read_manifest(lake)
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        # What the statements read, under ingest's table names; daily_counts is computed here.
        attach_views(con, lake, only=["incidents", "offenses", "imports"])
        sources = [r[0] for r in con.execute("select distinct source from incidents order by 1").fetchall()]
        written: dict[str, int] = {}
        out.mkdir(parents=True, exist_ok=True)
        for table, sql in duckdb_queries().items():
            started = time.perf_counter()
            tree = _named(sqlglot.parse_one(sql, read="duckdb")).transform(lambda n: _sources(n, sources))
            rollup = _in_lake_columns(con, lake, table, tree.sql(dialect="duckdb"))
            target = out / table
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            rollup.write_parquet(str(target / "data_0.parquet"))
            ((rows,),) = con.execute(
                "select count(*) from read_parquet(?)", [str(target / "data_0.parquet")]
            ).fetchall()
            written[table] = int(rows)
            if table == "daily_counts":  # the later statements read the daily counts just written
                files = f"read_parquet({path_literal(table_glob(out, table))}, hive_partitioning = false)"
                con.execute(f"create view daily_counts as select * from {files}")  # noqa: S608 - a quoted path
            if on_table:
                on_table(table, written[table], time.perf_counter() - started)
        return written
    finally:
        con.close()


def _sources(node: exp.Expression, sources: list[str]) -> exp.Expression:
    """The `sources` list (macro argument or parameter) as an array literal."""
    if isinstance(node, exp.Column) and not node.table and node.name == "sources":
        return exp.Array(expressions=[exp.Literal.string(s) for s in sources])
    return node


def spark_session(app_name: str = "psp-lake", memory: str = "2g") -> Any:
    """A local Spark session for this machine: 2 cores, 8 shuffle partitions (not Spark's
    200, each a task and a file; adaptive execution merges the small ones), no UI, no
    network beyond the loopback. A cluster's spark-submit configuration overrides it."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", memory)
        # Local files without Hadoop's .crc sidecar per file (HDFS or S3 paths are unaffected).
        .config("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem")
        .config("spark.hadoop.fs.file.impl.disable.cache", "true")
        .getOrCreate()
    )


def _read(spark: Any, lake: Path, table: str) -> Any:
    folder = str(Path(lake) / table)
    return (
        spark.read.option("recursiveFileLookup", "true").option("pathGlobFilter", "*.parquet").parquet(folder)
    )


def _as_table(df: Any, schema: Any) -> Any:
    """The result in the columns of the lake's table, in its order: a column the statement
    does not write is NULL, as with DuckDB's `insert into t (columns...)` (monthly_counts.flag)."""
    from pyspark.sql import functions as F

    have = set(df.columns)
    return df.select(
        [
            F.col(f.name) if f.name in have else F.lit(None).cast(f.dataType).alias(f.name)
            for f in schema.fields
        ]
    )


def _write(df: Any, folder: Path) -> int:
    """Write one rollup as a flat folder of Parquet files (one per task, each in city
    order) and return its rows, counted from the files' footers (df.count() would compute
    the rollup a second time)."""
    df.sortWithinPartitions("city_id").write.mode("overwrite").parquet(str(folder))
    for junk in list(folder.rglob("_SUCCESS")) + list(folder.rglob(".*.crc")):
        junk.unlink()
    con = duckdb.connect()
    try:
        row = con.execute(
            "select coalesce(sum(num_rows), 0) from parquet_file_metadata(?)",
            [table_glob(folder.parent, folder.name)],
        ).fetchone()
    finally:
        con.close()
    return int(row[0]) if row else 0


def spark_rollups(
    lake: Path, out: Path, spark: Any | None = None, on_table: OnTable | None = None
) -> dict[str, int]:
    """Compute every rollup of ROLLUP_TABLES from the lake's incidents with Spark and write
    them under `out` (one flat folder per table, as export-lake writes them). Returns
    table -> rows. Each statement is one job over the lake's incidents (Parquet, only the
    columns it uses); daily_counts is read back from its files by the statements that use
    it, as DuckDB does, instead of being cached in the driver's memory."""
    lake = Path(lake)
    read_manifest(lake)
    own = spark is None
    spark = spark or spark_session()
    try:
        queries = duckdb_queries()
        for table in ("offenses", "imports", "incidents"):
            _read(spark, lake, table).createOrReplaceTempView(table)
        sources = sorted(r[0] for r in spark.sql("select distinct source from incidents").collect())
        with_scope = spark.table("imports").where("part1_scope is not null").select("source").distinct()
        scoped = sorted({r[0] for r in with_scope.collect()} & set(sources))
        if scoped:
            raise ValueError(
                f"source(s) {scoped} have a partial Part I scope (imports.part1_scope): "
                "their monthly_counts need ingest.rollups.SCOPE_SQL, a DELETE that Spark SQL cannot run; "
                "compute this lake's rollups with DuckDB (export-lake)"
            )
        written: dict[str, int] = {}
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for table, sql in queries.items():
            started = time.perf_counter()
            df = _as_table(spark.sql(spark_sql(sql, sources)), _read(spark, lake, table).schema)
            target = out / table
            shutil.rmtree(target, ignore_errors=True)
            written[table] = _write(df, target)
            if table == "daily_counts":  # the later statements read Spark's own daily counts
                _read(spark, out, table).createOrReplaceTempView("daily_counts")
            if on_table:
                on_table(table, written[table], time.perf_counter() - started)
        return written
    finally:
        if own:
            spark.stop()
