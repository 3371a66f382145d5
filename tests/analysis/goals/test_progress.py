"""Goal progress with answers worked out by hand (expected path, interval, status,
projection), and on the goals fixture store (tests/fixtures/goals.py)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analysis.goals.goal import Goal, GoalSpec
from analysis.goals.progress import goal_progress, goal_status_by_city, progress
from analysis.goals.rules import baseline_profile, classify, expected_path, poisson_interval, project_end
from analysis.series.city_series import monthly_series
from ingest.goals.write import add_goals
from tests.fixtures.goals import ACTUAL_2025, SEASONAL_2024, violent_counts

MONTHS_2025 = pd.date_range("2025-01-01", "2025-12-01", freq="MS")


def poisson_quantile(mean: float, q: float) -> int:
    """Smallest k with P(X <= k) >= q, summing the Poisson pmf in log space (no scipy)."""
    k, cdf = 0, 0.0
    while True:
        cdf += math.exp(-mean + k * math.log(mean) - math.lgamma(k + 1))
        if cdf >= q:
            return k
        k += 1


def goal(**kw: object) -> Goal:
    base: dict[str, object] = {
        "goal_id": 1,
        "city_id": "memphis_tn",
        "city": "Memphis",
        "district": None,
        "offense": "violent_crime",
        "baseline_years": (2024,),
        "target_change_pct": -10.0,
        "start_date": date(2025, 1, 1),
        "deadline": date(2025, 12, 31),
    }
    base.update(kw)
    return Goal(**base)  # type: ignore[arg-type]


def test_expected_path_flat_baseline() -> None:
    # 10 a month, target -10%: each month expects 9; after 3 months 27, after 12 months 108.
    profile = pd.Series([10.0] * 12, index=range(1, 13))
    path = expected_path(profile, MONTHS_2025, -10.0)
    assert path["expected"].tolist() == pytest.approx([9.0] * 12)
    assert path["expected_cum"].iloc[2] == pytest.approx(27.0)
    assert path["expected_cum"].iloc[-1] == pytest.approx(108.0)
    assert path["baseline_cum"].iloc[-1] == pytest.approx(120.0)


def test_expected_path_follows_a_seasonal_baseline() -> None:
    # SEASONAL_2024 = 80, 80, 90, 100, 110, 120, 130, ...; -10% of Jan-Mar = 0.9 * 250 = 225.
    profile = pd.Series([float(v) for v in SEASONAL_2024], index=range(1, 13))
    path = expected_path(profile, MONTHS_2025, -10.0)
    assert path["expected_cum"].iloc[2] == pytest.approx(225.0)
    # A goal starting in July spreads the target over Jul, Aug, Sep: 0.9 * (130 + 120 + 100) = 315.
    summer = expected_path(profile, pd.date_range("2025-07-01", "2025-09-01", freq="MS"), -10.0)
    assert summer["expected_cum"].iloc[-1] == pytest.approx(315.0)
    # The whole year is 0.9 * 1,200 = 1,080 whatever the season.
    assert path["expected_cum"].iloc[-1] == pytest.approx(1080.0)


def test_baseline_profile_mean_of_years() -> None:
    series = violent_counts()
    # Jan: 2023 = 100, 2024 = 80 -> mean 90; Jul: 100 and 130 -> 115.
    profile = baseline_profile(series, (2023, 2024))
    assert profile.loc[1] == pytest.approx(90.0)
    assert profile.loc[7] == pytest.approx(115.0)
    with pytest.raises(ValueError, match="not all complete"):
        baseline_profile(series, (2025,))


def test_poisson_interval_matches_exact_quantiles() -> None:
    for mean in (4.5, 100.0, 522.0):
        assert poisson_interval(mean) == (poisson_quantile(mean, 0.025), poisson_quantile(mean, 0.975))
    assert poisson_interval(100.0) == (81, 120)
    assert poisson_interval(0.0) == (0, 0)


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (80, "ahead"),  # below the interval's low end (81)
        (81, "on track"),  # at the low end: inside
        (100, "on track"),  # exactly expected
        (101, "at risk"),  # above expected, inside
        (120, "at risk"),  # at the high end: inside
        (121, "off track"),  # above the interval
    ],
)
def test_each_status_boundary(actual: int, status: str) -> None:
    assert classify(actual, 100.0, 81, 120) == status


def test_projection_at_current_pace() -> None:
    # 60 so far in months whose baseline was 50: pace 1.2 x baseline; whole baseline 200 -> 240.
    assert project_end(60, 50, 200) == pytest.approx(240.0)
    assert project_end(5, 0, 200) is None


def test_progress_flat_by_hand() -> None:
    months = pd.date_range("2024-01-01", "2025-06-01", freq="MS")
    series = pd.DataFrame({"month": months, "count": [10] * 12 + [8] * 6})
    p = progress(goal(), series)
    # Jan-Jun 2025: 6 x 8 = 48 so far; expected 6 x 9 = 54; baseline so far 60 of 120.
    assert (p.actual, p.expected, p.months_elapsed, p.months_total) == (48, pytest.approx(54.0), 6, 12)
    assert (p.low, p.high) == (poisson_quantile(54, 0.025), poisson_quantile(54, 0.975))
    assert p.status == "on track"  # 48 is inside [40, 69] and below 54
    assert p.projected_end == pytest.approx(96.0)  # 48 x 120 / 60
    assert p.target_total == pytest.approx(108.0)
    assert p.phase == "in progress" and p.as_of == pd.Timestamp("2025-06-01")
    assert "48 so far vs 54 expected by now" in p.summary()
    assert "at most 108 by December 2025" in p.summary()


def test_progress_before_the_start_and_without_data() -> None:
    months = pd.date_range("2024-01-01", "2024-12-01", freq="MS")
    series = pd.DataFrame({"month": months, "count": [10] * 12})
    p = progress(goal(), series)
    assert (p.status, p.phase, p.as_of) == ("not started", "not started", None)
    assert p.target_total == pytest.approx(108.0)
    empty = progress(goal(), series.iloc[0:0])
    assert empty.status == "no data"
    # Baseline years no longer complete (data replaced after the goal was set): no data, no crash.
    gone = progress(goal(baseline_years=(2022,)), series)
    assert gone.status == "no data" and "No complete data" in gone.summary()


def test_goal_on_the_store(goals_store: Path) -> None:
    store = goals_store
    ids = add_goals(
        store,
        [
            GoalSpec("memphis_tn", "violent_crime", (2024,), -10.0, date(2025, 1, 1), date(2025, 12, 31)),
            GoalSpec("memphis_tn", "violent_crime", (2022, 2023), 0.0, date(2025, 1, 1), date(2025, 6, 30)),
        ],
    )
    con = duckdb.connect(str(store), read_only=True)
    first = goal_progress(con, ids[0])
    # Jan-Jun 2025 actual = 577; expected 0.9 x (80+80+90+100+110+120) = 522.
    assert first.actual == sum(ACTUAL_2025) == 577
    assert first.expected == pytest.approx(522.0)
    assert first.high == poisson_quantile(522, 0.975) and first.status == "off track"
    # Pace: 577 / 580 of the baseline's Jan-Jun, times the baseline year 1,200.
    assert first.projected_end == pytest.approx(577 * 1200 / 580)
    second = goal_progress(con, ids[1])
    # Mean of 2022-2023 is 100 a month; target 0%: expected 600 over the six months; ended.
    assert second.expected == pytest.approx(600.0)
    assert (second.status, second.phase) == ("on track", "ended")
    frame = goal_status_by_city(con)
    assert frame["goal_id"].tolist() == ids
    assert frame["status"].tolist() == ["off track", "on track"]
    assert frame["spark"].iloc[0] == violent_counts()["count"].tail(24).tolist()
    with pytest.raises(KeyError):
        goal_progress(con, 999)
    con.close()


def test_monthly_series_leaves_published_gaps_out(goals_store_path: Path) -> None:
    con = duckdb.connect(str(goals_store_path), read_only=True)
    murder = monthly_series(con, "memphis_tn", "murder")
    # 2023 has no murder rows in published counts: the official series has no count for
    # those months (a gap, never a zero), Jan 2021-Jun 2025 less 2023 = 42 months.
    assert len(murder) == 42 and murder["count"].sum() == 2 * 42
    assert not (murder["month"].dt.year == 2023).any()
    assert monthly_series(con, "springfield_il", "violent_crime").empty
    assert monthly_series(con, "memphis_tn", "firearm_violent_crime").empty  # counts carry no weapon
    con.close()


# --- the interval allows for the series' own overdispersion -----------------------------


def test_dispersion_matches_statsmodels_quasi_poisson() -> None:
    """phi = Pearson X^2 / df of a Poisson GLM with a level per year and an annual
    harmonic, as statsmodels computes it."""
    import numpy as np
    import statsmodels.api as sm

    from analysis.stats.dispersion import series_dispersion

    rng = np.random.default_rng(3)
    months = pd.date_range("2022-01-01", "2024-12-01", freq="MS")
    mean = 100 * (1 + 0.3 * np.sin(2 * np.pi * (months.month - 1) / 12))
    counts = rng.negative_binomial(mean / 4, 1 / 5)  # variance 5 x mean
    d = series_dispersion(months, counts)
    angle = 2 * np.pi * (months.month.to_numpy() - 1) / 12
    design = np.column_stack(
        [(months.year == y).astype(float) for y in (2022, 2023, 2024)] + [np.sin(angle), np.cos(angle)]
    )
    fit = sm.GLM(counts, design, family=sm.families.Poisson()).fit()
    assert d.df == 31 and d.raw == pytest.approx(fit.pearson_chi2 / fit.df_resid, rel=1e-8)
    assert 3 < d.phi < 8
    # a Poisson-looking series is floored at phi = 1; too few months: Poisson, df 0
    flat = series_dispersion(months[:12], [10] * 12)
    assert flat.phi == 1.0 and flat.raw == pytest.approx(0.0, abs=1e-9)
    assert series_dispersion(months[:6], [1, 2, 3, 4, 5, 6]).df == 0


def test_interval_with_overdispersion_by_hand() -> None:
    from scipy.stats import nbinom

    from analysis.stats.dispersion import count_intervals

    assert tuple(map(int, (v[0] for v in count_intervals([100.0])))) == poisson_interval(100.0)
    low, high = count_intervals([100.0], 0.95, 4.0)
    # negative binomial with mean 100 and variance 400: size 100 / 3, p = 1/4
    assert (low[0], high[0]) == (nbinom.ppf(0.025, 100 / 3, 0.25), nbinom.ppf(0.975, 100 / 3, 0.25))
    assert high[0] - low[0] >= 2 * (120 - 81)  # about twice the Poisson width (sqrt 4)


def test_a_noisy_series_is_at_risk_not_off_track() -> None:
    """The same count reads off track against a Poisson interval and at risk against an
    interval that allows for the baseline year's own month-to-month swings."""
    months = pd.date_range("2024-01-01", "2025-06-01", freq="MS")
    swings = [100, 60, 140, 70, 130, 80, 120, 65, 135, 75, 125, 100]  # mean 100, phi about 9
    series = pd.DataFrame({"month": months, "count": swings + [110] * 6})
    p = progress(goal(target_change_pct=0.0), series)
    assert p.dispersion.phi > 5 and p.dispersion.df == 9
    # Jan-Jun 2025: 660 so far against 100 + 60 + 140 + 70 + 130 + 80 = 580 expected.
    assert (p.actual, p.expected) == (660, pytest.approx(580.0))
    assert 660 > poisson_interval(580.0)[1]  # a Poisson interval would say off track
    assert p.status == "at risk" and p.high >= 660
    assert f"φ = {p.dispersion.phi:.1f} from the baseline years" in p.summary()
