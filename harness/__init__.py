"""What the tests and the benchmarks share to drive the real app (not production code):
`server` starts `streamlit run` on a free port and stops it, `browser` launches Debian's
chromium for Playwright and holds the CI rule that a missing browser is a failure."""
