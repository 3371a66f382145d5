"""Goal status chips, the goals table, and the dashboard's write path for goals.

Chips never rely on colour alone: each says its status in words with a symbol, and the
colours are Okabe-Ito (colour-blind safe): blue = ahead, bluish green = on track,
orange = at risk, vermillion = off track, grey = not started / no data.

Writes: the dashboard reads the store read-only. Creating a goal or an intervention
calls ingest.goals (validation, then ingest.store.write_store's copy-and-swap) from here;
the swapped file has a new version, so on the rerun that follows, ui.data opens it and
every cached query misses: the new goal appears with its status.
"""

from __future__ import annotations

import html
from dataclasses import asdict
from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from analysis.access import Capability
from analysis.goals.progress import (
    INTERVAL_LEVEL,
    STATUS_RULE,
    STATUSES,
    Progress,
    format_pct,
    goal_offenses,
    interval_basis,
)
from analysis.query.registry import city_names, data_span, district_names
from analysis.series.city_series import SERIES_LABELS
from analysis.stats.cusum import CusumParams
from ingest.goals import (
    GoalError,
    GoalSpec,
    InterventionSpec,
    add_goals,
    add_intervention,
    parse_goals,
    remove_goal,
)
from kernel.store import StoreError
from ui import auth
from ui.data import query
from ui.dataset import store_path
from ui.url_state import url_selectbox

STATUS_STYLE: dict[str, tuple[str, str]] = {
    "ahead": ("#0072B2", "◆"),
    "on track": ("#009E73", "●"),
    "at risk": ("#E69F00", "▲"),
    "off track": ("#D55E00", "✖"),
    "not started": ("#595959", "○"),
    "no data": ("#595959", "–"),
}
FLASH_KEY = "goals_flash"
PENDING_GOAL_KEY = "goal_pending"


def status_chip_html(status: str, text: str | None = None) -> str:
    """A chip: coloured border and symbol, the status in words (and optional text)."""
    colour, symbol = STATUS_STYLE.get(status, STATUS_STYLE["no data"])
    label = html.escape(status)
    extra = f' <span style="font-weight:400">{html.escape(text)}</span>' if text else ""
    return (
        f'<span style="display:inline-block;border:2px solid {colour};border-radius:1em;'
        f"padding:0 0.6em;margin:0 0.3em 0.3em 0;background:{colour}1A;color:#1a1a1a;"
        f'font-weight:600;white-space:nowrap" title="Goal status: {label}">'
        f'<span style="color:{colour}">{symbol}</span> {label}{extra}</span>'
    )


def goal_chips_html(frame: pd.DataFrame, city_id: str) -> str:
    """Chips for every goal of one city ('Violent crime −10%: ● on track'); '' if none.

    `frame` is analysis.goals.progress.goal_status_by_city's output.
    """
    rows = frame[frame["city_id"] == city_id]
    chips = []
    for r in rows.itertuples(index=False):
        district = f" ({r.district})" if isinstance(r.district, str) and r.district else ""
        chips.append(status_chip_html(str(r.status), f"{r.offense_label}{district}"))
    return "".join(chips)


def goal_chips_by_city_html(frame: pd.DataFrame) -> str:
    """A compact grid: each city that has goals, with its goals' chips."""
    cells = []
    for city_id, part in frame.groupby("city_id", sort=False):
        cells.append(
            '<div style="padding:0.2em 0">'
            f"<strong>{html.escape(str(part['city'].iloc[0]))}</strong><br>"
            f"{goal_chips_html(frame, str(city_id))}</div>"
        )
    return (
        '<div style="display:grid;grid-template-columns:repeat(auto-fill,minmax(19em,1fr));'
        f'gap:0.2em 1.2em">{"".join(cells)}</div>'
    )


def goal_chips_by_city(frame: pd.DataFrame) -> None:
    """Every city's goal statuses as chips (for the Goals page and the Overview)."""
    if frame.empty:
        st.caption("No goals yet.")
        return
    st.markdown(goal_chips_by_city_html(frame), unsafe_allow_html=True)


def status_legend() -> None:
    """The chips of every status and the rule that sets them."""
    st.markdown(" ".join(status_chip_html(s) for s in STATUSES[:4]), unsafe_allow_html=True)
    st.caption(STATUS_RULE)


def goals_table(frame: pd.DataFrame) -> None:
    """All goals, one row each, with a sparkline of the last months' counts."""
    table = pd.DataFrame(
        {
            "Status": [f"{STATUS_STYLE[s][1]} {s}" for s in frame["status"]],
            "Area": frame["area"],
            "Goal": frame["label"],
            "So far": [
                f"{a:,} vs {e:,.0f} expected" if pd.notna(m) else "—"
                for a, e, m in zip(frame["actual"], frame["expected"], frame["as_of"], strict=True)
            ],
            "Months": [
                f"{e} of {t}" for e, t in zip(frame["months_elapsed"], frame["months_total"], strict=True)
            ],
            "Monthly counts": frame["spark"],
            "Owner": frame["owner"].fillna(""),
        }
    )

    def colour(value: str) -> str:
        status = value.split(" ", 1)[1] if " " in value else value
        c = STATUS_STYLE.get(status, STATUS_STYLE["no data"])[0]
        return f"background-color: {c}26; color: #1a1a1a; font-weight: 600"

    st.dataframe(
        table.style.map(colour, subset=["Status"]),
        hide_index=True,
        width="stretch",
        column_config={
            "Monthly counts": st.column_config.LineChartColumn(
                "Last 24 months", help="Monthly counts of the goal's offense, to the last complete month."
            ),
        },
        key="goals_table",
    )


