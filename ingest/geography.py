"""Polygons -> city_boundaries, districts or area_shapes, and districts for incidents by
spatial join.

GeoJSON is read with geopandas (pyogrio); WKT in a CSV column is read with DuckDB's
CSV reader and parsed by shapely in one vectorised call. Geometries are reprojected to
WGS84 and stored as WKT (6 decimals). A polygon that does not parse or is empty goes to
quarantine. Re-importing the same polygons adds nothing; a changed polygon replaces the
old one. After a districts import, the incidents of that city that have coordinates get
their district again from the city's preferred layer (ingest.districts.district_layers),
and the rollups of the touched sources are rebuilt.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from ingest.districts import district_layers, spatial_districts
from ingest.errors import ImportFailed, MappingError
from ingest.mapping.load import Mapping
from ingest.outcome import Outcome, Step
from ingest.rollups import rebuild_rollups
from ingest.rowchecks import counts, lookup_cities, write_quarantine
from ingest.staging import LINE, RAW, stage_csv


def _read_geojson(file: Path, m: Mapping) -> pd.DataFrame:
    """Columns: line (feature number + 1), raw (properties as JSON), the properties, geometry (WKT)."""
    try:
        frame = gpd.read_file(file)
    except Exception as exc:  # pyogrio raises its own error types for unreadable files
        raise ImportFailed(f"not a readable GeoJSON file: {exc}", file) from None
    assert m.geography is not None
    if frame.crs is None:
        frame = frame.set_crs(m.geography.crs)
    try:
        frame = frame.to_crs("EPSG:4326")
    except Exception as exc:
        raise MappingError(f"{m.path}: [geography] crs: cannot reproject: {exc}") from None
    props = frame.drop(columns="geometry")
    out = pd.DataFrame(
        {
            LINE: np.arange(2, len(frame) + 2, dtype="int64"),
            RAW: [json.dumps(r, default=str) for r in props.to_dict(orient="records")],
        }
    )
    for column in props.columns:
        out[column] = props[column].astype("string").str.strip()
    geoms = frame.geometry.to_numpy()
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    out["__wkt"] = np.where(valid, shapely.to_wkt(geoms, rounding_precision=6, trim=True), None)
    return out


def _read_wkt_csv(con: duckdb.DuckDBPyConnection, file: Path, m: Mapping) -> pd.DataFrame:
    assert m.geography is not None and m.geography.geometry
    staged = stage_csv(con, file, m.csv, m.columns_used())
    frame = con.execute("select * from stage order by __line").df()
    geom_col = m.geography.geometry
    texts = frame[geom_col].to_numpy(dtype=object)
    geoms = shapely.from_wkt(texts, on_invalid="ignore")
    valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if m.geography.crs.upper() not in ("EPSG:4326", "WGS84"):
        series = gpd.GeoSeries(geoms, crs=m.geography.crs).to_crs("EPSG:4326")
        geoms = series.to_numpy()
    frame["__wkt"] = np.where(valid, shapely.to_wkt(geoms, rounding_precision=6, trim=True), None)
    frame[RAW] = [
        json.dumps({k: v for k, v in r.items() if k != geom_col and not str(k).startswith("__")}, default=str)
        for r in frame.to_dict(orient="records")
    ]
    assert staged.columns
    return frame


def _parse(con: duckdb.DuckDBPyConnection, m: Mapping, frame: pd.DataFrame) -> None:
    """Temp table `parsed`: each polygon's city, name and WKT, the first failing check, and
    polygons repeated in the file."""
    g = m.geography
    assert g is not None
    table = pa.table(
        {
            "line": pa.array(frame[LINE].to_numpy(dtype="int64")),
            "raw": pa.array(frame[RAW].tolist(), pa.string()),
            "city_raw": pa.array(
                frame[m.city.column].tolist() if m.city.column else [m.city.fixed] * len(frame), pa.string()
            ),
            "name": pa.array(frame[g.name].tolist() if g.name else [None] * len(frame), pa.string()),
            "wkt": pa.array(frame["__wkt"].tolist(), pa.string()),
        }
    )
    con.register("geo_in", table)
    city_expr = "cl.city_id" if m.city.column else "(select city_id from cities where city_id = g.city_raw)"
    join = "left join city_lookup cl on cl.key = lower(g.city_raw)" if m.city.column else ""
    con.execute(
        f"""
        create or replace temp table parsed as
        select g.line, g.raw, g.city_raw, {city_expr} as city_id, g.name, g.wkt, null::varchar as dup,
               null::varchar as field, null::date as q_month,
               coalesce({city_expr} is null and g.city_raw is not null and ?, false) as skip,
               case when {city_expr} is null and g.city_raw is not null and ? then 'not a PSP city' end
                   as skip_reason,
               case when g.city_raw is null then 'missing city'
                    when {city_expr} is null then 'unknown city'
                    when g.wkt is null then 'bad geometry'
                    when ? and g.name is null then 'missing name'
               end as reason
        from geo_in g {join}
        """,  # noqa: S608 - fixed SQL fragments chosen above
        [m.city.other == "skip", m.city.other == "skip", g.target != "city_boundaries"],
    )
    con.unregister("geo_in")
    con.execute(
        "update parsed set field = case reason when 'bad geometry' then ? when 'missing name' then ?"
        " else ? end where reason is not null",
        [g.geometry or "geometry", g.name, m.city.column],
    )
    key = "city_id" if g.target == "city_boundaries" else "city_id, name"
    con.execute(
        f"""
        update parsed set dup = 'repeated in file' where line in (
            select line from (select line, row_number() over (partition by {key} order by line) as rn
                              from parsed where reason is null and not skip) where rn > 1)
        """  # noqa: S608 - key is one of two fixed column lists
    )


def _write(con: duckdb.DuckDBPyConnection, m: Mapping) -> None:
    """Polygons already stored unchanged are duplicates; the others replace the stored ones."""
    g = m.geography
    assert g is not None
    if g.target == "city_boundaries":
        existing = "select city_id, geometry_wkt from city_boundaries where source = ?"
        match = "e.city_id = parsed.city_id"
    elif g.target == "districts":
        existing = "select city_id, district as name, geometry_wkt from districts where source = ?"
        match = "e.city_id = parsed.city_id and e.name = parsed.name"
    else:
        existing = "select city_id, area as name, geometry_wkt from area_shapes where source = ?"
        match = "e.city_id = parsed.city_id and e.name = parsed.name"
    con.execute(
        f"""
        update parsed set dup = 'already in store' where reason is null and not skip and dup is null
          and exists (select 1 from ({existing}) e where {match} and e.geometry_wkt = parsed.wkt)
        """,  # noqa: S608 - fixed SQL chosen above
        [m.source],
    )
    if g.target == "city_boundaries":
        con.execute(
            "insert or replace into city_boundaries (city_id, source, geometry_wkt)"
            " select city_id, ?, wkt from parsed where reason is null and not skip and dup is null",
            [m.source],
        )
    elif g.target == "districts":
        con.execute(
            "insert or replace into districts (city_id, district, kind, source, geometry_wkt)"
            " select city_id, name, ?, ?, wkt from parsed where reason is null and not skip and dup is null",
            [g.district_kind, m.source],
        )
    else:
        con.execute(
            "insert or replace into area_shapes (city_id, area_kind, area, source, geometry_wkt)"
            " select city_id, ?, name, ?, wkt from parsed where reason is null and not skip and dup is null",
            [g.area_kind, m.source],
        )


def load_geography(
    con: duckdb.DuckDBPyConnection, m: Mapping, file: Path, import_id: int, step: Step
) -> Outcome:
    """Polygons (GeoJSON or WKT in a CSV) -> city_boundaries, districts or area_shapes;
    new districts re-assign the incidents of their cities."""
    g = m.geography
    assert g is not None
    step("reading", 0.1)
    frame = _read_geojson(file, m) if m.format == "geojson" else _read_wkt_csv(con, file, m)
    needed = [c for c in (m.city.column, g.name) if c]
    for column in needed:
        if column not in frame.columns:
            raise ImportFailed(
                "the mapping names a property/column the file does not have", file, column=column
            )
    out = Outcome(rows_read=len(frame))
    lookup_cities(con, m)
    step("checking", 0.4)
    _parse(con, m, frame)
    out.quarantine_reasons = write_quarantine(con, m.source, import_id)
    step("writing", 0.6)
    _write(con, m)
    out.quarantined, out.duplicate, out.skipped, out.skip_reasons = counts(con)
    row = con.execute(
        "select count(*) from parsed where reason is null and not skip and dup is null"
    ).fetchone()
    out.accepted = int(row[0]) if row else 0
    out.written[g.target] = out.accepted
    if g.target == "districts" and out.accepted:
        step("districts of incidents", 0.8)
        out.notes += assign_city_districts(con, sorted(_touched_cities(con)))
    return out


def _touched_cities(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select distinct city_id from parsed where reason is null and not skip and dup is null"
    ).fetchall()
    return {r[0] for r in rows}


def assign_city_districts(con: duckdb.DuckDBPyConnection, city_ids: list[str]) -> list[str]:
    """Re-join the incidents of these cities (those with coordinates and no district
    column of their own) with each city's preferred layer; rebuild touched rollups."""
    layers = district_layers(con, city_ids, None)
    notes = []
    touched: set[str] = set()
    for city_id, layer in layers.items():
        pts = con.execute(
            "select incident_id, lon, lat from incidents where city_id = ? and lat is not null"
            " and (district_layer is not null or district is null) and source <> 'demo'",
            [city_id],
        ).fetchnumpy()
        if not len(pts["incident_id"]):
            continue
        names = spatial_districts(con, layer, city_id, pts["incident_id"], pts["lon"], pts["lat"])
        con.register(
            "joined",
            pa.table({"incident_id": pts["incident_id"], "district": pa.array(names.tolist(), pa.string())}),
        )
        con.execute(
            "update incidents set district = j.district, district_layer = ? from joined j"
            " where incidents.incident_id = j.incident_id",
            [layer],
        )
        con.unregister("joined")
        sources = con.execute(
            "select distinct source from incidents where city_id = ? and district_layer = ?", [city_id, layer]
        ).fetchall()
        touched |= {s[0] for s in sources}
        inside = int(sum(1 for n in names if n is not None))
        notes.append(
            f"{len(names):,} incidents of {city_id} joined to layer '{layer}': {inside:,} inside a district"
        )
    if touched:
        rebuild_rollups(con, sorted(touched))
    return notes
