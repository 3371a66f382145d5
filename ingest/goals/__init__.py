"""Writing goals and interventions: validation, the TOML goals file, the demo goals.

Design decisions
- One validator serves the CLI, the goals file and the dashboard form, and it checks
  against the data, not only the types: the city is a registry city, the offense has
  data, every baseline year is complete for that city (and, for firearm goals, its
  source records weapons), the baseline is not zero, and the numbers are sane
  (target between TARGET_MIN and TARGET_MAX percent, deadline not before the start).
- All or nothing: a batch with one bad goal writes no goal. Problems are collected for
  the whole batch and raised together as GoalError, with the goal's position in the
  batch, so a user fixes everything in one go.
- Validation runs first on a read-only connection (cheap: no copy of the store), then
  again inside the write transaction (ingest.store.write_store), where a failure
  discards the copy and leaves the live store byte for byte as it was.

Modules: spec.py (what a user states, the limits), validate.py (the checks), write.py
(all-or-nothing writes), goals_file.py (the TOML goals file and the demo goals).
"""
