"""Incident files (one row per offense or per person) -> incidents, quarantine, rollups.

Steps, each one SQL statement over the whole file or one vectorised library call:
1. stage the CSV as text (ingest/staging.py);
2. parse (parse.py, SQL in parsed.sql): city, dates in the city's local time, local code
   -> NIBRS via the crosswalk, coordinates, ZIP, district column, id; the first failing
   check gives the row its quarantine reason;
3. locate (locate.py): reproject (pyproj), drop points outside the city's bounding box
   or boundary polygon (shapely), assign districts by spatial join (ingest/districts.py),
   H3 cells (cells.py);
4. key and dedupe on (source, source_id), write incidents and quarantine (write.py),
   rebuild the rollups of the source (load.py runs the steps).
"""
