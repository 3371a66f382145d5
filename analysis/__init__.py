"""Read side of the PSP crime dashboard.

Pure functions over a DuckDB connection and a typed filter, returning DataFrames,
figures and decks. Nothing here imports Streamlit (tests/test_layering.py checks it),
so the same functions serve pages, the CLI, reports and benchmarks.
"""
