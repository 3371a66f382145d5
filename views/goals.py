"""Goals: every city's measurable goals, each goal's progress, a form for new goals, and
alerts from a CUSUM calibrated to each series' own dispersion."""

import pandas as pd
import streamlit as st

from analysis.charts.goals import progress_chart
from analysis.goals.progress import goal_progress, goal_status_by_city
from analysis.stats.cusum import CUSUM, alerts_from_cusum, cusum_by_series, series_watched, unjudged_series
from ui import goals as ug
from ui.data import demo_banner, query


@st.fragment
def goal_detail(frame: pd.DataFrame) -> None:
    """One goal's progress: a fragment, so picking another goal reruns this section only
    (not the status table, the form or the alerts)."""
    st.header("Goal detail")
    goal_id = ug.goal_picker(frame)
    if goal_id is None:
        return
    progress = query(goal_progress, goal_id)
    ug.progress_header(progress)
    st.plotly_chart(progress_chart(progress), width="stretch", key="goal_progress_chart")
    st.caption(
        "Cumulative count since the start, through the end of each month. The expected path spreads "
        "the target over the baseline's own monthly profile; the band is the 95% interval around it, "
        f"allowing for this series' own month-to-month variation ({progress.dispersion.describe()}, "
        "estimated from the baseline years' months with a level per year and an annual season; the "
        "interval holds negative binomial quantiles with variance φ × expected); the grey dotted line "
        "is the baseline with no change; the dotted dark line carries the current pace (relative to "
        "the baseline's same months) to the deadline."
    )
    ug.remove_goal_control(goal_id)


@st.fragment
def alerts_section() -> None:
    """The CUSUM alerts and their look-back control: a fragment, so changing the
    look-back reruns this section only."""
    st.header("Alerts")
    lookback = st.segmented_control(
        "Signals in each series' last … months",
        [3, 6, 12, 24],
        default=CUSUM.lookback_months,
        key="alert_lookback",
    )
    params = CUSUM.with_lookback(int(lookback or CUSUM.lookback_months))
    # The CUSUM does not depend on the look-back: computed once, filtered per look-back.
    cusum = query(cusum_by_series, CUSUM)
    st.caption(params.describe())
    st.markdown(params.false_alarms_note(series_watched(cusum)))
    ug.alerts_table(alerts_from_cusum(cusum, params), params, unjudged_series(cusum, params))

st.title("Goals: is the strategy working?")
demo_banner()
ug.show_flash()
frame = query(goal_status_by_city)

st.header("All goals at a glance")
ug.status_legend()
if frame.empty:
    st.info(
        "No goals yet. Create one under *New goal* below, or load a file with `python -m ingest goals load FILE`."
    )
else:
    ug.goal_chips_by_city(frame)
    ug.goals_table(frame)

    goal_detail(frame)

st.header("New goal")
ug.new_goal_form()
with st.expander("Add several goals at once (TOML, as in data/goals.toml)"):
    ug.goals_toml_import()

alerts_section()
