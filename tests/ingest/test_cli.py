"""`python -m ingest import` and `status`: output, exit codes, --json."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from harness.files import EXAMPLE_CSV, EXAMPLE_MAPPING, import_cmd
from ingest.cli.app import app
from ingest.hashing import file_sha256
from tests.conftest import ROOT

runner = CliRunner()


def test_import_prints_the_summary(store: Path) -> None:
    result = runner.invoke(
        app, ["import", "generic", str(EXAMPLE_CSV), "--mapping", str(EXAMPLE_MAPPING), "--db", str(store)]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "rows read",
        "12",
        "accepted",
        "quarantined",
        "bad date (occurred_date)",
        "duplicates",
        "unmapped codes",
        "LOITER",
        "elapsed",
        "rows/s",
    ):
        assert text in out, text


def test_import_error_exit_code_and_message(store: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(EXAMPLE_CSV.read_text().splitlines()[0] + "\nA,B\n")
    before = file_sha256(store)
    result = runner.invoke(
        app, ["import", "generic", str(bad), "--mapping", str(EXAMPLE_MAPPING), "--db", str(store)]
    )
    assert result.exit_code == 2
    out = " ".join(result.output.split())  # rich wraps long lines
    assert "line 2" in out and "missing columns" in out and "was not changed" in out
    assert file_sha256(store) == before


def test_status_json_has_every_health_table(store: Path) -> None:
    runner.invoke(
        app, ["import", "generic", str(EXAMPLE_CSV), "--mapping", str(EXAMPLE_MAPPING), "--db", str(store)]
    )
    result = runner.invoke(app, ["status", "--json", "--db", str(store)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "cities",
        "sources",
        "months_without_data",
        "series_breaks",
        "quarantine",
        "upstream",
        "source_info",
        "months_not_reported",
        "superseded",
        "agency_population",
        "months",
        "official_sources",
        "agreement",
    }
    (info,) = data["source_info"]
    assert info["title"] == "Example PD records-system export"
    (src,) = [s for s in data["sources"] if s["source"] == "example_pd_rms"]
    assert src["rows"] == 8 and src["quarantined"] == 3 and src["last_complete_month"] == "2024-01-01"
    assert {m["month"] for m in data["months"] if m["city_id"] == "springfield_il"} == {
        "2024-01-01",
        "2024-02-01",
    }


def test_status_table(store: Path) -> None:
    runner.invoke(
        app, ["import", "generic", str(EXAMPLE_CSV), "--mapping", str(EXAMPLE_MAPPING), "--db", str(store)]
    )
    result = runner.invoke(app, ["status", "--db", str(store)])
    assert result.exit_code == 0
    assert "Data health by city and source" in result.output and "example_pd_rms" in result.output


def test_module_entry_point(store: Path) -> None:
    """The exact command the README gives, in a subprocess."""
    done = subprocess.run(
        import_cmd(store, EXAMPLE_CSV),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "accepted" in done.stderr


def test_mapping_errors_keep_their_brackets(store: Path, tmp_path: Path) -> None:
    """Messages name TOML tables like [offense]: the console must not eat them as markup."""
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE_MAPPING.read_text().replace("[offense]\n", "[offense]\ncodez = 1\n"))
    result = runner.invoke(
        app, ["import", "generic", str(EXAMPLE_CSV), "--mapping", str(bad), "--db", str(store)]
    )
    assert result.exit_code == 2
    assert "[offense] unknown key(s): codez" in " ".join(result.output.split())
