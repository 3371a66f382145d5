"""The write side of the Goals and Interventions pages: the new-goal form, the TOML import,
removing a goal, adding an intervention, and the messages they leave for the next run.

The dashboard reads the store read-only. Creating a goal or an intervention calls
ingest.goals (validation, then ingest.store.write_store's copy-and-swap) from here; the
swapped file has a new version, so on the rerun that follows, ui.data opens it and every
cached query misses: the new goal appears with its status.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import duckdb
import streamlit as st

from analysis.access import Capability
from analysis.goals.goal import GoalSpec
from analysis.goals.progress import goal_offenses
from analysis.query.registry import city_names, data_span, district_names
from ingest.goals.goals_file import parse_goals
from ingest.goals.spec import GoalError, InterventionSpec
from ingest.goals.write import add_goals, add_intervention, remove_goal
from kernel.store import StoreError
from kernel.vocabulary import SERIES_LABELS
from ui import auth
from ui.data import query
from ui.dataset import store_path

FLASH_KEY = "goals_flash"
PENDING_GOAL_KEY = "goal_pending"


def flash(message: str) -> None:
    """Show `message` once, after the rerun that follows a write."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon="✅")


def _write_problems(exc: Exception) -> list[str]:
    if isinstance(exc, GoalError):
        return exc.problems
    return [f"The store could not be written: {exc}"]


def create_goals(specs: list[GoalSpec]) -> tuple[list[int], list[str]]:
    """Validate and store goals through the ingest write path: (new ids, problems).
    Admins only (AccessDenied otherwise); each new goal is recorded in the audit trail."""
    auth.require(Capability.EDIT, "add goals")
    try:
        ids = add_goals(store_path(), specs, source="user")
    except (GoalError, StoreError, RuntimeError, OSError, duckdb.Error) as exc:
        return [], _write_problems(exc)
    for goal_id, spec in zip(ids, specs, strict=True):
        auth.audit("goal_add", goal_id=goal_id, **asdict(spec))
    return ids, []


def create_goals_from_toml(text: str) -> tuple[list[int], list[str]]:
    """Parse pasted TOML ([[goal]] tables, as data/goals.toml) and store every goal, or none."""
    try:
        specs = parse_goals(text, where="the pasted text")
    except GoalError as exc:
        return [], exc.problems
    return create_goals(specs)


def delete_goal(goal_id: int) -> list[str]:
    auth.require(Capability.EDIT, "remove a goal")
    try:
        remove_goal(store_path(), goal_id)
    except (GoalError, StoreError, RuntimeError, OSError, duckdb.Error) as exc:
        return _write_problems(exc)
    auth.audit("goal_remove", goal_id=goal_id)
    return []


def create_intervention(spec: InterventionSpec) -> tuple[int | None, list[str]]:
    auth.require(Capability.EDIT, "add an intervention")
    try:
        new_id = add_intervention(store_path(), spec, source="user")
    except (GoalError, StoreError, RuntimeError, OSError, duckdb.Error) as exc:
        return None, _write_problems(exc)
    auth.audit("intervention_add", intervention_id=new_id, **asdict(spec))
    return new_id, []


def can_edit() -> bool:
    """Whether to draw the goal and intervention forms (admins); a caption says so otherwise."""
    if auth.can(Capability.EDIT):
        return True
    st.caption("Adding, changing or removing goals and interventions is for admins.")
    return False


def show_problems(title: str, problems: list[str]) -> None:
    """A clear error: what was not done, every problem, and that nothing was saved."""
    items = "\n".join(f"- {p}" for p in problems)
    st.error(f"**{title}** Nothing was saved.\n\n{items}", icon="🚫")


def select_goal_after_rerun(goal_id: int | None) -> None:
    """Make the goal picker show `goal_id` on the next run (a widget's state may only be
    set before the widget is drawn)."""
    st.session_state[PENDING_GOAL_KEY] = goal_id


def _what_inputs(names: dict[str, str]) -> tuple[str, str, str, float]:
    """The new goal's city, area ("" = whole city), offense and target change (%)."""
    city = st.selectbox("City", list(names), format_func=lambda c: names.get(c, c), key="new_city")
    districts = query(district_names, city) if city else []
    district = st.selectbox(
        "Area",
        ["", *districts],
        format_func=lambda d: d or "Whole city",
        key="new_district",
        help="A district needs incident-level data with districts.",
    )
    offense = st.selectbox(
        "Offense",
        list(goal_offenses()),
        format_func=lambda o: SERIES_LABELS.get(o, o),
        key="new_offense",
        help="Violent crime = murder, rape, robbery, aggravated assault (FBI UCR). Firearm-involved "
        "violent crime needs data that records the weapon.",
    )
    target = st.number_input(
        "Target change (%)",
        value=-10.0,
        step=1.0,
        format="%.1f",
        key="new_target",
        help="-10 means at most 90% of the baseline count over the goal period. Allowed: -90 to +100.",
    )
    return str(city), str(district), str(offense), float(target)


