"""A city's districts: their polygons (from the store, via geopandas), what the map
frames when some are chosen, and offenses per district."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd

from analysis.geo.outlines import EQUAL_AREA_CRS, SIMPLIFY_DEGREES, Outline, feature_collection
from analysis.query import sqlfile
from analysis.query.filters import MONTH_CODES, CrimeFilter
from analysis.query.sqlfile import Fragment


@dataclass(frozen=True)
class DistrictShapes:
    """District polygons of one city: GeoJSON with a `district` property, label points,
    and per-district area in km2."""

    geojson: dict[str, Any]
    labels: pd.DataFrame  # district, lat, lon
    area_km2: dict[str, float]
    bounds: dict[str, tuple[float, float, float, float]]
    source: str
    kind: str


def district_shapes(con: duckdb.DuckDBPyConnection, city_id: str) -> DistrictShapes | None:
    """The city's district polygons from the source whose names best match the incident
    districts (ties: alphabetical), simplified; None when none are loaded."""
    rows = con.execute(sqlfile.render(__package__, "district_shapes.sql"), {"city": city_id}).df()
    if rows.empty:
        return None
    shapes = gpd.GeoSeries.from_wkt(rows["geometry_wkt"], crs="EPSG:4326")
    frame = gpd.GeoDataFrame({"district": rows["district"]}, geometry=shapes)
    areas = frame.to_crs(EQUAL_AREA_CRS).area / 1e6
    points_ = frame.representative_point()
    simple = frame.set_geometry(frame.simplify(SIMPLIFY_DEGREES, preserve_topology=True))
    bounds = {
        d: (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        for d, b in zip(frame["district"], frame.bounds.to_numpy(), strict=True)
    }
    return DistrictShapes(
        geojson=feature_collection(simple),
        labels=pd.DataFrame({"district": rows["district"], "lat": points_.y, "lon": points_.x}),
        area_km2=dict(zip(rows["district"], areas.astype(float), strict=True)),
        bounds=bounds,
        source=str(rows["source"].iloc[0]),
        kind=str(rows["kind"].iloc[0]),
    )


def counts_by_district(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Offenses per district for every district, whatever districts the filter picks
    (columns district, n; a null district = not recorded)."""
    where, params = replace(filt, districts=()).bind(MONTH_CODES)
    return con.execute(sqlfile.render(__package__, "district_counts.sql", where=Fragment(where)), params).df()


def view_bounds(
    outline: Outline, shapes: DistrictShapes | None, districts: tuple[str, ...] = ()
) -> tuple[float, float, float, float]:
    """What the map frames: the chosen districts when there are polygons, else the city."""
    if shapes is not None and districts:
        boxes = [shapes.bounds[d] for d in districts if d in shapes.bounds]
        if boxes:
            return (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
    return outline.bounds


def district_words(kind: str) -> str:
    """'precincts', 'council districts', 'demo districts' for a districts.kind."""
    if kind.endswith(("district", "precinct", "ward", "beat", "division", "zone")):
        return kind + "s"
    return f"{kind} districts"
