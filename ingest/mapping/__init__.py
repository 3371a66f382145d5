"""Declarative source mappings: one TOML file per source in data/sources/<source>.toml.

Design: a city's export differs from another's only in facts (column names, date
formats, time zone, coordinate system, id column, offense codes), so a source is
described by data, not by a Python class. This package parses and checks a mapping file
(load.py: the whole file; one module per section of it: source.py, reading.py for [csv]
and [id], dates.py for [occurred]/[reported], place.py for [city]/[location]/[district],
offense.py, counts.py, geography.py for [geography]/[agencies], breaks.py); the loaders
(ingest/incidents/, ingest/counts/, ...) turn it into SQL. The format is documented in
README.md ("Loading real data") and shown whole in data/sources/generic_example.toml.

Parsing is strict: an unknown key is an error (a typo would otherwise be ignored
silently), and every error names the mapping file and the key.
"""
