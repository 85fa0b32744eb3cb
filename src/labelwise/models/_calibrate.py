"""Leakage-free post-processing of out-of-fold probabilities: temperature scaling and a convex blend.

Both are *cross-fitted* over the cross-validation folds: the calibrator (or the blend weights)
applied to the rows of fold ``j`` is fitted on the out-of-fold probabilities and labels of the
other folds only, so no row's own label ever shapes its calibrated probability.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Probabilities are floored at this value before taking logs (zeros from trees and kNN).
FLOOR = 1e-6


def log_loss(probs: np.ndarray, codes: np.ndarray) -> float:
    """Mean negative log probability of the given labels (probabilities clipped at 1e-15)."""
    picked = probs[np.arange(codes.shape[0]), codes]
    return float(-np.mean(np.log(np.clip(picked, 1e-15, None))))


def _logits(probs: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(probs, FLOOR))


def row_max(values: np.ndarray) -> np.ndarray:
    """``values.max(axis=1)``, a column at a time: the same numbers (a maximum does not round),
    faster for few columns, where numpy's row reduction loops over a handful of values at a time."""
    out = values[:, 0].copy()
    for j in range(1, values.shape[1]):
        np.maximum(out, values[:, j], out=out)
    return out


def _shifted_logits(probs: np.ndarray) -> np.ndarray:
    """``log p`` less each row's maximum (the softmax is shift-invariant; every entry is then <= 0)."""
    z = _logits(probs)
    z -= row_max(z)[:, None]
    return z


#: Bounds of the inverse temperature ``1 / T`` searched by :func:`fit_temperature`.
INVERSE_T_BOUNDS = (0.02, 50.0)


def fit_temperature(probs: np.ndarray, codes: np.ndarray, *, tol: float = 1e-6, max_iter: int = 50) -> float:
    """The temperature ``T`` minimising the log loss of ``softmax(log p / T)``.

    With ``s = 1 / T`` and ``z = log p`` the loss ``L(s) = mean_i [logsumexp(s z_i) - s z_{i,y_i}]``
    is convex in ``s``, with ``L'(s) = mean_i (E_{q_i}[z_i] - z_{i,y_i})`` and
    ``L''(s) = mean_i Var_{q_i}[z_i]`` where ``q_i = softmax(s z_i)``. Its minimiser over
    ``s`` in ``INVERSE_T_BOUNDS`` is found by Newton's method safeguarded by bisection on the sign
    of ``L'`` (a handful of softmaxes, where a derivative-free search takes some thirty).

    References
    ----------
    .. [1] Guo, Pleiss, Sun & Weinberger, "On Calibration of Modern Neural Networks", ICML 2017,
       Section 4.2 (temperature scaling).
    """
    z = _shifted_logits(probs)
    return _fit_shifted(z, z[np.arange(codes.shape[0]), codes], tol, max_iter)


