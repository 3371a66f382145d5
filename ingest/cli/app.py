"""The `python -m ingest` command: every command, registered in the order --help lists them."""

from __future__ import annotations

import typer

from ingest.cli.build import demo_cmd, migrate_cmd, public_cmd
from ingest.cli.goals import goals_app, interventions_app
from ingest.cli.imports import fetch_cmd, import_cmd
from ingest.cli.lake import export_lake_cmd, lake_rollups_cmd
from ingest.cli.status import status_cmd

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="`python -m ingest`: build and inspect the store from the command line.",
)
app.command("migrate")(migrate_cmd)
app.command("demo")(demo_cmd)
app.command("public")(public_cmd)
app.command("import")(import_cmd)
app.command("export-lake")(export_lake_cmd)
app.command("lake-rollups")(lake_rollups_cmd)
app.command("status")(status_cmd)
app.command("fetch")(fetch_cmd)
app.add_typer(goals_app, name="goals")
app.add_typer(interventions_app, name="interventions")
