"""The SVM dual's feasible set and the exact Euclidean projection onto it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError, ShapeMismatchError


def _h(mu: float, v: np.ndarray, y: np.ndarray, C: float | np.ndarray) -> float:
    """``y' clip(v - mu y, 0, C)``: non-increasing in ``mu``."""
    return float(y @ np.clip(v - mu * y, 0.0, C))


def _check_box(C: Any, n: int) -> float | np.ndarray:
    """The box bound: a number > 0, or one bound >= 0 per row (a per-row cost ``C * sample_weight``)."""
    if np.ndim(C) == 0:
        if not (C > 0):
            raise InvalidParameterError(f"C must be positive, got {C!r}")
        return float(C)
    box = np.asarray(C, dtype=np.float64)
    if box.shape != (n,):
        raise ShapeMismatchError(f"C must be a number or one bound per row, shape ({n},), got shape {box.shape}")
    bad = ~np.isfinite(box) | (box < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(f"C must be finite and not negative in every row, row {row} is {box[row]}")
    return box


def project_dual(v: Any, y: Any, C: Any) -> np.ndarray:
    """Euclidean projection of ``v`` onto ``{a : 0 <= a <= C, y'a = 0}`` with ``y`` in {-1, +1}.

    The KKT conditions give ``a = clip(v - mu * y, 0, C)`` for the multiplier ``mu`` of the
    equality constraint, where ``h(mu) = y' clip(v - mu y, 0, C)`` is piecewise linear and
    non-increasing in ``mu`` with breakpoints ``{y_i v_i, y_i v_i -/+ C}``. We bisect over the
    sorted breakpoints to the segment where ``h`` changes sign, then solve the linear piece
    exactly, so the result is the exact projection (up to rounding), not an iterate.

    Parameters
    ----------
    v : array-like of shape (n,)
        The point to project (e.g. a gradient step on the dual).
    y : array-like of shape (n,)
        Labels in {-1, +1}.
    C : float or array-like of shape (n,)
        Box bound, > 0; or one bound ``C_i >= 0`` per row (the dual of a hinge loss whose row ``i``
        costs ``C_i``: ``C * sample_weight``).

    Returns
    -------
    ndarray of shape (n,)

    References
    ----------
    .. [1] Bal, Cevher & Muehlebach, "Adversarial Training for Defense Against Label Poisoning
       Attacks", ICLR 2025 (the projection step of FLORAL's PGD; the authors approximate the
       multiplier by a fixed-point iteration, here it is found exactly).
    """
    v = np.asarray(v, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if v.shape != y.shape or v.ndim != 1:
        raise ShapeMismatchError(f"v and y must be 1-D of the same length, got shapes {v.shape} and {y.shape}")
    if not np.isin(y, (-1.0, 1.0)).all():
        other = np.unique(y[~np.isin(y, (-1.0, 1.0))])
        raise InvalidParameterError(f"y must contain only -1 and +1, got also {other[:5].tolist()}")
    C = _check_box(C, v.size)
    z = y * v
    # For y=+1 the term clip(v - mu) bends at mu = v - C and mu = v; for y=-1, -clip(v + mu) bends
    # at mu = -v and mu = C - v. In terms of z = y v: {z - C, z} for y=+1 and {z, z + C} for y=-1.
    bps = np.unique(np.concatenate([z, np.where(y > 0, z - C, z + C)]))
    lo, hi = 0, bps.size - 1
    h_lo, h_hi = _h(bps[lo], v, y, C), _h(bps[hi], v, y, C)
    # Left of every breakpoint h = (sum of C over y=+1) >= 0 and right of them h = -(sum of C over
    # y=-1) <= 0, so h_lo <= 0 or h_hi >= 0 only when that end is already a root (a one-class y, or
    # a class whose every bound is 0).
    if h_lo <= 0.0:
        return np.clip(v - bps[lo] * y, 0.0, C)
    if h_hi >= 0.0:
        return np.clip(v - bps[hi] * y, 0.0, C)
    while hi - lo > 1:  # O(log n) evaluations of h, each O(n)
        mid = (lo + hi) // 2
        h_mid = _h(bps[mid], v, y, C)
        if h_mid == 0.0:
            return np.clip(v - bps[mid] * y, 0.0, C)
        if h_mid > 0.0:
            lo, h_lo = mid, h_mid
        else:
            hi, h_hi = mid, h_mid
    # h is linear on [bps[lo], bps[hi]]: interpolate exactly.
    mu = bps[lo] + h_lo * (bps[hi] - bps[lo]) / (h_lo - h_hi)
    return np.clip(v - mu * y, 0.0, C)


def dual_violation(alpha: np.ndarray, y: np.ndarray, C: float | np.ndarray) -> float:
    """Largest violation of ``0 <= alpha <= C`` and ``y'alpha = 0`` (0 when feasible)."""
    return float(max(np.max(-alpha, initial=0.0), np.max(alpha - C, initial=0.0), abs(float(y @ alpha))))
