"""Rules every layer shares, each in one place; imports no other package of the project.

settings (environment variables: name, default, help), store (the DuckDB connection),
sql (the one identifier helper), lake (Parquet lake views), vocabulary (offense keys,
labels, FIREARM_VIOLENT, RATE_BASE), months (month arithmetic).
"""
