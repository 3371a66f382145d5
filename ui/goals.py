"""Goal status chips, the goals table, a goal's progress header, the goal picker and the
alerts table (the write side is ui/goal_edits.py).

Chips never rely on colour alone: each says its status in words with a symbol, and the
colours are Okabe-Ito (colour-blind safe): blue = ahead, bluish green = on track,
orange = at risk, vermillion = off track, grey = not started / no data.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from analysis.goals.progress import Progress
from analysis.goals.rules import INTERVAL_LEVEL, STATUS_RULE, STATUSES, format_pct, interval_basis
from analysis.stats.cusum_params import CusumParams
from ui.goal_edits import PENDING_GOAL_KEY
from ui.url_state import url_selectbox

STATUS_STYLE: dict[str, tuple[str, str]] = {
    "ahead": ("#0072B2", "◆"),
    "on track": ("#009E73", "●"),
    "at risk": ("#E69F00", "▲"),
    "off track": ("#D55E00", "✖"),
    "not started": ("#595959", "○"),
    "no data": ("#595959", "–"),
}


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
