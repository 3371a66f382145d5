"""The 12-city map of the Overview: a circle per city (size = rate, colour = change) in a
pydeck Deck, fully offline; where the names go: analysis.geo.labels.

Offline by construction: `map_provider=None` with pydeck's default style placeholder
draws layers on a blank background and makes no request. (`map_style=None` is not the
same: Streamlit then substitutes a Carto basemap, an external request.) Context comes from
the city outlines drawn as a GeoJsonLayer and the city names as a TextLayer.

Colour carries the direction and strength of change (the exact Poisson test of
analysis.stats.exact) in the Okabe-Ito colour-blind-safe set; the legend and tooltip say the
same in words. A change with fewer than 10 offenses in either period is not coloured.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import pandas as pd
import pydeck as pdk

from analysis.geo.basemap import Basemap, deck_base
from analysis.geo.labels import LABEL_COLUMNS, LABEL_SIZE_PX, OVERVIEW_ZOOM, place_labels
from analysis.geo.layers import CompactDeck, RawRecords
from analysis.query.links import LinkState, link
from analysis.series.periods import YtdWindow

MAX_RADIUS_PX = 30  # circles keep their size when zooming: this is a 12-city overview
MIN_RADIUS_PX = 7
LABEL_ROOM_DEG = 4.0  # longitude a city name needs at the overview zoom
# What the map draws with, beyond the numbers (deck_numbers leaves them out).
DRAWING_COLUMNS = ["colour", "radius", *LABEL_COLUMNS]
POINT_COLUMNS = [
    "city_id",
    "city",
    "lat",
    "lon",
    "rate",
    "count",
    "change",
    "class",
    "label",
    "radius",
    "colour",
    "rate_text",
    *LABEL_COLUMNS,
]

# class -> (label in words, RGB); SUMMARY_WORDS say the same inside a sentence.
CHANGE_CLASSES: dict[str, tuple[str, tuple[int, int, int]]] = {
    "up strong": ("Up, strong evidence (p < 0.001)", (213, 94, 0)),
    "up notable": ("Up, notable (p < 0.05)", (230, 159, 0)),
    "not notable": ("No notable change (p ≥ 0.05)", (153, 153, 153)),
    "few": ("Fewer than 10 offenses in a period: not coloured", (210, 210, 210)),
    "down notable": ("Down, notable (p < 0.05)", (86, 180, 233)),
    "down strong": ("Down, strong evidence (p < 0.001)", (0, 114, 178)),
    "no comparison": ("No complete comparison", (255, 255, 255)),
}

SUMMARY_WORDS = {
    "down strong": "down with strong evidence",
    "down notable": "down notably",
    "not notable": "without a notable change",
    "few": "with fewer than 10 offenses in a period (not coloured)",
    "up notable": "up notably",
    "up strong": "up with strong evidence",
    "no comparison": "without a complete comparison",
}


def change_class(direction: object, strength: object, emphasis: object = None) -> str:
    """The legend class of a change: 'up strong', ..., 'not notable', 'few' (a notable
    change with fewer than 10 offenses in a period: not coloured), 'no comparison'.
    `emphasis` is add_change's column (None: the same as strength)."""
    if not isinstance(strength, str) or not isinstance(direction, str):
        return "no comparison"
    if strength == "not notable" or direction == "no change":
        return "not notable"
    if isinstance(emphasis, str) and emphasis == "not notable":
        return "few"
    return f"{direction} {strength}"


def legend() -> list[tuple[str, str]]:
    """(words, hex colour) for each class, for a legend drawn beside the map (the
    'no comparison' class is white: draw swatches with a border)."""
    return [(label, "#{:02X}{:02X}{:02X}".format(*rgb)) for label, rgb in CHANGE_CLASSES.values()]


