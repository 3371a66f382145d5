"""What the Goals page shows, computed in one call (the design: analysis.pages.overview).
One goal's progress depends on the goal picked, so the page asks for it on its own
(analysis.goals.progress.goal_progress)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analysis.goals.progress import goal_status_by_city
from analysis.stats.cusum import cusum_by_series
from analysis.stats.cusum_params import CUSUM


@dataclass(frozen=True)
class GoalsData:
    """status: every goal with its latest status, per city; cusum: the CUSUM of every
    watched series (the alerts filter it by the look-back the page picks)."""

    status: pd.DataFrame
    cusum: pd.DataFrame


def goals_data(con: duckdb.DuckDBPyConnection) -> GoalsData:
    """Everything the Goals page draws that does not depend on its widgets."""
    return GoalsData(status=goal_status_by_city(con), cusum=cusum_by_series(con, CUSUM))
