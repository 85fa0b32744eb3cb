"""Has the backward-corrected loss run away? Its slope along the fitted weights, and a warning.

The backward loss ``Σ_j T⁻¹[ỹ, j] (-log q_j)`` has negative weights, so it is not bounded below:
as the logits ``Z`` are scaled by ``t → ∞``, ``-log q_j(tZ) ≈ t (max_k Z_k - Z_j)``, and the mean
loss tends to ``t · slope`` with ``slope = Σ_n s_n Σ_j T⁻¹[ỹ_n, j] (max_k Z_nk - Z_nj)``. A
negative slope means the data term falls without end along the fitted direction and only the
L2 penalty (``C``) stops the weights: the model then fits the noisy labels more closely than ``T``
allows (``T`` overstates the noise, or is near-singular) and its accuracy can fall to chance.
``slope`` over the mean logit range ``Σ_n s_n (max_k Z_nk - min_k Z_nk)`` is scale-free.
"""

from __future__ import annotations

import numpy as np
from scipy.special import logsumexp

from .._caller import warn_at_caller
from ..errors import LabelwiseWarning
from . import _corrected_loss as loss

__all__ = ["RUNAWAY_SLOPE", "check_backward_runaway"]

#: Relative slope below which the fit is said to have run away. Chosen on simulated data
#: (``benchmarks/dev_backward_runaway.py``, dev seeds 0-2): every fit with a T that overstates the
#: noise was below it, no fit with the true or the estimated T was.
RUNAWAY_SLOPE = -0.1
#: Largest |logit| on the training rows above which the weights overflowed (the solver diverged).
OVERFLOWED_LOGIT = 1e8


def runaway_signals(X, codes: np.ndarray, weights: np.ndarray, coef: np.ndarray, intercept: np.ndarray, T: np.ndarray):
    """``(relative slope, mean corrected loss, largest |logit|)`` of a fitted backward model on its
    training rows (``weights`` sum to 1), in row blocks."""
    inverse = np.linalg.inv(T)
    n_classes = T.shape[0]
    slope = spread = data = 0.0
    largest = 0.0
    for start in range(0, codes.size, loss.BLOCK_ROWS):
        rows = slice(start, start + loss.BLOCK_ROWS)
        Z = loss.logits(X[rows], coef, intercept, n_classes)
        coefs, s = inverse[codes[rows]], weights[rows]
        top = Z.max(axis=1, keepdims=True)
        with np.errstate(over="ignore", invalid="ignore"):
            slope += float(s @ np.einsum("nk,nk->n", coefs, top - Z))
            spread += float(s @ (top[:, 0] - Z.min(axis=1)))
            log_q = Z - logsumexp(Z, axis=1, keepdims=True)
            data -= float(s @ np.einsum("nk,nk->n", coefs, log_q))
        largest = max(largest, float(np.abs(Z).max(initial=0.0)))
    relative = slope / spread if spread > 0 else 0.0
    return relative, data, largest


def check_backward_runaway(X, codes, weights, coef, intercept, T, C: float) -> dict[str, float]:
    """The signals of :func:`runaway_signals` (and ``T``'s condition number); a
    :class:`~labelwise.errors.LabelwiseWarning` with them and the fix when the fit ran away."""
    relative, data, largest = runaway_signals(X, codes, weights, coef, intercept, T)
    condition = float(np.linalg.cond(T))
    signals = {"relative_slope": relative, "corrected_loss": data, "max_logit": largest, "condition": condition}
    if not (relative < RUNAWAY_SLOPE or not np.isfinite(largest) or largest > OVERFLOWED_LOGIT):
        return signals
    warn_at_caller(
        LabelwiseWarning(
            f"ForwardCorrection(correction='backward') ran away: its corrected training loss falls without bound "
            f"along the fitted weights (slope {relative:.3g} per unit of logit range, below {RUNAWAY_SLOPE:g}; "
            f"mean corrected loss {data:.3g}, an estimate of a log loss, which cannot be below 0; largest "
            f"|logit| {largest:.3g}), so only the penalty C={C:g} stopped the weights. The model fits the noisy "
            f"labels more closely than transition allows: T overstates the noise or is near-singular (condition "
            f"number {condition:.3g}), and the accuracy can fall to chance. Use correction='forward' (bounded, the "
            "default), or a T that matches the noise"
        )
    )
    return signals
