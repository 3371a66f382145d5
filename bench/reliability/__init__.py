"""Reliability proofs of issue #14 item 4 (`python -m bench.reliability`).

Each module runs one proof at any size and returns its figures; `__main__` runs them at
full size (1M-row imports, 10 kills, 20 browser sessions, 1,000 + 1,000 fuzz cases) and
prints them, and tests/reliability runs the same code scaled down, asserting the results.

- kill.py      SIGKILL a `python -m ingest import` at random moments
- disk.py      an import into a store on a full disk / under a file-size limit
- fuzz_files.py   hostile import files generated with hypothesis
- fuzz_queries.py hostile query strings through the URL layer and through every page
- sessions.py  browser sessions moving through every page while an import runs
"""
