"""Portal responses built from the real sample files in ../shared/data/raw.

Each builder turns a sample file into the rows its portal would send, under the portal's
real field names (../shared/data/SOURCES.md, "Portal facts"). Where the sample lacks a
field the portal has, the builder says what it filled in and how. Buffalo and Baton Rouge
have no sample file: their rows borrow real records of another city (values only; the
field names, types and shapes are Buffalo's and Baton Rouge's), which is enough to test
paging, field renames and the written file's shape. The ArcGIS features and the Census
zips are built in harness/gis_samples.py.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from harness.gis_samples import census_zips, indianapolis_features


def floating(stamps: pd.Series) -> pd.Series:
    """Socrata floating timestamps: local wall-clock time, milliseconds, no zone."""
    return stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.000")


def soda_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """SODA JSON rows: every value a string (points excepted), null fields left out."""
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for key, value in record.items():
            if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
                continue
            row[key] = value if isinstance(value, dict) else str(value)
        rows.append(row)
    return rows


def point(lon: float, lat: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


@dataclass(frozen=True)
class Samples:
    """Every portal's rows; the frames they came from are kept for independent checks."""

    cincinnati_pdi: list[dict[str, Any]]
    cincinnati_stars: list[dict[str, Any]]
    kansas_city: dict[str, list[dict[str, Any]]]  # dataset id -> rows
    memphis: list[dict[str, Any]]
    memphis_frame: pd.DataFrame
    buffalo: list[dict[str, Any]]
    baton_rouge: list[dict[str, Any]]
    indy_fields: list[dict[str, str]]
    indy_features: list[dict[str, Any]]
    indy_frame: pd.DataFrame
    rtci_csv: bytes
    census_zips: dict[str, bytes]  # state FIPS -> cb_2015_<fips>_place_500k.zip


