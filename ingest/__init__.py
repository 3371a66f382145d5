"""Write side of the PSP crime dashboard: migrations, registry, importers, demo data.

Every write goes through `ingest.store.write_store`, which works on a copy of the store
inside one transaction and swaps it into place only when everything succeeded, so a
failed write leaves the store exactly as it was and a running dashboard keeps reading.
"""
