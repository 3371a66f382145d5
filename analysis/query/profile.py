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
from dataclasses import dataclass, replace

import duckdb
import h3.api.numpy_int as h3
import numpy as np
import pandas as pd

from analysis.geo.cells import cell_area_km2, parent_sql
from analysis.query.filters import (
    CELLS,
    DAILY,
    HOURS,
    INCIDENTS,
    MONTH_CODES,
    OFFENSE_LABELS,
    CrimeFilter,
    Table,
)
from analysis.query.scope import Window, add_months, sum_n
from analysis.stats.exact import Change, chance_note, days_between, most_notable

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


MIX_SQL = """
with scoped as (
    select nibrs_code, offense_group, month, n
    from monthly_code_counts
    where {where}
),
final as (
    select s.nibrs_code, coalesce(o.name, 'Unmapped local codes') as offense, s.offense_group,
           coalesce(sum(s.n) filter (where s.month >= ?), 0)::bigint as current,
           coalesce(sum(s.n) filter (where s.month <= ?), 0)::bigint as previous
    from scoped s left join offenses o using (nibrs_code)
    group by all
)
select * from final order by current desc, previous desc, offense
"""


def offense_mix(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, window: Window) -> pd.DataFrame:
    """Every offense of the city in the window (whatever the filter's offense; district
    and firearm apply) with its share and its change from the same months a year before.

    Columns: nibrs_code, offense, group, current, previous, share (% of the window's
    offenses), change, p, judgement, direction, emphasis, days_current, days_previous.
    """
    scope = window.both(replace(filt, offenses=()))
    where, params = scope.where(MONTH_CODES)
    frame = con.execute(MIX_SQL.format(where=where), [*params, window.start, window.prior_end]).df()
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


HOURS_SQL = """
with scoped as (
    select weekday, hour, at_midnight, time_known, n
    from hour_counts
    where {where}
),
final as (
    select weekday, hour,
           coalesce(sum(n) filter (where time_known), 0)::bigint as n,
           coalesce(sum(n) filter (where time_known and at_midnight), 0)::bigint as at_midnight,
           coalesce(sum(n) filter (where not time_known), 0)::bigint as date_only
    from scoped group by weekday, hour
)
select * from final
"""


