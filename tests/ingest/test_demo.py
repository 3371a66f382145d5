"""The demo generator: deterministic, realistic volumes, seasonality, trends, hot spots."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from harness.stores import build_demo_store
from ingest.demo.build import build_demo
from ingest.demo.profile import load_profile, monthly_plan
from ingest.errors import MixedDataError
from ingest.registry import load_cities
from ingest.store import write_store
from tests.fixtures.stores import build_monthly_store
from tests.ingest.helpers import query


@pytest.fixture(scope="module")
def plan() -> pd.DataFrame:
    """The full-scale plan (counts only, no rows): cheap, and what the rows are drawn from."""
    frame = monthly_plan(load_profile(), load_cities(), scale=1.0, seed=42)
    frame["year"] = frame["month"].dt.year
    return frame


VIOLENT = ("09A", "11A", "120", "13A")


def test_volumes_are_at_the_real_order_of_magnitude(plan: pd.DataFrame) -> None:
    y2019 = plan[(plan.year == 2019) & plan.nibrs_code.isin(VIOLENT)].groupby("city_id")["n"].sum()
    # Houston's RTCI 2019 violent crime total was 25,628; Springfield IL's 889.
    assert 22_000 < y2019["houston_tx"] < 29_000
    assert 700 < y2019["springfield_il"] < 1_100
    murders = plan[(plan.year == 2019) & (plan.nibrs_code == "09A")].groupby("city_id")["n"].sum()
    assert 230 < murders["houston_tx"] < 340  # RTCI 2019: 281
    total = plan[plan.year == 2019]["n"].sum()
    assert 350_000 < total < 600_000  # all offenses, 12 cities, one year


def test_assault_peaks_in_summer_in_every_city(plan: pd.DataFrame) -> None:
    aa = plan[plan.nibrs_code == "13A"].assign(m=lambda f: f.month.dt.month)
    by = aa.groupby(["city_id", "m"])["n"].sum().unstack()
    assert (by[7] > by[2]).all(), by[[2, 7]]


def test_national_homicide_rise_2020_21_and_decline_2023_24(plan: pd.DataFrame) -> None:
    murders = plan[plan.nibrs_code == "09A"].groupby("year")["n"].sum()
    assert murders[2021] > 1.2 * murders[2019]
    assert murders[2020] > 1.15 * murders[2019]
    assert murders[2024] < 0.85 * murders[2022]


def test_some_cities_improve_and_some_do_not(plan: pd.DataFrame) -> None:
    v = plan[plan.nibrs_code.isin(VIOLENT)].groupby(["city_id", "year"])["n"].sum().unstack()
    change = v[2025] / v[2018]
    assert (change < 0.85).sum() >= 3, change
    assert (change > 1.0).sum() >= 2, change


def test_motor_vehicle_theft_surge_2023(plan: pd.DataFrame) -> None:
    mvt = plan[plan.nibrs_code == "240"].groupby("year")["n"].sum()
    assert mvt[2023] > 1.4 * mvt[2019]


def test_same_seed_same_rows_other_seed_other_rows(tmp_path: Path) -> None:
    def digest(path: Path) -> tuple[object, ...]:
        ((n, total),) = query(
            path,
            "select count(*), sum(hash(incident_id, occurred_at, nibrs_code, lat, lon, district, firearm))"
            " from incidents",
        )
        return n, total

    a = digest(build_demo_store(tmp_path / "a.duckdb", scale=0.01, seed=3))
    b = digest(build_demo_store(tmp_path / "b.duckdb", scale=0.01, seed=3))
    c = digest(build_demo_store(tmp_path / "c.duckdb", scale=0.01, seed=4))
    assert a == b
    assert a != c


def test_rows_match_the_plan(demo: duckdb.DuckDBPyConnection) -> None:
    plan = monthly_plan(load_profile(), load_cities(), scale=0.02, seed=7)
    n = demo.execute("select count(*) from incidents").fetchone()
    assert n is not None and n[0] == plan["n"].sum()


def test_hot_spots_concentrate_offenses(demo: duckdb.DuckDBPyConnection) -> None:
    # In each city the busiest 10% of occupied H3 cells hold far more than 10% of offenses.
    share = demo.execute(
        """
        with cells as (select city_id, h3_r9, count(*) n from incidents group by all),
        ranked as (select *, percent_rank() over (partition by city_id order by n desc) pr from cells)
        select city_id, sum(n) filter (where pr < 0.1) / sum(n) as top_share from ranked group by 1
        """
    ).df()
    assert (share["top_share"] > 0.3).all(), share


def test_firearm_share_of_violent_crime_is_realistic(demo: duckdb.DuckDBPyConnection) -> None:
    row = demo.execute("select avg(firearm::int) from incidents where offense_group = 'violent'").fetchone()
    assert row is not None and 0.25 < row[0] < 0.5
    murder = demo.execute("select avg(firearm::int) from incidents where nibrs_code = '09A'").fetchone()
    assert murder is not None and 0.65 < murder[0] < 0.9


def test_weekend_nights_are_busier_for_violence(demo: duckdb.DuckDBPyConnection) -> None:
    by = dict(
        demo.execute(
            "select dayofweek(occurred_at), count(*) from incidents where offense_group = 'violent' group by 1"
        ).fetchall()
    )
    assert by[6] > by[2] and by[0] > by[2]  # Saturday and Sunday above Tuesday
    hours = dict(
        demo.execute(
            "select hour(occurred_at), count(*) from incidents where offense_group = 'violent' group by 1"
        ).fetchall()
    )
    assert hours[22] > 2 * hours[7]


def test_every_city_has_districts_with_polygons(demo: duckdb.DuckDBPyConnection) -> None:
    rows = demo.execute("select city_id, count(*) from districts where source = 'demo' group by 1").fetchall()
    assert len(rows) == 12 and all(n >= 5 for _, n in rows)
    unknown = demo.execute(
        "select count(*) from incidents i where not exists (select 1 from districts d"
        " where d.city_id = i.city_id and d.district = i.district)"
    ).fetchone()
    assert unknown == (0,)


def test_demo_refuses_to_mix_with_real_data(tmp_path: Path) -> None:
    path = tmp_path / "real.duckdb"
    build_monthly_store(path, [("memphis_tn", "2019-01-01", "murder", 15, "rtci")])
    with pytest.raises(MixedDataError, match="never mixed"), write_store(path) as con:
        build_demo(con, scale=0.01)
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("select count(*) from incidents").fetchone() == (0,)


def test_every_demo_offense_lies_inside_its_city_polygon(demo: duckdb.DuckDBPyConnection) -> None:
    """Checked against the bundled Census file itself, not against what the demo stored."""
    import json

    import shapely

    from ingest.demo.profile import BOUNDARIES

    polygons = {
        f["properties"]["GEOID"]: shapely.geometry.shape(f["geometry"])
        for f in json.loads(BOUNDARIES.read_text())["features"]
    }
    cities = {c.city_id: c.census_geoid for c in load_cities()}
    checked = 0
    for city_id, geoid in cities.items():
        pts = demo.execute("select lon, lat from incidents where city_id = ?", [city_id]).fetchnumpy()
        inside = shapely.contains_xy(polygons[geoid], pts["lon"], pts["lat"])
        assert len(inside) > 0 and inside.all(), f"{city_id}: {int((~inside).sum())} offenses outside"
        checked += len(inside)
    total = demo.execute("select count(*) from incidents").fetchone()
    assert total == (checked,)


def test_demo_districts_are_clipped_to_the_city_and_tile_it(demo: duckdb.DuckDBPyConnection) -> None:
    import shapely

    for city_id, boundary in demo.execute("select city_id, geometry_wkt from city_boundaries").fetchall():
        city = shapely.from_wkt(boundary)
        parts = [
            shapely.from_wkt(w)
            for (w,) in demo.execute(
                "select geometry_wkt from districts where city_id = ?", [city_id]
            ).fetchall()
        ]
        union = shapely.union_all(parts)
        # nothing outside the city but slivers from rounding the WKT to 6 decimals (~0.1 m)
        assert union.difference(city).area < 1e-5 * city.area, city_id
        assert abs(union.area - city.area) < 1e-5 * city.area, city_id  # the districts cover it
        assert sum(p.area for p in parts) < city.area * (1 + 1e-5), city_id  # without overlaps


def test_demo_hot_spots_sit_inside_the_city(demo: duckdb.DuckDBPyConnection) -> None:
    """The busiest res-9 cell of each city has its centre inside the city limits."""
    import h3.api.numpy_int as h3
    import shapely

    rows = demo.execute(
        "select b.city_id, any_value(b.geometry_wkt), arg_max(c.h3_r9, c.n) from city_boundaries b"
        " join (select city_id, h3_r9, count(*) n from incidents group by all) c using (city_id) group by 1"
    ).fetchall()
    assert len(rows) == 12
    for city_id, wkt, cell in rows:
        lat, lon = h3.cell_to_latlng(int(cell))
        assert shapely.from_wkt(wkt).contains(shapely.Point(lon, lat)), city_id


def test_bundled_boundaries_are_the_census_file(shared_data: Path) -> None:
    """data/public/geography holds a byte-identical copy of the Census file in ../shared."""
    from ingest.demo.profile import BOUNDARIES

    original = shared_data / "raw" / "geography" / "psp_city_boundaries_cb2015.geojson"
    assert BOUNDARIES.read_bytes() == original.read_bytes()


def test_demo_chunks_pass_the_import_boundary_check() -> None:
    """A point outside the polygon fails the check the demo runs on every chunk (the
    importers' check), so the guarantee is not vacuous."""
    import numpy as np

    from ingest.boundaries import outside_boundary

    square = "POLYGON ((-90 35, -89.9 35, -89.9 35.1, -90 35.1, -90 35))"
    mask = outside_boundary(square, 0.0, 35.05, -89.95, np.array([-89.95, -89.85]), np.array([35.05, 35.05]))
    assert mask.tolist() == [False, True]
    grown = outside_boundary(square, 250.0, 35.05, -89.95, np.array([-89.898]), np.array([35.05]))
    assert grown.tolist() == [False]  # about 180 m east of the edge: inside the 250 m slack
