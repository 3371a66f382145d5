"""CSV downloads neutralise spreadsheet formulas (analysis/exports.py), and every download
of the app goes through the one helper (ui/exports.py)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from analysis.exports import csv_bytes, neutralise

ROOT = Path(__file__).resolve().parents[2]


def test_formula_cells_get_an_apostrophe() -> None:
    hostile = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://e")']
    for value in hostile:
        assert neutralise(value) == "'" + value
    for value in ("plain", "a=b", " =x", "", "'already"):
        assert neutralise(value) == value
    assert neutralise(-3) == -3 and neutralise(None) is None


def test_csv_bytes_keeps_numbers_and_neutralises_text_and_headers() -> None:
    frame = pd.DataFrame(
        {
            "id": ["=1+1", "ok", None],
            "change": [-3, 4, 5],
            "=evil": ["@x", "-y", "z"],
            "when": pd.to_datetime(["2024-01-01"] * 3),
        }
    )
    rows = list(csv.reader(io.StringIO(csv_bytes(frame).decode())))
    assert rows[0] == ["id", "change", "'=evil", "when"]
    assert rows[1] == ["'=1+1", "-3", "'@x", "2024-01-01"]
    assert rows[2] == ["ok", "4", "'-y", "2024-01-01"]
    assert rows[3] == ["", "5", "z", "2024-01-01"]
    assert list(csv.reader(io.StringIO(csv_bytes(frame, ["change"]).decode()))) == [
        ["change"],
        ["-3"],
        ["4"],
        ["5"],
    ]


def test_every_download_goes_through_the_one_helper() -> None:
    """No page or glue module makes a file download or a CSV itself: ui/exports.py checks
    the role, neutralises and records the export."""
    offenders = []
    for path in [*ROOT.glob("views/*.py"), *ROOT.glob("ui/*.py"), ROOT / "dashboard.py"]:
        if path.name == "exports.py":
            continue
        text = path.read_text()
        if re.search(r"download_button\(|\.to_csv\(", text):
            offenders.append(path.name)
    assert offenders == []
