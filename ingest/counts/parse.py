"""Published counts, step 1: the staged file -> temp table `parsed` (one row per source
row: city, month, the values as numbers, the first failing check)."""

from __future__ import annotations

import duckdb

from ingest.mapping.load import Mapping
from ingest.rowchecks import Params, city_check_sql, city_sql, col, date_sql, run
from ingest.staging import LINE, RAW
from kernel.sql import ident

# The columns of `parsed` that a count row is keyed on (dedupe_lines).
PARSED_KEYS = frozenset({"city_id", "month", "category", "area"})


def _month_sql(m: Mapping, header: tuple[str, ...], p: Params) -> tuple[str, str]:
    """(month expression: first day of the month, raw text expression)."""
    c = m.counts
    if c.month is not None:
        value, _, raw = date_sql(c.month, header, p, "mon")
        return f"date_trunc('month', {value})::date", raw
    assert c.year_column and c.month_column
    p["month_fmt"] = "%Y-" + c.month_format
    year, month = col(c.year_column, header), col(c.month_column, header)
    raw = f"({year} || '-' || {month})"
    return f"try_strptime({raw}, $month_fmt)::date", raw


def _number(expr: str) -> str:
    """A count from text: thousands separators allowed, must be a whole number."""
    return f"try_cast(replace({expr}, ',', '') as double)"


def _value_exprs(m: Mapping, header: tuple[str, ...], p: Params) -> tuple[str, str, str]:
    """(raw values list, numeric values list, the layout's other columns) as SQL: one
    value per offense column (wide) or the one value column of a category row (long)."""
    c = m.counts
    if c.layout == "wide":
        offenses = list(c.columns)
        p["offenses"] = offenses
        p["value_fields"] = [c.columns[o] for o in offenses]
        raw_values = "[" + ", ".join(col(c.columns[o], header) for o in offenses) + "]"
        values = f"list_transform({raw_values}, lambda v: {_number('v')})"
        extra = (
            f"$offenses::varchar[] as names, {raw_values} as raw_values, {values} as nums,"
            " null::varchar as category, null::varchar as area, null::varchar as prev_raw,"
        )
    else:
        assert c.category and c.value
        p["value_fields"] = [c.value]
        raw_values = f"[{col(c.value, header)}]"
        values = f"[{_number(col(c.value, header))}]"
        area = col(c.area, header) if c.area else "null::varchar"
        prev = col(c.previous, header) if c.previous else "null::varchar"
        extra = (
            f"[lower({col(c.category, header)})] as names, {raw_values} as raw_values, {values} as nums,"
            f" lower({col(c.category, header)}) as category, {area} as area, {prev} as prev_raw,"
        )
    return raw_values, values, extra


def parse(con: duckdb.DuckDBPyConnection, m: Mapping, header: tuple[str, ...]) -> None:
    """Temp table `parsed` (one row per source row) and `cvals` (one row per value)."""
    c = m.counts
    p: Params = {"source": m.source}
    city_join, city_id, city_raw = city_sql(m.city, header, p)
    month, month_raw = _month_sql(m, header, p)
    p["skip_other"] = m.city.other == "skip"
    p["month_field"] = c.month.column if c.month else c.month_column
    p["city_field"] = m.city.column
    raw_values, values, extra = _value_exprs(m, header, p)
    p["keep_negative"] = c.negative == "keep"
    pop = col(c.population, header) if c.population else "null::varchar"
    flag = col(c.flag_column, header) if c.flag_column else "null::varchar"
    compare = col(c.duplicates.compare, header) if c.duplicates and c.duplicates.compare else "null::varchar"
    extra += f" {pop} as pop_raw, lower({flag}) as flag_raw, {_number(compare)} as compare_value,"
    skip_cols, city_reasons = city_check_sql("b")
    sql = f"""
    create or replace temp table parsed as
    with base as (
        select s.{LINE} as line, s.{RAW} as raw, {city_id} as city_id, {city_raw} as city_raw,
               {month} as month, {month_raw} as month_raw, {extra}
               list_position(list_transform(list_zip({raw_values}, {values}),
                   lambda z: z[1] is not null
                   and (z[2] is null or (z[2] < 0 and not $keep_negative) or z[2] <> floor(z[2]))), true) as bad_at
        from stage s {city_join}
        left join cities ci on ci.city_id = {city_id}
    )
    select b.*, null::varchar as dup, null::varchar as field, b.month as q_month,
           {skip_cols},
           case {city_reasons}
                when b.month_raw is null then 'missing date'
                when b.month is null then 'bad date'
                when b.month < date '1900-01-01' or b.month > current_date + interval 31 day
                    then 'date out of range'
                when b.bad_at > 0 and b.nums[b.bad_at] < 0 then 'negative count'
                when b.bad_at > 0 then 'bad count'
                when b.category is not null and b.raw_values[1] is null then 'missing count'
           end as reason
    from base b
    """  # noqa: S608 - identifiers come from kernel.sql.ident (allow-list: the file's header)
    run(con, sql, p)
    run(
        con,
        """
        update parsed set field = case
            when reason in ('missing city', 'unknown city') then $city_field::varchar
            when reason in ('missing date', 'bad date', 'date out of range') then $month_field::varchar
            else list_extract($value_fields::varchar[], greatest(coalesce(bad_at, 1), 1)) end
        where reason is not null
        """,
        p,
    )


def dedupe_lines(con: duckdb.DuckDBPyConnection, *key: str) -> None:
    """Rows of `parsed` repeating an earlier row's `key` columns are duplicates within the file."""
    columns = ", ".join(ident(c, PARSED_KEYS) for c in key)
    con.execute(
        f"""
        update parsed set dup = 'repeated in file' where line in (
            select line from (
                select line, row_number() over (partition by {columns} order by line) as rn
                from parsed where reason is null and not skip
            ) where rn > 1)
        """  # noqa: S608 - allow-listed column names
    )