def _cincinnati(raw: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    burglary = pd.read_csv(
        raw / "cincinnati/cincinnati_burglary_2016_2018.csv.gz", dtype={"incident_no": str}
    )
    subset = burglary.iloc[::20].reset_index(drop=True)  # 437 rows over 2016-2018
    stamps = pd.to_datetime(subset["offense_date"]).dt.tz_localize(None)
    # PDI: the sample's offense_date is PDI date_to; the sample has neither the report
    # date nor date_from, so both are set to the same day. instanceid (the PDI row id) is
    # the row number.
    pdi = pd.DataFrame(
        {
            "instanceid": [f"{i:06d}" for i in range(len(subset))],
            "incident_no": subset["incident_no"],
            "date_reported": floating(stamps),
            "date_from": floating(stamps),
            "date_to": floating(stamps),
            "offense": subset["offense"],
            "latitude_x": subset["latitude"],
            "longitude_x": subset["longitude"],
        }
    )
    # STARS (from 2024-06-03): the last 30 burglaries re-dated to July 2024, STARS names.
    tail = subset.tail(30).reset_index(drop=True)
    dates = pd.Timestamp("2024-07-01 09:30") + pd.to_timedelta(range(30), unit="D")
    stars = pd.DataFrame(
        {
            "incident_no": "24" + tail["incident_no"].str[2:],
            "datereported": floating(pd.Series(dates)),
            "datefrom": floating(pd.Series(dates - pd.Timedelta(hours=6))),
            "stars_category": "BURGLARY/BREAKING ENTERING",
            "type": "PART 1 PROPERTY",
            "latitude_x": tail["latitude"],
            "longitude_x": tail["longitude"],
            "cpd_neighborhood": "WESTWOOD",
        }
    )
    return soda_rows(pdi), soda_rows(stars)


def _kansas_city(raw: Path) -> dict[str, list[dict[str, Any]]]:
    kc = pd.read_csv(raw / "kansas_city/kcpd_crime_2020_trimmed.csv.gz", dtype=str)
    subset = kc.iloc[::40].reset_index(drop=True)  # 1,053 rows, January to mid-2020
    reported = pd.to_datetime(subset["Reported_Date"], format="%m/%d/%Y")
    # The trimmed extract has no From_Date (when the offense began): set to the report date.
    y2020 = pd.DataFrame(
        {
            "report_no": subset["Report_No"],
            "reported_date": floating(reported),
            "from_date": floating(reported),
            "offense": subset["Offense"],
            "ibrs": subset["IBRS"],
            "description": subset["Description"],
            "zip_code": subset["zip"].str.removesuffix(".0"),
            "race": subset["Race"],
            "sex": subset["Sex"],
            "age": subset["Age"].str.removesuffix(".0"),
        }
    )
    # 2024 and 2025: 20 and 10 of those records re-dated, with a GeoJSON point (the 2020
    # extract has only a ZIP: the points are made up inside the city) and, in 2025, the
    # renamed fields report / report_date.
    y2024 = y2020.head(20).copy()
    y2024["report_no"] = "KC24" + y2024["report_no"].str[4:]
    y2024["reported_date"] = y2024["from_date"] = floating(
        pd.Series(pd.Timestamp("2024-03-01") + pd.to_timedelta(range(20), unit="D"))
    ).to_numpy()
    y2024["location"] = [point(-94.58 + i / 1000, 39.05 + i / 1000) for i in range(20)]
    y2025 = y2020.iloc[20:30].copy().rename(columns={"report_no": "report", "reported_date": "report_date"})
    y2025["report"] = "KC25" + y2025["report"].str[4:]
    y2025["report_date"] = y2025["from_date"] = floating(
        pd.Series(pd.Timestamp("2025-02-01") + pd.to_timedelta(range(10), unit="D"))
    ).to_numpy()
    y2025["location"] = [point(-94.55, 39.1)] * 10
    rows: dict[str, list[dict[str, Any]]] = {
        ds: []
        for ds in (
            "kbzx-7ehe",
            "wbz8-pdv7",
            "98is-shjt",
            "dmjw-d28i",
            "pxaa-ahcm",
            "w795-ffu6",
            "x39y-7d3m",
            "bfyq-5nh6",
            "dmnp-9ajg",
            "f7wj-ckmw",
        )
    }
    rows["vsgj-uufz"] = soda_rows(y2020)
    rows["isbe-v4d8"] = soda_rows(y2024)
    rows["dmnp-9ajg"] = soda_rows(y2025)
    return rows


def _memphis(raw: Path) -> tuple[list[dict[str, Any]], pd.DataFrame, list[dict[str, Any]]]:
    robberies = pd.read_csv(raw / "memphis/memphis_personal_robberies_2019.csv.gz")
    stamps = pd.to_datetime(robberies["date"])
    memphis = pd.DataFrame(
        {
            "crime_id": robberies["uid"],
            "offense_date": floating(stamps),
            "ucr_category": "ROBBERY",
            "ucr_description": robberies["offense_type"].str.upper(),
            "lat": robberies["latitude"],
            "long": robberies["longitude"],
        }
    )
    memphis["location"] = [
        point(x, y) for x, y in zip(robberies["longitude"], robberies["latitude"], strict=True)
    ]
    # Buffalo: the first 300 Memphis robberies under Buffalo's fields, moved into Buffalo.
    head = robberies.head(300)
    buffalo = pd.DataFrame(
        {
            "incident_id": head["uid"],
            "case_number": "19-" + head["uid"].astype(str),
            "incident_datetime": floating(stamps.head(300)),
            "incident_type_primary": "ROBBERY",
            "incident_description": "Buffalo Police are investigating this report of a crime.",
            "parent_incident_type": "Robbery",
            # Memphis spreads wider than Buffalo: shrink the pattern around each city's centre
            "latitude": (42.8973 + (head["latitude"] - 35.1291) * 0.12).round(4),
            "longitude": (-78.8517 + (head["longitude"] + 89.9159) * 0.12).round(4),
            "neighborhood_1": "Broadway Fillmore",
            "police_district": "District C",
        }
    )
    return soda_rows(memphis), robberies, soda_rows(buffalo)


def _baton_rouge(raw: Path) -> list[dict[str, Any]]:
    # Baton Rouge: 300 Kansas City 2020 records that carry a NIBRS code, under BRPD's
    # fields, re-dated to 2022, with made-up points inside Baton Rouge.
    kc = pd.read_csv(raw / "kansas_city/kcpd_crime_2020_trimmed.csv.gz", dtype=str)
    coded = kc[kc["IBRS"].notna()].drop_duplicates("Report_No").head(300).reset_index(drop=True)
    dates = pd.to_datetime(coded["Reported_Date"], format="%m/%d/%Y") + pd.DateOffset(years=2)
    frame = pd.DataFrame(
        {
            "incident_number": "BR" + coded["Report_No"].str[2:],
            "charge_date": floating(dates),
            "report_date": floating(dates),
            "nibrs_code": coded["IBRS"],
            "offense_description": coded["Description"].fillna(coded["Offense"]),
            "district": "2",
        }
    )
    frame["geolocation"] = [
        point(-91.14 + (i % 50) / 1000, 30.45 + (i // 50) / 1000) for i in range(len(frame))
    ]
    return soda_rows(frame)


def build_samples(shared_data: Path) -> Samples:
    raw = shared_data / "raw"
    pdi, stars = _cincinnati(raw)
    memphis, memphis_frame, buffalo = _memphis(raw)
    indy_fields, indy_features, indy_frame = indianapolis_features(raw)
    return Samples(
        cincinnati_pdi=pdi,
        cincinnati_stars=stars,
        kansas_city=_kansas_city(raw),
        memphis=memphis,
        memphis_frame=memphis_frame,
        buffalo=buffalo,
        baton_rouge=_baton_rouge(raw),
        indy_fields=indy_fields,
        indy_features=indy_features,
        indy_frame=indy_frame,
        rtci_csv=gzip.decompress((raw / "multi_city/rtci_monthly_by_agency_2018_2024.csv.gz").read_bytes()),
        census_zips=census_zips(raw),
    )
