"""A local stand-in for the portals: a threaded HTTP server on 127.0.0.1 (random port).

It answers in each platform's real response shape, from rows the tests build out of the
real sample files in ../shared/data:
- Socrata SODA 2.x `/resource/<id>.json`: a JSON list of rows, values as strings, fields
  that are null left out, points as GeoJSON; honours $limit, $offset, $order=:id and a
  `$where=<field> >= '<floating timestamp>'`.
- ArcGIS REST `<layer>/query`: {fields, features: [{attributes, geometry}],
  exceededTransferLimit}, capped at the layer's maxRecordCount, dates as epoch ms; honours
  resultOffset, resultRecordCount and `where=<field> >= TIMESTAMP '...'` (or 1=1).
- Plain files (the RTCI CSV, the Census zips) at their paths.
Every request is recorded (path and query) so tests can assert what was asked. Faults can
be injected per path: a queue of HTTP statuses, or a delay, served before the real answer.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SODA_WHERE = re.compile(r"^(\w+) >= '([0-9T:.\-]+)'$")
ARCGIS_WHERE = re.compile(r"^(\w+) >= TIMESTAMP '([0-9: \-]+)'$")


@dataclass
class Seen:
    """One request the server received."""

    path: str
    params: dict[str, str]


@dataclass
class ArcgisLayer:
    fields: list[dict[str, str]]
    features: list[dict[str, Any]]
    max_record_count: int


@dataclass
class PortalServer:
    """Routes, recorded requests and injected faults; `url` is the base to give connectors."""

    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    soda: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    arcgis: dict[str, ArcgisLayer] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    faults: dict[str, list[int]] = field(default_factory=dict)
    delays: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- set-up ------------------------------------------------------------------------
    def add_soda(self, dataset_id: str, rows: list[dict[str, Any]]) -> None:
        self.soda[f"/resource/{dataset_id}.json"] = rows

    def add_arcgis(
        self,
        layer: str,
        fields: list[dict[str, str]],
        features: list[dict[str, Any]],
        max_record_count: int = 1000,
    ) -> None:
        self.arcgis["/" + layer.strip("/") + "/query"] = ArcgisLayer(fields, features, max_record_count)

    def add_file(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> None:
        self.files["/" + path.lstrip("/")] = (body, content_type)

    def fail(self, path: str, *statuses: int) -> None:
        """Answer the next len(statuses) requests to path with these statuses."""
        self.faults.setdefault(path, []).extend(statuses)

    def delay(self, path: str, *seconds: float) -> None:
        self.delays.setdefault(path, []).extend(seconds)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [s.params for s in self.seen if s.path == path]

    # -- answers -----------------------------------------------------------------------
    def answer(self, path: str, params: dict[str, str]) -> tuple[int, bytes, str, dict[str, str]]:
        with self.lock:
            self.seen.append(Seen(path, params))
            fault = self.faults[path].pop(0) if self.faults.get(path) else None
            pause = self.delays[path].pop(0) if self.delays.get(path) else 0.0
        if pause:
            time.sleep(pause)
        if fault is not None:
            body = json.dumps({"message": "injected fault", "errorCode": str(fault)}).encode()
            return fault, body, "application/json", {"Retry-After": "0"}
        if path in self.soda:
            return 200, json.dumps(self._soda(self.soda[path], params)).encode(), "application/json", {}
        if path in self.arcgis:
            return 200, json.dumps(self._arcgis(self.arcgis[path], params)).encode(), "application/json", {}
        if path in self.files:
            body, kind = self.files[path]
            return 200, body, kind, {}
        body = json.dumps({"message": f"no such resource {path}", "errorCode": "not_found"}).encode()
        return 404, body, "application/json", {}

    @staticmethod
    def _soda(rows: list[dict[str, Any]], params: dict[str, str]) -> list[dict[str, Any]]:
        assert params.get("$order") == ":id", "SODA paging needs a stable $order"
        where = params.get("$where")
        if where:
            match = SODA_WHERE.match(where)
            assert match, f"unexpected $where {where!r}"
            name, start = match.groups()
            rows = [r for r in rows if r.get(name, "") >= start]
        offset, limit = int(params.get("$offset", 0)), int(params.get("$limit", 1000))
        return rows[offset : offset + limit]

    @staticmethod
    def _arcgis(layer: ArcgisLayer, params: dict[str, str]) -> dict[str, Any]:
        assert params.get("f") == "json"
        features = layer.features
        where = params.get("where", "1=1")
        if where != "1=1":
            match = ARCGIS_WHERE.match(where)
            if not match:
                return {
                    "error": {"code": 400, "message": "Unable to complete operation.", "details": [where]}
                }
            name, start = match.groups()
            epoch = datetime.strptime(start, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp() * 1000
            features = [f for f in features if (f["attributes"].get(name) or 0) >= epoch]
        offset = int(params.get("resultOffset", 0))
        count = min(int(params.get("resultRecordCount", layer.max_record_count)), layer.max_record_count)
        page = features[offset : offset + count]
        body: dict[str, Any] = {
            "objectIdFieldName": "OBJECTID",
            "geometryType": "esriGeometryPoint",
            "spatialReference": {"wkid": 4326, "latestWkid": 4326},
            "fields": layer.fields,
            "features": page,
        }
        if offset + count < len(features):
            body["exceededTransferLimit"] = True
        return body


def _handler(server: PortalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            status, body, kind, headers = server.answer(parts.path, params)
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


def start(server: PortalServer) -> Callable[[], None]:
    """Serve `server` on a random port of 127.0.0.1 in a thread; return the stop function."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), name="portal-server", daemon=True)
    thread.start()

    def stop() -> None:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)

    return stop
