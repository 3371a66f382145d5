"""Comparing cities without ranking them: YTD, the baseline index and the funnel plot,
checked against hand calculations."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from analysis.query.filters import CrimeFilter
from analysis.series.compare import (
    annual_rates,
    baseline_years,
    default_baseline,
    index_summary,
    indexed_by_city_year,
    strongest_change,
    ytd_by_city,
    ytd_from_series,
    ytd_window,
)
from analysis.series.funnel import funnel, funnel_from_counts, funnel_summary, with_method
from analysis.series.periods import coverage
from analysis.stats.funnel_limits import bands as compare_bands
from analysis.stats.funnel_limits import estimate_overdispersion
from kernel.vocabulary import FIREARM_VIOLENT


def test_ytd_by_city_on_the_tiny_store(tiny: duckdb.DuckDBPyConnection) -> None:
    result = ytd_by_city(tiny, CrimeFilter(), coverage(tiny))
    assert result.window is not None and result.window.cutoff == date(2024, 2, 1)
    table = result.table.set_index(["city_id", "measure"])
    # Jan-Feb 2024 vs Jan-Feb 2023 (see test_series): violent 7 vs 5 and 3 vs 1; murder
    # Memphis M11 + M12 = 2 vs M1 = 1 (Springfield never recorded one: no row); firearm-involved violent:
    # Memphis M11-M14 + M17 = 5 vs M1 + M2 = 2, Springfield S4 = 1 vs 0.
    expected = {
        ("memphis_tn", "violent_crime"): (7, 5),
        ("memphis_tn", "murder"): (2, 1),
        ("memphis_tn", FIREARM_VIOLENT): (5, 2),
        ("springfield_il", "violent_crime"): (3, 1),
        # The fixture source covers every offense (nothing declared otherwise): no murder
        # in Springfield is a true zero on both sides.
        ("springfield_il", "murder"): (0, 0),
        ("springfield_il", FIREARM_VIOLENT): (1, 0),
    }
    assert {k: (int(r.current), int(r.previous)) for k, r in table.iterrows()} == expected
    assert table.loc[("memphis_tn", FIREARM_VIOLENT), "rate_current"] == pytest.approx(5 / 619_470 * 1e5)
    # Exact test over 60 days (Jan-Feb 2024) against 59: Memphis firearm 2 -> 5 has the
    # smallest p, 2 P(X >= 5 | X ~ Binomial(7, 60/119)) = 0.467; the old rule called
    # Springfield's 0 -> 1 "notable" (z = 2), the exact test gives p = 1.
    table = table.assign(p=table["p"].astype("float64"))
    assert table.loc[("memphis_tn", FIREARM_VIOLENT), "p"] == pytest.approx(0.467027, abs=1e-6)
    assert table.loc[("springfield_il", FIREARM_VIOLENT), "p"] == pytest.approx(1.0)
    assert (table["days_current"] == 60).all() and (table["days_previous"] == 59).all()
    assert strongest_change(result.table) == (
        "No change is larger than chance would explain: the largest is firearm-involved violent crime in "
        "Memphis, up 3 (2 → 5), not notable (p = 0.47). Violent crime moved notably in 0 of 2 cities "
        "(0 down, 0 up; with no real change, up to 0.1 would by chance alone)."
    )


def test_ytd_with_published_counts(mixed: duckdb.DuckDBPyConnection) -> None:
    result = ytd_by_city(mixed, CrimeFilter(), coverage(mixed))
    table = result.table.set_index(["city_id", "measure"])
    # Houston: violent Jan+Feb 2024 = 120 + 80 = 200 vs 100 + 90 = 190 (up 5%, 10+ events;
    # p = 2 P(X >= 200 | X ~ Binomial(390, 60/119)) = 0.77);
    # murder 6 + 2 = 8 vs 4 + 3 = 7. No firearm row: published counts carry no weapon.
    assert (
        table.loc[("houston_tx", "violent_crime"), "change"]
        == "up 10 or 5% (190 → 200), not notable (p = 0.77)"
    )
    assert (table.loc[("houston_tx", "murder"), ["current", "previous"]] == [8, 7]).all()
    assert ("houston_tx", FIREARM_VIOLENT) not in table.index
    assert ("jackson_tn", FIREARM_VIOLENT) not in table.index  # its portal records no weapon
    assert (table.loc[("jackson_tn", "violent_crime"), ["current", "previous"]] == [80, 80]).all()


@pytest.mark.parametrize("store", ["tiny", "mixed", "demo"])
def test_ytd_window_is_ytd_by_city_window(store: str, request: pytest.FixtureRequest) -> None:
    """The window alone (the briefing's outline) is the window of the full comparison, for
    every city alone, all cities, and years that end before the data does."""
    con = request.getfixturevalue(store)
    cov = coverage(con)
    cities = [
        str(r[0]) for r in con.execute("select distinct city_id from monthly_counts order by 1").fetchall()
    ]
    scopes = [CrimeFilter()] + [CrimeFilter(cities=(c,)) for c in cities]
    scopes += [CrimeFilter(cities=tuple(cities[:2]), end=date(y, 12, 31)) for y in (2019, 2022, 2023)]
    found = 0
    for filt in scopes:
        expected = ytd_by_city(con, filt, cov, firearm=False).window
        assert ytd_window(con, filt, cov) == expected
        found += expected is not None
    assert found >= 2  # not only stores without a window


def test_strongest_change_without_a_notable_one() -> None:
    table = pd.DataFrame(
        {
            "city": ["A", "B"],
            "measure": ["violent_crime", "violent_crime"],
            "current": [4, 40],
            "previous": [3, 50],
            "p": [1.0, 0.37],
            "strength": ["not notable", "not notable"],
            "direction": ["up", "down"],
            "change": ["up 1 (3 → 4), not notable (p = 1.0)", "down 20% (50 → 40), not notable (p = 0.37)"],
        }
    )
    assert strongest_change(table) == (
        "No change is larger than chance would explain: the largest is violent crime in B, "
        "down 20% (50 → 40), not notable (p = 0.37). Violent crime moved notably in 0 of 2 cities "
        "(0 down, 0 up; with no real change, up to 0.1 would by chance alone)."
    )
    assert strongest_change(table.iloc[0:0]) == "No city has a complete year-to-date comparison yet."


def monthly_frame(city: str, year: int, per_month: int, population: int, months: int = 12) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city_id": city,
            "city": city.title(),
            "period": pd.date_range(f"{year}-01-01", periods=months, freq="MS"),
            "offense": "violent_crime",
            "source": "hand",
            "kind": "incidents",
            "count": per_month,
            "population": population,
            "rate": per_month * 1e5 / population,
        }
    )


def test_index_to_a_baseline_year() -> None:
    frame = pd.concat(
        [
            monthly_frame("a", 2017, 10, 100_000),  # 120 offenses: rate 120
            monthly_frame("a", 2018, 12, 100_000),  # 144 offenses: rate 144 -> index 120
            monthly_frame("a", 2019, 12, 100_000, months=6),  # incomplete year: left out
            monthly_frame("b", 2017, 0, 50_000),  # zero in the baseline: no index possible
            monthly_frame("b", 2018, 5, 50_000),
        ]
    )
    annual = annual_rates(frame)
    assert annual[annual["city_id"] == "a"][["year", "count", "rate"]].values.tolist() == [
        [2017, 120, 120.0],
        [2018, 144, 144.0],
    ]
    assert baseline_years(annual) == [2017, 2018]
    indexed = indexed_by_city_year(annual, 2017)
    assert indexed["city_id"].unique().tolist() == ["a"]
    assert indexed["index"].tolist() == pytest.approx([100.0, 120.0])
    assert index_summary(indexed, 2017) == (
        "In 2018, 0 of 1 cities had a lower rate than in 2017 and 1 a higher one (index 120 to 120; 2017 = 100)."
    )
    assert default_baseline([2015, 2016, 2017, 2018]) == 2017
    assert default_baseline([2019, 2020]) == 2019
    assert default_baseline([]) is None


def test_funnel_points_by_hand() -> None:
    frame = pd.concat(
        [
            monthly_frame("a", 2024, 10, 120_000),  # 120 in 120,000 person-years: rate 100
            monthly_frame("b", 2024, 30, 120_000),  # 360: rate 300
            monthly_frame("c", 2024, 20, 120_000, months=6),  # only 6 months: not placed
        ]
    )
    f = funnel(frame, pd.Timestamp("2024-12-01"))
    points = f.points.set_index("city_id")
    assert list(points.index) == ["a", "b"]
    assert points.loc["a", "person_years"] == pytest.approx(120_000)
    assert points.loc["a", "rate"] == pytest.approx(100.0)
    # Pooled: 480 / 240,000 = 200 per 100,000; each city expects 240.
    assert f.pooled_rate == pytest.approx(200.0)
    assert points.loc["a", "expected"] == pytest.approx(240.0)
    assert points.loc["a", "z"] == pytest.approx((120 - 240) / math.sqrt(240))
    assert points.loc["a", "band"] == "below the 99.8% limit"
    assert points.loc["b", "band"] == "above the 99.8% limit"
    assert f.start == pd.Timestamp("2024-01-01") and f.end == pd.Timestamp("2024-12-01")
    # Two cities cannot estimate their spread: the limits fall back to plain Poisson, and say so.
    assert f.overdispersion is not None and not f.overdispersion.adjusts
    assert funnel_summary(f, "violent_crime").startswith(
        "Pooled violent crime rate of the 2 cities, Jan 2024–Dec 2024: 200.0 per 100,000 residents. "
        "Outside the 99.8% limits (beyond Poisson chance) — above: B; below: A. Too few cities (2)"
    )


def test_funnel_inside_the_limits(tiny: duckdb.DuckDBPyConnection) -> None:
    from analysis.series.monthly import period_series

    frame = period_series(tiny, CrimeFilter(), coverage(tiny))
    f = funnel(frame)
    # Mar 2023 .. Feb 2024: Memphis 0 + 5 + 2 = 7, Springfield 3 + 0 = 3; person-years
    # 10/12 of the 2023 population + 2/12 of 2024's.
    memphis_py = 10 / 12 * 622_878 + 2 / 12 * 619_470
    springfield_py = 10 / 12 * 113_426 + 2 / 12 * 113_104
    assert f.pooled_rate == pytest.approx(10 / (memphis_py + springfield_py) * 1e5)
    assert set(f.points["band"]) == {"within the 95% limits"}
    assert "No city lies outside the 99.8% limits (beyond Poisson chance)." in funnel_summary(
        f, "violent_crime"
    )


def test_ytd_from_series_is_empty_without_data() -> None:
    empty = ytd_from_series(monthly_frame("a", 2024, 1, 1).iloc[0:0])
    assert empty.window is None and empty.table.empty


# --- overdispersed funnel limits (Spiegelhalter 2005) ---------------------------------

SIZES = np.array([2.3e6, 1.0e6, 8.8e5, 6.3e5, 6.2e5, 5.1e5, 3.1e5, 2.7e5, 2.2e5, 2.0e5, 1.1e5, 6.7e4])


def cohort(counts: np.ndarray, sizes: np.ndarray = SIZES) -> pd.DataFrame:
    names = [f"c{i:02d}" for i in range(len(counts))]
    return pd.DataFrame({"city_id": names, "city": names, "count": counts, "person_years": sizes})


def test_funnel_toggle_keeps_plain_poisson_limits() -> None:
    rng = np.random.default_rng(1)
    rates = 1000 * np.exp(rng.normal(0, 0.3, len(SIZES)))
    f = funnel_from_counts(cohort(rng.poisson(rates * SIZES / 1e5)))
    assert f.method == "random_effects" and f.overdispersion is not None and f.overdispersion.phi > 50
    plain = with_method(f, "poisson")
    # Plain Poisson limits are far narrower, so far more cities fall outside them.
    outside = (plain.points["band"] != "within the 95% limits").sum()
    assert outside > (f.points["band"] != "within the 95% limits").sum()
    assert plain.limits["upper"].max() < f.limits["upper"].max()
    with pytest.raises(ValueError):
        with_method(f, "league table")


@pytest.mark.parametrize("method", ["random_effects", "scaled"])
def test_adjusted_limits_hold_95_and_998_percent_of_cities_from_the_fitted_model(method: str) -> None:
    """Fit the cohort (12 cities spread like the real ones, tau = 30% of the rate), then
    draw 20,000 cohorts of cities from the fitted overdispersed model: the 95% and 99.8%
    limits contain about 95% and 99.8% of them."""
    rng = np.random.default_rng(20261130)
    true_rates = 1000 * np.exp(rng.normal(0, 0.3, len(SIZES)))
    f = funnel_from_counts(cohort(rng.poisson(true_rates * SIZES / 1e5)), method)
    od, theta = f.overdispersion, f.pooled_rate
    assert od is not None and od.adjusts and theta is not None
    draws = 20_000
    n = np.tile(SIZES, draws)
    if method == "random_effects":  # city rate ~ N(theta, tau^2), then Poisson counts
        rate = np.maximum(rng.normal(theta, od.tau, n.size), 0.0)
        counts = rng.poisson(rate * n / 1e5)
    else:  # counts with variance phi x the Poisson variance
        mean = theta * n / 1e5
        counts = np.maximum(np.round(rng.normal(mean, np.sqrt(od.phi * mean))), 0)
    bands = np.array(compare_bands(counts, theta / 1e5 * n, method, od, theta, n))
    inside95 = float(np.mean(bands == "within the 95% limits"))
    inside998 = 1 - float(np.mean(np.isin(bands, ["above the 99.8% limit", "below the 99.8% limit"])))
    assert inside95 == pytest.approx(0.95, abs=0.006)
    assert inside998 == pytest.approx(0.998, abs=0.0015)


def test_estimated_spread_against_the_true_one() -> None:
    """With many cities drawn with a between-city SD of 200, Spiegelhalter's winsorised
    estimate sees about 0.68 of the z-scores' variance (E[clip(Z, -1.28, 1.28)^2] = 0.679
    for a normal Z), so tau comes out near 200 * sqrt(0.679 - small) = 135-165: the
    price of robustness to outlying cities that the paper accepts (docs/METHODS.md)."""
    rng = np.random.default_rng(5)
    sizes = rng.choice(SIZES, 400)
    rates = rng.normal(1000, 200, 400)
    od = estimate_overdispersion(rng.poisson(rates * sizes / 1e5), sizes, 1000.0)
    assert 120 < od.tau < 170