def _fit_shifted(z: np.ndarray, zy: np.ndarray, tol: float = 1e-6, max_iter: int = 50) -> float:
    """:func:`fit_temperature` from the shifted logits ``z`` (:func:`_shifted_logits`) and each row's
    logit of its label ``zy``: rows taken from the logits of a larger table give the same ``T`` as
    the logits of those rows alone (every step is row by row)."""

    def derivatives(s: float) -> tuple[float, float]:
        q = np.multiply(z, s)
        np.exp(q, out=q)  # the row maximum of s * z is 0: no overflow
        q /= q.sum(axis=1, keepdims=True)
        qz = np.multiply(q, z, out=q)
        mean_z = qz.sum(axis=1)
        qz *= z
        var_z = qz.sum(axis=1) - mean_z * mean_z
        return float(np.mean(mean_z - zy)), float(np.mean(np.maximum(var_z, 0.0)))

    lo, hi = INVERSE_T_BOUNDS
    if derivatives(lo)[0] >= 0:
        return 1.0 / lo
    if derivatives(hi)[0] <= 0:
        return 1.0 / hi
    s = 1.0
    for _ in range(max_iter):
        grad, curv = derivatives(s)
        if grad > 0:
            hi = s
        else:
            lo = s
        step = s - grad / curv if curv > 0 else np.inf
        new = step if lo < step < hi else 0.5 * (lo + hi)
        if abs(new - s) <= tol * s or hi - lo <= tol * lo:
            s = new
            break
        s = new
    return float(1.0 / s)


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log p / T)`` row by row."""
    return _soften(_logits(probs), temperature)


def _soften(logits: np.ndarray, temperature: float) -> np.ndarray:
    """:func:`apply_temperature` from ``log p`` (:func:`_logits`), row by row."""
    z = logits / temperature
    z -= row_max(z)[:, None]
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def cross_fit_temperature(
    probs: np.ndarray, codes: np.ndarray, folds: Sequence[np.ndarray]
) -> tuple[np.ndarray, float]:
    """Temperature-scaled probabilities, each fold's rows scaled by a ``T`` fitted on the other folds.

    Returns the calibrated probabilities and the temperature fitted on all rows (the one to use
    on new data). The logits are taken once, for all rows, and each fit reads its rows of them
    (the same numbers as taking them per fold: every step is row by row).
    """
    logits = _logits(probs)
    z = logits - row_max(logits)[:, None]
    zy = z[np.arange(codes.shape[0]), codes]
    out = np.empty_like(probs)
    everything = np.ones(codes.shape[0], dtype=bool)
    for test in folds:
        train = everything.copy()
        train[test] = False
        out[test] = _soften(logits[test], _fit_shifted(z[train], zy[train]))
    return out, _fit_shifted(z, zy)


def fit_blend_weights(picked: np.ndarray, *, n_iter: int = 200, tol: float = 1e-8) -> np.ndarray:
    """Convex weights ``w`` maximising ``mean_i log sum_m w_m p_m(y_i)`` by EM.

    Parameters
    ----------
    picked : ndarray of shape (n, M)
        Each model's probability of each row's given label.

    Notes
    -----
    The log loss of a convex mixture is convex in the weights; the EM update
    ``w_m <- mean_i w_m p_m(y_i) / sum_k w_k p_k(y_i)`` never raises it.

    References
    ----------
    .. [1] Dempster, Laird & Rubin, "Maximum Likelihood from Incomplete Data via the EM
       Algorithm", JRSS B 39(1), 1977 (mixture weights with fixed components).
    """
    picked = np.maximum(picked, 1e-15)
    w = np.full(picked.shape[1], 1.0 / picked.shape[1])
    previous = -np.inf
    picked_t = np.ascontiguousarray(picked.T) / picked.shape[0]
    for _ in range(n_iter):
        mix = picked @ w
        current = float(np.log(mix).mean())
        w = w * (picked_t @ (1.0 / mix))  # the mean over rows of w_m p_m(y_i) / mix_i
        w /= w.sum()
        if current - previous < tol:
            break
        previous = current
    return w


def fit_blend_weights_on_subsets(
    picked: np.ndarray, subsets: np.ndarray, *, n_iter: int = 200, tol: float = 1e-8
) -> np.ndarray:
    """:func:`fit_blend_weights` on several subsets of the rows at once.

    Row ``s`` of the result is ``fit_blend_weights(picked[subsets[s]], n_iter=n_iter, tol=tol)``:
    the same EM iterations, each subset stopping at the same step, run side by side as matrix
    products (the cross-fitted blend needs one fit per fold and one on all rows, and on small
    tables one fit's cost is mostly the per-step overhead).

    Parameters
    ----------
    picked : ndarray of shape (n, M)
        Each model's probability of each row's given label.
    subsets : bool ndarray of shape (S, n)
        The rows of each fit (none empty).
    """
    picked = np.maximum(picked, 1e-15)
    share = subsets / subsets.sum(axis=1, keepdims=True)  # (S, n): the mean over each subset's rows
    w = np.full((subsets.shape[0], picked.shape[1]), 1.0 / picked.shape[1])
    previous = np.full(subsets.shape[0], -np.inf)
    running = np.ones(subsets.shape[0], dtype=bool)
    for _ in range(n_iter):
        mix = w[running] @ picked.T  # (S', n)
        current = (share[running] * np.log(mix)).sum(axis=1)
        update = w[running] * ((share[running] / mix) @ picked)
        w[running] = update / update.sum(axis=1, keepdims=True)
        done = current - previous[running] < tol
        previous[running] = current
        running[np.flatnonzero(running)[done]] = False
        if not running.any():
            break
    return w


def cross_fit_blend(
    stack: Sequence[np.ndarray], codes: np.ndarray, folds: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Blend of several models' out-of-fold probabilities, cross-fitted over the folds.

    The rows of fold ``j`` are mixed with weights fitted (:func:`fit_blend_weights`) on the
    other folds' rows, whose probabilities come from models that never saw fold ``j`` either;
    the blend's log loss on these rows is therefore an honest estimate. Returns the blended
    probabilities and the weights fitted on all rows.
    """
    rows = np.arange(codes.shape[0])
    picked = np.column_stack([p[rows, codes] for p in stack])
    subsets = np.ones((len(folds) + 1, codes.shape[0]), dtype=bool)  # each fold's training rows, then all
    for j, test in enumerate(folds):
        subsets[j, test] = False
    weights = fit_blend_weights_on_subsets(picked, subsets)
    out = np.zeros_like(stack[0])
    for w, test in zip(weights, folds, strict=False):
        for weight, p in zip(w, stack, strict=False):
            out[test] += weight * p[test]
    return out, weights[-1]
