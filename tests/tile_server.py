"""A tile server for tests: generated 256 px PNG tiles on 127.0.0.1 (port 0), each a
beige ground (TILE_GROUND) with grey "streets" and its z/x/y written on it, sent with
the CORS header real tile services send. It records every path it serves."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, ImageDraw

TILE_GROUND = (236, 224, 196)
STREET = (150, 150, 150)


def tile_png(z: int, x: int, y: int) -> bytes:
    img = Image.new("RGB", (256, 256), TILE_GROUND)
    draw = ImageDraw.Draw(img)
    for offset in (64, 160):
        draw.line([(0, offset), (256, offset + 20)], fill=STREET, width=4)
        draw.line([(offset, 0), (offset - 30, 256)], fill=STREET, width=3)
    draw.rectangle([0, 0, 255, 255], outline=(210, 200, 175))
    draw.text((8, 8), f"{z}/{x}/{y}", fill=(90, 90, 90))
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    return buffer.getvalue()


class TileServer:
    """`url` is the XYZ template; `paths` the paths requested so far."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                paths.append(self.path)
                parts = self.path.strip("/").removesuffix(".png").split("/")
                try:
                    z, x, y = (int(p) for p in parts[-3:])
                except ValueError:
                    self.send_error(404)
                    return
                body = tile_png(z, x, y)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/tiles/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def tile_requests(self) -> list[str]:
        return [p for p in list(self.paths) if p.startswith("/tiles/")]


@contextmanager
def tile_server() -> Iterator[TileServer]:
    server = TileServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
