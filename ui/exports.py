"""Every file download of the dashboard goes through here: the role may export, the CSV's
formulas are neutralised (analysis/exports.py), and the audit trail records the file, its
rows and its columns.

A download's data is made when the button is clicked, on a server thread outside the
page's run (Streamlit's deferred downloads): who, page and filters are taken when the
button is drawn and the audit row is written when the file is made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from analysis.access import Capability, require
from analysis.exports import csv_bytes
from ingest.audit import Entry, record
from kernel.settings import audit_path
from ui.auth import can, current_page, current_query, principal

CSV_MIME = "text/csv"


def export_maker(
    file_name: str, make: Callable[[], tuple[bytes, int | None, Sequence[str]]]
) -> Callable[[], bytes]:
    """A deferred download that re-checks the role and records the export when it runs.
    `make()` returns the bytes, their row count (None for a non-table file) and columns."""
    p = principal()
    page, query = current_page(), current_query()

    def run() -> bytes:
        if p is None:
            raise PermissionError("not signed in")
        require(p.role, Capability.EXPORT)
        data, rows, columns = make()
        detail: dict[str, Any] = {"file": file_name, "columns": list(columns), "bytes": len(data)}
        if rows is not None:
            detail["rows"] = rows
        record(audit_path().resolve(), Entry(p.who, p.role.label, "export", page, query, detail))
        return data

    return run


def download_csv(
    label: str,
    data: pd.DataFrame | Callable[[], pd.DataFrame],
    file_name: str,
    *,
    key: str | None = None,
    columns: Sequence[str] | None = None,
    help: str | None = None,
    where: Any = None,
) -> bool:
    """A CSV download button for analysts and admins (nothing for a viewer); the frame or
    the function making it runs on click. Returns whether a button was drawn."""
    if not can(Capability.EXPORT):
        return False

    def make() -> tuple[bytes, int | None, Sequence[str]]:
        frame = data() if callable(data) else data
        cols = list(columns) if columns else [str(c) for c in frame.columns]
        return csv_bytes(frame, columns), len(frame), cols

    (where or st).download_button(
        label,
        export_maker(file_name, make),
        file_name=file_name,
        mime=CSV_MIME,
        key=key or f"csv_{file_name}",
        help=help,
        on_click="ignore",
    )
    return True


def download_file(
    label: str, make: Callable[[], bytes], file_name: str, mime: str, *, key: str | None = None, **kwargs: Any
) -> bool:
    """Any other download (a meeting pack): the same role check and audit record."""
    if not can(Capability.EXPORT):
        return False
    st.download_button(
        label,
        export_maker(file_name, lambda: (make(), None, ())),
        file_name=file_name,
        mime=mime,
        key=key or f"file_{file_name}",
        on_click="ignore",
        **kwargs,
    )
    return True