def deck_points(places: pd.DataFrame, ytd: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Join city places with one measure of a YTD table: what the map draws and says.

    Columns: city_id, city, lat, lon, rate, count, change, class, label, radius (pixels),
    colour, rate_text, and where the name goes (place_labels: label_dx, label_dy,
    label_anchor, label_baseline, leader, label_lon, label_lat).
    Circle area is proportional to the rate (radius to its square root).
    """
    part = ytd[ytd["measure"] == measure][
        ["city_id", "current", "rate_current", "direction", "strength", "emphasis", "change"]
    ]
    out = places.merge(part, on="city_id", how="inner")
    out = out[out["rate_current"].notna()].copy()
    top = out["rate_current"].max() if len(out) else 0
    out["radius"] = [
        max(MIN_RADIUS_PX, MAX_RADIUS_PX * math.sqrt(r / top)) if top else MIN_RADIUS_PX
        for r in out["rate_current"]
    ]
    out["class"] = [
        change_class(d, s, e)
        for d, s, e in zip(out["direction"], out["strength"], out["emphasis"], strict=True)
    ]
    out["colour"] = [list(CHANGE_CLASSES[c][1]) for c in out["class"]]
    out["label"] = [CHANGE_CLASSES[c][0] for c in out["class"]]
    out["rate_text"] = [
        f"{r:,.1f} per 100,000 residents ({int(n):,} offenses)"
        for r, n in zip(out["rate_current"], out["current"], strict=True)
    ]
    out = out.rename(columns={"rate_current": "rate", "current": "count"}).reset_index(drop=True)
    out = pd.concat([out, place_labels(out)], axis=1)
    return out[POINT_COLUMNS]


@lru_cache(maxsize=32)
def _outline_text(outlines: tuple[tuple[str, str], ...]) -> RawRecords:
    """The outlines' FeatureCollection as JSON text, built once per set of outlines: the
    boundaries do not change between reruns, and parsing and re-encoding them was about a
    tenth of an Overview rerun (py-spy, issue 16)."""
    features = ",".join(
        '{"type":"Feature","geometry":' + outline + ',"properties":{"city":' + json.dumps(city) + "}}"
        for city, outline in outlines
    )
    return RawRecords('{"type":"FeatureCollection","features":[' + features + "]}", len(outlines))


def _outline_layer(places: pd.DataFrame) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        _outline_text(tuple(zip(places["city"], places["outline"], strict=True))),
        id="city-outlines",
        stroked=True,
        filled=True,
        get_fill_color=[200, 200, 200, 60],
        get_line_color=[90, 90, 90, 200],
        line_width_min_pixels=1,
        pickable=False,
    )


def _circle_layer(points: pd.DataFrame) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        points,
        id="city-circles",
        get_position=["lon", "lat"],
        get_radius="radius",
        radius_units="'pixels'",  # pydeck reads a bare string as an expression
        get_fill_color="colour",
        get_line_color=[40, 40, 40],
        line_width_min_pixels=1,
        stroked=True,
        opacity=0.85,
        pickable=True,
    )


def _leader_layer(points: pd.DataFrame) -> pdk.Layer | None:
    """The lines from a circle to its name, for names placed away from their circle."""
    leaders = points[points["leader"].to_numpy(dtype=bool)]
    if not len(leaders):
        return None
    return pdk.Layer(
        "LineLayer",
        leaders[["lon", "lat", "label_lon", "label_lat"]],
        id="label-leaders",
        get_source_position=["lon", "lat"],
        get_target_position=["label_lon", "label_lat"],
        get_color=[60, 60, 60],
        get_width=1,
        width_units="'pixels'",
        pickable=False,
    )


def _names_layer(points: pd.DataFrame, places: pd.DataFrame) -> pdk.Layer:
    """City names where place_labels put them; beside each place when no city has a point."""
    names = points.assign(label_lon=points["lon"], label_lat=points["lat"]) if len(points) else None
    if names is not None:
        # A name on a leader line sits at its own place on the map (the line's end); the
        # others hug their circle by a pixel offset.
        far = points["leader"].to_numpy(dtype=bool)
        names.loc[far, ["label_lon", "label_lat"]] = points.loc[far, ["label_lon", "label_lat"]].to_numpy()
        names.loc[far, ["label_dx", "label_dy"]] = 0.0
    return pdk.Layer(
        "TextLayer",
        names if names is not None else places,
        id="city-names",
        get_position=["label_lon", "label_lat"] if names is not None else ["lon", "lat"],
        get_text="city",
        get_size=LABEL_SIZE_PX,
        get_color=[20, 20, 20],
        get_text_anchor="label_anchor" if names is not None else "'start'",
        get_alignment_baseline="label_baseline" if names is not None else "'center'",
        get_pixel_offset="[label_dx, label_dy]" if names is not None else "[8, 0]",
        background=True,
        get_background_color=[255, 255, 255, 210],
        background_padding=[2, 1],
        pickable=False,
    )


def city_change_deck(points: pd.DataFrame, places: pd.DataFrame, basemap: Basemap | None = None) -> pdk.Deck:
    """The 12-city map: outlines, a circle per city (size = rate, colour = change), names."""
    # Centre on the span of the circles and of the names, which mostly extend east.
    lat = float(places["lat"].min() + places["lat"].max()) / 2 if len(places) else 37.0
    lon = float(places["lon"].min() - 1 + places["lon"].max() + LABEL_ROOM_DEG) / 2 if len(places) else -88.0
    leaders = _leader_layer(points) if len(points) else None
    order = (_outline_layer(places), _circle_layer(points), leaders, _names_layer(points, places))
    return CompactDeck(
        layers=[layer for layer in order if layer is not None],
        initial_view_state=pdk.ViewState(
            latitude=lat, longitude=lon, zoom=OVERVIEW_ZOOM, min_zoom=2, max_zoom=10
        ),
        tooltip={"html": "<b>{city}</b><br/>{rate_text}<br/>{change}<br/><i>{label}</i>"},
        **deck_base(basemap),  # none by default: see the module docstring (never map_style=None)
    )


def deck_summary(points: pd.DataFrame, offense_label: str, window: YtdWindow) -> str:
    """One sentence: how many cities moved which way, in words (what the colours say)."""
    if points.empty:
        return "No city has a complete year-to-date comparison to map."
    counts = points["class"].value_counts()
    parts = [
        f"{counts[c]} {'city' if counts[c] == 1 else 'cities'} {words}"
        for c, words in SUMMARY_WORDS.items()
        if c in counts
    ]
    return (
        f"{offense_label}, {window.label()}: " + ", ".join(parts) + ". "
        "Circle area shows each city's year-to-date rate per 100,000 residents."
    )


def profile_line(names: dict[str, str], with_profile: tuple[str, ...]) -> str:
    """'City profiles: [A](…) · [B](…).' for the cities (id -> name) that have incident
    records, and which of the others have none and why."""
    have = sorted((names[c], c) for c in names if c in with_profile)
    others = sorted(names[c] for c in names if c not in with_profile)
    if have:
        text = (
            "City profiles: "
            + " · ".join(f"[{n}]({link('city', LinkState(cities=(c,)))})" for n, c in have)
            + "."
        )
    else:
        text = "No city profile:"
    if others:
        text += (
            f" {'No profile for ' if have else ''}{', '.join(others)}: the store holds no incident "
            "records for " + ("it" if len(others) == 1 else "them") + " (a profile is drawn from "
            "incident records; published counts are on the Trends page)."
        )
    return text


def deck_numbers(points: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind the map, without its drawing columns."""
    return points.drop(columns=DRAWING_COLUMNS)
