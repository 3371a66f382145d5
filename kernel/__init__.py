"""Settings, the store connection and SQL helpers, shared by analysis, ingest, report and ui; imports none of them."""
