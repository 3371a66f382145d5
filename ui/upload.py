"""The Data page's upload box: runs the same importer as `python -m ingest import`.

The file goes to a temporary path, `ingest.importer.import_file` writes a new version of
the store (copy-and-swap), and the page reruns on the new version. Errors come back as
one message; the store is untouched by a failed import."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from analysis.access import Capability
from ingest.errors import ImportFailed, MappingError, MixedDataError
from ingest.importer import import_file
from ingest.mapping.load import available_sources
from ingest.outcome import ImportReport
from ui import auth
from ui.dataset import store_path

GENERIC = "generic"
# The report figures the audit log keeps for a successful import.
AUDITED_COUNTS = ("rows_read", "rows_accepted", "rows_quarantined")


def upload_box() -> ImportReport | None:
    """File + source (or a generic mapping) -> import with progress -> the report.
    Admins only: others see a caption; the import itself re-checks and is audited."""
    if not auth.can(Capability.IMPORT):
        st.caption("Importing and uploading data is for admins.")
        return None
    chosen = _form()
    if chosen is None:
        return None
    source, data, mapping = chosen
    auth.require(Capability.IMPORT, "import a file")
    bar = st.progress(0.0, text="Starting import…")
    report = _import(source, data, mapping, bar)
    if report is None:
        return None
    bar.progress(1.0, text="Done")
    counts = {name: getattr(report, name) for name in AUDITED_COUNTS}
    auth.audit("import", file=data.name, source=source, ok=True, **counts)
    return report


def _form() -> tuple[str, UploadedFile, UploadedFile | None] | None:
    """The submitted source, data file and mapping file; None (with a message where the
    user must fix something) until a complete form is submitted."""
    sources = available_sources()
    with st.form("upload", clear_on_submit=False):
        source = st.selectbox(
            "Source",
            [GENERIC, *sources],
            format_func=lambda s: "My own export (generic CSV + mapping TOML)" if s == GENERIC else s,
            help="Known sources use the committed mapping in data/sources/<source>.toml.",
        )
        data = st.file_uploader("Data file (CSV, CSV.GZ or GeoJSON)", type=["csv", "gz", "geojson", "json"])
        mapping = st.file_uploader(
            "Mapping (TOML) — needed for 'generic', optional override otherwise", type=["toml"]
        )
        submitted = st.form_submit_button("Import", type="primary")
    if not submitted:
        return None
    if data is None:
        st.error("Choose a data file to import.")
        return None
    if source == GENERIC and mapping is None:
        st.error("A generic import needs a mapping file: start from data/sources/generic_example.toml.")
        return None
    return str(source), data, mapping


def _import(
    source: str, data: UploadedFile, mapping: UploadedFile | None, bar: DeltaGenerator
) -> ImportReport | None:
    """Import the uploaded file from a temporary folder; None (audited, with the error
    shown) when the import fails, which leaves the store as it was."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(data.name).name
        path.write_bytes(data.getvalue())
        mapping_path = None
        if mapping is not None:
            mapping_path = Path(tmp) / "mapping.toml"
            mapping_path.write_bytes(mapping.getvalue())
        try:
            return import_file(
                store_path(),
                source,
                path,
                mapping=mapping_path,
                progress=lambda label, fraction: bar.progress(min(max(fraction, 0.0), 1.0), text=label),
            )
        except (ImportFailed, MappingError, MixedDataError, RuntimeError, ValueError) as exc:
            bar.empty()
            message = str(exc).replace(str(path), data.name)
            auth.audit("import", file=data.name, source=source, ok=False, error=message[:500])
            st.error(f"Import failed; the store was not changed. {message}")
            return None
