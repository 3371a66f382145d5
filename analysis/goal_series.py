"""One monthly count series for a city (or a district), zero-filled over its coverage.

Goals, interventions and alerts all judge one city x offense series month by month, and a
month with no row in the rollups is a month with zero offenses only while the source
covers it. So a series here spans the months its source covers (first month with any
data for the city, to the last complete month, the rule of analysis/health.py) and fills
the gaps inside with zeros.

Where it comes from:
- a whole city and an FBI Part I offense or total: monthly_counts, with the same one
  source per city x offense rule as analysis.metrics (the source with most months);
- a district, or firearm-involved violent crime: monthly_code_counts (migration 0004),
  which has the district and the firearm flag; a source that never records weapons
  yields no firearm series (zero would be a lie).

`monthly_series_many` builds many series with a handful of queries (one per kind, and
one for all coverage spans), not three per series: the Goals page and the briefing list
every goal's status on each rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analysis.filters import MONTH_CODES, OFFENSE_KEYS, OFFENSE_LABELS, CrimeFilter
from analysis.metrics import RATE_BASE, counts_by_city_month

FIREARM_VIOLENT = "firearm_violent_crime"
SERIES_OFFENSES: tuple[str, ...] = OFFENSE_KEYS + (FIREARM_VIOLENT,)
SERIES_LABELS: dict[str, str] = {**OFFENSE_LABELS, FIREARM_VIOLENT: "Firearm-involved violent crime"}

FIREARM_SQL = """
with scoped as (
    select city_id, month, source, sum(n) as count
    from monthly_code_counts
    where {where}
    group by all
),
recorded as (
    -- Sources that record the weapon for violent offenses in a city: elsewhere a zero
    -- firearm count would mean "not recorded", not "none". Only the cities in view.
    select distinct city_id, source
    from monthly_code_counts
    where offense_group = 'violent' and firearm is not null
      and city_id in (select distinct city_id from scoped)
),
coverage as (
    select city_id, source, count(*) as months
    from scoped join recorded using (city_id, source)
    group by city_id, source
    qualify row_number() over (partition by city_id order by months desc, source) = 1
),
final as (
    select s.city_id, c.name as city, s.month, '{offense}' as offense, s.count::bigint as count,
           s.source, p.population, s.count * {rate_base} / p.population as rate
    from scoped s
    join coverage v using (city_id, source)
    join cities c using (city_id)
    left join city_population p on p.city_id = s.city_id and p.year = year(s.month)
)
select * from final order by city, month
"""

CODE_SERIES_SQL = """
with scoped as (
    select month, source, sum(n) as count
    from monthly_code_counts
    where {where}
    group by all
),
final as (
    select month, source, count::bigint as count from scoped
)
select * from final order by source, month
"""

# The span of each city x source pair: first and last month with data (published counts
# or incidents), and the last day of the source's extract anywhere (incident sources).
COVERAGE_SQL = """
with pairs as (select distinct unnest(?::varchar[]) as city_id, unnest(?::varchar[]) as source),
source_end as (
    select source, max(last_day) as last_day from incident_months
    where source in (select source from pairs) group by source
),
spans as (
    select city_id, source, min(month) as first_month, max(month) as last_month
    from monthly_counts join pairs using (city_id, source) group by all
    union all
    select city_id, source, min(month), max(month)
    from incident_months join pairs using (city_id, source) group by all
),
final as (
    select p.city_id, p.source, min(s.first_month) as first_month, max(s.last_month) as last_month,
           any_value(e.last_day) as source_last_day
    from pairs p
    left join spans s using (city_id, source)
    left join source_end e using (source)
    group by p.city_id, p.source
)
select * from final
"""


def firearm_violent_by_city_month(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Monthly firearm-involved violent crime per city, from monthly_code_counts.

    Uses the filter's cities, dates, districts and sources (its offenses and firearm flag
    are implied). Columns as analysis.metrics.counts_by_city_month: city_id, city, month,
    offense (= 'firearm_violent_crime'), count, source, population, rate. Only sources
    that record weapons for violent offenses count; one source per city (most months).
    """
    scoped = CrimeFilter(
        cities=filt.cities,
        offenses=("violent_crime",),
        start=filt.start,
        end=filt.end,
        districts=filt.districts,
        firearm_only=True,
        sources=filt.sources,
    )
    where, params = scoped.where(MONTH_CODES)
    sql = FIREARM_SQL.format(where=where, offense=FIREARM_VIOLENT, rate_base=RATE_BASE)
    return con.execute(sql, params).df()


def _last_complete(last_month: date | None, source_last_day: date | None) -> pd.Timestamp | None:
    """Last complete month: incident sources end where their extract ends (health.py)."""
    if source_last_day is not None:
        end = pd.Timestamp(source_last_day)
        month = end.to_period("M").to_timestamp()
        return month if end.is_month_end else month - pd.DateOffset(months=1)
    return pd.Timestamp(last_month) if last_month is not None else None


