"""Counts and rates per city over time, from the monthly rollup.

One source per city and offense: a city can have several (incident-based rows from a
sample file and published monthly counts, say). Adding them would double count, so each
city x offense series uses the source that covers the most months in the filter's
range (ties: alphabetical), and the frame says which source it used.
Rates are per 100,000 residents with the population of the row's own year.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analysis.filters import MONTHLY, CrimeFilter

RATE_BASE = 100_000

COUNTS_SQL = """
with scoped as (
    select city_id, month, offense, count, source
    from monthly_counts
    where {where}
),
coverage as (
    select city_id, offense, source, count(*) as months
    from scoped
    group by city_id, offense, source
    qualify row_number() over (partition by city_id, offense order by months desc, source) = 1
),
final as (
    select s.city_id, c.name as city, s.month, s.offense, s.count, s.source,
           p.population,
           -- count is INTEGER: multiply as a double, or a city-month above 21,474 offenses
           -- overflows INT32 (Houston property crime at scale 20).
           s.count * {rate_base}::double / p.population as rate
    from scoped s
    join coverage v using (city_id, offense, source)
    join cities c using (city_id)
    left join city_population p on p.city_id = s.city_id and p.year = year(s.month)
)
select * from final order by city, offense, month
"""


def counts_by_city_month(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Monthly count and rate per 100k for each city and offense in the filter.

    Columns: city_id, city, month, offense, count, source, population, rate.
    """
    where, params = filt.where(MONTHLY)
    sql = COUNTS_SQL.format(where=where, rate_base=RATE_BASE)
    return con.execute(sql, params).df()