def progress_header(p: Progress) -> None:
    """The goal's status chip, the plain counts, and three figures."""
    g = p.goal
    st.markdown(
        f"### {html.escape(g.area)}: {html.escape(g.label)} &nbsp; {status_chip_html(p.status)}",
        unsafe_allow_html=True,
    )
    cols = st.columns(3)
    if p.as_of is not None:
        cols[0].metric(
            f"So far (to {p.as_of:%b %Y})",
            f"{p.actual:,}",
            help=f"Expected by now {p.expected:,.0f}; {INTERVAL_LEVEL:.0%} interval {p.low:,}–{p.high:,} "
            f"({interval_basis(p.dispersion)}).",
        )
        cols[1].metric("Expected by now", f"{p.expected:,.0f}", help=f"Interval {p.low:,}–{p.high:,}.")
    cols[2].metric(
        f"Target for the period ({format_pct(g.target_change_pct)})",
        f"≤ {p.target_total:,.0f}",
        help=f"Baseline {g.baseline_label}: {p.baseline_total:,.0f} in the same calendar months.",
    )
    owner = f" Owner: {g.owner}." if g.owner else ""
    note = f" {g.note}" if g.note else ""
    st.markdown(p.summary() + owner + note)


# --- writes -----------------------------------------------------------------------------------


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


def goal_picker(frame: pd.DataFrame) -> int | None:
    """A select box of every goal, mirrored in the URL (?goal=ID); returns the chosen id."""
    options = [str(i) for i in frame["goal_id"]]
    labels = {str(r.goal_id): f"#{r.goal_id} {r.area}: {r.label} — {r.status}" for r in frame.itertuples()}
    if PENDING_GOAL_KEY in st.session_state:
        pending = st.session_state.pop(PENDING_GOAL_KEY)
        if pending is not None and str(pending) in options:
            st.session_state["goal"] = str(pending)
        else:
            st.session_state.pop("goal", None)
            st.query_params.pop("goal", None)
    chosen = url_selectbox("Goal", options, key="goal", format_func=lambda o: labels.get(o, o), what="goal")
    return int(chosen) if chosen else None


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
    with col2:
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
                "Baseline years",
                years,
                default=years[1:4],
                key="new_years",
                help="Their mean is the baseline.",
            )
        start = st.date_input("Start", value=date(last_year, 1, 1), key="new_start", format="YYYY-MM-DD")
        deadline = st.date_input(
            "Deadline", value=date(last_year + 1, 12, 31), key="new_deadline", format="YYYY-MM-DD"
        )
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


def alerts_table(alerts: pd.DataFrame, params: CusumParams, unjudged: pd.DataFrame | None = None) -> None:
    """Series that signalled, each linked to its Trends view; the series it could not
    judge (no baseline years); a plain note when none signalled, and only then."""
    unjudged = unjudged if unjudged is not None else pd.DataFrame()
    if not unjudged.empty:
        listed = "; ".join(
            f"{city}: {', '.join(part['offense_label'])} (data {part['first_month'].min():%b %Y}–"
            f"{part['as_of'].max():%b %Y})"
            for city, part in unjudged.groupby("city", sort=True)
        )
        st.warning(
            f"Not judged — too few earlier years for a seasonal baseline ({params.baseline_years} "
            f"years of the same months are needed) in the last {params.lookback_months} months of "
            f"these series: {listed}. No alert here does not mean no drift.",
            icon="⚠️",
        )
    if alerts.empty:
        if unjudged.empty:
            st.info(
                f"No city × offense series signalled in its last {params.lookback_months} months: "
                "no series is drifting up beyond its seasonal baseline by the CUSUM's rule.",
                icon="✅",
            )
        else:
            st.info(
                f"No series the CUSUM could judge signalled in its last {params.lookback_months} months.",
            )
        return
    table = pd.DataFrame(
        {
            "City": alerts["city"],
            "Offense": alerts["offense_label"],
            "Latest signal": alerts["month"].dt.strftime("%b %Y"),
            "That month": [
                f"{c:,} vs baseline {b:,.1f}"
                for c, b in zip(alerts["count"], alerts["baseline"], strict=True)
            ],
            "Signals in window": alerts["signals"],
            "Threshold H": [
                f"{h:,.0f} offenses (φ = {d:.1f})"
                for h, d in zip(alerts["threshold"], alerts["dispersion"], strict=True)
            ],
            "Data to": alerts["as_of"].dt.strftime("%b %Y"),
            "Trend": alerts["link"],
        }
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Trend": st.column_config.LinkColumn("Trend", display_text="Open in Trends")},
        key="alerts_table",
    )
    st.caption(
        "Listed by city, not ranked. A signal says the series ran above its seasonal baseline for long "
        "enough that chance is an unlikely explanation; open the trend to see the months behind it."
    )
