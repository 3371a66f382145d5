"""Controls and small displays for the Interventions page (interrupted time series)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from analysis.goals.interventions import (
    CI_LEVEL,
    DEFAULT_MONTHS_AFTER,
    DEFAULT_MONTHS_BEFORE,
    Its,
    interventions_by_city,
)
from analysis.query.registry import city_names
from analysis.series.city_series import SERIES_LABELS, SERIES_OFFENSES
from ingest.goals import InterventionSpec
from ui.data import query
from ui.goals import can_edit, create_intervention, flash, show_problems
from ui.url_state import url_selectbox

METHOD_NOTE = (
    "Method: segmented Poisson regression on monthly counts (statsmodels GLM, log link, "
    "log days-in-month offset) with month-of-year terms for seasonality, a time trend, a step "
    "(level change) and a post-intervention trend (slope change); standard errors scaled by the "
    "Pearson dispersion ({dispersion:.1f}; 1 = Poisson) when above 1. The counterfactual carries the "
    "pre-intervention trend and season forward. Lopez Bernal, Cummins & Gasparrini (2017)."
)


@dataclass(frozen=True)
class ItsChoice:
    """What the user asked to analyse."""

    city_id: str
    offense: str
    intervention_id: int
    name: str
    months_before: int
    months_after: int


def its_controls() -> tuple[str, ItsChoice | None]:
    """Sidebar controls (city, offense, intervention, window), bound to the URL.
    Returns the city and the choice (None when the city has no intervention)."""
    names: dict[str, str] = query(city_names)
    _city_from_link(names)
    with st.sidebar:
        st.header("Interrupted time series")
        city_id = url_selectbox("City", list(names), key="its_city", format_func=lambda c: names.get(c, c))
        offense = url_selectbox(
            "Offense",
            list(SERIES_OFFENSES),
            key="its_offense",
            format_func=lambda o: SERIES_LABELS.get(o, o),
        )
        frame = query(interventions_by_city, city_id)
        if frame.empty:
            return str(city_id), None
        labels = {
            str(r.intervention_id): f"{r.name} ({r.start_date:%b %Y})" for r in frame.itertuples(index=False)
        }
        chosen = url_selectbox(
            "Intervention", list(labels), key="its_intervention", format_func=lambda i: labels.get(i, i)
        )
        before = st.slider("Months before", 12, 60, DEFAULT_MONTHS_BEFORE, step=6, key="its_before")
        after = st.slider("Months after", 12, 60, DEFAULT_MONTHS_AFTER, step=6, key="its_after")
    name = str(frame.set_index(frame["intervention_id"].astype(str)).loc[str(chosen), "name"])
    return str(city_id), ItsChoice(
        str(city_id), str(offense), int(str(chosen)), name, int(before), int(after)
    )


def _city_from_link(names: dict[str, str]) -> None:
    """A link with the other pages' `?city=` opens that city here (its own key is its_city)."""
    if "its_city" in st.session_state or "its_city" in st.query_params or "city" not in st.query_params:
        return
    linked = st.query_params.get_all("city")
    good = [c for c in linked if c in names]
    if good:
        st.query_params["its_city"] = good[0]
    else:
        st.warning(f"The link asked for an unknown city {linked[0][:40]!r}; it was ignored.", icon="🔗")


def _ratio_text(ratio: float, ci: tuple[float, float]) -> tuple[str, str]:
    def pct(r: float) -> str:
        v = 100 * (r - 1)
        return f"{'−' if v < 0 else '+'}{abs(v):.0f}%"

    return pct(ratio), f"{CI_LEVEL:.0%} CI {pct(ci[0])} to {pct(ci[1])}"


def its_figures(its: Its) -> None:
    """Level change and slope change with their confidence intervals, in words too."""
    cols = st.columns(3)
    value, ci = _ratio_text(its.level_ratio, its.level_ci)
    excludes = its.level_ci[0] > 1 or its.level_ci[1] < 1
    cols[0].metric(f"Level change at {its.first_post:%b %Y}", value, help=ci)
    cols[0].caption(
        f"{ci}; {'the interval excludes no change' if excludes else 'the interval includes no change'}."
    )
    value, ci = _ratio_text(its.slope_ratio_per_year, its.slope_ci)
    excludes = its.slope_ci[0] > 1 or its.slope_ci[1] < 1
    cols[1].metric("Slope change (per year)", value, help=ci)
    cols[1].caption(
        f"{ci}; {'the interval excludes no change' if excludes else 'the interval includes no change'}."
    )
    pre = 100 * (its.pre_trend_per_year - 1)
    cols[2].metric("Trend before (per year)", f"{'−' if pre < 0 else '+'}{abs(pre):.0f}%")
    cols[2].caption(f"{its.months_before} months before, {its.months_after} after.")


def interventions_list(frame: pd.DataFrame) -> None:
    if frame.empty:
        st.info("No interventions recorded for this city.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Name": frame["name"],
                "Start": frame["start_date"],
                "End": frame["end_date"],
                "Area": frame["area"].fillna("Whole city"),
                "Note": frame["note"].fillna(""),
                "Source": frame["source"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={"End": st.column_config.DateColumn("End", help="Empty = ongoing")},
        key="interventions_table",
    )


def new_intervention_form() -> None:
    """Add an intervention to a city (validated; stored through the ingest write path)."""
    if not can_edit():
        return
    names: dict[str, str] = query(city_names)
    with st.form("new_intervention", clear_on_submit=False):
        city = st.selectbox("City", list(names), format_func=lambda c: names.get(c, c), key="iv_city")
        name = st.text_input("Name", key="iv_name", placeholder="e.g. Group violence intervention launch")
        start = st.date_input("Start", value=date(2020, 1, 1), key="iv_start", format="YYYY-MM-DD")
        ongoing = st.checkbox("Ongoing (no end date)", value=True, key="iv_ongoing")
        end = st.date_input("End", value=date(2021, 1, 1), key="iv_end", format="YYYY-MM-DD")
        area = st.text_input("Area (empty = whole city)", key="iv_area")
        note = st.text_input("Note or source", key="iv_note")
        submitted = st.form_submit_button("Add intervention", type="primary")
    if not submitted:
        return
    if not isinstance(start, date) or not isinstance(end, date):
        show_problems("The intervention was not added.", ["Give a start date."])
        return
    spec = InterventionSpec(
        city_id=str(city),
        name=name,
        start_date=start,
        end_date=None if ongoing else end,
        area=area.strip() or None,
        note=note.strip() or None,
    )
    new_id, problems = create_intervention(spec)
    if problems:
        show_problems("The intervention was not added.", problems)
        return
    flash(f"Intervention #{new_id} added: {spec.name} in {names.get(spec.city_id, spec.city_id)}.")
    st.rerun()
