"""One monthly count series for a city (or a district).

Goals, interventions and alerts judge one city x offense series month by month.

Where it comes from:
- a whole city and an FBI Part I offense or total: the official series
  (official_monthly, analysis/series/official.py), over its own span; a month without an
  official count (an agency that did not report it) is left out, never a zero;
- a district, or firearm-involved violent crime: monthly_code_counts (migration 0004),
  which has the district and the firearm flag, from the city's one incident extract
  (analysis.series.provenance.incident_sources; for firearms one that records the weapon: zero
  would be a lie otherwise), zero-filled over the months that extract covers completely
  (source_spans): inside them a month without a row is a month with no offense.

`monthly_series_many` builds many series with a handful of queries (one per kind), not
three per series: the Goals page and the briefing list every goal's status on each rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from analysis.query import sqlfile
from analysis.query.filters import MONTH_CODES, CrimeFilter
from analysis.query.sqlfile import Fragment
from analysis.series.provenance import incident_sources
from analysis.series.rates import counts_by_city_month
from kernel.months import month_index, month_indexes
from kernel.vocabulary import FIREARM_VIOLENT, OFFENSE_KEYS, RATE_BASE, SERIES_OFFENSES

# The complete months of each city x incident extract (source_spans, analysis/series/official.py).
COVERAGE_SQL = """
with pairs as (select distinct unnest(?::varchar[]) as city_id, unnest(?::varchar[]) as source)
select p.city_id, p.source, s.first_month, s.last_month
from pairs p join source_spans s using (city_id, source)
"""


def firearm_violent_by_city_month(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Monthly firearm-involved violent crime per city, from monthly_code_counts.

    Uses the filter's cities, dates, districts and sources (its offenses and firearm flag
    are implied). Columns as analysis.series.rates.counts_by_city_month: city_id, city, month,
    offense (= 'firearm_violent_crime'), count, source, population, rate. Only sources
    that record weapons for violent offenses count; one source per city (most months).
    """
    where, params = filt.firearm_violent().bind(MONTH_CODES)
    cities = filt.cities or tuple(
        str(r[0]) for r in con.execute("select distinct city_id from incident_months").fetchall()
    )
    chosen = incident_sources(con, cities, firearm=True)
    if filt.sources:
        chosen = {c: s for c, s in chosen.items() if s in filt.sources}
    sql = sqlfile.render(__package__, "firearm_series.sql", where=Fragment(where))
    params |= {
        "chosen_cities": list(chosen),
        "chosen_sources": list(chosen.values()),
        "offense": FIREARM_VIOLENT,
        "rate_base": RATE_BASE,
    }
    return con.execute(sql, params).df()


SeriesKey = tuple[str, str, str | None]  # city_id, offense (SERIES_OFFENSES), district


def monthly_series(
    con: duckdb.DuckDBPyConnection, city_id: str, offense: str, district: str | None = None
) -> pd.DataFrame:
    """Monthly counts of one city (or district) and offense (see the module docstring).

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
    official: dict[SeriesKey, pd.DataFrame] = {}
    # Whole cities, Part I offenses and totals: the official series, one query.
    whole = [k for k in keys if k[2] is None and k[1] in OFFENSE_KEYS]
    if whole:
        cities = tuple(sorted({k[0] for k in whole}))
        offenses = tuple(sorted({k[1] for k in whole}))
        frame = counts_by_city_month(con, CrimeFilter(cities=cities, offenses=offenses))
        frame = frame.assign(month=pd.to_datetime(frame["month"]), count=frame["count"].astype("int64"))
        for (city_id, offense), part in frame.groupby(["city_id", "offense"], sort=False):
            official[(str(city_id), str(offense), None)] = part[["month", "count", "source"]].reset_index(
                drop=True
            )
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
    empty = pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "count": [], "source": []})
    return [
        official.get(k, empty)
        if k in official or (k[2] is None and k[1] in OFFENSE_KEYS)
        else _zero_filled(raw.get(k), spans.get((k[0], _source(raw.get(k)))))
        for k in keys
    ]


def _district_counts(
    con: duckdb.DuckDBPyConnection, city_id: str, offense: str, district: str
) -> pd.DataFrame:
    if offense == FIREARM_VIOLENT:
        filt = CrimeFilter(cities=(city_id,), districts=(district,))
        return firearm_violent_by_city_month(con, filt)[["month", "count", "source"]]
    source = incident_sources(con, (city_id,)).get(city_id)
    if source is None:
        return pd.DataFrame(columns=["month", "source", "count"])
    filt = CrimeFilter(cities=(city_id,), offenses=(offense,), districts=(district,), sources=(source,))
    where, params = filt.bind(MONTH_CODES)
    return con.execute(sqlfile.render(__package__, "code_series.sql", where=Fragment(where)), params).df()


def _source(frame: pd.DataFrame | None) -> str:
    return "" if frame is None or frame.empty else str(frame["source"].iloc[0])


Span = tuple[date | None, date | None]  # first and last complete month


def _spans(con: duckdb.DuckDBPyConnection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], Span]:
    if not pairs:
        return {}
    ordered = sorted(pairs)
    rows = con.execute(COVERAGE_SQL, [[p[0] for p in ordered], [p[1] for p in ordered]]).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def _zero_filled(frame: pd.DataFrame | None, span: Span | None) -> pd.DataFrame:
    """The series over its source's complete months, months without a row = zero."""
    empty = pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "count": [], "source": []})
    if frame is None or frame.empty:
        return empty
    source = str(frame["source"].iloc[0])
    if span is None or span[0] is None or span[1] is None:
        return empty
    first, last = pd.Timestamp(span[0]), pd.Timestamp(span[1])
    if last is None or last < first:
        return empty
    months = pd.date_range(first, last, freq="MS")
    # Month offsets from `first` index the zero-filled array (one row per month in frame).
    at = month_indexes(frame["month"]) - month_index(first)
    inside = (at >= 0) & (at < len(months))
    full = np.zeros(len(months), dtype="int64")
    full[at[inside]] = frame["count"].to_numpy()[inside]
    return pd.DataFrame({"month": months, "count": full, "source": source})
