"""Published counts -> monthly_counts (and area_counts, period_counts).

Three shapes, one loader:
- wide monthly (the Real-Time Crime Index): one row per city x month, one column per
  offense. A violent_crime / property_crime total the source left empty is derived
  from its parts when every part is present, and flagged 'derived' in
  monthly_counts.flag; when a part is missing too, nothing is invented.
- long monthly by small area (ZCTA x crime type): every row goes to area_counts with
  the publisher's category; categories that map honestly to an FBI Part I offense are
  summed per city x month into monthly_counts (a month in the file without a row for a
  mapped category counts 0 -- the publisher aggregated incidents, so no row = none).
- period counts (the RTCI year-to-date table): period_counts rows for the year to date
  and, from the `previous` column, the same period a year earlier.

Counts are keyed on (source, city, month/period, offense/category). Re-importing the
same figures adds nothing; a publisher's revised figure replaces the old one (counted
as accepted and reported as revised).
"""
