"""Streamlit glue shared by pages: the cached read-only connection, cached queries,
the filter sidebar (session state + URL query params) and small components."""
