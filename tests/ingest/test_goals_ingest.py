"""Writing goals and interventions: every kind of bad input gets a clear message and
leaves the store byte for byte as it was; good input lands; the demo goals load."""

from __future__ import annotations

import io
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.goals.goal import Goal, GoalSpec
from analysis.goals.progress import progress
from ingest.cli.app import app
from ingest.demo.profile import load_profile, monthly_plan
from ingest.goals.goals_file import load_demo_goals, load_goals_file, parse_goals
from ingest.goals.spec import DEMO_GOALS_FILE, GoalError, InterventionSpec
from ingest.goals.write import add_goals, add_intervention, remove_goal
from ingest.hashing import file_sha256 as sha
from ingest.registry import load_cities
from ingest.store import write_store
from kernel.settings import DATA_DIR
from tests.ingest.helpers import query

GOOD = GoalSpec("memphis_tn", "violent_crime", (2024,), -10.0, date(2025, 1, 1), date(2025, 12, 31))


def goals_in(path: Path) -> list[tuple[object, ...]]:
    return query(
        path,
        "select goal_id, city_id, offense, baseline_kind, baseline_year, baseline_years, target_change_pct,"
        " source from goals order by goal_id",
    )


def test_a_valid_goal_is_stored(goals_store: Path) -> None:
    ids = add_goals(goals_store, [GOOD, replace(GOOD, baseline_years=(2023, 2022), target_change_pct=5)])
    assert ids == [1, 2]
    assert goals_in(goals_store) == [
        (1, "memphis_tn", "violent_crime", "year", 2024, None, -10.0, "user"),
        (2, "memphis_tn", "violent_crime", "mean_of_years", None, [2022, 2023], 5.0, "user"),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"city_id": "gotham_ny"}, "Unknown city 'gotham_ny'"),
        ({"offense": "jaywalking"}, "Unknown offense 'jaywalking'"),
        ({"target_change_pct": 500.0}, "A target change of +500% is outside the allowed range -90% to +100%"),
        ({"target_change_pct": -95.0}, "outside the allowed range"),
        ({"target_change_pct": float("nan")}, "must be a number"),
        ({"deadline": date(2024, 6, 30)}, "The deadline (2024-06-30) is before the start date (2025-01-01)"),
        ({"deadline": date(2031, 1, 1)}, "keep it to 60 months"),
        ({"baseline_years": (2019,)}, "Baseline year 2019 has no complete data for violent crime in Memphis"),
        ({"baseline_years": (2025,)}, "Baseline year 2025 does not end before the goal starts"),
        ({"baseline_years": ()}, "Give a baseline year"),
        ({"baseline_years": (2023, 2023)}, "repeat a year"),
        ({"district": "Atlantis"}, "Unknown district 'Atlantis' in Memphis"),
        ({"offense": "firearm_violent_crime"}, "does not record weapons"),
        (
            {"offense": "murder", "baseline_years": (2023,)},
            "Baseline year 2023 has no complete data for murder",
        ),
        ({"offense": "rape", "baseline_years": (2023,)}, "The baseline has no offenses"),
        ({"owner": "x" * 600}, "The owner is 600 characters long"),
    ],
)
def test_bad_goal_is_rejected_and_nothing_written(
    goals_store: Path, change: dict[str, object], message: str
) -> None:
    before = sha(goals_store)
    with pytest.raises(GoalError) as err:
        add_goals(goals_store, [replace(GOOD, **change)])  # type: ignore[arg-type]
    assert message in str(err.value)
    assert sha(goals_store) == before


def test_a_batch_is_all_or_nothing(goals_store: Path) -> None:
    before = sha(goals_store)
    with pytest.raises(GoalError) as err:
        add_goals(goals_store, [GOOD, replace(GOOD, city_id="nowhere"), replace(GOOD, target_change_pct=500)])
    assert err.value.problems[0].startswith("Goal 2: Unknown city")
    assert err.value.problems[1].startswith("Goal 3: A target change of +500%")
    assert sha(goals_store) == before


def test_the_schema_refuses_an_insane_target_too(goals_store: Path) -> None:
    # A second line of defence for writers that skip the validator.
    with pytest.raises(duckdb.ConstraintException), write_store(goals_store) as con:
        con.execute(
            "insert into goals values (1, 'memphis_tn', null, 'violent_crime', 'year', 2024, null, 500,"
            " date '2025-01-01', date '2025-12-31', null, null, now(), 'user')"
        )


def test_remove_goal(goals_store: Path) -> None:
    (goal_id,) = add_goals(goals_store, [GOOD])
    remove_goal(goals_store, goal_id)
    assert goals_in(goals_store) == []
    before = sha(goals_store)
    with pytest.raises(GoalError, match="There is no goal 7"):
        remove_goal(goals_store, 7)
    assert sha(goals_store) == before


def test_parse_goals_reports_every_problem() -> None:
    text = """
[[goal]]
city = "memphis_tn"
offense = "violent_crime"
baseline = [2023, 2024]
target_change_pct = -10
start = 2025-01-01
deadline = "2025-12-31"

[[goal]]
city = "memphis_tn"
offense = "murder"
baseline = "last year"
target_change_pct = -10
start = 2025-01-01
deadline = 2025-12-31

[[goal]]
city = "memphis_tn"
colour = "red"
"""
    with pytest.raises(GoalError) as err:
        parse_goals(text, "t.toml")
    assert err.value.problems == [
        "goal 2 in t.toml: baseline must be a year or a list of years, not 'last year'.",
        "goal 3 in t.toml: unknown key(s) ['colour'].",
        "goal 3 in t.toml: missing key(s) ['baseline', 'deadline', 'offense', 'start', 'target_change_pct'].",
    ]
    with pytest.raises(GoalError, match="not valid TOML"):
        parse_goals("[[goal]\n", "t.toml")
    (spec,) = parse_goals("[[goal]]" + text.split("[[goal]]")[1], "t.toml")
    assert spec.baseline_years == (2023, 2024) and spec.deadline == date(2025, 12, 31)


