"""One city in depth: offense mix, hour x weekday, districts, hot-spot cells, incidents.

Every function takes a scoped filter (analysis.query.scope.scoped: one city, one source, whole
months) and, where it compares, the comparison Window; all but the incident table read
the rollups of migration 0004. Changes follow docs/METHODS.md: counts beside percentages, no
percentage below 10 events, the exact Poisson test of analysis.stats.exact (exposure = days in
each window) with its p-value.

The incident table is the one place that reads incidents: one page at a time (LIMIT /
OFFSET with the whole filter in the WHERE clause), its total from daily_counts, and a
CSV of at most CSV_CAP rows. Locations are generalised to about 100 m (3 decimals) and
omitted for sensitive offenses (sex offenses) and unmapped local codes.
"""

from __future__ import annotations

import re
from dataclasses import replace

import duckdb
import h3.api.numpy_int as h3
import numpy as np
import pandas as pd

from analysis.geo.cells import parent_sql
from analysis.query import sqlfile
from analysis.query.filters import CELLS, DAILY, HOURS, INCIDENTS, MONTH_CODES, CrimeFilter, Table
from analysis.query.scope import Window, sum_n
from analysis.query.sqlfile import Fragment
from analysis.stats.exact import Change, days_between
from kernel.months import add_months, months_spanned

WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
HOTSPOT_RESOLUTION = 8  # about 0.74 km2, fixed so that cities and periods compare
HOTSPOT_TOP = 10
PAGE_SIZES: tuple[int, ...] = (100, 250, 500)
CSV_CAP = 50_000
LOCATION_DECIMALS = 3
GROUP_LABELS = {"violent": "Violent", "property": "Property", "other": "Other"}
EXTRA_CHANGE_COLUMNS = ["direction", "emphasis", "days_current", "days_previous"]


def window_days(window: Window) -> tuple[int, int]:
    """Days in the window and in its prior window: the exposures of the change test."""
    return days_between(window.start, window.end), days_between(window.prior_start, window.prior_end)


def _change_columns(frame: pd.DataFrame, window: Window) -> pd.DataFrame:
    """Add days_current, days_previous, change, p, judgement, emphasis and direction
    columns from `current` and `previous` (exact Poisson test, analysis.stats.exact)."""
    frame = frame.copy()
    days_current, days_previous = window_days(window)
    frame["days_current"], frame["days_previous"] = days_current, days_previous
    changes = [
        Change(int(c), int(p), days_current, days_previous)
        for c, p in zip(frame["current"], frame["previous"], strict=True)
    ]
    if window.prior_covered:
        frame["change"] = [c.text() for c in changes]
        frame["p"] = [c.p for c in changes]
        frame["judgement"] = [c.strength for c in changes]
        frame["emphasis"] = [c.emphasis for c in changes]
        frame["direction"] = [c.direction for c in changes]
    else:
        frame["change"] = "no data a year before"
        frame["p"] = np.nan
        frame["judgement"] = "no comparison"
        frame["emphasis"] = "no comparison"
        frame["direction"] = "no comparison"
    return frame


