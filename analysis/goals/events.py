"""Dated events to mark on trend charts: the stored interventions and series breaks.

Interventions come from the `interventions` table (seeded by migration 0003, added on the
Interventions page or from a goals file through ingest/goals.py), so a marker's date is the
stored start date. Markers say *when* something happened, never that it caused what follows
(association is not causation: the pages say so next to the chart).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb
import pandas as pd


@dataclass(frozen=True)
class Marker:
    """A vertical line on a time axis, for the shown cities in `cities`."""

    day: date
    label: str
    kind: Literal["intervention", "break"]
    cities: tuple[str, ...] = ()


# One row per intervention (name and start date) that concerns a shown city, with the shown
# cities it concerns (by name), and whether it concerns every shown city.
INTERVENTION_MARKERS_SQL = """
with shown as (
    select unnest($cities::varchar[]) as city_id
),
stored as (
    select i.name, i.start_date, i.city_id, c.name as city
    from interventions i
    join cities c using (city_id)
    join shown using (city_id)
),
final as (
    select name, start_date,
           list(city_id order by city) as city_ids,
           list(city order by city) as cities,
           count(distinct city_id) = (select count(distinct city_id) from shown) as everywhere
    from stored
    group by name, start_date
)
select * from final order by start_date, name
"""


def intervention_markers(con: duckdb.DuckDBPyConnection, city_ids: Sequence[str]) -> list[Marker]:
    """One marker per stored intervention (name and start date) concerning any of `city_ids`,
    by start date. The label names the cities when it concerns only some of the shown ones:
    "PSP designation (Jun 2017)", "Operation Relentless Pursuit: Kansas City, Memphis (Dec 2019)"."""
    if not city_ids:
        return []
    rows = con.execute(INTERVENTION_MARKERS_SQL, {"cities": list(dict.fromkeys(city_ids))}).fetchall()
    out = []
    for name, start, ids, names, everywhere in rows:
        where = "" if everywhere else ": " + ", ".join(names)
        out.append(Marker(start, f"{name}{where} ({start:%b %Y})", "intervention", tuple(ids)))
    return out


def break_markers(city_ids: Sequence[str], breaks: pd.DataFrame | None) -> list[Marker]:
    """The series breaks (analysis.sources.health.series_breaks) of the shown cities, one
    marker per month and kind of break, naming its cities: "Houston: source change",
    "Baton Rouge, Birmingham: definition change: ..." (a rule change that hit a dozen
    cities in one month is one line, not a dozen)."""
    if breaks is None or breaks.empty:
        return []
    shown = breaks[breaks["city_id"].isin(set(city_ids))]
    grouped: dict[tuple[date, str], list[tuple[str, str]]] = {}
    for row in shown.itertuples():
        key = (pd.Timestamp(row.month).date(), str(row.label))
        grouped.setdefault(key, []).append((str(row.city), str(row.city_id)))
    return [
        Marker(
            day, f"{', '.join(sorted(c for c, _ in cities))}: {label}", "break", tuple(i for _, i in cities)
        )
        for (day, label), cities in sorted(grouped.items(), key=lambda item: item[0][0])
    ]


def markers_for(
    con: duckdb.DuckDBPyConnection, city_ids: Sequence[str], breaks: pd.DataFrame | None = None
) -> list[Marker]:
    """The markers that concern the shown cities: interventions, then series breaks."""
    return intervention_markers(con, city_ids) + break_markers(city_ids, breaks)


def cohort_markers(con: duckdb.DuckDBPyConnection, city_ids: Sequence[str]) -> list[Marker]:
    """The interventions that concern every one of `city_ids` (e.g. the PSP designation),
    for a chart that compares the cities with each other rather than one by one."""
    return [m for m in intervention_markers(con, city_ids) if set(city_ids) <= set(m.cities)]
