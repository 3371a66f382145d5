"""Settings in one place: each has a name, a default and help text.

Values come from environment variables so that tests, CI and users point the app at a
store without code changes (PSP_DB=tests/.../tiny.duckdb streamlit run dashboard.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


@dataclass(frozen=True)
class Setting:
    """One environment setting with its default and the help shown in the README."""

    name: str
    default: str
    help: str

    def value(self) -> str:
        return self.given() or self.default

    def given(self) -> str:
        """The environment's value, or '' when the variable is unset or empty."""
        return os.environ.get(self.name) or ""


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "PSP_DB",
            str(DATA_DIR / "public.duckdb"),
            "Path of the DuckDB store the dashboard opens first and `ingest` writes (default: the "
            "public store `make run` builds from data/public). Relative paths are taken from the "
            "working directory. The sidebar's Dataset switch lists it with every store in data/.",
        ),
        Setting(
            "PSP_DATASETS",
            str(DATA_DIR),
            "Folder whose *.duckdb stores the sidebar's Dataset switch lists (public, demo, your own).",
        ),
        Setting(
            "PSP_DEMO_SCALE",
            "1",
            "Scale of the demo dataset `make demo` builds into data/demo.duckdb "
            "(1 = real order of magnitude, about 5M offenses).",
        ),
        Setting(
            "PSP_DOWNLOADS",
            str(DATA_DIR / "downloads"),
            "Folder where `python -m ingest fetch` writes what it downloaded (one file per fetch).",
        ),
        Setting(
            "PSP_PORTAL_BASE_URL",
            "",
            "If set (e.g. http://127.0.0.1:8080), every connector sends its requests to this "
            "scheme and host instead of the portal's own, keeping the path: for tests and mirrors.",
        ),
        Setting(
            "PSP_BASEMAP_URL",
            "",
            "XYZ tile template for a background map, e.g. https://gis.example.gov/tiles/{z}/{x}/{y}.png "
            "(a department's own tile service, or a public one where its policy allows). Empty = no "
            "background map and no request outside this machine.",
        ),
        Setting(
            "PSP_BASEMAP_ATTRIBUTION",
            "",
            "Attribution the tile provider requires, shown in the corner of every map that draws its "
            "tiles (e.g. '© OpenStreetMap contributors').",
        ),
        Setting(
            "PSP_BASEMAP_MAX_ZOOM",
            "19",
            "Highest zoom level the tile service has; closer in, its tiles are enlarged.",
        ),
        Setting(
            "PSP_SOCRATA_APP_TOKEN",
            "",
            "Optional Socrata app token sent with SODA requests; portals throttle anonymous clients harder.",
        ),
        Setting(
            "PSP_IMPORT_MEMORY",
            "50%",
            "Memory DuckDB may use while an import or build writes the store: a size (8GB) or a share "
            "of the machine's memory (50%). Past it DuckDB spills to a folder beside the store; the "
            "rest is left to the importer's own arrays (H3 cells, ids). At DuckDB's default (80%) a "
            "100M-row CSV ran a 24 GB machine out of memory.",
        ),
        Setting(
            "PSP_AUDIT_DB",
            str(DATA_DIR / "audit.duckdb"),
            "Path of the audit trail, a DuckDB file of its own (an import's swap of the store "
            "never touches it); append-only from the app.",
        ),
        Setting(
            "PSP_ROLES",
            str(ROOT / "roles.toml"),
            "The roles file: e-mail or group -> viewer / analyst / admin (see roles.example.toml). "
            "Read only when sign-in is configured.",
        ),
        Setting(
            "PSP_SUPPRESS_K",
            "5",
            "Viewers see no map cell, hot-spot cell or district figure of fewer than this many offenses.",
        ),
        Setting(
            "PSP_PUBLIC_AGGREGATES",
            "",
            "1 = serve aggregates only, to everyone, without sign-in (every session is a viewer): "
            "the one way to serve beyond 127.0.0.1 without [auth] settings.",
        ),
        Setting(
            "BROWSER_PATH",
            "",
            "Chromium or Chrome binary the report uses to draw chart images (empty: chromium, "
            "chromium-browser or google-chrome on PATH).",
        ),
        Setting(
            "STREAMLIT_SERVER_ADDRESS",
            "",
            "Streamlit's own bind address setting; `psp-dashboard` reads it (when no "
            "--server.address is given) to refuse serving beyond 127.0.0.1 without sign-in.",
        ),
    )
}


def import_memory() -> str:
    """DuckDB's memory_limit for the connection that writes the store (PSP_IMPORT_MEMORY)."""
    return SETTINGS["PSP_IMPORT_MEMORY"].value().strip()


def audit_path() -> Path:
    return Path(SETTINGS["PSP_AUDIT_DB"].value())


def roles_path() -> Path:
    return Path(SETTINGS["PSP_ROLES"].value())


def suppress_k() -> int:
    """The suppression threshold k (at least 1; a bad value falls back to the default 5)."""
    try:
        return max(1, int(SETTINGS["PSP_SUPPRESS_K"].value()))
    except ValueError:
        return 5


def public_aggregates() -> bool:
    return SETTINGS["PSP_PUBLIC_AGGREGATES"].value().strip().lower() in ("1", "true", "yes", "on")


def db_path() -> Path:
    """The store path from PSP_DB (default data/public.duckdb in the project)."""
    return Path(SETTINGS["PSP_DB"].value())
