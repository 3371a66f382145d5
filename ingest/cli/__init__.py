"""`python -m ingest`: build and inspect the store from the command line.

One module per group of commands: build.py (migrate, demo, public), imports.py (import,
fetch), lake.py (export-lake, lake-rollups), status.py (status), goals.py (goals ...,
interventions ...); common.py holds what they share. app.py registers them in the order
`--help` lists them.
"""
