"""A background map from a tile service, when one is configured; none by default.

Design decisions
- Offline unless told otherwise: with PSP_BASEMAP_URL empty, no deck gets a map style
  and no request leaves the machine (the decks keep map_provider=None; see
  analysis.geo.layers).
- One XYZ template (`{z}/{x}/{y}`), an attribution and a max zoom, all settings. The
  deck gets a MapLibre style of one raster source, as a `data:` URL in pydeck's own
  `map_style`: Streamlit's deck frontend draws it under the layers with MapLibre, which
  picks and requests the tiles for the view, enlarges tiles past the max zoom and shows
  the attribution. (A deck.gl TileLayer needs a JavaScript `renderSubLayers` function to
  draw images, which a pydeck JSON deck cannot carry.)
- Static pictures (exported hot-spot slides) cannot use MapLibre: `tile_mosaic` fetches
  the tiles that cover an extent at one zoom and stitches them into one image.
"""

from __future__ import annotations

import io
import json
import math
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache

from kernel.settings import SETTINGS

TILE_PX = 256
MAX_MOSAIC_TILES = 36  # a static map never fetches more tiles than this
FETCH_TIMEOUT_S = 10.0


class BasemapError(ValueError):
    """A basemap setting that cannot work (said in words)."""


@dataclass(frozen=True)
class Basemap:
    """An XYZ tile service: template with {z}, {x}, {y}; attribution; max zoom."""

    url: str
    attribution: str = ""
    max_zoom: int = 19

    def __post_init__(self) -> None:
        scheme = urllib.parse.urlparse(self.url.replace("{", "").replace("}", "")).scheme
        if scheme not in ("http", "https"):
            raise BasemapError(f"PSP_BASEMAP_URL must be an http(s) URL, not {self.url!r}")
        missing = [p for p in ("{z}", "{x}", "{y}") if p not in self.url]
        if missing:
            raise BasemapError(f"PSP_BASEMAP_URL must contain {', '.join(missing)} (an XYZ tile template)")
        if not 0 <= self.max_zoom <= 24:
            raise BasemapError(f"PSP_BASEMAP_MAX_ZOOM must be 0-24, not {self.max_zoom}")

    def tile_url(self, z: int, x: int, y: int) -> str:
        return self.url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))

    def map_style(self) -> str:
        """A MapLibre style (one raster source) as a data: URL for pydeck's map_style."""
        source: dict[str, object] = {"type": "raster", "tiles": [self.url], "tileSize": TILE_PX}
        source["maxzoom"] = self.max_zoom
        if self.attribution:
            source["attribution"] = self.attribution
        style = {
            "version": 8,
            "sources": {"basemap": source},
            "layers": [{"id": "basemap", "type": "raster", "source": "basemap"}],
        }
        text = json.dumps(style, separators=(",", ":"))
        return "data:application/json;charset=utf-8," + urllib.parse.quote(text, safe="")


def configured_basemap() -> Basemap | None:
    """The basemap of the settings, or None when PSP_BASEMAP_URL is empty."""
    url = SETTINGS["PSP_BASEMAP_URL"].value().strip()
    if not url:
        return None
    raw_zoom = SETTINGS["PSP_BASEMAP_MAX_ZOOM"].value().strip()
    try:
        max_zoom = int(raw_zoom)
    except ValueError:
        raise BasemapError(f"PSP_BASEMAP_MAX_ZOOM must be a whole number, not {raw_zoom!r}") from None
    return Basemap(url, SETTINGS["PSP_BASEMAP_ATTRIBUTION"].value().strip(), max_zoom)


def deck_base(basemap: Basemap | None) -> dict[str, object]:
    """The pydeck.Deck keyword arguments for the background: the tile style, or none at
    all (map_provider=None keeps pydeck's placeholder style, which Streamlit draws as a
    blank background with no request)."""
    if basemap is None:
        return {"map_provider": None}
    return {"map_provider": "carto", "map_style": basemap.map_style()}


def tile_xy(lon: float, lat: float, z: int) -> tuple[float, float]:
    """Web Mercator tile coordinates (fractional) of a point at zoom z."""
    n = 2**z
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_lat(y: float, z: int) -> float:
    """Latitude of the fractional tile row y at zoom z."""
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**z))))


@dataclass(frozen=True)
class Mosaic:
    """Stitched tiles: a PNG resampled to equal steps of latitude (so it lies on a
    plain lon/lat chart), and the extent it covers."""

    png: bytes
    bounds: tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat
    zoom: int
    tiles: int


def mosaic_zoom(bounds: tuple[float, float, float, float], max_zoom: int) -> int:
    """The highest zoom (at most max_zoom) whose tiles over `bounds` number at most
    MAX_MOSAIC_TILES."""
    min_lon, min_lat, max_lon, max_lat = bounds
    for z in range(min(max_zoom, 18), -1, -1):
        x0, y0 = tile_xy(min_lon, max_lat, z)
        x1, y1 = tile_xy(max_lon, min_lat, z)
        if (math.floor(x1) - math.floor(x0) + 1) * (math.floor(y1) - math.floor(y0) + 1) <= MAX_MOSAIC_TILES:
            return z
    return 0


@lru_cache(maxsize=512)
def fetch_tile(url: str) -> bytes:
    """One tile's bytes (kept for the process: a pack of 12 cities asks for a tile once)."""
    request = urllib.request.Request(url, headers={"User-Agent": "psp-dashboard"})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 - http(s) only
        data: bytes = response.read()
    return data


def configured_or_none() -> Basemap | None:
    """The configured basemap, or None when there is none or its setting is unusable."""
    try:
        return configured_basemap()
    except BasemapError:
        return None


def tile_mosaic(basemap: Basemap, bounds: tuple[float, float, float, float]) -> Mosaic:
    """Fetch the tiles over `bounds` and stitch them; raises OSError (or PIL's errors)
    when a tile cannot be fetched or read."""
    import numpy as np
    from PIL import Image

    z = mosaic_zoom(bounds, basemap.max_zoom)
    min_lon, min_lat, max_lon, max_lat = bounds
    fx0, fy0 = tile_xy(min_lon, max_lat, z)
    fx1, fy1 = tile_xy(max_lon, min_lat, z)
    x0, y0, x1, y1 = math.floor(fx0), math.floor(fy0), math.floor(fx1), math.floor(fy1)
    canvas = Image.new("RGB", ((x1 - x0 + 1) * TILE_PX, (y1 - y0 + 1) * TILE_PX), "white")
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            tile = Image.open(io.BytesIO(fetch_tile(basemap.tile_url(z, x % 2**z, y)))).convert("RGB")
            canvas.paste(tile.resize((TILE_PX, TILE_PX)), ((x - x0) * TILE_PX, (y - y0) * TILE_PX))
    # Crop to the extent, then resample rows from Mercator to equal steps of latitude.
    px = np.array(canvas)
    left, right = round((fx0 - x0) * TILE_PX), round((fx1 - x0) * TILE_PX)
    height = max(2, round((fy1 - fy0) * TILE_PX))
    lats = np.linspace(max_lat, min_lat, height)
    rows = np.array([(tile_xy(min_lon, lat, z)[1] - y0) * TILE_PX for lat in lats])
    rows = np.clip(rows.round().astype(int), 0, px.shape[0] - 1)
    out = Image.fromarray(px[rows, max(left, 0) : max(right, left + 1)])
    buffer = io.BytesIO()
    out.save(buffer, "PNG")
    return Mosaic(buffer.getvalue(), bounds, z, (x1 - x0 + 1) * (y1 - y0 + 1))
