"""How much a monthly count series varies beyond Poisson chance, and the intervals that
allow for it (goals, alarms): a quasi-Poisson dispersion per series (docs/METHODS.md,
"Goals")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import nbinom, poisson


@dataclass(frozen=True)
class Dispersion:
    """How much a monthly count series varies beyond Poisson: Var = phi x mean.

    phi: Pearson chi-squared / residual degrees of freedom of a Poisson GLM with a level
      per calendar year and one annual harmonic (sin, cos) for the season (quasi-Poisson,
      McCullagh & Nelder 1989), floored at 1 (no claim of under-dispersion).
    raw: the estimate before the floor; df: residual degrees of freedom (0: not estimable,
      phi = 1).
    """

    phi: float
    raw: float
    df: int

    def describe(self) -> str:
        if self.df == 0:
            return "dispersion not estimable (too few months): Poisson assumed"
        return f"dispersion φ = {self.phi:.1f}: quasi-Poisson, {self.df} residual df, 1 = Poisson"


def series_dispersion(months: ArrayLike, counts: ArrayLike) -> Dispersion:
    """Quasi-Poisson dispersion of monthly `counts` at `months` (month starts): Poisson
    GLM with a level per calendar year and an annual harmonic, phi = Pearson X^2 / df.

    A year level absorbs slow drift, the harmonic the season, so phi measures the
    month-to-month noise around them. Fewer than 6 residual degrees of freedom, or no
    offense at all: phi = 1 (df reported as 0).
    """
    index = pd.DatetimeIndex(pd.to_datetime(np.asarray(months)))
    y = np.asarray(counts, dtype="float64")
    keep = ~np.isnan(y)
    year, month, y = index.year.to_numpy()[keep], index.month.to_numpy()[keep], y[keep]
    # a year without any offense has a fitted level of zero: leave such years out
    totals = pd.Series(y).groupby(year).sum()
    years = totals.index[totals > 0].to_numpy()
    rows = np.isin(year, years)
    year, month, y = year[rows], month[rows], y[rows]
    angle = 2 * np.pi * (month - 1) / 12
    design = np.column_stack([(year == yr).astype(float) for yr in years] + [np.sin(angle), np.cos(angle)])
    df = len(y) - design.shape[1]
    if df < 6 or y.sum() == 0:
        return Dispersion(1.0, 1.0, 0)
    beta = _poisson_irls(design, y)
    mu = np.exp(design @ beta)
    raw = float(np.sum((y - mu) ** 2 / mu) / df)
    return Dispersion(max(raw, 1.0), raw, int(df))


def _poisson_irls(x: np.ndarray, y: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Poisson GLM coefficients (log link) by iteratively reweighted least squares: the
    same fit as statsmodels' GLM (tests/analysis/stats/test_exact.py checks it), without its
    per-call overhead for the dozens of series a page judges."""
    mu = np.maximum(y, 0.5)
    eta = np.log(mu)
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        z = eta + (y - mu) / mu
        root = np.sqrt(mu)[:, None]
        new = np.linalg.lstsq(x * root, z * root[:, 0], rcond=None)[0]
        done = np.max(np.abs(new - beta)) < 1e-10
        beta = new
        eta = np.clip(x @ beta, -30.0, 30.0)
        mu = np.exp(eta)
        if done:
            break
    return beta


def series_dispersions(months: pd.DatetimeIndex, x: np.ndarray, in_range: np.ndarray) -> np.ndarray:
    """series_dispersion(months[cols], x[i, cols]).phi of every row i of `x` (cols: where
    in_range[i]), fitted together: one IRLS over every series at once, each solving its
    own normal equations in a batch of small systems, instead of one lstsq round per
    series per iteration. Same model, start, stopping rule and floor as series_dispersion;
    tests/analysis/stats/test_dispersion_batch.py checks it against it series by series."""
    x = np.asarray(x, dtype="float64")
    n_series, n_months = x.shape
    phis = np.ones(n_series)
    if n_series == 0 or n_months == 0:
        return phis
    year = months.year.to_numpy()
    years, year_col = np.unique(year, return_inverse=True)
    rows = np.asarray(in_range, dtype=bool) & ~np.isnan(x)
    y = np.where(rows, x, 0.0)
    # a year without any offense has a fitted level of zero: leave such years out
    one_hot = np.eye(len(years))[year_col]  # (months, years)
    used_year = (y @ one_hot) > 0
    rows &= used_year[:, year_col]
    y = np.where(rows, y, 0.0)
    angle = 2 * np.pi * (months.month.to_numpy() - 1) / 12
    design = np.column_stack([one_hot, np.sin(angle), np.cos(angle)])  # (months, p)
    p = design.shape[1]
    df = rows.sum(axis=1) - (used_year.sum(axis=1) + 2)
    fit = (df >= 6) & (y.sum(axis=1) > 0)
    if not fit.any():
        return phis
    idx = np.flatnonzero(fit)
    w, yy = rows[idx].astype(float), y[idx]
    # an unused year's column has no rows: a unit diagonal keeps its coefficient at zero
    unused = np.zeros((len(idx), p))
    unused[:, : len(years)] = ~used_year[idx]
    mu = np.maximum(yy, 0.5)
    eta = np.log(mu)
    beta = np.zeros((len(idx), p))
    active = np.ones(len(idx), dtype=bool)
    for _ in range(50):
        a = np.flatnonzero(active)
        wm = w[a] * mu[a]
        z = eta[a] + (yy[a] - mu[a]) / mu[a]
        normal = np.einsum("st,ti,tj->sij", wm, design, design) + unused[a][:, :, None] * np.eye(p)
        new = np.linalg.solve(normal, np.einsum("st,ti->si", wm * z, design)[..., None])[..., 0]
        done = np.max(np.abs(new - beta[a]), axis=1) < 1e-10
        beta[a] = new
        eta[a] = np.clip(new @ design.T, -30.0, 30.0)
        mu[a] = np.exp(eta[a])
        active[a[done]] = False
        if not active.any():
            break
    raw = np.sum(w * (yy - mu) ** 2 / mu, axis=1) / df[idx]
    phis[idx] = np.maximum(raw, 1.0)
    return phis


def count_intervals(means: ArrayLike, level: float = 0.95, phi: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Central `level` interval of a count with each mean and variance phi x mean:
    Poisson quantiles when phi = 1, else negative binomial quantiles with that mean and
    variance (size = mean / (phi - 1), p = 1 / phi). Zero means give (0, 0)."""
    m = np.asarray(means, dtype="float64")
    tail = (1.0 - level) / 2.0
    positive = m > 0
    safe = np.where(positive, m, 1.0)
    if phi <= 1.0 + 1e-9:
        low, high = poisson.ppf(tail, safe), poisson.ppf(1.0 - tail, safe)
    else:
        size = safe / (phi - 1.0)
        low, high = nbinom.ppf(tail, size, 1.0 / phi), nbinom.ppf(1.0 - tail, size, 1.0 / phi)
    return np.where(positive, low, 0).astype(int), np.where(positive, high, 0).astype(int)
