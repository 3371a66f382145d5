"""The CUSUM's threshold H per series, calibrated by simulation to an in-control average
run length (the method: analysis.stats.cusum; docs/METHODS.md, "Alarms").

Each series is simulated from its own random stream, seeded by the series' level and
dispersion themselves (with CUSUM.seed): H is a function of (level, dispersion,
parameters) alone. A series whose data did not change keeps its H when another city's
data is imported, and the same store gives the same thresholds. The thresholds found are
kept in a bounded in-process memo under that same key, so a new store version (an import)
re-simulates only the series it changed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from analysis.stats.cusum_params import CUSUM, CusumParams

CHUNK = 16  # series whose CUSUMs and bisection run together in one array
MEMO_SIZE = 4096

_memo: OrderedDict[tuple[bytes, CusumParams], float] = OrderedDict()
_memo_lock = threading.Lock()


def clear_memo() -> None:
    """Forget every threshold found (the bench times the calibration from scratch)."""
    with _memo_lock:
        _memo.clear()


def series_key(profile: np.ndarray, phi: float) -> bytes:
    """The series' identity for its random stream and the memo: its 12 monthly levels and
    its dispersion, as little-endian float64 bytes."""
    return np.append(np.asarray(profile, dtype="<f8"), np.float64(phi)).astype("<f8").tobytes()


def series_stream(key: bytes, params: CusumParams) -> np.random.Generator:
    """The random stream of the series `key`: seeded by params.seed and a hash of the key."""
    words = np.frombuffer(hashlib.blake2b(key, digest_size=16).digest(), dtype="<u4")
    return np.random.default_rng([params.seed, *words.tolist()])


def calibrate_thresholds(profiles: np.ndarray, phis: np.ndarray, params: CusumParams = CUSUM) -> np.ndarray:
    """Per series, the smallest H (offenses) whose in-control average run length is
    params.arl0_months, by simulation.

    profiles: (series, 12) in-control mean count of each calendar month (January first);
    phis: (series,) dispersion (variance = phi x mean). Each series gets params.paths
    histories of baseline_years x 12 + horizon_months negative binomial months (gamma-
    Poisson); the CUSUM runs over the last horizon_months against the baseline estimated
    from the simulated earlier years. With M_t the running maximum of S (no restart),
    the first signal comes after sum_t [M_t < H] months within the horizon, and the
    average run length is E[min(T, L)] / (1 - P(T > L)) (geometric tail past the horizon).
    H is found by bisection; series with no level get NaN. Series not in the memo are
    simulated in chunks of CHUNK on up to two threads (numpy's generators and array
    arithmetic release the GIL); each series' numbers come from its own stream, so the
    result does not depend on the chunks or the threads.
    """
    params.validate()
    profiles = np.asarray(profiles, dtype="float64")
    phis = np.maximum(np.asarray(phis, dtype="float64"), 1.0)
    out = np.full(profiles.shape[0], np.nan)
    ok = np.isfinite(profiles).all(axis=1) & (profiles.sum(axis=1) > 0) & np.isfinite(phis)
    keys = {int(i): series_key(profiles[i], phis[i]) for i in np.flatnonzero(ok)}
    with _memo_lock:
        known = {key: _memo[(key, params)] for key in keys.values() if (key, params) in _memo}
    # One simulation per key not in the memo (series with the same level and dispersion
    # share it), from the first row holding it.
    row_of: dict[bytes, int] = {}
    for i, key in keys.items():
        if key not in known:
            row_of.setdefault(key, i)
    todo = list(row_of.items())
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]

    def one(chunk: list[tuple[bytes, int]]) -> np.ndarray:
        rows = [i for _, i in chunk]
        return _chunk_thresholds(profiles[rows], phis[rows], [k for k, _ in chunk], params)

    workers = min(2, len(chunks), os.cpu_count() or 1)
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            found = list(pool.map(one, chunks))
    else:
        found = [one(c) for c in chunks]
    new = {
        key: float(h)
        for chunk, values in zip(chunks, found, strict=True)
        for (key, _), h in zip(chunk, values, strict=True)
    }
    with _memo_lock:
        for key, h in new.items():
            _memo[(key, params)] = h
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    known |= new
    for i, key in keys.items():
        out[i] = known[key]
    return out


def _simulate(profile: np.ndarray, phi: float, params: CusumParams, rng: np.random.Generator) -> np.ndarray:
    """params.paths in-control histories (paths, months) of one series, as float32."""
    length = 12 * params.baseline_years + params.horizon_months
    mean = np.tile(profile, int(np.ceil(length / 12)))[:length]
    if phi > 1:
        gamma = rng.gamma(np.broadcast_to(mean / (phi - 1), (params.paths, length)), 1.0)
        rate = gamma * (phi - 1)
    else:
        rate = np.broadcast_to(mean, (params.paths, length))
    x: np.ndarray = rng.poisson(rate).astype("float32")
    return x


def _chunk_thresholds(
    profiles: np.ndarray, phis: np.ndarray, keys: list[bytes], params: CusumParams
) -> np.ndarray:
    """calibrate_thresholds for series that all have a level, each from its own stream."""
    x = np.stack(
        [
            _simulate(p, float(f), params, series_stream(k, params))
            for p, f, k in zip(profiles, phis, keys, strict=True)
        ]
    )
    lead = 12 * params.baseline_years
    length = x.shape[-1]
    # the baseline of each scored month: the same month in each of the previous years
    lagged = sum(x[..., lead - 12 * y : length - 12 * y] for y in range(1, params.baseline_years + 1))
    steps = x[..., lead:] - lagged * np.float32(params.k_factor / params.baseline_years)
    running = np.empty_like(steps)
    s = np.zeros(steps.shape[:2], dtype="float32")
    top = np.zeros_like(s)
    for t in range(steps.shape[-1]):
        s = np.maximum(0.0, s + steps[..., t])
        top = np.maximum(top, s)
        running[..., t] = top
    # Bisection, each series stopping at its own 1% (as it would alone: no chunk effect).
    lo = np.zeros(x.shape[0])
    hi = running[..., -1].max(axis=1).astype("float64") + 1.0
    active = np.ones(x.shape[0], dtype=bool)
    for _ in range(40):
        mid = (lo + hi) / 2
        below = running < mid[:, None, None].astype("float32")
        before = below.sum(axis=2).mean(axis=1)
        survive = below[..., -1].mean(axis=1)
        arl = np.where(survive < 1, before / np.maximum(1 - survive, 1e-12), np.inf)
        reached = arl >= params.arl0_months
        hi = np.where(active & reached, mid, hi)
        lo = np.where(active & ~reached, mid, lo)
        active &= ~(hi - lo < 0.01 * np.maximum(hi, 1.0))
        if not active.any():
            break
    result: np.ndarray = np.maximum(hi, 1.0)
    return result
