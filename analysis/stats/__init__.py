"""Statistics: exact tests and CUSUM alerts on the series."""
