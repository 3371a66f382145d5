"""Files the tests and the benchmarks import: the worked example of a source mapping,
the real files of ../shared/data in README order, and the command line of
`python -m ingest import generic` (an import as its own process)."""

from __future__ import annotations

import sys
from pathlib import Path

from harness.server import ROOT

EXAMPLE_CSV = ROOT / "tests" / "fixtures" / "generic_example.csv"
EXAMPLE_MAPPING = ROOT / "data" / "sources" / "generic_example.toml"

# (source, path under raw/) in the order the README gives: geography first.
REAL_FILES: list[tuple[str, str]] = [
    ("census_boundaries", "geography/psp_city_boundaries_cb2015.geojson"),
    ("memphis_precincts", "memphis/memphis_police_precincts.geojson"),
    ("kansas_city_districts", "kansas_city/kcmo_city_council_districts_2023_wkt.csv.gz"),
    ("cincinnati", "cincinnati/cincinnati_burglary_2016_2018.csv.gz"),
    ("indianapolis", "indianapolis/impd_ucr_2019_jan_may.csv.gz"),
    ("kansas_city", "kansas_city/kcpd_crime_2020_trimmed.csv.gz"),
    ("kansas_city_frauds", "kansas_city/kansas_city_frauds_2015-02-14.csv.gz"),
    ("memphis", "memphis/memphis_personal_robberies_2019.csv.gz"),
    ("rtci", "multi_city/rtci_monthly_by_agency_2018_2024.csv.gz"),
    ("rtci_ytd", "multi_city/rtci_ytd_table_2026-02.csv.gz"),
    ("rtci_sources", "multi_city/rtci_agency_sources.csv.gz"),
    ("memphis_zcta", "memphis/memphis_monthly_by_zcta_type.csv.gz"),
    ("houston_zcta", "houston/houston_monthly_by_zcta_type.csv.gz"),
]


def import_cmd(store: Path, csv: Path, mapping: Path = EXAMPLE_MAPPING) -> list[str]:
    """`python -m ingest import generic CSV --mapping MAPPING --db STORE` as an argv."""
    return [
        sys.executable, "-m", "ingest", "import", "generic", str(csv),
        "--mapping", str(mapping), "--db", str(store),
    ]  # fmt: skip