def _when_inputs(first_year: int, last_year: int) -> tuple[list[int], object, object]:
    """The new goal's baseline years, start and deadline (as the widgets give them)."""
    kind = st.radio(
        "Baseline",
        ["year", "mean_of_years"],
        format_func=lambda k: "One calendar year" if k == "year" else "Mean of several years",
        horizontal=True,
        key="new_baseline_kind",
    )
    years = list(range(last_year, first_year - 1, -1))
    if kind == "year":
        baseline: list[int] = [
            st.selectbox("Baseline year", years, index=min(1, len(years) - 1), key="new_year")
        ]
    else:
        baseline = st.multiselect(
            "Baseline years", years, default=years[1:4], key="new_years", help="Their mean is the baseline."
        )
    start = st.date_input("Start", value=date(last_year, 1, 1), key="new_start", format="YYYY-MM-DD")
    deadline = st.date_input(
        "Deadline", value=date(last_year + 1, 12, 31), key="new_deadline", format="YYYY-MM-DD"
    )
    return baseline, start, deadline


def new_goal_form() -> None:
    """The form that creates one goal. Inputs are not limited by the widgets (a target of
    +500% can be typed): the validator judges them and says what is wrong."""
    if not can_edit():
        return
    names: dict[str, str] = query(city_names)
    span: tuple[date, date] | None = query(data_span)
    last_year = span[1].year if span else date.today().year
    first_year = span[0].year if span else last_year - 10
    col1, col2 = st.columns(2)
    with col1:
        city, district, offense, target = _what_inputs(names)
    with col2:
        baseline, start, deadline = _when_inputs(first_year, last_year)
    owner = st.text_input("Owner", key="new_owner", placeholder="e.g. Violence reduction unit")
    note = st.text_input("Note", key="new_note")
    if st.button("Create goal", type="primary", key="new_create"):
        if not isinstance(start, date) or not isinstance(deadline, date):
            show_problems("The goal was not created.", ["Give a start date and a deadline."])
            return
        spec = GoalSpec(
            city_id=str(city),
            offense=str(offense),
            baseline_years=tuple(int(y) for y in baseline),
            target_change_pct=float(target),
            start_date=start,
            deadline=deadline,
            district=district or None,
            owner=owner.strip() or None,
            note=note.strip() or None,
        )
        ids, problems = create_goals([spec])
        if problems:
            show_problems("The goal was not created.", problems)
            return
        flash(
            f"Goal #{ids[0]} created: {names.get(spec.city_id, spec.city_id)}, {SERIES_LABELS[spec.offense].lower()}."
        )
        select_goal_after_rerun(ids[0])
        st.rerun()


def goals_toml_import() -> None:
    """Paste several goals as TOML (the format of data/goals.toml): all are stored, or none."""
    if not can_edit():
        return
    text = st.text_area(
        "Goals as TOML",
        key="new_toml",
        height=200,
        placeholder='[[goal]]\ncity = "memphis_tn"\noffense = "violent_crime"\nbaseline = 2024\n'
        "target_change_pct = -10\nstart = 2025-01-01\ndeadline = 2025-12-31",
    )
    if st.button("Load these goals", key="new_toml_load"):
        ids, problems = create_goals_from_toml(text)
        if problems:
            show_problems("No goal was loaded.", problems)
            return
        flash(f"{len(ids)} goals loaded (#{ids[0]}–#{ids[-1]}).")
        select_goal_after_rerun(ids[0])
        st.rerun()


def remove_goal_control(goal_id: int) -> None:
    """Remove the shown goal, after a confirmation tick."""
    if not auth.can(Capability.EDIT):
        return
    with st.expander("Remove this goal"):
        sure = st.checkbox(f"Yes, remove goal #{goal_id}", key=f"remove_sure_{goal_id}")
        if st.button("Remove goal", key=f"remove_{goal_id}", disabled=not sure):
            problems = delete_goal(goal_id)
            if problems:
                show_problems("The goal was not removed.", problems)
                return
            flash(f"Goal #{goal_id} removed.")
            select_goal_after_rerun(None)
            st.rerun()
