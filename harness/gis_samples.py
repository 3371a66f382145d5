"""ArcGIS features and Census shapefile zips built from the real sample files in
../shared/data/raw, for harness/portal_samples.py: the samples that are geometries, not
Socrata rows.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from pyproj import Transformer

# The NIBRS class the service sends for an IMPD UCR code: the entry with the highest start
# at or below the code.
UCR_TO_NIBRS = [
    (110, "09A"),
    (111, "09B"),
    (120, "11A"),
    (130, "120"),
    (170, "13A"),
    (190, "220"),
    (229, "23H"),
    (240, "240"),
]


def indianapolis_features(raw: Path) -> tuple[list[dict[str, str]], list[dict[str, Any]], pd.DataFrame]:
    """IMPD's ArcGIS layer: (fields, features, the sample rows they came from, with the
    local and UTC times and the WGS84 point added)."""
    impd = pd.read_csv(raw / "indianapolis/impd_ucr_2019_jan_may.csv.gz", encoding="utf-8-sig")
    subset = impd.iloc[::10].reset_index(drop=True)  # 1,712 offenses
    # Indiana State Plane East (US feet) to WGS84, as SOURCES.md says; the service sends
    # Latitude/Longitude attributes and a point geometry in the requested outSR.
    lon, lat = Transformer.from_crs(2965, 4326, always_xy=True).transform(
        subset["X_COORD"], subset["Y_COORD"]
    )
    # DATE_ + TIME is the local wall-clock time; ArcGIS sends dates as epoch ms in UTC.
    occurred = pd.to_datetime(subset["DATE_"]).dt.tz_localize(None) + pd.to_timedelta(subset["TIME"] + ":00")
    utc = occurred.dt.tz_localize("America/Indiana/Indianapolis").dt.tz_convert("UTC").dt.tz_localize(None)
    epoch_ms = (utc - pd.Timestamp("1970-01-01")) // pd.Timedelta(milliseconds=1)

    def nibrs(ucr: int) -> str:
        return next(code for start, code in reversed(UCR_TO_NIBRS) if ucr >= start)

    fields = [
        {"name": "OBJECTID", "type": "esriFieldTypeOID"},
        {"name": "CaseNum", "type": "esriFieldTypeString"},
        {"name": "OccurredFrom", "type": "esriFieldTypeDate"},
        {"name": "NIBRSClassCode", "type": "esriFieldTypeString"},
        {"name": "NIBRSClassDesc", "type": "esriFieldTypeString"},
        {"name": "CR_Desc", "type": "esriFieldTypeString"},
        {"name": "sAddress", "type": "esriFieldTypeString"},
        {"name": "Geo_Beats", "type": "esriFieldTypeString"},
        {"name": "Latitude", "type": "esriFieldTypeDouble"},
        {"name": "Longitude", "type": "esriFieldTypeDouble"},
    ]
    features = [
        {
            "attributes": {
                "OBJECTID": int(r.OBJECTID),
                "CaseNum": r.CASE,
                "OccurredFrom": int(ms),
                "NIBRSClassCode": nibrs(int(r.UCR)),
                "NIBRSClassDesc": r.CRIME,
                "CR_Desc": r.CRIME,
                "sAddress": r.ADDRESS,
                "Geo_Beats": r.BEAT,
                "Latitude": round(float(y), 6),
                "Longitude": round(float(x), 6),
            },
            "geometry": {"x": round(float(x), 6), "y": round(float(y), 6)},
        }
        for r, ms, x, y in zip(subset.itertuples(), epoch_ms, lon, lat, strict=True)
    ]
    subset = subset.assign(occurred=occurred, occurred_utc=utc, lat=lat, lon=lon)
    return fields, features, subset


def census_zips(raw: Path) -> dict[str, bytes]:
    """cb_2015_<state>_place_500k.zip as the Census ships it: a zipped shapefile per state,
    holding the PSP places of that state and one other place (a copy, renamed) to skip."""
    places = gpd.read_file(raw / "geography/psp_city_boundaries_cb2015.geojson")
    zips = {}
    for state, group in places.groupby("STATEFP"):
        decoy = group.head(1).copy()
        decoy["GEOID"] = str(state) + "99999"
        decoy["NAME"] = "Not a PSP place"
        layer = gpd.GeoDataFrame(pd.concat([group, decoy], ignore_index=True), crs=places.crs)
        name = f"cb_2015_{state}_place_500k"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for suffix, data in _shapefile_bytes(layer, name).items():
                archive.writestr(f"{name}.{suffix}", data)
        zips[str(state)] = buffer.getvalue()
    return zips


def _shapefile_bytes(layer: gpd.GeoDataFrame, name: str) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.shp"
        layer.to_file(path, driver="ESRI Shapefile")
        return {p.suffix[1:]: p.read_bytes() for p in Path(tmp).iterdir()}
