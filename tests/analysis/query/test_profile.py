"""The City profile's numbers on the tiny geo store, worked out by hand from
tests/fixtures/tiny_incidents.csv plus X1 (Memphis aggravated assault at exactly
00:00 on Thu 2023-06-15) and X2 (Memphis robbery, Sat 2024-02-10 14:00, no location).

Window: Jan-Feb 2024 against Jan-Feb 2023. X1 falls between the two windows and must be
in neither.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import h3.api.numpy_int as h3
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from analysis.query import profile
from analysis.query.filters import CrimeFilter
from analysis.query.scope import Window, comparison_window, coverage, scoped
from analysis.stats.exact import Change
from analysis.text import profile as words

MEMPHIS = CrimeFilter(cities=("memphis_tn",), start=date(2024, 1, 1), end=date(2024, 2, 29))


@pytest.fixture()
def memphis(tiny_geo: duckdb.DuckDBPyConnection) -> tuple[CrimeFilter, Window]:
    filt = scoped(tiny_geo, MEMPHIS)
    assert filt is not None
    cov = coverage(tiny_geo, filt.cities[0], filt.sources[0])
    assert cov is not None
    window = comparison_window(cov, filt)
    assert window is not None and window.prior_covered
    return filt, window


def test_total_change(tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]) -> None:
    filt, window = memphis
    change = profile.total_change(profile.district_changes(tiny_geo, filt, window))
    # 2024: M11 M12 M13 M14 M15 M17 M18 X2 = 8; 2023: M1 M2 M3 M4 M7 = 5 (not X1, June).
    assert (change.current, change.previous) == (8, 5)
    # Exact test over 60 days against 59: 2 P(X >= 8 | X ~ Binomial(13, 60/119)) = 0.602.
    assert change.text() == "up 3 (5 → 8), not notable (p = 0.60)"
    assert (change.days_current, change.days_previous) == (60, 59)
    # All offenses (the mix): 10 in Jan-Feb 2024, 10 in Jan-Feb 2023.
    assert profile.total_change(profile.offense_mix(tiny_geo, filt, window)) == Change(10, 10, 60, 59)


def test_offense_mix(tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]) -> None:
    mix = profile.offense_mix(tiny_geo, *memphis)
    expected = pd.DataFrame(
        {
            "nibrs_code": ["13A", "120", "09A", "220", "13B", "23H"],
            "current": [3, 3, 2, 1, 1, 0],
            "previous": [3, 1, 1, 2, 0, 3],
            "share": [30.0, 30.0, 20.0, 10.0, 10.0, 0.0],
            "group": ["Violent", "Violent", "Violent", "Property", "Other", "Property"],
        }
    )
    assert_frame_equal(mix[expected.columns.tolist()], expected, check_dtype=False)
    assert mix.loc[0, "change"] == "no change (3 → 3), not notable (p = 1.0)"
    # 3 -> 0 was "strong" under z = 2(sqrt(0) - sqrt(3)) = -3.46; exactly, 2 (59/119)^3 = 0.244.
    assert mix.loc[5, "change"] == "down 3 (3 → 0), not notable (p = 0.24)"
    assert mix.loc[5, "judgement"] == "not notable" and mix.loc[5, "p"] == pytest.approx(0.243750, abs=1e-6)


def test_offense_mix_applies_district_and_firearm(
    tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]
) -> None:
    filt, window = memphis
    mix = profile.offense_mix(tiny_geo, replace(filt, districts=("Raines",), firearm_only=True), window)
    # Raines with a firearm, 2024: M13, M14 (13A); 2023: none.
    assert mix[["nibrs_code", "current", "previous"]].values.tolist() == [["13A", 2, 0]]


def test_hour_weekday_grid(tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]) -> None:
    filt, window = memphis
    grid = profile.counts_by_hour_weekday(tiny_geo, window.current(filt))
    assert len(grid) == 168 and grid["n"].sum() == 8
    busy = {(d, h): n for d, h, n in grid[grid["n"] > 0][["day", "hour", "n"]].itertuples(index=False)}
    assert busy == {
        ("Friday", 2): 1,  # M15 Fri 2024-01-19 02:00
        ("Friday", 21): 1,  # M13
        ("Friday", 23): 1,  # M11
        ("Saturday", 0): 1,  # M12 00:30 (not exactly midnight)
        ("Saturday", 14): 1,  # X2
        ("Saturday", 19): 1,  # M17
        ("Saturday", 20): 1,  # M18
        ("Saturday", 22): 1,  # M14
    }
    assert grid["at_midnight"].sum() == 0


def test_hour_grid_counts_exact_midnight(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(
        tiny_geo, CrimeFilter(cities=("memphis_tn",), start=date(2023, 1, 1), end=date(2023, 12, 31))
    )
    assert filt is not None
    grid = profile.counts_by_hour_weekday(tiny_geo, filt)
    # 2023 violent: M1 Tue 22, M2 Sat 1, M3 Sat 23, M4 Fri 12, M7 Thu 20, X1 Thu 00:00.
    assert grid["n"].sum() == 6
    thursday_midnight = grid[(grid["day"] == "Thursday") & (grid["hour"] == 0)]
    assert thursday_midnight[["n", "at_midnight"]].values.tolist() == [[1, 1]]
    assert "1 of the charted offenses (16.7%)" in words.midnight_note(grid)
    assert "Thursday (33% of the week)" in words.hour_summary(grid, filt)


def test_district_changes(tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]) -> None:
    frame = profile.district_changes(tiny_geo, *memphis)
    assert frame[["district", "current", "previous", "diff"]].values.tolist() == [
        ["North Main", 4, 4, 0],
        ["Raines", 4, 1, 3],
    ]
    raines = frame.iloc[1]
    assert math.isnan(raines["pct"])  # below 10 events: no percentage
    # Old rule: z = 2 (sqrt(4) - sqrt(1)) = 2, "notable"; exact: 2 P(X >= 4 | 5, 60/119) = 0.386.
    assert raines["p"] == pytest.approx(0.385592, abs=1e-6) and raines["judgement"] == "not notable"
    assert raines["change"] == "up 3 (1 → 4), not notable (p = 0.39)"
    assert raines["emphasis"] == "not notable"
    assert words.district_summary(frame) == (
        "None of the 2 districts changed notably from a year before (every change is within what chance "
        "alone would give, p ≥ 0.05). Of these 2 district changes, 0 read notable or strong; with no real "
        "change anywhere, up to 0.1 would read notable by chance alone (each is tested at p < 0.05)."
    )


def test_district_order_is_natural() -> None:
    names = ["District 10", "District 2", "Not recorded", "District 1"]
    assert sorted(names, key=lambda d: (d == "Not recorded", profile._natural_key(d))) == [
        "District 1",
        "District 2",
        "District 10",
        "Not recorded",
    ]


def test_hotspot_cells(tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]) -> None:
    filt, window = memphis
    hot = profile.hotspot_cells(tiny_geo, filt, window, top=3, res=7)
    # Independently: res-7 cells of the located 2024 and 2023 offenses (X2 has no location).
    # M7 (North Main, Feb 2023) lies in the top cell: it has 1 offense a year before.
    now = ["M11", "M12", "M13", "M14", "M15", "M17", "M18"]
    before = ["M1", "M2", "M3", "M4", "M7"]
    rows = pd.read_csv(
        "tests/fixtures/tiny_incidents.csv", dtype={"nibrs_code": str}, parse_dates=["occurred_at"]
    ).set_index("source_id")

    def cell(sid: str) -> int:
        # Coarse cells are parents of the stored res-9 cells (H3 parents do not nest exactly:
        # the res-7 cell containing a point can differ from its res-9 cell's parent).
        return int(h3.cell_to_parent(h3.latlng_to_cell(rows.loc[sid, "lat"], rows.loc[sid, "lon"], 9), 7))

    cur = pd.Series([cell(s) for s in now]).value_counts()
    assert hot["current"].tolist() == sorted(cur.tolist(), reverse=True)[:3]
    top = hot.iloc[0]
    assert int(top["h3"], 16) == cur.index[0]
    assert top["previous"] == sum(cell(s) == int(top["h3"], 16) for s in before) == 1
    assert top["district"] == "North Main" and top["trend"] == [0, 1] + [0] * 10 + [3, 1]
    assert hot["share"].sum() == pytest.approx(100 * hot["current"].sum() / 7, abs=0.15)
    # The trend runs Jan 2023 - Feb 2024 (14 months) and sums to both windows' counts.
    assert all(len(t) == 14 for t in hot["trend"])
    assert sum(hot.iloc[0]["trend"]) == top["current"] + top["previous"]
    assert profile.trend_months(window)[0] == "2023-01" and profile.trend_months(window)[-1] == "2024-02"


def test_hotspot_cells_north_main_by_hand(
    tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]
) -> None:
    filt, window = memphis
    hot = profile.hotspot_cells(tiny_geo, filt, window, top=5, res=4)
    # At res 4 (about 1,770 km2) both precincts fall in cells holding all of their
    # offenses: 2024 has 4 located in North Main and 3 in Raines (X2 unlocated).
    assert sorted(hot["current"].tolist(), reverse=True) in ([7], [4, 3])
    assert hot["district"].iloc[0] in ("North Main", "Raines")


def test_incident_pages(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(
        tiny_geo, CrimeFilter(cities=("memphis_tn",), start=date(2023, 1, 1), end=date(2024, 2, 29))
    )
    assert filt is not None
    q = filt
    # Violent: 5 in Jan-Feb 2023, X1 in June 2023, 8 in Jan-Feb 2024.
    assert profile.incident_count(tiny_geo, q) == 14
    assert profile.pages(14, 5) == 3 and profile.pages(0, 100) == 1
    first = profile.incident_page(tiny_geo, q, 1, 5)
    assert first["source_id"].tolist() == ["M18", "X2", "M17", "M15", "M14"]
    third = profile.incident_page(tiny_geo, q, 3, 5)
    assert third["source_id"].tolist() == ["M4", "M3", "M2", "M1"]
    assert profile.incident_page(tiny_geo, q, 4, 5).empty
    assert first.loc[0, "occurred_at"] == datetime(2024, 2, 17, 20, 0)
    assert first.loc[0, ["lat", "lon", "firearm"]].tolist() == [35.098, -89.908, "no"]
    assert pd.isna(first.loc[1, "lat"])  # X2 has no location
    with pytest.raises(ValueError):
        profile.incident_page(tiny_geo, q, 0, 5)


def test_incident_query_codes_and_days(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(
        tiny_geo, CrimeFilter(cities=("memphis_tn",), start=date(2023, 1, 1), end=date(2024, 2, 29))
    )
    assert filt is not None
    murders = replace(filt, codes=("09A",))
    assert profile.incident_count(tiny_geo, murders) == 3
    assert profile.incident_page(tiny_geo, murders)["source_id"].tolist() == ["M12", "M11", "M1"]
    # A day-precise window: 2024-01-05 to 2024-01-12 holds M11, M12, M13.
    days = replace(filt, start=date(2024, 1, 5), end=date(2024, 1, 12))
    assert profile.incident_count(tiny_geo, days) == 3
    assert profile.incident_page(tiny_geo, days)["source_id"].tolist() == ["M13", "M12", "M11"]
    assert len(profile.incident_rows(tiny_geo, days, cap=2)) == 2


def test_sensitive_locations_are_omitted(tiny_geo: duckdb.DuckDBPyConnection) -> None:
    filt = scoped(
        tiny_geo, CrimeFilter(cities=("springfield_il",), start=date(2024, 1, 1), end=date(2024, 12, 31))
    )
    assert filt is not None
    rows = profile.incident_page(tiny_geo, filt)
    by_id = rows.set_index("source_id")
    assert (
        by_id.loc["S6", "offense"] == "Rape"
        and pd.isna(by_id.loc["S6", "lat"])
        and pd.isna(by_id.loc["S6", "lon"])
    )
    assert by_id.loc["S5", ["lat", "lon"]].tolist() == [39.751, -89.681]


def test_offense_codes(tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]) -> None:
    filt, window = memphis
    codes = profile.offense_codes(tiny_geo, window.current(filt))
    assert codes[["nibrs_code", "n"]].values.tolist() == [["120", 3], ["13A", 3], ["09A", 2]]


def test_summaries(tiny_geo: duckdb.DuckDBPyConnection, memphis: tuple[CrimeFilter, Window]) -> None:
    filt, window = memphis
    mix = profile.offense_mix(tiny_geo, filt, window)
    text = words.mix_summary(mix, "Memphis, TN", window)
    assert text.startswith(
        "In Jan–Feb 2024 Memphis, TN recorded 10 offenses; the most common was Aggravated Assault (3, 30%)."
    )
    assert text.endswith("No offense changed notably from a year before.")
    grid = profile.counts_by_hour_weekday(tiny_geo, window.current(filt))
    assert words.hour_summary(grid, filt).startswith(
        "Of 8 offenses (violent crime), the most began on Fridays 02:00–02:59 (1)"
    )
    hot = profile.hotspot_cells(tiny_geo, filt, window, top=10)
    assert f"the busiest holds {hot['current'].iloc[0]}. Of these {len(hot)} cell changes, 0 read" in (
        words.hotspot_summary(hot)
    )


def test_offenses_without_a_time_stay_out_of_the_hour_chart(
    tiny_geo_store_path: Path, tmp_path: Path
) -> None:
    """A copy of the tiny geo store where M13's source gave only a date (time_known false)."""
    import shutil

    from ingest.rollups import rebuild_rollups
    from ingest.store import write_store

    path = shutil.copyfile(tiny_geo_store_path, tmp_path / "dates.duckdb")
    with write_store(path) as con:
        con.execute("update incidents set time_known = false where source_id = 'M13'")
        rebuild_rollups(con, ["fixture"])
    con = duckdb.connect(str(path), read_only=True)
    filt = scoped(con, MEMPHIS)
    assert filt is not None
    cov = coverage(con, filt.cities[0], filt.sources[0])
    assert cov is not None
    window = comparison_window(cov, filt)
    assert window is not None
    grid = profile.counts_by_hour_weekday(con, window.current(filt))
    assert (
        grid["n"].sum() == 7 and grid.loc[(grid["day"] == "Friday") & (grid["hour"] == 21), "n"].item() == 0
    )
    assert grid["date_only"].sum() == 1
    assert words.midnight_note(grid).startswith("1 offenses have a date but no time of day")
    con.close()
