"""Trend-chart markers: the stored interventions (migration 0003's seeds and any added
through ingest/goals.py, as the Interventions page does) and the series breaks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analysis.goals.events import Marker, break_markers, cohort_markers, intervention_markers, markers_for
from ingest.goals.spec import InterventionSpec
from ingest.goals.write import add_intervention


def test_seeded_interventions_are_the_markers(tiny: duckdb.DuckDBPyConnection) -> None:
    # Migration 0003: every PSP city named on 20 June 2017; Operation Relentless Pursuit
    # announced 18 December 2019 for Kansas City and Memphis.
    both = intervention_markers(tiny, ["memphis_tn", "houston_tx"])
    assert both == [
        Marker(date(2017, 6, 20), "PSP designation (Jun 2017)", "intervention", ("houston_tx", "memphis_tn")),
        Marker(
            date(2019, 12, 18),
            "Operation Relentless Pursuit: Memphis (Dec 2019)",
            "intervention",
            ("memphis_tn",),
        ),
    ]
    assert [m.label for m in intervention_markers(tiny, ["kansas_city_mo", "memphis_tn", "toledo_oh"])][
        1
    ] == ("Operation Relentless Pursuit: Kansas City, Memphis (Dec 2019)")
    assert [m.day for m in intervention_markers(tiny, ["toledo_oh"])] == [date(2017, 6, 20)]
    assert intervention_markers(tiny, []) == []
    assert intervention_markers(tiny, ["no_such_city"]) == []
    # The cohort chart marks only what concerns every city shown.
    assert [m.label for m in cohort_markers(tiny, ["memphis_tn", "houston_tx"])] == [
        "PSP designation (Jun 2017)"
    ]
    assert len(cohort_markers(tiny, ["memphis_tn", "kansas_city_mo"])) == 2


def test_an_added_intervention_becomes_a_marker(goals_store: Path) -> None:
    new_id = add_intervention(
        goals_store, InterventionSpec("memphis_tn", "Group violence intervention", date(2024, 3, 4))
    )
    with duckdb.connect(str(goals_store), read_only=True) as con:
        memphis = intervention_markers(con, ["memphis_tn"])
        elsewhere = intervention_markers(con, ["houston_tx"])
    assert new_id > 0
    assert (
        Marker(date(2024, 3, 4), "Group violence intervention (Mar 2024)", "intervention", ("memphis_tn",))
        in memphis
    )
    assert all(m.label != "Group violence intervention (Mar 2024)" for m in elsewhere)


def test_breaks_follow_the_interventions(tiny: duckdb.DuckDBPyConnection) -> None:
    breaks = pd.DataFrame(
        {
            "city_id": ["houston_tx", "memphis_tn"],
            "city": ["Houston", "Memphis"],
            "month": [pd.Timestamp("2023-06-01"), pd.Timestamp("2023-07-01")],
            "label": ["gap in published counts (published)", "source change"],
        }
    )
    assert break_markers(["houston_tx"], breaks) == [
        Marker(date(2023, 6, 1), "Houston: gap in published counts (published)", "break", ("houston_tx",))
    ]
    assert break_markers(["houston_tx"], None) == [] == break_markers(["toledo_oh"], breaks)
    # One change hitting several shown cities in one month is one marker naming them all.
    same = pd.DataFrame(
        {
            "city_id": ["memphis_tn", "houston_tx", "toledo_oh"],
            "city": ["Memphis", "Houston", "Toledo"],
            "month": [pd.Timestamp("2013-01-01")] * 3,
            "label": ["definition change"] * 3,
        }
    )
    assert break_markers(["houston_tx", "memphis_tn"], same) == [
        Marker(date(2013, 1, 1), "Houston, Memphis: definition change", "break", ("memphis_tn", "houston_tx"))
    ]
    labels = [m.label for m in markers_for(tiny, ["houston_tx"], breaks)]
    assert labels == ["PSP designation (Jun 2017)", "Houston: gap in published counts (published)"]