SeriesKey = tuple[str, str, str | None]  # city_id, offense (SERIES_OFFENSES), district


def monthly_series(
    con: duckdb.DuckDBPyConnection, city_id: str, offense: str, district: str | None = None
) -> pd.DataFrame:
    """Monthly counts of one city (or district) and offense, zero-filled over coverage.

    Columns: month (first day, Timestamp), count (int), source. Empty when the store has
    no data for it. `offense` is a key of SERIES_OFFENSES.
    """
    return monthly_series_many(con, [(city_id, offense, district)])[0]


def monthly_series_many(con: duckdb.DuckDBPyConnection, keys: Sequence[SeriesKey]) -> list[pd.DataFrame]:
    """monthly_series for each (city_id, offense, district) key, in order, in a few queries."""
    for _, offense, _ in keys:
        if offense not in SERIES_OFFENSES:
            raise ValueError(f"unknown offense {offense!r}")
    raw: dict[SeriesKey, pd.DataFrame] = {}
    # Whole cities, Part I offenses and totals: one query (the source rule is per city x offense).
    whole = [k for k in keys if k[2] is None and k[1] in OFFENSE_KEYS]
    if whole:
        cities = tuple(sorted({k[0] for k in whole}))
        offenses = tuple(sorted({k[1] for k in whole}))
        frame = counts_by_city_month(con, CrimeFilter(cities=cities, offenses=offenses))
        for (city_id, offense), part in frame.groupby(["city_id", "offense"], sort=False):
            raw[(str(city_id), str(offense), None)] = part[["month", "count", "source"]]
    # Whole cities, firearm-involved violent crime: one query (one source per city).
    guns = [k for k in keys if k[2] is None and k[1] == FIREARM_VIOLENT]
    if guns:
        frame = firearm_violent_by_city_month(con, CrimeFilter(cities=tuple(sorted({k[0] for k in guns}))))
        for city_id, part in frame.groupby("city_id", sort=False):
            raw[(str(city_id), FIREARM_VIOLENT, None)] = part[["month", "count", "source"]]
    # Districts: one query each (few; the source rule applies within the district).
    for city_id, offense, district in dict.fromkeys(k for k in keys if k[2] is not None):
        assert district is not None
        raw[(city_id, offense, district)] = _district_counts(con, city_id, offense, district)
    spans = _spans(con, {(k[0], str(f["source"].iloc[0])) for k, f in raw.items() if not f.empty})
    return [_zero_filled(raw.get(k), spans.get((k[0], _source(raw.get(k))))) for k in keys]


def _district_counts(
    con: duckdb.DuckDBPyConnection, city_id: str, offense: str, district: str
) -> pd.DataFrame:
    if offense == FIREARM_VIOLENT:
        filt = CrimeFilter(cities=(city_id,), districts=(district,))
        return firearm_violent_by_city_month(con, filt)[["month", "count", "source"]]
    filt = CrimeFilter(cities=(city_id,), offenses=(offense,), districts=(district,))
    where, params = filt.where(MONTH_CODES)
    frame = con.execute(CODE_SERIES_SQL.format(where=where), params).df()
    if frame.empty:
        return frame
    # One source: the one with most months (ties: alphabetical), as in metrics.
    best = frame.groupby("source")["month"].count().sort_index().idxmax()
    return frame[frame["source"] == best]


def _source(frame: pd.DataFrame | None) -> str:
    return "" if frame is None or frame.empty else str(frame["source"].iloc[0])


Span = tuple[date | None, date | None, date | None]  # first month, last month, source's last day


def _spans(con: duckdb.DuckDBPyConnection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Span]:
    if not pairs:
        return {}
    ordered = sorted(pairs)
    rows = con.execute(COVERAGE_SQL, [[p[0] for p in ordered], [p[1] for p in ordered]]).fetchall()
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


def _zero_filled(frame: pd.DataFrame | None, span: Span | None) -> pd.DataFrame:
    """The series over its source's coverage, months without a row = zero."""
    empty = pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "count": [], "source": []})
    if frame is None or frame.empty:
        return empty
    source = str(frame["source"].iloc[0])
    first = pd.Timestamp(span[0]) if span and span[0] is not None else frame["month"].min()
    last = _last_complete(span[1], span[2]) if span else None
    if last is None or last < first:
        return empty
    months = pd.date_range(first, last, freq="MS")
    # Month offsets from `first` index the zero-filled array (one row per month in frame).
    have = pd.DatetimeIndex(pd.to_datetime(frame["month"]))
    at = ((have.year - first.year) * 12 + have.month - first.month).to_numpy()
    inside = (at >= 0) & (at < len(months))
    full = np.zeros(len(months), dtype="int64")
    full[at[inside]] = frame["count"].to_numpy()[inside]
    return pd.DataFrame({"month": months, "count": full, "source": source})
