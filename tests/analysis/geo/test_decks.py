"""The 12-city map: offline by construction, sizes and colours as documented, outlines
from the store; plus the markers and series breaks the trend charts draw."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pandas as pd
import pytest

from analysis.geo.decks import (
    CHANGE_CLASSES,
    MAX_RADIUS_PX,
    MIN_RADIUS_PX,
    change_class,
    city_change_deck,
    deck_points,
    deck_summary,
    legend,
    profile_line,
)
from analysis.geo.labels import label_boxes, overlaps
from analysis.geo.places import city_places
from analysis.goals.events import markers_for
from analysis.query.filters import CrimeFilter
from analysis.series.compare import ytd_by_city
from analysis.series.periods import YtdWindow, coverage
from analysis.sources.health import chart_breaks


def ytd_rows(rates: dict[str, float], strength: str = "strong", direction: str = "down") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city_id": list(rates),
            "measure": "violent_crime",
            "current": [100] * len(rates),
            "rate_current": list(rates.values()),
            "direction": direction,
            "strength": strength,
            "emphasis": strength,
            "change": "down 20% (125 → 100), strong (p = 0.00012)",
        }
    )


def test_deck_is_offline_and_draws_every_city(tiny: duckdb.DuckDBPyConnection) -> None:
    places = city_places(tiny)
    points = deck_points(places, ytd_by_city(tiny, CrimeFilter(), coverage(tiny)).table, "violent_crime")
    spec = json.loads(city_change_deck(points, places).to_json())
    # pydeck's style placeholder and no provider: Streamlit then draws no basemap. A
    # missing or null mapStyle would make it fetch a Carto style from the internet.
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert "mapProvider" not in spec and "mapboxKey" not in spec
    assert "http" not in json.dumps(spec)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert set(layers) == {"city-outlines", "city-circles", "city-names"}
    assert len(layers["city-outlines"]["data"]["features"]) == 12
    assert [p["city"] for p in layers["city-circles"]["data"]] == ["Memphis", "Springfield"]
    assert layers["city-circles"]["radiusUnits"] == "pixels"


def test_circle_area_follows_the_rate() -> None:
    places = pd.DataFrame(
        {
            "city_id": ["a", "b", "c"],
            "city": ["A", "B", "C"],
            "lat": [35.0, 40.0, 30.0],
            "lon": [-90.0, -80.0, -95.0],
        }
    )
    points = deck_points(places, ytd_rows({"a": 400.0, "b": 100.0, "c": 1.0}), "violent_crime").set_index(
        "city_id"
    )
    # radius = MAX * sqrt(rate / max rate): a quarter of the rate, half the radius; never
    # below the minimum.
    assert points.loc["a", "radius"] == MAX_RADIUS_PX
    assert points.loc["b", "radius"] == pytest.approx(MAX_RADIUS_PX / 2)
    assert points.loc["c", "radius"] == MIN_RADIUS_PX
    assert points.loc["a", "colour"] == list(CHANGE_CLASSES["down strong"][1])


def _all_cities(radius_rates: dict[str, float] | None = None) -> pd.DataFrame:
    from ingest.registry import load_cities

    cities = load_cities()
    places = pd.DataFrame(
        {
            "city_id": [c.city_id for c in cities],
            "city": [c.name for c in cities],
            "lat": [c.rep_lat for c in cities],
            "lon": [c.rep_lon for c in cities],
        }
    )
    rates = {**dict.fromkeys(places["city_id"], 500.0), **(radius_rates or {})}
    return deck_points(places, ytd_rows(rates), "violent_crime")


@pytest.mark.parametrize("spread", [False, True])
def test_city_names_never_overlap_names_or_circles(spread: bool) -> None:
    """All 12 PSP cities at the overview zoom: every name box is clear of every other
    name and of every circle (Springfield and Indianapolis, Memphis and Jackson, which
    overprinted each other before). Equal rates give every city the largest circle."""
    rates = {"memphis_tn": 1600.0, "jackson_tn": 200.0, "springfield_il": 1200.0, "indianapolis_in": 50.0}
    points = _all_cities(rates if spread else None)
    names, circles = label_boxes(points)
    assert len(names) == 12
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i < j:
                assert not overlaps(a, b), (points["city"][i], points["city"][j])
        for j, c in enumerate(circles):
            assert not overlaps(a, c), (points["city"][i], "circle of", points["city"][j])


def test_crowded_names_get_a_leader_line(tiny: duckdb.DuckDBPyConnection) -> None:
    points = _all_cities().set_index("city_id")
    # With every circle at its largest, the cities around Indianapolis, Cincinnati and
    # Toledo leave no room beside some circles: those names sit further out, on a line.
    assert points["leader"].any()
    assert not points.loc["houston_tx", "leader"]  # nothing crowds Houston's name
    spec = json.loads(city_change_deck(points.reset_index(), city_places(tiny)).to_json())
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert len(layers["label-leaders"]["data"]) == int(points["leader"].sum())
    assert layers["city-names"]["getPixelOffset"] == "@@=[label_dx, label_dy]"


def test_profile_line_names_the_cities_without_a_profile() -> None:
    names = {"memphis_tn": "Memphis", "houston_tx": "Houston", "buffalo_ny": "Buffalo"}
    assert profile_line(names, ("memphis_tn",)) == (
        "City profiles: [Memphis](city?city=memphis_tn). No profile for Buffalo, Houston: the store "
        "holds no incident records for them (a profile is drawn from incident records; published "
        "counts are on the Trends page)."
    )
    assert profile_line(names, tuple(names)).endswith("[Memphis](city?city=memphis_tn).")
    assert profile_line({"houston_tx": "Houston"}, ()).startswith("No city profile: Houston: the store holds")


@pytest.mark.parametrize(
    ("direction", "strength", "emphasis", "expected"),
    [
        ("up", "strong", "strong", "up strong"),
        ("down", "notable", None, "down notable"),
        ("up", "strong", "not notable", "few"),  # e.g. 0 -> 13: strong, but too few to colour
        ("down", "not notable", "not notable", "not notable"),
        ("no change", "not notable", "not notable", "not notable"),
        (None, None, None, "no comparison"),
    ],
)
def test_change_class(direction: object, strength: object, emphasis: object, expected: str) -> None:
    assert change_class(direction, strength, emphasis) == expected


def test_legend_and_summary_in_words() -> None:
    assert legend()[0] == ("Up, strong evidence (p < 0.001)", "#D55E00")
    assert legend()[-1] == ("No complete comparison", "#FFFFFF")
    points = pd.DataFrame({"class": ["down strong", "down strong", "not notable"], "city": ["A", "B", "C"]})
    assert deck_summary(points, "Violent crime", YtdWindow(date(2025, 3, 1))) == (
        "Violent crime, Jan–Mar 2025 vs Jan–Mar 2024: 2 cities down with strong evidence, 1 city without "
        "a notable change. Circle area shows each city's year-to-date rate per 100,000 residents."
    )


def test_outlines_prefer_the_boundary(mixed: duckdb.DuckDBPyConnection) -> None:
    places = city_places(mixed).set_index("city_id")
    assert places.loc["springfield_il", "outline_kind"] == "boundary"
    square = json.loads(places.loc["springfield_il", "outline"])
    assert square["type"] == "Polygon" and [-89.75, 39.7] in [list(p) for p in square["coordinates"][0]]
    # Memphis has no boundary loaded: its registry bounding box stands in.
    assert places.loc["memphis_tn", "outline_kind"] == "bounding box"
    box = json.loads(places.loc["memphis_tn", "outline"])
    lons = [p[0] for p in box["coordinates"][0]]
    assert min(lons) == pytest.approx(-90.30305) and max(lons) == pytest.approx(-89.63709)


def test_chart_breaks_and_markers(tiny: duckdb.DuckDBPyConnection, mixed: duckdb.DuckDBPyConnection) -> None:
    assert chart_breaks(tiny, coverage(tiny)).empty
    breaks = chart_breaks(mixed, coverage(mixed))
    assert breaks[["city_id", "month", "label"]].values.tolist() == [
        ["houston_tx", pd.Timestamp("2023-06-01"), "gap in published counts (published)"]
    ]
    assert chart_breaks(mixed, coverage(mixed), ("memphis_tn",)).empty
    labels = [m.label for m in markers_for(mixed, ["houston_tx", "springfield_il"], breaks)]
    assert labels == ["PSP designation (Jun 2017)", "Houston: gap in published counts (published)"]
    # Operation Relentless Pursuit (seeded by migration 0003) concerns Kansas City and Memphis only.
    assert [m.day for m in markers_for(mixed, ["memphis_tn"])] == [date(2017, 6, 20), date(2019, 12, 18)]
    assert [m.day for m in markers_for(mixed, ["kansas_city_mo", "toledo_oh"])] == [
        date(2017, 6, 20),
        date(2019, 12, 18),
    ]
    assert [m.day for m in markers_for(mixed, ["toledo_oh"])] == [date(2017, 6, 20)]


def test_outlines_are_simplified_once_per_boundary_text() -> None:
    # city_places caches the simplified GeoJSON on the boundary's WKT (issue 16): the
    # cached text is the simplification itself, and a second call does not redo it.
    import shapely
    from shapely.geometry import mapping

    from analysis.geo.places import SIMPLIFY_DEGREES, simplified_outline

    wkt = "POLYGON ((0 0, 0.001 0.0005, 0.002 0, 0.002 0.002, 0 0.002, 0 0))"
    expected = json.dumps(mapping(shapely.from_wkt(wkt).simplify(SIMPLIFY_DEGREES, preserve_topology=True)))
    hits = simplified_outline.cache_info().hits
    assert simplified_outline(wkt) == expected
    assert simplified_outline(wkt) == expected
    assert simplified_outline.cache_info().hits >= hits + 1
