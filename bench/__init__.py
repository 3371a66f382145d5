"""Benchmarks of the dashboard at 1M, 10M and 100M offenses (`python -m bench`).

Apart from the tests: the suite prints figures and writes bench/results.json; nothing in
it asserts a time. See bench/run.py for what is measured and how.
"""
