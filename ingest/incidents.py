"""Incident files (one row per offense or per person) -> incidents, quarantine, rollups.

Steps, each one SQL statement over the whole file or one vectorised library call:
1. stage the CSV as text (ingest/staging.py);
2. parse: city, dates in the city's local time, local code -> NIBRS via the crosswalk,
   coordinates, ZIP, district column, id; the first failing check gives the row its
   quarantine reason;
3. locate: reproject (pyproj), drop points outside the city's bounding box or boundary
   polygon (shapely), assign districts by spatial join (shapely STRtree), H3 cells;
4. key and dedupe on (source, source_id), write incidents and quarantine, rebuild the
   rollups of the source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import h3.api.numpy_int as h3
import numpy as np
import pandas as pd
import pyarrow as pa
import pyproj
import shapely

from ingest.boundaries import city_polygons, outside_boundary
from ingest.errors import MappingError
from ingest.importer import Outcome
from ingest.mapping import Mapping
from ingest.rollups import rebuild_rollups
from ingest.rowchecks import (
    Params,
    begin,
    city_check_sql,
    city_sql,
    col,
    counts,
    date_bounds,
    date_sql,
    tally,
    write_quarantine,
)
from ingest.staging import LINE, RAW, STAGE, cleaned_columns, raw_json_sql

Step = Callable[[str, float], None]


def run(con: duckdb.DuckDBPyConnection, sql: str, params: Params) -> None:
    """Execute with only the named parameters the SQL uses (DuckDB rejects extras)."""
    used = set(re.findall(r"\$(\w+)", sql))
    con.execute(sql, {k: v for k, v in params.items() if k in used})


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


def parse(con: duckdb.DuckDBPyConnection, m: Mapping, header: tuple[str, ...]) -> None:
    """Build temp table `parsed` from `stage`: typed values and the first failing check."""
    p: Params = {"source": m.source}
    date_bounds(p)
    city_join, city_id, city_raw = city_sql(m.city, header, p)
    assert m.occurred is not None
    occ, occ_known, occ_raw = date_sql(m.occurred, header, p, "occ")
    if m.reported is not None:
        rep, _, rep_raw = date_sql(m.reported, header, p, "rep")
    else:
        rep, rep_raw = "null::timestamp", "null::varchar"
    o = m.offense
    code = col(o.code, header) if o.code else "null::varchar"
    desc = col(o.description, header) if o.description else "null::varchar"
    key = f"upper({code})" if o.match == "code" else f"upper({desc})"
    p["fixed_code"] = o.fixed
    p["codes_are_nibrs"] = o.codes_are_nibrs
    loc = m.location
    x_raw = col(loc.x, header) if loc.x else "null::varchar"
    y_raw = col(loc.y, header) if loc.y else "null::varchar"
    zip_raw = col(loc.zip, header) if loc.zip else "null::varchar"
    p["zip_prefixes"] = list(loc.zip_prefixes)
    d = m.district
    if d.column:
        district = col(d.column, header)
        if d.pattern:
            try:
                re.compile(d.pattern)
            except re.error as exc:
                raise MappingError(f"{m.path}: [district] pattern: {exc}") from None
            p["district_pattern"] = d.pattern
            district = f"nullif(regexp_extract({district}, $district_pattern, 1), '')"
    else:
        district = "null::varchar"
    md5_raw = ""  # the record as JSON, only where the id is its md5
    if m.id.columns:
        id_cols = [col(c, header) for c in m.id.columns]
        id_value = f"concat_ws('|', {', '.join(id_cols)})"
        id_missing = " or ".join(f"{c} is null" for c in id_cols)
        id_field = m.id.columns[0]
    else:
        id_value = f"'md5:' || md5(s.{RAW})"
        md5_raw = f", to_json(r)::varchar as {RAW}"
        id_missing = "false"
        id_field = None
    p["id_field"] = id_field
    p["occ_field"], p["rep_field"] = m.occurred.column, m.reported.column if m.reported else None
    p["city_field"] = m.city.column
    p["x_field"], p["zip_field"] = loc.x, loc.zip
    p["date_basis"] = m.date_basis
    p["skip_other"] = m.city.other == "skip"
    p["nulls"] = list(m.csv.null)
    p["per_offense"] = m.id.per == "offense"
    p["wgs84"] = is_wgs84(loc.crs)
    skip_cols, city_reasons = city_check_sql("t")
    sql = f"""
    create or replace temp table parsed as
    with s as (
        select {cleaned_columns(header, m.columns_used())}{md5_raw} from {STAGE} r
    ),
    base as (
        select s.{LINE} as line, null::varchar as raw, {city_id} as city_id, {city_raw} as city_raw,
               {code} as local_code, {desc} as local_desc, {key} as code_key,
               {occ_raw} as occ_raw, {rep_raw} as rep_raw,
               {x_raw} as x_raw, {y_raw} as y_raw, {zip_raw} as zip_raw,
               {district} as district, {id_value} as id_value, ({id_missing}) as id_missing,
               {occ} as occurred_at, {occ_known} as time_known, {rep} as reported_at
        from s {city_join}
        left join cities ci on ci.city_id = {city_id}
    ),
    typed as (
        select b.*,
               try_cast(b.x_raw as double) as x, try_cast(b.y_raw as double) as y,
               lpad(try_cast(try_cast(b.zip_raw as double) as integer)::varchar, 5, '0') as zip,
               case when $fixed_code::varchar is not null then $fixed_code::varchar
                    when xw.key is not null then xw.nibrs_code
                    when $codes_are_nibrs::boolean and b.code_key in (select nibrs_code from offenses) then b.code_key
               end as nibrs_code,
               case when $fixed_code::varchar is not null then 'mapped'
                    when xw.key is not null then case when xw.nibrs_code is null then 'not mapped' else 'mapped' end
                    when $codes_are_nibrs::boolean and b.code_key in (select nibrs_code from offenses) then 'mapped'
                    when b.code_key is null then 'missing'
                    else 'unknown'
               end as code_status,
               xw.firearm
        from base b
        left join xwalk xw on xw.key = b.code_key
    ),
    checked as (
        select t.*, $date_basis::varchar as date_basis,
               date_trunc('month', t.occurred_at)::date as q_month,
               {skip_cols},
               case {city_reasons}
                    when t.occ_raw is null then 'missing date'
                    when t.occurred_at is null then 'bad date'
                    when t.occurred_at < $min_date or t.occurred_at > $max_date then 'date out of range'
                    when t.rep_raw is not null and t.reported_at is null then 'bad date'
                    when t.id_missing then 'missing id'
                    when (t.x_raw is not null or t.y_raw is not null) and (t.x is null or t.y is null)
                        then 'bad coordinates'
                    when t.zip_raw is not null and t.zip is null then 'bad ZIP'
                    when t.zip is not null and len($zip_prefixes::varchar[]) > 0
                         and not list_bool_or([starts_with(t.zip, z) for z in $zip_prefixes::varchar[]])
                        then 'ZIP outside the city area'
               end as reason
        from typed t
    ),
    -- WGS84 coordinates are rounded to 6 decimals here (round_even: numpy's rounding, as
    -- locate() does for reprojected ones); (0, 0) means 'not geocoded'.
    placed as (
        select c.*,
               $wgs84::boolean and c.reason is null and not c.skip and c.x is not null and c.y is not null
               and not (c.x = 0 and c.y = 0) and isfinite(round_even(c.x, 6))
               and isfinite(round_even(c.y, 6)) as placed
        from checked c
    )
    select c.* exclude (placed),
           case when c.placed then round_even(c.y, 6) end as lat,
           case when c.placed then round_even(c.x, 6) end as lon,
           null::varchar as district_layer,
           c.id_value || case when $per_offense::boolean
               then '|' || coalesce(c.nibrs_code, c.code_key, upper(c.local_desc), '') else '' end as source_id,
           null::varchar as dup,
           case c.reason
               when 'missing city' then $city_field::varchar when 'unknown city' then $city_field::varchar
               when 'missing date' then $occ_field::varchar when 'date out of range' then $occ_field::varchar
               when 'bad date' then case when c.occurred_at is null then $occ_field::varchar else $rep_field::varchar end
               when 'missing id' then $id_field::varchar
               when 'bad coordinates' then $x_field::varchar
               when 'bad ZIP' then $zip_field::varchar when 'ZIP outside the city area' then $zip_field::varchar
           end as field
    from placed c
    """  # noqa: S608 - identifiers come from kernel.sql.ident (allow-list: the file's header)
    run(con, sql, p)


def is_wgs84(crs: str) -> bool:
    """Coordinates already in longitude/latitude (no reprojection)."""
    return crs.upper() in ("EPSG:4326", "WGS84", "OGC:CRS84")


def _set_columns(con: duckdb.DuckDBPyConnection, frame: pa.Table, sets: str) -> None:
    con.register("located", frame)
    con.execute(f"update parsed set {sets} from located l where parsed.line = l.line")  # noqa: S608 - fixed text
    con.unregister("located")


def locate(con: duckdb.DuckDBPyConnection, m: Mapping, step: Step) -> list[str]:
    """Coordinates to WGS84, bounding box and boundary checks, districts, H3. Returns notes."""
    notes: list[str] = []
    loc = m.location
    if loc.x is None:
        return notes
    zero = con.execute("select count(*) from parsed where reason is null and x = 0 and y = 0").fetchone()
    if zero and zero[0]:
        notes.append(
            f"{zero[0]:,} rows have coordinates (0, 0), read as 'not geocoded': kept without a location"
        )
    if not is_wgs84(loc.crs):  # WGS84 coordinates were placed by parse()
        _reproject(con, m, step)
    con.execute(
        """
        update parsed set reason = 'coordinates outside the city', field = ?
        from cities c
        where parsed.city_id = c.city_id and parsed.reason is null and parsed.lat is not null
          and not (parsed.lat between c.bbox_min_lat and c.bbox_max_lat
                   and parsed.lon between c.bbox_min_lon and c.bbox_max_lon)
        """,
        [loc.x],
    )
    _boundary_check(con, loc.x, loc.boundary_tolerance_m)
    step("districts", 0.6)
    notes += _assign_districts(con, m)
    return notes


def _reproject(con: duckdb.DuckDBPyConnection, m: Mapping, step: Step) -> None:
    """lat/lon of the rows in a projected CRS, rounded to 6 decimals (about 0.1 m)."""
    cols = con.execute(
        "select line, x, y from parsed where reason is null and not skip and x is not null and y is not null"
        " and not (x = 0 and y = 0) order by line"
    ).fetchnumpy()
    line, x, y = cols["line"], np.asarray(cols["x"], dtype=float), np.asarray(cols["y"], dtype=float)
    if not len(line):
        return
    step("reprojecting", 0.45)
    try:
        transformer = pyproj.Transformer.from_crs(m.location.crs, "EPSG:4326", always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise MappingError(f"{m.path}: [location] crs {m.location.crs!r}: {exc}") from None
    lon, lat = transformer.transform(x, y)
    lon, lat = np.round(np.asarray(lon), 6), np.round(np.asarray(lat), 6)
    finite = np.isfinite(lon) & np.isfinite(lat)
    _set_columns(
        con,
        pa.table({"line": line[finite], "lat": lat[finite], "lon": lon[finite]}),
        "lat = l.lat, lon = l.lon",
    )


def _boundary_check(con: duckdb.DuckDBPyConnection, field: str, tolerance_m: float) -> None:
    """Points inside the bounding box but outside the city polygon (plus a tolerance for
    rounded coordinates and generalised boundaries) are quarantined, where a boundary is
    loaded (ingest.boundaries: the check the demo runs too)."""
    cities = [
        r[0] for r in con.execute("select distinct city_id from parsed where lat is not null").fetchall()
    ]
    for city_id, (wkt, rep_lat, rep_lon) in city_polygons(con, cities).items():
        pts = con.execute(
            "select line, lon, lat from parsed where city_id = ? and reason is null and lat is not null",
            [city_id],
        ).fetchnumpy()
        outside = np.asarray(pts["line"])[
            outside_boundary(wkt, tolerance_m, rep_lat, rep_lon, pts["lon"], pts["lat"])
        ]
        if len(outside):
            con.execute(
                "update parsed set reason = 'coordinates outside the city boundary', field = ?"
                " where line in (select unnest(?::bigint[]))",
                [field, outside.tolist()],
            )


def district_layers(
    con: duckdb.DuckDBPyConnection, city_ids: list[str], wanted: str | None
) -> dict[str, str]:
    """city_id -> the districts.source to join against: the mapping's layer if given, else
    the city's police layer (kind 'precinct'/'division' first), then any other real layer."""
    rows = con.execute(
        """
        select city_id, source from (
            select city_id, source, row_number() over (
                partition by city_id
                order by (source = ?) desc, (kind in ('precinct', 'division', 'police district')) desc, source
            ) as rn
            from (select distinct city_id, source, kind from districts where source <> 'demo')
            where city_id in (select unnest(?::varchar[])) and (? is null or source = ?)
        ) where rn = 1
        """,
        [wanted, city_ids, wanted, wanted],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def spatial_districts(
    con: duckdb.DuckDBPyConnection,
    layer: str,
    city_id: str,
    lines: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
) -> np.ndarray:
    """District name for each point (None outside every polygon) by STRtree point-in-polygon."""
    polys = con.execute(
        "select district, geometry_wkt from districts where source = ? and city_id = ? order by district",
        [layer, city_id],
    ).fetchall()
    names = np.array([p[0] for p in polys] + [None], dtype=object)
    geoms = shapely.from_wkt([p[1] for p in polys])
    tree = shapely.STRtree(geoms)
    points = shapely.points(lon, lat)
    hit = np.full(len(points), len(polys), dtype=np.int64)
    pairs = tree.query(points, predicate="intersects")
    # A point on a shared edge matches two polygons: keep the first (alphabetical) one.
    order = np.lexsort((pairs[1], pairs[0]))[::-1]
    hit[pairs[0][order]] = pairs[1][order]
    result: np.ndarray = names[hit]
    return result


def _assign_districts(con: duckdb.DuckDBPyConnection, m: Mapping) -> list[str]:
    if m.district.column:
        return []
    cities = [
        r[0] for r in con.execute("select distinct city_id from parsed where lat is not null").fetchall()
    ]
    layers = district_layers(con, cities, m.district.layer)
    if m.district.layer and not layers:
        return [f"district layer {m.district.layer!r} is not in the store yet: import it, districts follow"]
    notes = []
    for city_id, layer in layers.items():
        pts = con.execute(
            "select line, lon, lat from parsed where city_id = ? and reason is null and lat is not null",
            [city_id],
        ).fetchnumpy()
        names = spatial_districts(con, layer, city_id, pts["line"], pts["lon"], pts["lat"])
        _set_columns(
            con,
            pa.table(
                {
                    "line": pts["line"],
                    "district": pa.array(names.tolist(), pa.string()),
                    "layer": pa.array([layer] * len(names), pa.string()),
                }
            ),
            "district = l.district, district_layer = l.layer",
        )
        notes.append(f"districts of {city_id} by spatial join with layer '{layer}'")
    return notes


WRITTEN = "reason is null and not skip and dup is null"


def h3_cells(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """H3 cell (resolution 9) of each point, computed once per distinct point.

    The h3 package has no vectorised call: one C call per point. Coordinates are rounded
    to 6 decimals (parse/locate), so records geocoded to the same block or address share
    one call: the points are keyed on their integer micro-degrees and factorised first.
    """
    if not len(lat):
        return np.zeros(0, dtype=np.uint64)
    key = (np.rint(lat * 1e6).astype(np.int64) + (1 << 27)) << 29 | (
        np.rint(lon * 1e6).astype(np.int64) + (1 << 28)
    )
    codes, uniques = pd.factorize(key, sort=False)
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)  # a row holding each distinct point
    cells = np.fromiter(
        (h3.latlng_to_cell(a, b, 9) for a, b in zip(lat[first].tolist(), lon[first].tolist(), strict=True)),
        dtype=np.uint64,
        count=len(first),
    )
    out: np.ndarray = cells[codes]
    return out


def located_points(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line, lat, lon) of the rows that passed every check and have a location (final
    once locate() has run: de-duplication decides ids, not cells)."""
    pts = con.execute(
        "select line, lat, lon from parsed where reason is null and lat is not null order by line"
    ).fetchnumpy()
    return (
        np.asarray(pts["line"]),
        np.asarray(pts["lat"], dtype=float),
        np.asarray(pts["lon"], dtype=float),
    )


def numbered_cells(
    con: duckdb.DuckDBPyConnection, cells: tuple[np.ndarray, np.ndarray] | None = None
) -> pa.Table:
    """One row per row of `parsed` (line): the incident_id of each row to write (the
    store's next ids, in file order) and the H3 cell (resolution 9) of each located one.
    `cells` = (line, cell) of the located rows when computed beforehand (load_incidents
    computes them in a worker thread while DuckDB de-duplicates). Numbering by a running
    sum over the rows in line order (nearly sorted already: a cheap stable sort of one
    integer array) spares the sort of every column that row_number() over (order by line)
    costs in SQL."""
    if cells is None:
        line_xy, lat, lon = located_points(con)
        cells = (line_xy, h3_cells(lat, lon))
    pts = con.execute(f"select line, {WRITTEN} as written from parsed").fetchnumpy()  # noqa: S608 - fixed text
    line = np.asarray(pts["line"])
    first = int(con.execute("select coalesce(max(incident_id), 0) from incidents").fetchall()[0][0])
    written = np.asarray(pts["written"], dtype=bool)
    order = np.argsort(line, kind="stable")
    ids = np.empty(len(line), dtype=np.int64)
    ids[order] = first + np.cumsum(written[order], dtype=np.int64)
    # Place each located row's cell at its position in `line` (lines are unique).
    cell_of = np.zeros(len(line), dtype=np.uint64)
    located = np.zeros(len(line), dtype=bool)
    if len(cells[0]):
        pos = order[np.searchsorted(line[order], cells[0])]
        cell_of[pos] = cells[1]
        located[pos] = True
    return pa.table(
        {
            "line": line,
            "incident_id": pa.array(ids, mask=~written),
            "h3_r9": pa.array(cell_of, mask=~located),
        }
    )


def key_and_dedupe(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """First row per key (source_id, from parse) wins; keys already stored are duplicates.
    Only keys seen more than once in the file are ranked (no window over the whole file)."""
    con.execute(
        """
        update parsed set dup = 'repeated in file' where line in (
            select line from (
                select line, row_number() over (partition by source_id order by line) as rn
                from parsed where reason is null and not skip and source_id in (
                    select source_id from parsed where reason is null and not skip
                    group by source_id having count(*) > 1)
            ) where rn > 1)
        """
    )
    con.execute(
        "update parsed set dup = 'already in store' where reason is null and not skip and dup is null"
        " and source_id in (select source_id from incidents where source = ?)",
        [m.source],
    )


def fill_raw(con: duckdb.DuckDBPyConnection) -> None:
    """parsed.raw (the record as JSON) for the rows quarantine will list: rejected rows and
    rows kept with an unknown or missing code. The others never need it."""
    need = "reason is not null or code_status in ('unknown', 'missing')"
    row = con.execute(f"select count(*) from parsed where {need}").fetchone()  # noqa: S608 - fixed text
    if not row or not row[0]:
        return
    con.execute(
        f"update parsed set raw = j.raw from ({raw_json_sql()}) j"  # noqa: S608 - fixed text
        f" where parsed.line = j.line and ({need})"
    )


def write(con: duckdb.DuckDBPyConnection, m: Mapping, import_id: int, cells: pa.Table) -> int:
    con.register("numbered_cells_arrow", cells)
    try:
        # A DuckDB table, not the Arrow one, on the build side of the join: a join with
        # the Arrow scan runs several times slower.
        con.execute(
            "create or replace temp table numbered_cells as"
            " select line, incident_id, h3_r9 from numbered_cells_arrow where incident_id is not null"
        )
    finally:
        con.unregister("numbered_cells_arrow")
    con.execute(
        """
        insert into incidents (incident_id, city_id, occurred_at, reported_at, nibrs_code, offense,
                               local_offense, part1_offense, offense_group, crime_against, firearm,
                               lat, lon, h3_r9, district, source, source_id, import_id, time_known,
                               date_basis, district_layer)
        select c.incident_id,
               p.city_id, p.occurred_at, coalesce(p.reported_at, case when p.date_basis = 'reported'
               then p.occurred_at end), p.nibrs_code, coalesce(o.name, p.local_desc, p.local_code),
               coalesce(p.local_code, p.local_desc), o.part1_offense, coalesce(o.offense_group, 'other'),
               o.crime_against, p.firearm, p.lat, p.lon, c.h3_r9, p.district, ?, p.source_id, ?,
               p.time_known, p.date_basis, p.district_layer
        from parsed p join numbered_cells c on c.line = p.line
        left join offenses o on o.nibrs_code = p.nibrs_code
        where p.reason is null and not p.skip and p.dup is null
        """,
        [m.source, import_id],
    )
    con.execute("drop table numbered_cells")
    # Unknown or missing codes are kept (above) AND listed for the user to fix the crosswalk.
    con.execute(
        """
        insert into quarantine (import_id, source, line, reason, raw, field, kept, city_id, month)
        select ?, ?, line, case code_status when 'missing' then 'no offense code' else 'unknown offense code' end,
               raw, ?, true, city_id, q_month
        from parsed
        where reason is null and not skip and dup is null and code_status in ('unknown', 'missing')
        order by line
        """,
        [import_id, m.source, m.offense.code or m.offense.description],
    )
    row = con.execute(f"select count(*) from parsed where {WRITTEN}").fetchone()  # noqa: S608 - fixed text
    return int(row[0]) if row else 0


def load_incidents(
    con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Step
) -> Outcome:
    staged = begin(con, m, file, step, clean=False)
    out = Outcome(rows_read=staged.rows)
    crosswalk_table(con, m)
    parse(con, m, staged.columns)
    out.notes += locate(con, m, step)
    step("checking duplicates", 0.7)
    # H3 cells in a worker thread while DuckDB de-duplicates and writes quarantine (DuckDB
    # releases the GIL while a statement runs): the two use the two cores at once.
    line_xy, lat, lon = located_points(con)
    with ThreadPoolExecutor(max_workers=1) as pool:
        cells = pool.submit(h3_cells, lat, lon)
        key_and_dedupe(con, m)
        fill_raw(con)
        out.quarantine_reasons = write_quarantine(con, m.source, import_id)
        step("H3 cells", 0.75)
        numbered = numbered_cells(con, (line_xy, cells.result()))
    step("writing", 0.8)
    out.accepted = write(con, m, import_id, numbered)
    out.quarantined, out.duplicate, out.skipped, out.skip_reasons = counts(con)
    out.unmapped = tally(
        con,
        "select coalesce(local_code, '(no code) ' || coalesce(local_desc, '?')), count(*) from parsed"
        " where reason is null and not skip and dup is null and nibrs_code is null group by 1",
    )
    out.written = {"incidents": out.accepted}
    out.notes += _notes(con, m)
    step("rollups", 0.9)
    rebuild_rollups(con, [m.source])
    return out


def _notes(con: duckdb.DuckDBPyConnection, m: Mapping) -> list[str]:
    stats: Any = con.execute(
        """
        select count(*) filter (where not time_known),
               count(*) filter (where lat is null),
               count(*) filter (where code_status in ('unknown', 'missing')),
               count(*)
        from parsed where reason is null and not skip and dup is null
        """
    ).fetchone()
    no_time, no_xy, unknown, total = (int(v) for v in stats)
    notes = []
    if m.date_basis == "reported":
        notes.append("occurred_at holds the REPORT date: the file has no offense date")
    if no_time and m.occurred and (m.occurred.time_column or m.date_basis == "occurred"):
        notes.append(f"{no_time:,} rows have a date but no usable time: kept with time_known = false")
    if no_xy and total and m.location.x:
        notes.append(f"{no_xy:,} of {total:,} accepted rows have no coordinates: kept, not on maps")
    if unknown:
        notes.append(
            f"{unknown:,} rows have an unknown or missing offense code: kept as unmapped (offense_group "
            "'other', nibrs_code NULL) and listed in quarantine with kept = true"
        )
    file_dups = con.execute("select count(*) from parsed where dup = 'repeated in file'").fetchone()
    if file_dups and file_dups[0] and m.id.per == "offense":
        notes.append(
            f"{file_dups[0]:,} rows repeat an id and offense already seen in the file (one row per "
            "victim or person at the source): one offense kept per id and NIBRS code"
        )
    return notes