def _natural_key(text: object) -> tuple[object, ...]:
    """'District 2' before 'District 10'."""
    return tuple(int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", str(text)))


def _windowed(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filt: CrimeFilter,
    table: Table,
    window: Window,
    extra: dict[str, object] | None = None,
    **fragments: Fragment,
) -> pd.DataFrame:
    """Run the .sql file `name` that counts `current` (from $window_start) and `previous`
    (to $prior_end) over the rows of `filt` in `table`."""
    where, params = filt.bind(table)
    sql = sqlfile.render(__package__, name, where=Fragment(where), **fragments)
    bound = {**params, "window_start": window.start, "prior_end": window.prior_end, **(extra or {})}
    return con.execute(sql, bound).df()


def offense_mix(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, window: Window) -> pd.DataFrame:
    """Every offense of the city in the window (whatever the filter's offense; district
    and firearm apply) with its share and its change from the same months a year before.

    Columns: nibrs_code, offense, group, current, previous, share (% of the window's
    offenses), change, p, judgement, direction, emphasis, days_current, days_previous.
    """
    scope = window.both(replace(filt, offenses=()))
    frame = _windowed(con, "offense_mix.sql", scope, MONTH_CODES, window)
    frame = frame[frame["current"] + frame["previous"] > 0]
    total = frame["current"].sum()
    frame["share"] = (100 * frame["current"] / total).round(1) if total else 0.0
    frame["group"] = frame.pop("offense_group").map(GROUP_LABELS).fillna("Other")
    frame = _change_columns(frame, window)
    cols = ["nibrs_code", "offense", "group", "current", "previous", "share", "change", "p", "judgement"]
    return frame[[*cols, *EXTRA_CHANGE_COLUMNS]].reset_index(drop=True)


def total_change(frame: pd.DataFrame) -> Change:
    """The change of a whole frame with `current` and `previous` columns (the offense mix,
    or the district table, whose 'Not recorded' row makes it add up to the selection),
    over the frame's exposures (days_current, days_previous) when it has them. A table
    whose small counts were suppressed (analysis/access.py) carries its exact totals in
    `attrs["totals"]`: the whole city's figure is not a small cell."""
    days = (
        (float(frame["days_current"].iloc[0]), float(frame["days_previous"].iloc[0]))
        if len(frame) and "days_current" in frame and "days_previous" in frame
        else (1.0, 1.0)
    )
    if "totals" in frame.attrs:
        current, previous = frame.attrs["totals"]
        return Change(int(current), int(previous), *days)
    return Change(int(frame["current"].sum()), int(frame["previous"].sum()), *days)


def counts_by_hour_weekday(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Offenses per weekday x hour of occurrence in the filter's months, all 168 slots.

    Columns: weekday (1 = Monday), day (name), hour (0-23), n (offenses with a time),
    at_midnight (of those, recorded at exactly 00:00:00, often a stand-in for an unknown
    time), date_only (offenses whose source gave a date but no time, incidents.time_known
    false: kept out of n, counted at the hour their record shows, usually 00).
    """
    where, params = filt.bind(HOURS)
    found = con.execute(sqlfile.render(__package__, "hour_weekday.sql", where=Fragment(where)), params).df()
    grid = pd.DataFrame([(d, h) for d in range(1, 8) for h in range(24)], columns=["weekday", "hour"]).astype(
        "int64"
    )
    frame = grid.merge(
        found.astype({"weekday": "int64", "hour": "int64"}), how="left", on=["weekday", "hour"]
    )
    counts = ["n", "at_midnight", "date_only"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    frame.insert(1, "day", frame["weekday"].map(lambda d: WEEKDAYS[d - 1]))
    return frame


def district_changes(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, window: Window) -> pd.DataFrame:
    """Per district: the window's offenses against the same months a year before.

    Columns: district, current, previous, diff, pct (None below 10 events), change,
    p, judgement, direction, emphasis, days_current, days_previous; in natural district
    order ('Not recorded' last).
    """
    frame = _windowed(con, "district_changes.sql", window.both(filt), MONTH_CODES, window)
    frame = frame.sort_values(
        "district", key=lambda s: s.map(lambda d: (d == "Not recorded", _natural_key(d)))
    ).reset_index(drop=True)
    frame["diff"] = frame["current"] - frame["previous"]
    frame["pct"] = [
        Change(int(c), int(p)).pct for c, p in zip(frame["current"], frame["previous"], strict=True)
    ]
    frame["pct"] = frame["pct"].astype("float64").round(1)
    return _change_columns(frame, window)


def hotspot_cells(
    con: duckdb.DuckDBPyConnection,
    filt: CrimeFilter,
    window: Window,
    top: int = HOTSPOT_TOP,
    res: int = HOTSPOT_RESOLUTION,
) -> pd.DataFrame:
    """The `top` cells (H3 at `res`) with the most offenses in the window.

    Columns: rank, h3, district (where most of the cell's offenses are), current,
    previous, share (% of located offenses in the window), change, p, judgement,
    direction, emphasis, days_current, days_previous, trend (monthly counts from the prior window's first month to the
    window's last, zeros included), lat, lon (cell centre).
    """
    trend = {"top": top, "trend_first": window.prior_start, "trend_last": window.end}
    frame = _windowed(
        con, "hotspot_cells.sql", window.both(filt), CELLS, window, trend, parent=Fragment(parent_sql(res))
    )
    cols = ["rank", "h3", "district", "current", "previous", "share", "change", "p", "judgement"]
    if frame.empty:
        return pd.DataFrame(columns=[*cols, *EXTRA_CHANGE_COLUMNS, "trend", "lat", "lon"])
    frame["rank"] = range(1, len(frame) + 1)
    frame["share"] = (100 * frame["current"] / frame["located_current"].astype("float64")).round(1)
    frame["trend"] = [list(map(int, t)) for t in frame["trend"]]
    centres = np.array([h3.cell_to_latlng(int(c)) for c in frame["cell"]]).reshape(-1, 2)
    frame["lat"], frame["lon"] = centres[:, 0].round(5), centres[:, 1].round(5)
    frame = _change_columns(frame, window)
    return frame[[*cols, *EXTRA_CHANGE_COLUMNS, "trend", "lat", "lon"]]


def offense_codes(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """NIBRS codes of the filter's offense that occur in the filter (nibrs_code, offense, n)."""
    where, params = filt.bind(MONTH_CODES, "m")
    return con.execute(sqlfile.render(__package__, "offense_codes.sql", where=Fragment(where)), params).df()


def incident_count(con: duckdb.DuckDBPyConnection, q: CrimeFilter) -> int:
    """How many offenses the incident table holds for `q` (from daily_counts)."""
    return sum_n(con, DAILY, q)


def pages(total: int, page_size: int) -> int:
    """Number of pages (at least 1)."""
    return max(1, -(-total // page_size))


def incident_page(
    con: duckdb.DuckDBPyConnection, q: CrimeFilter, page: int = 1, page_size: int = PAGE_SIZES[0]
) -> pd.DataFrame:
    """One page (1-based) of offenses, newest first.

    Columns: occurred_at, offense, nibrs_code, district, firearm (yes/no/not recorded),
    lat, lon (3 decimals; empty for sensitive offenses and unmapped codes), source_id.
    """
    if not 1 <= page_size <= max(PAGE_SIZES):
        raise ValueError(f"page size must be 1 to {max(PAGE_SIZES)}")
    if page < 1:
        raise ValueError("pages are numbered from 1")
    return _incidents(con, q, limit=page_size, offset=(page - 1) * page_size)


def incident_rows(con: duckdb.DuckDBPyConnection, q: CrimeFilter, cap: int = CSV_CAP) -> pd.DataFrame:
    """The first `cap` rows of the incident table (newest first) for a CSV download."""
    return _incidents(con, q, limit=cap, offset=0)


def _incidents(con: duckdb.DuckDBPyConnection, q: CrimeFilter, limit: int, offset: int) -> pd.DataFrame:
    """Rows `offset` to `offset + limit` of the incident table for `q`, newest first."""
    where, params = q.bind(INCIDENTS, "i")
    sql = sqlfile.render(__package__, "incident_page.sql", where=Fragment(where))
    return con.execute(sql, {**params, "limit": limit, "offset": offset, "decimals": LOCATION_DECIMALS}).df()


def trend_months(window: Window) -> list[str]:
    """Labels of the months in a hot-spot trend ('2024-01', ...)."""
    first, last = window.prior_start, window.end
    n = months_spanned(first, last)
    return [f"{add_months(first, i):%Y-%m}" for i in range(n)]
