"""Which residual scale to trust: the one that best explains how the residuals' size varies.

A regression audit divides each residual ``r`` by its expected size ``s``. Three estimates of
``s`` compete: one global robust scale (the MAD of the residuals; Rousseeuw & Yohai, 1984, on
robust scale), the prediction-binned local scale of :mod:`._residual_scale`, and an out-of-fold
model of ``|r|`` from the features (normalised nonconformity). The global scale has one parameter
and no estimation noise; the others follow the noise where it varies but, fitted on few rows,
add their own noise to every ``s`` and can hide an error behind a scale that happens to be large.

If the clean residuals are ``r = loc + s * e`` with ``e`` of one distribution, then
``log|r - loc| - log s = log|e|``: its spread is the same for every row. A scale that misses
real heteroscedasticity, or adds estimation noise of its own, widens that spread (the log of the
absolute residual is the usual response for modelling a variance function: Harvey, 1976;
Davidian & Carroll, 1987). The chosen candidate is the one with the smallest interquartile range
of ``log|r - loc| - log s``; the quartiles ignore the wrong targets (a minority in the upper
tail) and exact zeros (the lower tail). Every candidate is out-of-sample or has a single
parameter (the global scale, whose constant does not change the spread), so a flexible scale
does not win by fitting its own rows. Ties go to the simpler candidate (the order of
:data:`CANDIDATES`).

The choice depends on the rows only through their values, so permuting the rows permutes the
result, and shifting or scaling the residuals (and with them the scales) keeps the choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._residual_scale import local_location_scale, robust_location_scale

__all__ = ["CANDIDATES", "ScaleChoice", "choose_scale", "log_spread"]

#: The candidate scales, simplest first (a tie goes to the earlier one).
CANDIDATES = ("global", "local", "model")
_TINY = 1e-12


@dataclass(frozen=True, eq=False)
class ScaleChoice:
    """The chosen scale, its location, and every candidate's spread.

    Attributes
    ----------
    name : str
        One of :data:`CANDIDATES`.
    location, scale : ndarray of float, shape (n,)
        The chosen candidate's location and scale (a Gaussian standard deviation of clean residuals).
    spread : dict of str to float
        Interquartile range of ``log|r - loc| - log s`` of each candidate (smaller = better).
    """

    name: str
    location: np.ndarray
    scale: np.ndarray
    spread: dict[str, float]


def log_spread(residual: np.ndarray, location: np.ndarray, scale: np.ndarray) -> float:
    """Interquartile range of ``log|residual - location| - log scale``.

    Absolute deviations below ``1e-9`` times the largest scale are raised to it, so that exact
    zeros (tied residuals) give a finite value; the floor moves with the scale, so scaling every
    input by one factor keeps the result.
    """
    dev = np.abs(residual - location)
    floor = 1e-9 * float(np.max(scale))
    ratio = np.log(np.maximum(dev, floor)) - np.log(scale)
    q1, q3 = np.percentile(ratio, [25.0, 75.0])
    return float(q3 - q1)


def _global(residual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    loc, c = robust_location_scale(residual)
    n = residual.size
    return np.full(n, loc), np.full(n, max(c, _TINY))


def _model(residual: np.ndarray, model_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Location and scale from a model of ``|r|``: ``r / s`` standardised robustly, mapped back."""
    loc, c = robust_location_scale(residual / model_scale)
    c = max(c, _TINY)
    return loc * model_scale, c * model_scale


def choose_scale(residual: np.ndarray, prediction: np.ndarray, model_scale: np.ndarray | None) -> ScaleChoice:
    """The candidate scale with the smallest spread of ``log|r - loc| - log s``.

    Parameters
    ----------
    residual, prediction : ndarray of float, shape (n,)
        Out-of-fold residuals ``y - f(x)`` and predictions ``f(x)``.
    model_scale : ndarray of float, shape (n,), or None
        Out-of-fold predictions of ``|r|`` from the features (positive); ``None`` leaves the
        ``model`` candidate out.

    Returns
    -------
    ScaleChoice

    References
    ----------
    .. [1] Rousseeuw, P. J., & Yohai, V. (1984). Robust Regression by Means of S-Estimators. In
       Robust and Nonlinear Time Series Analysis, Lecture Notes in Statistics 26, 256-272.
    .. [2] Harvey, A. C. (1976). Estimating Regression Models with Multiplicative
       Heteroscedasticity. Econometrica 44(3), 461-465.
    .. [3] Davidian, M., & Carroll, R. J. (1987). Variance Function Estimation. Journal of the
       American Statistical Association 82(400), 1079-1091.
    """
    fits = {"global": _global(residual), "local": local_location_scale(residual, prediction)}
    if model_scale is not None:
        fits["model"] = _model(residual, model_scale)
    spread = {name: log_spread(residual, loc, s) for name, (loc, s) in fits.items()}
    best = min(fits, key=lambda name: (spread[name], CANDIDATES.index(name)))
    location, scale = fits[best]
    return ScaleChoice(best, location, scale, spread)
