"""The basemap in static hot-spot maps (exported slides): tiles fetched from a local tile
server, stitched under the cells, with the attribution; a clear note when they cannot be
fetched. Nothing is fetched without the setting."""

from __future__ import annotations

import base64
import io
from datetime import date

import duckdb
import numpy as np
from PIL import Image

from analysis.geo.basemap import Basemap, fetch_tile, tile_mosaic
from analysis.geo.cells import counts_by_cell
from analysis.geo.outlines import city_outline
from analysis.geo.static_maps import hotspot_chart
from analysis.query.filters import CrimeFilter
from tests.tile_server import TILE_GROUND, tile_server

MEMPHIS = CrimeFilter(
    cities=("memphis_tn",), start=date(2023, 1, 1), end=date(2024, 12, 31), sources=("fixture",)
)


def ground_share(png: bytes) -> float:
    px = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    return float((np.abs(px - np.array(TILE_GROUND)).sum(axis=2) < 12).mean())


def test_mosaic_fetches_the_covering_tiles_once() -> None:
    fetch_tile.cache_clear()
    bounds = (-90.10, 35.00, -89.80, 35.25)
    with tile_server() as server:
        mosaic = tile_mosaic(Basemap(server.url), bounds)
        requested = server.tile_requests()
        again = tile_mosaic(Basemap(server.url), bounds)
        assert server.tile_requests() == requested  # cached within the process
    assert len(requested) == mosaic.tiles == len(set(requested)) and 4 <= mosaic.tiles <= 36
    assert all(p.startswith(f"/tiles/{mosaic.zoom}/") for p in requested)
    assert again.png == mosaic.png
    img = Image.open(io.BytesIO(mosaic.png))
    # Cropped to the extent: 0.30 x 0.25 degrees at 35.1 N are 27.3 x 27.8 km on the ground.
    assert abs(img.width / img.height - 0.30 * np.cos(np.radians(35.125)) / 0.25) < 0.02
    assert ground_share(mosaic.png) > 0.5


def test_hotspot_chart_lies_on_the_tiles(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    fetch_tile.cache_clear()
    cells = counts_by_cell(tiny_geo, MEMPHIS, 8)
    outline = city_outline(tiny_geo, "memphis_tn")
    plain = hotspot_chart(cells, outline)
    assert plain.layout.images == ()
    with tile_server() as server:
        fig = hotspot_chart(cells, outline, basemap=Basemap(server.url, "© Test tiles"))
        assert server.tile_requests()
    (image,) = fig.layout.images
    assert image.layer == "below" and image.x == outline.bounds[0] and image.y == outline.bounds[3]
    png = base64.b64decode(image.source.split(",", 1)[1])
    assert ground_share(png) > 0.5
    assert [a.text for a in fig.layout.annotations] == ["© Test tiles"]


def test_hotspot_chart_without_reachable_tiles_says_so(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    fetch_tile.cache_clear()
    cells = counts_by_cell(tiny_geo, MEMPHIS, 8)
    with tile_server() as server:
        url = server.url
    # The server is closed now: the chart draws without tiles and says why.
    fig = hotspot_chart(cells, city_outline(tiny_geo, "memphis_tn"), basemap=Basemap(url))
    assert fig.layout.images == ()
    assert fig.layout.annotations[0].text.startswith("Background map unavailable (")
    assert len(fig.data) >= 2  # the cells and the outline are still drawn
