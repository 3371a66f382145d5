"""Pieces every loader shares: the city look-up, date parsing SQL, quarantine bookkeeping.

Each loader builds a temp table `parsed` with one row per staged record and the columns
line, raw, reason, field (the quarantine reason and column, NULL when the row is fine),
skip (out of scope, e.g. not a PSP city) and dup (why it is a duplicate). The helpers
here fill and read those columns with set-based SQL.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ingest.errors import MappingError
from ingest.mapping.dates import DateSpec
from ingest.mapping.load import Mapping
from ingest.mapping.place import CitySpec
from ingest.outcome import Step
from ingest.staging import Staged, stage_csv
from kernel.sql import ident

FIRST_DATE = datetime(1900, 1, 1)
# Named parameters shared by the generated SQL.
Params = dict[str, Any]
# The columns of `parsed` that set_columns fills from a frame computed in Python.
SET_COLUMNS = frozenset({"lat", "lon", "district", "district_layer"})
# The rows of `parsed` a loader writes: passed every check, in scope, not a duplicate.
WRITTEN = "reason is null and not skip and dup is null"


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Params) -> None:
    """Execute with only the named parameters the SQL uses (DuckDB rejects extras)."""
    used = set(re.findall(r"\$(\w+)", sql))
    con.execute(sql, {k: v for k, v in params.items() if k in used})


def set_columns(con: duckdb.DuckDBPyConnection, frame: pa.Table) -> None:
    """Update `parsed` from an Arrow table keyed on `line`: each other column of `frame`
    sets the column of `parsed` of the same name."""
    names = [c for c in frame.column_names if c != "line"]
    sets = ", ".join(f"{ident(c, SET_COLUMNS)} = l.{ident(c, SET_COLUMNS)}" for c in names)
    con.register("located", frame)
    con.execute(f"update parsed set {sets} from located l where parsed.line = l.line")  # noqa: S608 - allow-listed names
    con.unregister("located")


def col(name: str, header: tuple[str, ...], alias: str = "s") -> str:
    """A staged column, quoted (the header is the allow-list)."""
    return f"{alias}.{ident(name, header)}"


def city_lookup(con: duckdb.DuckDBPyConnection, spec: CitySpec) -> None:
    """Temp table city_lookup(key, city_id): lower-cased column value -> registry city."""
    con.execute("create or replace temp table city_lookup (key varchar primary key, city_id varchar)")
    known = {r[0] for r in con.execute("select city_id from cities").fetchall()}
    if spec.fixed is not None and spec.fixed not in known:
        raise ValueError(
            f"[city] id {spec.fixed!r} is not a city_id of data/cities.toml ({', '.join(sorted(known))})"
        )
    if spec.column is None:
        return
    match = ident(spec.match, ("city_id", "name", "rtci_agency", "census_geoid"))
    con.execute(
        f"insert into city_lookup select distinct lower({match}), city_id from cities"  # noqa: S608 - allow-listed
        f" where {match} is not null"
    )
    for value, city_id in spec.values.items():
        if city_id not in known:
            raise ValueError(f"[city.values] {value!r} = {city_id!r}: not a registry city_id")
        con.execute("insert or replace into city_lookup values (?, ?)", [value, city_id])


def lookup_cities(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """city_lookup for the mapping; a city the registry does not know is a mapping error."""
    try:
        city_lookup(con, m.city)
    except ValueError as exc:
        raise MappingError(f"{m.path}: {exc}") from None


def begin(
    con: duckdb.DuckDBPyConnection,
    m: Mapping,
    file: Path,
    step: Step,
    clean: bool = True,
) -> Staged:
    """The first steps of every CSV loader: stage the file (see stage_csv for `clean`),
    then the city look-up."""
    step("reading", 0.05)
    staged = stage_csv(con, file, m.csv, m.columns_used(), clean=clean)
    step("parsing", 0.25)
    lookup_cities(con, m)
    return staged


def city_sql(spec: CitySpec, header: tuple[str, ...], params: Params) -> tuple[str, str, str]:
    """(join clause, city_id expression, raw city value expression)."""
    if spec.fixed is not None:
        params["fixed_city"] = spec.fixed
        return "", "$fixed_city::varchar", "$fixed_city::varchar"
    assert spec.column is not None
    raw = col(spec.column, header)
    return f"left join city_lookup cl on cl.key = lower({raw})", "cl.city_id", raw


def city_check_sql(a: str) -> tuple[str, str]:
    """For rows aliased `a` (with city_id and city_raw): the skip / skip_reason columns
    (a city the mapping says to skip) and the first WHEN clauses of the reason CASE."""
    other = f"{a}.city_id is null and {a}.city_raw is not null"
    skip = (
        f"coalesce({other} and $skip_other::boolean, false) as skip,"
        f" case when {other} and $skip_other::boolean then 'not a PSP city' end as skip_reason"
    )
    reasons = f"when {a}.city_id is null and {a}.city_raw is null then 'missing city' when {other} then 'unknown city'"
    return skip, reasons


def has_time(fmt: str) -> bool:
    return any(token in fmt for token in ("%H", "%I", "%X", "%T", "%c"))


def date_sql(spec: DateSpec, header: tuple[str, ...], params: Params, name: str) -> tuple[str, str, str]:
    """(timestamp expression in the city's local time, time_known expression, raw text).

    Needs the city's time zone as `ci.timezone` in scope.
    """
    raw = col(spec.column, header)
    params[f"{name}_fmt"] = spec.format
    parsed = f"try_strptime({raw}, ${name}_fmt)"
    aware = "%z" in spec.format or "%Z" in spec.format
    if spec.time_column and spec.time_format:
        params[f"{name}_tfmt"] = spec.time_format
        t = f"try_strptime({col(spec.time_column, header)}, ${name}_tfmt)"
        day = f"timezone(ci.timezone, {parsed})::date" if aware else f"{parsed}::date"
        value = f"case when {t} is not null then {day} + {t}::time else {day}::timestamp end"
        known = f"({t} is not null)"
        return value, known, raw
    known = "true" if has_time(spec.format) else "false"
    if aware:
        return f"timezone(ci.timezone, {parsed})", known, raw
    if spec.timezone.lower() == "local":
        return parsed, known, raw
    params[f"{name}_tz"] = spec.timezone
    return f"timezone(ci.timezone, timezone(${name}_tz, {parsed}))", known, raw


def date_bounds(params: Params) -> None:
    """Dates before 1900 or more than two days ahead are out of range."""
    params["min_date"] = FIRST_DATE
    params["max_date"] = datetime.now() + timedelta(days=2)


def tally(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> dict[str, int]:
    """label -> count from a two-column query."""
    return {str(k): int(n) for k, n in con.execute(sql, params or []).fetchall()}


def mark_already_quarantined(con: duckdb.DuckDBPyConnection, source: str) -> None:
    """A rejected row already in quarantine for this source is a duplicate, not a new entry."""
    con.execute(
        "update parsed set dup = 'quarantined before' where reason is not null and not skip and exists"
        " (select 1 from quarantine q where q.source = ? and q.raw = parsed.raw and q.reason = parsed.reason"
        " and not q.kept)",
        [source],
    )


def write_quarantine(con: duckdb.DuckDBPyConnection, source: str, import_id: int) -> dict[str, int]:
    """Insert the newly rejected rows (those not quarantined before: they count as
    duplicates); return "reason (column)" -> count."""
    mark_already_quarantined(con, source)
    con.execute(
        "insert into quarantine (import_id, source, line, reason, raw, field, kept, city_id, month)"
        " select ?, ?, line, reason, raw, field, false, city_id, q_month from parsed"
        " where reason is not null and not skip and dup is null order by line",
        [import_id, source],
    )
    return tally(
        con,
        "select reason || coalesce(' (' || field || ')', ''), count(*) from parsed"
        " where reason is not null and not skip and dup is null group by 1",
    )


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, dict[str, int]]:
    """(quarantined, duplicates, skipped, skip reasons) from `parsed`."""
    row = con.execute(
        "select count(*) filter (where reason is not null and not skip and dup is null),"
        " count(*) filter (where dup is not null and not skip),"
        " count(*) filter (where skip) from parsed"
    ).fetchone()
    assert row is not None
    skips = tally(con, "select skip_reason, count(*) from parsed where skip group by 1")
    return int(row[0]), int(row[1]), int(row[2]), skips