def counts_by_hour_weekday(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """Offenses per weekday x hour of occurrence in the filter's months, all 168 slots.

    Columns: weekday (1 = Monday), day (name), hour (0-23), n (offenses with a time),
    at_midnight (of those, recorded at exactly 00:00:00, often a stand-in for an unknown
    time), date_only (offenses whose source gave a date but no time, incidents.time_known
    false: kept out of n, counted at the hour their record shows, usually 00).
    """
    where, params = filt.where(HOURS)
    found = con.execute(HOURS_SQL.format(where=where), params).df()
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


DISTRICTS_SQL = """
with scoped as (
    select district, month, n
    from monthly_code_counts
    where {where}
),
final as (
    select coalesce(district, 'Not recorded') as district,
           coalesce(sum(n) filter (where month >= ?), 0)::bigint as current,
           coalesce(sum(n) filter (where month <= ?), 0)::bigint as previous
    from scoped group by all
)
select * from final
"""


def district_changes(con: duckdb.DuckDBPyConnection, filt: CrimeFilter, window: Window) -> pd.DataFrame:
    """Per district: the window's offenses against the same months a year before.

    Columns: district, current, previous, diff, pct (None below 10 events), change,
    p, judgement, direction, emphasis, days_current, days_previous; in natural district
    order ('Not recorded' last).
    """
    where, params = window.both(filt).where(MONTH_CODES)
    frame = con.execute(DISTRICTS_SQL.format(where=where), [*params, window.start, window.prior_end]).df()
    frame = frame.sort_values(
        "district", key=lambda s: s.map(lambda d: (d == "Not recorded", _natural_key(d)))
    ).reset_index(drop=True)
    frame["diff"] = frame["current"] - frame["previous"]
    frame["pct"] = [
        Change(int(c), int(p)).pct for c, p in zip(frame["current"], frame["previous"], strict=True)
    ]
    frame["pct"] = frame["pct"].astype("float64").round(1)
    return _change_columns(frame, window)


HOTSPOTS_SQL = """
with by_cell as materialized (
    -- the one pass over the rollup
    select {parent} as cell, month, district, sum(n) as n
    from cell_counts
    where {where} and h3_r9 is not null
    group by all
),
totals as (
    select cell,
           coalesce(sum(n) filter (where month >= ?), 0)::bigint as current,
           coalesce(sum(n) filter (where month <= ?), 0)::bigint as previous
    from by_cell group by cell
),
top_cells as (
    select * from totals where current > 0 order by current desc, cell limit ?
),
top_rows as (
    select b.* from by_cell b semi join top_cells t using (cell)
),
main_district as (
    select cell, district
    from (select cell, district, sum(n) as n from top_rows group by all)
    qualify row_number() over (partition by cell order by n desc, district) = 1
),
by_month as (
    select cell, month, sum(n) as n from top_rows group by all
),
months as (
    select unnest(generate_series(?::date, ?::date, interval 1 month))::date as month
),
series as (
    select t.cell, list(coalesce(b.n, 0)::bigint order by m.month) as trend
    from top_cells t cross join months m
    left join by_month b on b.cell = t.cell and b.month = m.month
    group by t.cell
),
final as (
    select t.cell, t.current, t.previous, d.district, s.trend,
           (select sum(current) from totals) as located_current
    from top_cells t left join main_district d using (cell) join series s using (cell)
)
select *, lower(hex(cell)) as h3 from final order by current desc, cell
"""


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
    where, params = window.both(filt).where(CELLS)
    frame = con.execute(
        HOTSPOTS_SQL.format(parent=parent_sql(res), where=where),
        [*params, window.start, window.prior_end, top, window.prior_start, window.end],
    ).df()
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


@dataclass(frozen=True)
class IncidentQuery:
    """The incident table's filter: a day-precise CrimeFilter plus, optionally, specific
    NIBRS codes within its offense."""

    filt: CrimeFilter
    codes: tuple[str, ...] = ()

    def where(self, table: Table, alias: str = "") -> tuple[str, list[object]]:
        sql, params = self.filt.where(table, alias)
        if self.codes:
            p = f"{alias}." if alias else ""
            sql += f" and {p}nibrs_code in (select unnest(?::varchar[]))"
            params = [*params, list(self.codes)]
        return sql, params


def offense_codes(con: duckdb.DuckDBPyConnection, filt: CrimeFilter) -> pd.DataFrame:
    """NIBRS codes of the filter's offense that occur in the filter (nibrs_code, offense, n)."""
    where, params = filt.where(MONTH_CODES, "m")
    return con.execute(
        "select m.nibrs_code, o.name as offense, sum(m.n)::bigint as n"  # noqa: S608
        f" from monthly_code_counts m join offenses o using (nibrs_code) where {where}"
        " group by all order by n desc, m.nibrs_code",
        params,
    ).df()


def incident_count(con: duckdb.DuckDBPyConnection, q: IncidentQuery) -> int:
    """How many offenses the incident table holds for `q` (from daily_counts)."""
    return sum_n(con, DAILY, q.where(DAILY))


INCIDENTS_SQL = """
with page as (
    -- the page first, on incidents alone; names and privacy rules only for its rows
    select i.incident_id, i.occurred_at, i.offense, i.nibrs_code, i.district, i.firearm,
           i.lat, i.lon, i.source_id
    from incidents i
    where {where}
    order by i.occurred_at desc, i.incident_id desc
    limit ? offset ?
),
final as (
    select p.occurred_at, coalesce(o.name, p.offense) as offense, p.nibrs_code, p.district,
           case when p.firearm then 'yes' when not p.firearm then 'no' else 'not recorded' end as firearm,
           case when o.sensitive is not false then null else round(p.lat, {decimals}) end as lat,
           case when o.sensitive is not false then null else round(p.lon, {decimals}) end as lon,
           p.source_id, p.incident_id
    from page p left join offenses o using (nibrs_code)
)
select * exclude (incident_id) from final order by occurred_at desc, incident_id desc
"""


def pages(total: int, page_size: int) -> int:
    """Number of pages (at least 1)."""
    return max(1, -(-total // page_size))


def incident_page(
    con: duckdb.DuckDBPyConnection, q: IncidentQuery, page: int = 1, page_size: int = PAGE_SIZES[0]
) -> pd.DataFrame:
    """One page (1-based) of offenses, newest first.

    Columns: occurred_at, offense, nibrs_code, district, firearm (yes/no/not recorded),
    lat, lon (3 decimals; empty for sensitive offenses and unmapped codes), source_id.
    """
    if not 1 <= page_size <= max(PAGE_SIZES):
        raise ValueError(f"page size must be 1 to {max(PAGE_SIZES)}")
    if page < 1:
        raise ValueError("pages are numbered from 1")
    where, params = q.where(INCIDENTS, "i")
    sql = INCIDENTS_SQL.format(where=where, decimals=LOCATION_DECIMALS)
    return con.execute(sql, [*params, page_size, (page - 1) * page_size]).df()


def incident_rows(con: duckdb.DuckDBPyConnection, q: IncidentQuery, cap: int = CSV_CAP) -> pd.DataFrame:
    """The first `cap` rows of the incident table (newest first) for a CSV download."""
    where, params = q.where(INCIDENTS, "i")
    sql = INCIDENTS_SQL.format(where=where, decimals=LOCATION_DECIMALS)
    return con.execute(sql, [*params, cap, 0]).df()


# --- one-line summaries -------------------------------------------------------------


def _offense_words(filt: CrimeFilter) -> str:
    """'offenses (violent crime)' for a filter's offenses."""
    named = ", ".join(OFFENSE_LABELS[o].lower() for o in filt.offenses)
    return f"offenses ({named})" if named else "offenses"


def mix_summary(mix: pd.DataFrame, city: str, window: Window) -> str:
    """'In Jan–Dec 2025 Memphis recorded 1,234 offenses; the most common was ... .'"""
    if mix.empty or mix["current"].sum() == 0:
        return f"{city} recorded no offenses in {window.label}."
    top = mix.iloc[0]
    text = (
        f"In {window.label} {city} recorded {int(mix['current'].sum()):,} offenses; the most common was "
        f"{top['offense']} ({int(top['current']):,}, {top['share']:.0f}%)."
    )
    moved = mix[mix["judgement"].isin(["notable", "strong"])]
    if len(moved):
        biggest = moved.loc[most_notable(moved)]
        text += f" Most notable change: {biggest['offense']}, {biggest['change']}."
    elif window.prior_covered:
        text += " No offense changed notably from a year before."
    return text


def hour_summary(grid: pd.DataFrame, filt: CrimeFilter) -> str:
    """The busiest and quietest hour of the week."""
    total = int(grid["n"].sum())
    if total == 0:
        return "No offenses in this selection."
    busiest = grid.loc[grid["n"].idxmax()]
    quietest = grid.loc[grid["n"].idxmin()]
    by_day = grid.groupby("day", sort=False)["n"].sum()
    return (
        f"Of {total:,} {_offense_words(filt)}, the most began on {busiest['day']}s "
        f"{busiest['hour']:02d}:00–{busiest['hour']:02d}:59 ({int(busiest['n']):,}), the fewest on "
        f"{quietest['day']}s {quietest['hour']:02d}:00–{quietest['hour']:02d}:59 ({int(quietest['n']):,}); "
        f"busiest day: {by_day.idxmax()} ({100 * by_day.max() / total:.0f}% of the week)."
    )


def midnight_note(grid: pd.DataFrame) -> str:
    """What the data cannot tell about time: offenses without a time (left out), and the
    share recorded at exactly midnight."""
    unknown = int(grid["date_only"].sum())
    total = int(grid["n"].sum())
    at_midnight = int(grid["at_midnight"].sum())
    share = 100 * at_midnight / total if total else 0.0
    left_out = (
        f"{unknown:,} offenses have a date but no time of day and are not in the chart. " if unknown else ""
    )
    return left_out + (
        f"{at_midnight:,} of the charted offenses ({share:.1f}%) are recorded at exactly 00:00, which records "
        "systems often use when the time is unknown. For property crime (burglary, theft, vehicle theft) "
        "the victim usually finds the loss later: the recorded time may be the discovery time or a guess, "
        "and the true time lies somewhere in a window this data does not give (no 'from'/'to' times), so "
        "aoristic weighting cannot be applied. Read property-crime hours as approximate."
    )


def district_summary(frame: pd.DataFrame) -> str:
    """How many districts moved notably, in words."""
    if frame.empty:
        return "No district is recorded for this selection."
    if (frame["judgement"] == "no comparison").all():
        return "No data for the same months a year before: district changes cannot be judged."
    up = frame[(frame["direction"] == "up") & frame["judgement"].isin(["notable", "strong"])]
    down = frame[(frame["direction"] == "down") & frame["judgement"].isin(["notable", "strong"])]
    parts = []
    for word, part in (("up", up), ("down", down)):
        if len(part):
            names = ", ".join(part["district"].head(4)) + (" …" if len(part) > 4 else "")
            parts.append(f"{len(part)} notably {word} ({names})")
    if not parts:
        return (
            f"None of the {len(frame)} districts changed notably from a year before "
            f"(every change is within what chance alone would give, p ≥ 0.05). "
            + chance_note(len(frame), 0, "district changes")
        )
    return (
        f"Of {len(frame)} districts, "
        + " and ".join(parts)
        + "; the rest did not change notably. "
        + chance_note(len(frame), len(up) + len(down), "district changes")
    )


def hotspot_summary(frame: pd.DataFrame, res: int = HOTSPOT_RESOLUTION) -> str:
    """How concentrated the offenses are in the top cells."""
    if frame.empty:
        return "No located offenses in this selection."
    share = float(frame["share"].sum())
    area = len(frame) * cell_area_km2(res)
    text = (
        f"The {len(frame)} busiest cells (about {area:.1f} km² together) hold {share:.0f}% of the "
        f"located offenses in this selection; the busiest holds {int(frame['current'].iloc[0]):,}."
    )
    judged = frame[frame["judgement"].isin(["not notable", "notable", "strong"])]
    if len(judged):
        moved = int(judged["judgement"].isin(["notable", "strong"]).sum())
        text += (
            " "
            + chance_note(len(judged), moved, "cell changes")
            + " The cells are chosen for being busy now, which favours rises over falls."
        )
    return text


def trend_months(window: Window) -> list[str]:
    """Labels of the months in a hot-spot trend ('2024-01', ...)."""
    first, last = window.prior_start, window.end
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    return [f"{add_months(first, i):%Y-%m}" for i in range(n)]
