"""pydeck builders: DataFrame in, Deck out, fully offline.

Offline by construction: `map_provider=None` with pydeck's default style placeholder
draws layers on a blank background and makes no request. (`map_style=None` is not the
same: Streamlit then substitutes a Carto basemap, an external request.) Context comes from
the city outlines drawn as a GeoJsonLayer and the city names as a TextLayer.

Colour carries the direction and strength of change (the exact Poisson test of
analysis.stats) in the Okabe-Ito colour-blind-safe set; the legend and tooltip say the
same in words. A change with fewer than 10 offenses in either period is not coloured.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pydeck as pdk

from analysis.periods import YtdWindow

MAX_RADIUS_PX = 30  # circles keep their size when zooming: this is a 12-city overview
MIN_RADIUS_PX = 7
OVERVIEW_ZOOM = 3.5  # the 12 cities and their names fit a 380-pixel-wide map (a phone)
LABEL_ROOM_DEG = 4.0  # longitude a city name needs at the overview zoom
LABEL_HEIGHT_DEG = 0.6  # latitude a name needs
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
    "label_left",
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
    colour, rate_text, label_left (name drawn west of the circle).
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
    out["label_left"] = _crowded_east(out["lat"].to_numpy(dtype=float), out["lon"].to_numpy(dtype=float))
    out["rate_text"] = [
        f"{r:,.1f} per 100,000 residents ({int(n):,} offenses)"
        for r, n in zip(out["rate_current"], out["current"], strict=True)
    ]
    return out.rename(columns={"rate_current": "rate", "current": "count"})[POINT_COLUMNS].reset_index(
        drop=True
    )


def _crowded_east(lat: np.ndarray, lon: np.ndarray) -> list[bool]:
    """For each city: True when another city sits just east at about the same latitude,
    where its name would overprint that city: that name goes on the west side instead."""
    east = lon[None, :] - lon[:, None]  # [i, j]: how far city j lies east of city i
    near = (east > 0) & (east < LABEL_ROOM_DEG) & (np.abs(lat[None, :] - lat[:, None]) < LABEL_HEIGHT_DEG)
    return [bool(v) for v in near.any(axis=1)]


def outline_collection(places: pd.DataFrame) -> dict[str, object]:
    """A GeoJSON FeatureCollection of the city outlines."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": json.loads(row.outline), "properties": {"city": row.city}}
            for row in places.itertuples()
        ],
    }


def city_change_deck(points: pd.DataFrame, places: pd.DataFrame) -> pdk.Deck:
    """The 12-city map: outlines, a circle per city (size = rate, colour = change), names."""
    # Centre on the span of the circles and of the names, which mostly extend east.
    lat = float(places["lat"].min() + places["lat"].max()) / 2 if len(places) else 37.0
    lon = float(places["lon"].min() - 1 + places["lon"].max() + LABEL_ROOM_DEG) / 2 if len(places) else -88.0
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            outline_collection(places),
            id="city-outlines",
            stroked=True,
            filled=True,
            get_fill_color=[200, 200, 200, 60],
            get_line_color=[90, 90, 90, 200],
            line_width_min_pixels=1,
            pickable=False,
        ),
        pdk.Layer(
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
        ),
        pdk.Layer(
            "TextLayer",
            points if len(points) else places,
            id="city-names",
            get_position=["lon", "lat"],
            get_text="city",
            get_size=14,
            get_color=[20, 20, 20],
            get_text_anchor="label_left ? 'end' : 'start'",
            get_alignment_baseline="'center'",
            get_pixel_offset="[label_left ? -(radius + 4) : radius + 4, 0]",
            pickable=False,
        ),
    ]
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(
            latitude=lat, longitude=lon, zoom=OVERVIEW_ZOOM, min_zoom=2, max_zoom=10
        ),
        map_provider=None,  # no basemap: see the module docstring (do not pass map_style=None)
        tooltip={"html": "<b>{city}</b><br/>{rate_text}<br/>{change}<br/><i>{label}</i>"},
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


def profile_links(points: pd.DataFrame) -> str:
    """Markdown links to each mapped city's profile page (url_path 'city', ?city=<slug>)."""
    return " · ".join(
        f"[{row.city}](city?city={row.city_id})" for row in points.sort_values("city").itertuples()
    )


def deck_numbers(points: pd.DataFrame) -> pd.DataFrame:
    """The numbers behind the map, without its drawing columns."""
    return points.drop(columns=["colour", "radius", "label_left"])
