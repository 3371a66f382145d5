"""CSV for download: the one place a frame becomes a file a user opens in a spreadsheet.

A cell that starts with = + - @ or a tab or carriage return is a formula to Excel,
LibreOffice and Google Sheets (CSV injection: `=HYPERLINK(...)`, `=cmd|' /C calc'!A0`).
Every text cell that starts so gets a leading apostrophe, which spreadsheets show as text.
Numbers are left alone (a negative change stays a number); only text can carry a formula.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """`value` made safe for a spreadsheet cell (text only; other values unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The frame (only `columns`, in that order, when given) with every text cell and
    column name neutralised."""
    out = frame[list(columns)] if columns else frame
    out = out.copy()
    for c in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_datetime64_any_dtype(out[c])):
            out[c] = out[c].map(neutralise, na_action="ignore")
    out.columns = [str(neutralise(str(c))) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """UTF-8 CSV of `frame` with formulas neutralised (see the module docstring)."""
    text: str = safe_frame(frame, columns).to_csv(index=False)
    return text.encode()
