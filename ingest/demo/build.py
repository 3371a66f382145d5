"""Write the demo into the store: refuse a store with real data, replace the demo rows,
then city by city its boundary, districts and one chunk of offenses per year."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pyarrow as pa

from ingest.demo.offenses import expand_chunk
from ingest.demo.places import CityGeometry, city_geometry, load_boundaries
from ingest.demo.profile import FIRST_YEAR, LAST_YEAR, SOURCE, load_profile, monthly_plan
from ingest.errors import MixedDataError
from ingest.registry import City, load_cities
from ingest.rollups import rebuild_rollups
from ingest.store import finish_import, set_info, start_import
from kernel.sql import ident
from kernel.store import real_sources

# The tables whose demo rows a new build replaces.
DEMO_TABLES = ("incidents", "daily_counts", "monthly_counts", "districts", "city_boundaries", "quarantine")


@dataclass(frozen=True)
class DemoResult:
    """What a demo build wrote."""

    rows: int
    seconds: float
    scale: float
    seed: int


def _refuse_mixing(con: duckdb.DuckDBPyConnection) -> None:
    """Demo rows never go into a store holding real data."""
    real = real_sources(con)
    if real:
        raise MixedDataError(
            f"This store holds real data ({', '.join(real)}); demo rows are never mixed with real "
            "ones. Build the demo in another store: PSP_DB=data/demo.duckdb python -m ingest demo"
        )


def _write_places(con: duckdb.DuckDBPyConnection, city: City, geom: CityGeometry) -> None:
    """The city's boundary and demo districts."""
    con.execute(
        "insert into city_boundaries (city_id, source, geometry_wkt) values (?, ?, ?)",
        [city.city_id, SOURCE, geom.boundary_wkt],
    )
    con.executemany(
        "insert into districts values (?, ?, 'demo', ?, ?)",
        [
            [city.city_id, name, SOURCE, wkt]
            for name, wkt in zip(geom.district_names, geom.district_wkt, strict=True)
        ],
    )


def _write_chunk(
    con: duckdb.DuckDBPyConnection, city: City, chunk: pa.Table, import_id: int, next_id: int
) -> None:
    """One city-year of offenses (expand_chunk) into incidents, numbered from next_id."""
    con.register("demo_chunk", chunk)
    con.execute(
        """
        insert into incidents by name
        select c.incident_id, ? as city_id, c.occurred_at, c.reported_at, c.nibrs_code,
               o.name as offense, c.nibrs_code as local_offense, o.part1_offense,
               o.offense_group, o.crime_against, c.firearm, c.lat, c.lon, c.h3_r9,
               c.district, ? as source,
               'DEMO-' || upper(?) || '-' || c.incident_id as source_id,
               ? as import_id
        from (select *, ? + row_number() over () - 1 as incident_id from demo_chunk) c
        join offenses o using (nibrs_code)
        """,
        [city.city_id, SOURCE, city.state, import_id, next_id],
    )
    con.unregister("demo_chunk")


def _record_build(con: duckdb.DuckDBPyConnection, scale: float, seed: int) -> None:
    """store_info: the store holds the demo, and how it was built."""
    for key, value in {
        "dataset": "demo",
        "demo_scale": str(scale),
        "demo_seed": str(seed),
        "demo_built_at": datetime.now().isoformat(timespec="seconds"),
        "demo_period": f"{date(FIRST_YEAR, 1, 1)} to {date(LAST_YEAR, 12, 31)}",
    }.items():
        set_info(con, key, value)


def build_demo(
    con: duckdb.DuckDBPyConnection,
    scale: float = 1.0,
    seed: int = 42,
    progress: Callable[[int, int, str], None] | None = None,
) -> DemoResult:
    """Replace the store's demo rows with a fresh demo dataset (inside the caller's
    write transaction). `progress(done, total, label)` is called after each chunk."""
    if not scale > 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()
    _refuse_mixing(con)
    profile = load_profile()
    cities = load_cities()
    missing = {c.city_id for c in cities} - set(profile.anchors)
    if missing:
        raise ValueError(f"demo profile has no anchors for {sorted(missing)}")
    for table in DEMO_TABLES:
        con.execute(f"delete from {ident(table, DEMO_TABLES)} where source = ?", [SOURCE])  # noqa: S608
    import_id = start_import(con, SOURCE, "demo", f"generated: scale={scale} seed={seed}")
    plan = monthly_plan(profile, cities, scale, seed)
    total_chunks = len(cities) * (LAST_YEAR - FIRST_YEAR + 1)
    next_id = 1
    done = 0
    boundaries = load_boundaries()
    for ci, city in enumerate(cities):
        geom = city_geometry(city, seed, ci, boundaries[city.census_geoid])
        _write_places(con, city, geom)
        city_plan = plan[plan["city_id"] == city.city_id]
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            part = city_plan[city_plan["month"].dt.year == year]
            chunk = expand_chunk(part, city, geom, year, profile, seed, ci)
            _write_chunk(con, city, chunk, import_id, next_id)
            next_id += chunk.num_rows
            done += 1
            if progress:
                progress(done, total_chunks, f"{city.name} {year}")
    rows = next_id - 1
    rebuild_rollups(con, sources=[SOURCE])
    finish_import(con, import_id, rows_read=rows, rows_accepted=rows, note="synthetic demo data")
    _record_build(con, scale, seed)
    return DemoResult(rows=rows, seconds=time.perf_counter() - started, scale=scale, seed=seed)
