"""Counts and rates per city over time, from the official series.

One count per city x month x offense: `official_monthly`, where analysis/series/official.py's
one precedence has already chosen among the sources (FBI Return A, then the Real-Time
Crime Index, then complete citywide incident records, then other citywide counts). Each
row says which source it came from. A month without a row has no official count (a gap,
never a zero).
Rates are per 100,000 residents with the population of the row's own year.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.query.filters import OFFICIAL, CrimeFilter

RATE_BASE = 100_000

COUNTS_SQL = """
with scoped as (
    select city_id, month, offense, count, source
    from official_monthly
    where {where}
),
final as (
    select s.city_id, c.name as city, s.month, s.offense, s.count, s.source,
           p.population,
           -- count is INTEGER: multiply as a double, or a city-month above 21,474 offenses
           -- overflows INT32 (Houston property crime at scale 20).
           s.count * {rate_base}::double / p.population as rate
    from scoped s
    join cities c using (city_id)
    left join city_population p on p.city_id = s.city_id and p.year = year(s.month)
)
select * from final order by city, offense, month
"""


def counts_by_city_month(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Monthly official count and rate per 100k for each city and offense in the filter.

    Columns: city_id, city, month, offense, count, source, population, rate.
    """
    where, params = filt.where(OFFICIAL)
    sql = COUNTS_SQL.format(where=where, rate_base=RATE_BASE)
    return con.execute(sql, params).df()
