"""Where the 12-city map puts each city's name, so that no name overprints another name
or a circle.

Design decision: names are placed greedily in screen pixels at the overview zoom (the
largest circles first), trying eight positions around each circle; a name that fits none
of them moves further out along a leader line. Names beside their circle are offset in
pixels, so they stay beside it at any zoom.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

LABEL_SIZE_PX = 14
CHAR_WIDTH_PX = 0.6 * LABEL_SIZE_PX  # an average character of the sans-serif label font
LABEL_PAD_PX = 3
LEADER_STEPS_PX = (24, 40, 56, 72, 96)  # how far out a name on a leader line may go
OVERVIEW_ZOOM = 3.5  # the 12 cities and their names fit a 380-pixel-wide map (a phone)
# What place_labels adds to each city's row.
LABEL_COLUMNS = ["label_dx", "label_dy", "label_anchor", "label_baseline", "leader", "label_lon", "label_lat"]


def to_pixels(lon: np.ndarray, lat: np.ndarray, zoom: float = OVERVIEW_ZOOM) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator screen pixels at `zoom` (deck.gl's world is 512 px wide at zoom 0)."""
    scale = 512 * 2**zoom
    x = (np.asarray(lon, float) + 180) / 360 * scale
    y = (1 - np.log(np.tan(np.pi / 4 + np.radians(np.asarray(lat, float)) / 2)) / np.pi) / 2 * scale
    return x, y


def from_pixels(x: float, y: float, zoom: float = OVERVIEW_ZOOM) -> tuple[float, float]:
    """(lon, lat) of screen pixels at `zoom`."""
    scale = 512 * 2**zoom
    lon = x / scale * 360 - 180
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / scale))))
    return lon, lat


Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_box(x: float, y: float, width: float, anchor: str, baseline: str) -> Box:
    """The box of a label whose anchor point is (x, y)."""
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    height = LABEL_SIZE_PX + 2
    top = y - height / 2 if baseline == "center" else y if baseline == "top" else y - height
    return (left - LABEL_PAD_PX, top - LABEL_PAD_PX, left + width + LABEL_PAD_PX, top + height + LABEL_PAD_PX)


def _circle_box(x: float, y: float, r: float) -> Box:
    return (x - r, y - r, x + r, y + r)


def label_width(name: str) -> float:
    return len(name) * CHAR_WIDTH_PX


# Positions around a circle of radius r: (unit dx, unit dy, text anchor, baseline).
POSITIONS: tuple[tuple[float, float, str, str], ...] = (
    (1, 0, "start", "center"),
    (-1, 0, "end", "center"),
    (0.7, -0.7, "start", "bottom"),
    (0.7, 0.7, "start", "top"),
    (-0.7, -0.7, "end", "bottom"),
    (-0.7, 0.7, "end", "top"),
    (0, -1, "middle", "bottom"),
    (0, 1, "middle", "top"),
)


def place_labels(points: pd.DataFrame, zoom: float = OVERVIEW_ZOOM) -> pd.DataFrame:
    """Where each city's name goes so that no name overlaps another name or any circle
    at `zoom`: columns label_dx, label_dy (pixel offset of the name's anchor from the
    circle's centre), label_anchor, label_baseline, leader (a line joins a name placed
    away from its circle), label_lon, label_lat (the name's anchor on the map)."""
    n = len(points)
    if n == 0:
        return pd.DataFrame(columns=LABEL_COLUMNS)
    xs, ys = to_pixels(points["lon"].to_numpy(), points["lat"].to_numpy(), zoom)
    radii = points["radius"].to_numpy(dtype=float)
    circles = [_circle_box(x, y, r) for x, y, r in zip(xs, ys, radii, strict=True)]
    placed: list[Box] = []
    rows: list[dict[str, object] | None] = [None] * n
    # Big circles first (their names are the hardest to fit), then west to east.
    for i in sorted(range(n), key=lambda k: (-radii[k], xs[k])):
        width = label_width(str(points["city"].iloc[i]))
        choice = None
        for gap, leader in [(radii[i] + 4, False), *[(radii[i] + step, True) for step in LEADER_STEPS_PX]]:
            for ux, uy, anchor, baseline in POSITIONS:
                dx, dy = ux * gap, uy * gap
                box = _label_box(xs[i] + dx, ys[i] + dy, width, anchor, baseline)
                if any(overlaps(box, b) for b in placed) or any(overlaps(box, c) for c in circles):
                    continue
                choice = (dx, dy, anchor, baseline, leader, box)
                break
            if choice:
                break
        if choice is None:  # nowhere free within reach: the furthest spot east, on a line
            gap = radii[i] + LEADER_STEPS_PX[-1]
            box = _label_box(xs[i] + gap, ys[i], width, "start", "center")
            choice = (gap, 0.0, "start", "center", True, box)
        dx, dy, anchor, baseline, leader, box = choice
        placed.append(box)
        lon, lat = from_pixels(xs[i] + dx, ys[i] + dy, zoom)
        rows[i] = {
            "label_dx": round(float(dx), 1),
            "label_dy": round(float(dy), 1),
            "label_anchor": anchor,
            "label_baseline": baseline,
            "leader": leader,
            "label_lon": round(lon, 4),
            "label_lat": round(lat, 4),
        }
    return pd.DataFrame(rows, columns=LABEL_COLUMNS)


def label_boxes(points: pd.DataFrame, zoom: float = OVERVIEW_ZOOM) -> tuple[list[Box], list[Box]]:
    """(name boxes, circle boxes) in pixels at `zoom`, as the map draws them (for tests)."""
    xs, ys = to_pixels(points["lon"].to_numpy(), points["lat"].to_numpy(), zoom)
    names = [
        _label_box(x + dx, y + dy, label_width(str(c)), a, b)
        for x, y, dx, dy, c, a, b in zip(
            xs,
            ys,
            points["label_dx"],
            points["label_dy"],
            points["city"],
            points["label_anchor"],
            points["label_baseline"],
            strict=True,
        )
    ]
    circles = [_circle_box(x, y, r) for x, y, r in zip(xs, ys, points["radius"], strict=True)]
    return names, circles
