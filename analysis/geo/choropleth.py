"""Districts and small areas as a choropleth: one colour per polygon for its count or
its count per km², with the change from a year before in the tooltip.

Design decisions
- Two kinds of polygons, one picture. Police districts (the `districts` layer the Map
  already draws) are coloured by incident records, through the City profile's own
  per-district query (analysis.query.profile.district_changes), so the two pages never
  disagree. Small areas of published counts (area_counts, e.g. Houston's and Memphis's
  ZCTA files) are coloured by the publisher's own category once their polygons are
  loaded through a `geography` import with target = "areas" (table area_shapes).
- Published counts are never summed across categories: a category such as Houston's
  "theft" does not match the FBI's definitions (README), so the map shows one
  publisher category at a time, by its own name.
- The change is the badge every page shows (analysis.stats.exact.Change via the profile's
  change columns): the same words, the same judgement.
- Rate: per km² of the polygon (equal-area projection). Districts and ZCTAs have no
  population in the store, so no rate per resident is offered.
- Colours: up to five quantile classes of the polygons on the map, viridis light to dark
  as on the cell map; the legend says each class's range in words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.geo.districts import district_shapes, district_words
from analysis.geo.outlines import EQUAL_AREA_CRS, SIMPLIFY_DEGREES
from analysis.query import sqlfile
from analysis.query.profile import _change_columns, district_changes
from analysis.query.scope import Window, month_label
from kernel.months import add_months

Measure = Literal["count", "per_km2"]
MEASURES: dict[str, str] = {"count": "Offenses", "per_km2": "Offenses per km²"}
CLASS_QUANTILES = (0.2, 0.4, 0.6, 0.8)
AREA_MONTHS = 12  # published counts: the latest 12 months against the 12 before


@dataclass(frozen=True)
class AreaLayer:
    """One choropleth the store can draw for a city: police districts from incident
    records, or small areas of one publisher category."""

    key: str  # 'districts' or 'area:<kind>:<category>' (the URL value)
    label: str
    area_kind: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class AreaMap:
    """Polygons and their numbers.

    geojson: features with property `name`; labels: name, lat, lon; table: name,
    current, previous, change (badge words), judgement, direction, area_km2, per_km2.
    """

    geojson: dict[str, Any]
    labels: pd.DataFrame
    table: pd.DataFrame
    words: str  # 'demo districts', 'ZCTAs'
    source: str
    what: str  # what is counted, in words
    label: str  # the period counted
    prior_label: str
    prior_covered: bool
    unplaced: int = 0  # counted in areas that have no polygon

    def values(self, measure: Measure) -> pd.Series:
        return self.table["current" if measure == "count" else "per_km2"]


def _shapes(rows: pd.DataFrame) -> tuple[dict[str, Any], pd.DataFrame, dict[str, float]]:
    """(GeoJSON simplified for the browser, label points, km² per name) of name + WKT rows."""
    frame = gpd.GeoDataFrame(
        {"name": rows["name"]}, geometry=gpd.GeoSeries.from_wkt(rows["geometry_wkt"], crs="EPSG:4326")
    )
    areas = frame.to_crs(EQUAL_AREA_CRS).area / 1e6
    points = frame.representative_point()
    simple = frame.set_geometry(frame.simplify(SIMPLIFY_DEGREES, preserve_topology=True))
    geojson: dict[str, Any] = json.loads(simple.to_json(drop_id=True))
    labels = pd.DataFrame({"name": rows["name"], "lat": points.y, "lon": points.x})
    return geojson, labels, dict(zip(rows["name"], areas.astype(float), strict=True))


def _with_rates(table: pd.DataFrame, km2: dict[str, float]) -> pd.DataFrame:
    table = table.copy()
    table["area_km2"] = table["name"].map(km2).astype(float).round(2)
    table["per_km2"] = (table["current"] / table["area_km2"].where(table["area_km2"] > 0)).round(2)
    return table


def area_layers(con: duckdb.DuckDBPyConnection, city_id: str, has_districts: bool) -> list[AreaLayer]:
    """The choropleths a city can have: its districts (when it has incident records and
    district polygons) and every published category whose areas have polygons."""
    layers = [AreaLayer("districts", "Districts (incident records)")] if has_districts else []
    rows = con.execute(
        """
        select distinct c.area_kind, c.category, c.offense
        from area_counts c
        where c.city_id = ?
          and exists (select 1 from area_shapes s
                      where s.city_id = c.city_id and s.area_kind = c.area_kind and s.area = c.area)
        order by c.area_kind, c.category
        """,
        [city_id],
    ).fetchall()
    for kind, category, offense in rows:
        mapped = f", counted as {offense.replace('_', ' ')}" if offense else ""
        layers.append(
            AreaLayer(
                f"area:{kind}:{category}",
                f"{kind.upper()} areas: '{category}' (published counts{mapped})",
                kind,
                category,
            )
        )
    return layers


def district_map(con: duckdb.DuckDBPyConnection, city_id: str, filt: Any, window: Window) -> AreaMap | None:
    """The city's districts coloured by the filter's offenses in `window`, with the change
    from the same months a year before (None when no district polygons are loaded)."""
    shapes = district_shapes(con, city_id)
    if shapes is None:
        return None
    changes = district_changes(con, replace(filt, districts=()), window)
    names = [f["properties"]["district"] for f in shapes.geojson["features"]]
    table = pd.DataFrame({"name": names}).merge(
        changes.rename(columns={"district": "name"})[["name", "current", "previous"]], on="name", how="left"
    )
    table[["current", "previous"]] = table[["current", "previous"]].fillna(0).astype("int64")
    table = _change_columns(table, window)
    km2 = shapes.area_km2
    for feature in shapes.geojson["features"]:
        feature["properties"] = {"name": feature["properties"]["district"]}
    labels = shapes.labels.rename(columns={"district": "name"})
    unplaced = int(changes.loc[~changes["district"].isin(names), "current"].sum())
    return AreaMap(
        geojson=shapes.geojson,
        labels=labels,
        table=_with_rates(table, km2),
        words=district_words(shapes.kind),
        source=shapes.source,
        what="offenses",
        label=window.label,
        prior_label=window.prior_label,
        prior_covered=window.prior_covered,
        unplaced=unplaced,
    )


def area_map(con: duckdb.DuckDBPyConnection, city_id: str, area_kind: str, category: str) -> AreaMap | None:
    """Published counts of one category by small area: the latest AREA_MONTHS months
    against the AREA_MONTHS before (None when no polygons or no counts)."""
    span = con.execute(
        "select min(month), max(month), any_value(source) from area_counts"
        " where city_id = ? and area_kind = ? and category = ?",
        [city_id, area_kind, category],
    ).fetchone()
    shapes = con.execute(
        "select area as name, any_value(geometry_wkt order by source) as geometry_wkt,"
        " any_value(source order by source) as source from area_shapes"
        " where city_id = ? and area_kind = ? group by area order by area",
        [city_id, area_kind],
    ).df()
    if not span or span[1] is None or shapes.empty:
        return None
    first, last = span[0], span[1]
    start = add_months(last, 1 - AREA_MONTHS)
    prior_start, prior_end = add_months(start, -AREA_MONTHS), add_months(start, -1)
    counts = con.execute(
        sqlfile.render(__package__, "area_counts.sql"),
        {
            "city": city_id,
            "kind": area_kind,
            "category": category,
            "start": start,
            "end": last,
            "prior_start": prior_start,
            "prior_end": prior_end,
        },
    ).df()
    geojson, labels, km2 = _shapes(shapes)
    table = shapes[["name"]].merge(counts, on="name", how="left")
    table[["current", "previous"]] = table[["current", "previous"]].fillna(0).astype("int64")
    end_day = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    window = Window(
        start=start,
        end=end_day - timedelta(days=1),
        prior_start=prior_start,
        prior_end=start - timedelta(days=1),
        clipped=False,
        cut_at_complete=False,
        prior_covered=first <= prior_start,
    )
    table = _change_columns(table, window)
    unplaced = int(counts.loc[~counts["name"].isin(shapes["name"]), "current"].sum())
    return AreaMap(
        geojson=geojson,
        labels=labels,
        table=_with_rates(table, km2),
        words=f"{area_kind.upper()}s",
        source=f"{span[2]} (counts), {shapes['source'].iloc[0]} (polygons)",
        what=f"offenses the publisher counts as '{category}'",
        label=month_label(start, add_months(end_day, -1)),
        prior_label=month_label(prior_start, prior_end),
        prior_covered=window.prior_covered,
        unplaced=unplaced,
    )


@dataclass(frozen=True)
class ValueClass:
    """One colour class of a choropleth: polygons whose value lies in lo..hi."""

    lo: float
    hi: float
    colour: str
    polygons: int

    def label(self, measure: Measure) -> str:
        if measure == "count":
            span = f"{self.lo:,.0f}" if self.lo == self.hi else f"{self.lo:,.0f}–{self.hi:,.0f}"
            return f"{span} offenses"
        span = f"{self.lo:,.1f}" if self.lo == self.hi else f"{self.lo:,.1f}–{self.hi:,.1f}"
        return f"{span} offenses per km²"


def value_classes(values: pd.Series, colours: tuple[str, ...]) -> list[ValueClass]:
    """Up to len(colours) quantile classes of the values (quintiles, merged where equal)."""
    v = np.sort(values.dropna().to_numpy(dtype=float))
    if len(v) == 0:
        return []
    uppers = sorted({float(np.quantile(v, q, method="lower")) for q in CLASS_QUANTILES})
    uppers = [u for u in uppers if u < v[-1]] + [float(v[-1])]
    picks = np.linspace(0, len(colours) - 1, len(uppers)).round().astype(int)
    classes, lo = [], float(v[0])
    for i, hi in enumerate(uppers):
        members = v[(v >= lo) & (v <= hi)]
        classes.append(
            ValueClass(float(members.min()) if len(members) else lo, hi, colours[picks[i]], len(members))
        )
        above = v[v > hi]
        lo = float(above.min()) if len(above) else hi
    return classes


def class_index(values: pd.Series, classes: list[ValueClass]) -> np.ndarray:
    """The class of each value (-1 for a missing value)."""
    uppers = np.array([c.hi for c in classes])
    raw = values.to_numpy(dtype=float)
    index = np.searchsorted(uppers, np.nan_to_num(raw, nan=0.0), side="left")
    return np.where(np.isnan(raw), -1, np.minimum(index, len(classes) - 1))


def choropleth_summary(amap: AreaMap, measure: Measure) -> str:
    """One sentence: the busiest polygon and how many moved notably."""
    table = amap.table
    if table.empty or int(table["current"].sum()) == 0:
        return f"No {amap.what} in {amap.label} in these {amap.words}."
    top = table.sort_values(["current" if measure == "count" else "per_km2", "name"], ascending=[False, True])
    first = top.iloc[0]
    value = (
        f"{int(first['current']):,} {amap.what}"
        if measure == "count"
        else f"{first['per_km2']:,.1f} {amap.what} per km²"
    )
    text = f"{amap.label}: {first['name']} has the most ({value}) of {len(table)} {amap.words}."
    if amap.prior_covered:
        up = int(((table["direction"] == "up") & (table["judgement"] != "not notable")).sum())
        down = int(((table["direction"] == "down") & (table["judgement"] != "not notable")).sum())
        text += f" Against {amap.prior_label}: {up} up notably, {down} down notably, the rest not notably changed."
    if amap.unplaced:
        text += f" {amap.unplaced:,} more are recorded without a place on this map."
    return text
