"""The CUSUM thresholds: each series' H is a function of its own level, dispersion and
the parameters (its own random stream), whatever else is calibrated with it, in which
order, on how many threads, and whether it came from the memo."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats import calibration
from analysis.stats.calibration import calibrate_thresholds, clear_memo
from analysis.stats.cusum_params import CUSUM, CusumParams


def _series(n: int, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(12) / 12)
    profiles = rng.uniform(2, 300, (n, 1)) * season
    return profiles, rng.uniform(1, 7, n)


def test_a_series_threshold_does_not_depend_on_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    profiles, phis = _series(40)
    clear_memo()
    together = calibrate_thresholds(profiles, phis)
    assert np.isfinite(together).all() and (together > 1).all()
    clear_memo()
    alone = np.array([calibrate_thresholds(profiles[i : i + 1], phis[i : i + 1])[0] for i in (0, 17, 39)])
    assert alone.tolist() == together[[0, 17, 39]].tolist()
    clear_memo()
    order = np.random.default_rng(1).permutation(40)
    assert calibrate_thresholds(profiles[order], phis[order]).tolist() == together[order].tolist()
    clear_memo()
    monkeypatch.setattr(calibration.os, "cpu_count", lambda: 1)  # one thread
    assert calibrate_thresholds(profiles, phis).tolist() == together.tolist()


def test_the_memo_gives_what_the_simulation_gives() -> None:
    profiles, phis = _series(20, seed=8)
    clear_memo()
    first = calibrate_thresholds(profiles, phis)
    assert len(calibration._memo) == 20
    assert calibrate_thresholds(profiles, phis).tolist() == first.tolist()  # from the memo
    other = CusumParams(arl0_months=120.0)  # other parameters: not from the memo
    longer = calibrate_thresholds(profiles, phis, other)
    assert (longer > first).all()  # a longer run length between false alarms needs a higher H
    clear_memo()
    assert calibrate_thresholds(profiles, phis).tolist() == first.tolist()


def test_series_without_a_level_and_twins() -> None:
    profiles, phis = _series(3, seed=2)
    profiles = np.vstack([profiles, np.zeros((1, 12)), np.full((1, 12), np.nan), profiles[:1]])
    phis = np.append(phis, [2.0, 2.0, phis[0]])
    clear_memo()
    h = calibrate_thresholds(profiles, phis, CUSUM)
    assert np.isnan(h[3]) and np.isnan(h[4])
    assert h[5] == h[0]  # the same level and dispersion: the same stream, the same H


def test_more_new_series_than_the_memo_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The thresholds returned are the ones simulated, even when the memo cannot keep them all."""
    profiles, phis = _series(20, seed=8)
    clear_memo()
    full = calibrate_thresholds(profiles, phis)
    monkeypatch.setattr(calibration, "MEMO_SIZE", 5)
    clear_memo()
    small = calibrate_thresholds(profiles, phis)
    assert len(calibration._memo) == 5 and small.tolist() == full.tolist()
