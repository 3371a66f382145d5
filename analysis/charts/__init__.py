"""Plotly figures built from plain dicts, one module per page area."""