def test_load_goals_file_and_replace(goals_store: Path, tmp_path: Path) -> None:
    file = tmp_path / "mine.toml"
    file.write_text(
        '[[goal]]\ncity = "memphis_tn"\noffense = "violent_crime"\nbaseline = 2024\n'
        "target_change_pct = -10\nstart = 2025-01-01\ndeadline = 2025-12-31\n"
    )
    assert load_goals_file(goals_store, file) == [1]
    assert load_goals_file(goals_store, file, replace=True) == [1]
    assert [r[-1] for r in goals_in(goals_store)] == ["file"]


def test_interventions_add_and_reject(goals_store: Path) -> None:
    new_id = add_intervention(
        goals_store, InterventionSpec("memphis_tn", "Hot spot policing", date(2024, 3, 1))
    )
    assert new_id == 15  # after the 14 seeded ones
    before = sha(goals_store)
    bad = InterventionSpec("memphis_tn", " ", date(2024, 3, 1), end_date=date(2024, 1, 1))
    with pytest.raises(GoalError) as err:
        add_intervention(goals_store, bad)
    assert err.value.problems == [
        "Give the intervention a name.",
        "The end date (2024-01-01) is before the start date (2024-03-01).",
    ]
    with pytest.raises(GoalError, match="Unknown city"):
        add_intervention(goals_store, InterventionSpec("gotham_ny", "X", date(2024, 3, 1)))
    assert sha(goals_store) == before


def test_demo_goals_load_into_the_demo_store(demo_store_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_store_path.read_bytes())
    with write_store(path) as con:
        ids, skipped = load_demo_goals(con)
    assert skipped == []
    assert len(ids) == len(parse_goals(DEMO_GOALS_FILE.read_text())) >= 12
    rows = goals_in(path)
    assert {r[-1] for r in rows} == {"demo"}
    assert len({r[1] for r in rows}) == 12  # every PSP city has at least one goal
    with write_store(path) as con:  # loading again replaces, never duplicates
        load_demo_goals(con)
    assert len(goals_in(path)) == len(ids)


def test_demo_goals_show_a_mix_of_statuses_at_full_scale() -> None:
    # The full-scale demo (scale 1, seed 42, what `make run` builds) draws its monthly counts
    # from this plan, so whole-city goals can be judged here without building 5M rows.
    plan = monthly_plan(load_profile(), load_cities(), scale=1.0, seed=42)
    codes = {"violent_crime": ["09A", "11A", "120", "13A"], "murder": ["09A"], "motor_vehicle_theft": ["240"]}
    statuses = {}
    for spec in parse_goals(DEMO_GOALS_FILE.read_text()):
        if spec.district or spec.offense not in codes:
            continue  # district and firearm series come from the drawn rows, not the plan
        rows = plan[(plan["city_id"] == spec.city_id) & plan["nibrs_code"].isin(codes[spec.offense])]
        series = rows.groupby("month", as_index=False)["n"].sum().rename(columns={"n": "count"})
        goal = Goal(**asdict(spec), goal_id=0, city=spec.city_id)
        statuses[(spec.city_id, spec.offense)] = progress(goal, series).status
    assert len(statuses) >= 9
    assert {"ahead", "on track", "at risk", "off track"} <= set(statuses.values()), statuses


def test_cli_goals_and_interventions(goals_store: Path) -> None:
    runner = CliRunner()
    before = sha(goals_store)
    args = ["goals", "add", "--city", "memphis_tn", "--offense", "violent_crime", "--baseline", "2024",
            "--start", "2025-01-01", "--deadline", "2025-12-31", "--db", str(goals_store)]  # fmt: skip
    bad = runner.invoke(app, [*args, "--target", "500"])
    assert bad.exit_code == 2
    assert "outside the allowed range" in bad.output and "Nothing was written" in bad.output
    assert sha(goals_store) == before
    good = runner.invoke(app, [*args, "--target", "-10", "--owner", "Chief"])
    assert good.exit_code == 0, good.output
    listed = runner.invoke(app, ["goals", "list", "--json", "--db", str(goals_store)])
    assert listed.exit_code == 0
    frame = pd.read_json(io.StringIO(listed.stdout))
    assert frame[["goal_id", "status", "actual"]].values.tolist() == [[1, "off track", 577]]
    loaded = runner.invoke(app, ["goals", "load", str(DATA_DIR / "goals.toml"), "--db", str(goals_store)])
    assert loaded.exit_code == 2  # the demo goals need data this store does not have
    assert "has no complete data" in loaded.output or "no data" in loaded.output
    added = runner.invoke(
        app, ["interventions", "add", "--city", "memphis_tn", "--name", "GVI", "--start", "2024-05-01",
              "--db", str(goals_store)],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["interventions", "list", "--json", "--db", str(goals_store)])
    assert '"name": "GVI"' in listed.stdout
