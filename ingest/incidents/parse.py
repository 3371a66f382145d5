"""Step 2 of an incident import: the staged text -> temp table `parsed` (typed values,
NIBRS codes from the crosswalk, and the first failing check as the quarantine reason).

The statement is parsed.sql; this module fills its placeholders with SQL expressions
over the file's columns (quoted by kernel.sql.ident, the file's header being the
allow-list) and binds every value as a named parameter.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.errors import MappingError
from ingest.mapping.load import Mapping
from ingest.rowchecks import Params, city_check_sql, city_sql, col, date_bounds, date_sql, run
from ingest.staging import LINE, RAW, STAGE, cleaned_columns

PARSED_SQL = (Path(__file__).parent / "parsed.sql").read_text()
NULL_TEXT = "null::varchar"


def crosswalk_table(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """Temp table xwalk(key, nibrs_code, firearm); every code must be a NIBRS code."""
    con.execute(
        "create or replace temp table xwalk (key varchar primary key, nibrs_code varchar, firearm boolean)"
    )
    rows = [[k, e.nibrs_code, e.firearm] for k, e in m.offense.crosswalk.items()]
    if rows:
        con.executemany("insert into xwalk values (?, ?, ?)", rows)
    bad = con.execute(
        "select key, nibrs_code from xwalk where nibrs_code is not null"
        " and nibrs_code not in (select nibrs_code from offenses) order by key limit 3"
    ).fetchall()
    if m.offense.fixed:
        known = con.execute(
            "select count(*) from offenses where nibrs_code = ?", [m.offense.fixed]
        ).fetchone()
        if not known or not known[0]:
            bad.append(("fixed", m.offense.fixed))
    if bad:
        shown = ", ".join(f"{k!r} -> {v!r}" for k, v in bad)
        raise MappingError(
            f"{m.path}: [offense] crosswalk: not NIBRS codes (data/nibrs_offenses.csv): {shown}"
        )


def is_wgs84(crs: str) -> bool:
    """Coordinates already in longitude/latitude (no reprojection)."""
    return crs.upper() in ("EPSG:4326", "WGS84", "OGC:CRS84")


def _dates(m: Mapping, header: tuple[str, ...], p: Params) -> dict[str, str]:
    """The occurrence and report date expressions (in the city's local time)."""
    assert m.occurred is not None
    occ, occ_known, occ_raw = date_sql(m.occurred, header, p, "occ")
    if m.reported is not None:
        rep, _, rep_raw = date_sql(m.reported, header, p, "rep")
    else:
        rep, rep_raw = "null::timestamp", NULL_TEXT
    return {"occ": occ, "occ_known": occ_known, "occ_raw": occ_raw, "rep": rep, "rep_raw": rep_raw}


def _offense(m: Mapping, header: tuple[str, ...], p: Params) -> dict[str, str]:
    """The local code and description, and the key the crosswalk is matched on."""
    o = m.offense
    code = col(o.code, header) if o.code else NULL_TEXT
    desc = col(o.description, header) if o.description else NULL_TEXT
    p["fixed_code"] = o.fixed
    p["codes_are_nibrs"] = o.codes_are_nibrs
    key = f"upper({code})" if o.match == "code" else f"upper({desc})"
    return {"code": code, "desc": desc, "key": key}


def _location(m: Mapping, header: tuple[str, ...], p: Params) -> dict[str, str]:
    """Coordinates, ZIP and the district column (with its pattern, when given)."""
    loc, d = m.location, m.district
    p["zip_prefixes"] = list(loc.zip_prefixes)
    district = NULL_TEXT
    if d.column:
        district = col(d.column, header)
        if d.pattern:
            try:
                re.compile(d.pattern)
            except re.error as exc:
                raise MappingError(f"{m.path}: [district] pattern: {exc}") from None
            p["district_pattern"] = d.pattern
            district = f"nullif(regexp_extract({district}, $district_pattern, 1), '')"
    return {
        "x_raw": col(loc.x, header) if loc.x else NULL_TEXT,
        "y_raw": col(loc.y, header) if loc.y else NULL_TEXT,
        "zip_raw": col(loc.zip, header) if loc.zip else NULL_TEXT,
        "district": district,
    }


def _city(m: Mapping, header: tuple[str, ...], p: Params) -> dict[str, str]:
    """The city of each record (look-up join, id, raw value) and its skip / reason clauses."""
    city_join, city_id, city_raw = city_sql(m.city, header, p)
    skip_cols, city_reasons = city_check_sql("t")
    return {
        "city_join": city_join,
        "city_id": city_id,
        "city_raw": city_raw,
        "skip_cols": skip_cols,
        "city_reasons": city_reasons,
    }


def _record_id(m: Mapping, header: tuple[str, ...], p: Params) -> dict[str, str]:
    """The id of each record: the mapping's id column(s), else the md5 of the record as
    JSON (then the JSON is staged too, as `md5_raw`)."""
    if m.id.columns:
        id_cols = [col(c, header) for c in m.id.columns]
        p["id_field"] = m.id.columns[0]
        return {
            "id_value": f"concat_ws('|', {', '.join(id_cols)})",
            "id_missing": " or ".join(f"{c} is null" for c in id_cols),
            "md5_raw": "",
        }
    p["id_field"] = None
    return {
        "id_value": f"'md5:' || md5(s.{RAW})",
        "id_missing": "false",
        "md5_raw": f", to_json(r)::varchar as {RAW}",
    }


def _field_params(m: Mapping, p: Params) -> None:
    """The column each quarantine reason names, and the row-level switches."""
    assert m.occurred is not None
    loc = m.location
    p["occ_field"], p["rep_field"] = m.occurred.column, m.reported.column if m.reported else None
    p["city_field"] = m.city.column
    p["x_field"], p["zip_field"] = loc.x, loc.zip
    p["date_basis"] = m.date_basis
    p["skip_other"] = m.city.other == "skip"
    p["nulls"] = list(m.csv.null)
    p["per_offense"] = m.id.per == "offense"
    p["wgs84"] = is_wgs84(loc.crs)


def parse(con: duckdb.DuckDBPyConnection, m: Mapping, header: tuple[str, ...]) -> None:
    """Build temp table `parsed` from `stage`: typed values and the first failing check."""
    p: Params = {"source": m.source}
    date_bounds(p)
    exprs = {
        **_city(m, header, p),
        **_dates(m, header, p),
        **_offense(m, header, p),
        **_location(m, header, p),
        **_record_id(m, header, p),
    }
    _field_params(m, p)
    sql = PARSED_SQL.format(
        columns=cleaned_columns(header, m.columns_used()), stage=STAGE, line=LINE, **exprs
    )
    run(con, sql, p)
