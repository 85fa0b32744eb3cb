"""Variational EM for numeric answers with Student-t annotator noise (see ``numeric.RobustBiasPrecision``).

The model of :mod:`._numeric_em` with the noise of each answer a Student t with ``df`` degrees of
freedom, written as its Gaussian scale mixture (Liu & Rubin 1995): answer ``r`` has a weight
``u_r ~ Gamma(df/2, df/2)`` and noise ``N(0, 1 / (tau_w u_r))``. The truths and the weights are
latent; their joint posterior has no closed form, so the fit is mean-field variational EM
(coordinate ascent on the evidence lower bound, ELBO): ``q(z_i) = N(m_i, v_i)`` given the expected
weights, ``q(u_r) = Gamma((df + 1)/2, (df + tau_w e_r)/2)`` with ``e_r = (y_r - b_w - m_i)^2 + v_i``,
then the biases and precisions as the Gaussian M-step with each answer weighed by ``E[u_r]``. Each
step increases the ELBO, which ``loss_history_`` records (negated, per answer). An answer far from
its item's value gets a small weight, instead of inflating its annotator's variance. The sweeps
are accelerated by the shared SQUAREM (:func:`_squarem_elbo`; the measurements are in benchmarks/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import digamma, gammaln

from .._squarem import squarem
from ._converged import loss_settled
from ._numeric_data import NumericAnswers
from ._numeric_em import _LOG_2PI, _centre, design_of, pooled_variance

__all__ = ["RobustResult", "robust_em"]


@dataclass(frozen=True)
class RobustResult:
    """The fitted parameters, the truths' posterior and the answers' expected weights (in table order)."""

    bias: np.ndarray
    precision: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    weights: np.ndarray
    n_iter: int
    converged: bool
    losses: list[float]
    s0: float


def _by_annotator(ann: np.ndarray, n_ann: int, *columns: np.ndarray) -> list[np.ndarray]:
    return [np.bincount(ann, weights=c, minlength=n_ann) for c in columns]


def _squarem_elbo(
    step: Callable[[np.ndarray], tuple[float, np.ndarray]],
    theta0: np.ndarray,
    max_iter: int,
    tol: float,
    accelerate: bool = True,
) -> tuple[np.ndarray, int, bool, list[float]]:
    """Coordinate ascent ``θ ↦ F(θ)`` accelerated by SQUAREM (:func:`labelwise._squarem.squarem`:
    Varadhan and Roland 2008, scheme S3), guarded by the ELBO that ``step`` reports for ``F(θ)``.

    A cycle makes two sweeps ``θ₁ = F(θ₀)``, ``θ₂ = F(θ₁)``, jumps to ``θ₀ − 2αr + α²v``
    (``r = θ₁ − θ₀``, ``v = θ₂ − 2θ₁ + θ₀``, ``α = −max(1, ‖r‖/‖v‖)``) and sweeps once from there
    (the sweep is the jump's objective: no stabilising step); if the ELBO that sweep reaches is
    below ``F(θ₁)``'s, ``α`` is halved toward ``−1`` (the plain path ``θ₁``, kept when within 0.1
    of it). The ELBO thus never falls from cycle to cycle, as under plain coordinate ascent, and
    the run stops as plain ascent did: when the loss (negated ELBO per answer) falls by less than
    ``tol`` between accepted points (:func:`._converged.loss_settled`); plain sweeps fill the
    budget once a cycle no longer fits it. ``θ`` is in log coordinates for the positive parts, so
    a jump stays valid. ``max_iter`` counts sweeps; ``accelerate=False`` gives plain coordinate
    ascent. Returns ``F`` of the last accepted point, the sweeps, whether it converged and the
    losses at the accepted points.
    """

    def sweep(theta: np.ndarray) -> tuple[float, np.ndarray, None]:
        elbo, after = step(theta)
        return elbo, after, None

    def settled(history: list[float], theta: np.ndarray, theta_next: np.ndarray) -> bool:
        return len(history) > 1 and loss_settled(history[-1] - history[-2], -history[-1], tol)

    run = squarem(
        sweep, theta0, max_evals=max_iter, stop=settled, stabilise=False, plain_tail=True, accelerate=accelerate
    )
    return run.theta_next, run.n_evals, run.converged, [-elbo for elbo in run.history]


def robust_em(
    data: NumericAnswers,
    *,
    df: float,
    prior: float,
    max_iter: int,
    tol: float,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    block_rows: int | None = None,
    accelerate: bool = True,
) -> RobustResult:
    """Fit by variational EM from ``start`` (biases, precisions; default: no bias and ``1/s0``).

    The prior's scale ``s0`` is robust here: ``(1.4826 x`` the median distance of an answer to its
    item's mean answer``)^2`` over items with two answers or more (the pooled variance where that is
    0). The Gaussian model's pooled variance would let a few wild answers set every annotator's
    prior noise (a typo x10 on a price of 50 adds thousands to it). ``accelerate=False``: plain
    coordinate ascent, without SQUAREM."""
    design = design_of(data, block_rows)
    s0 = pooled_variance(data, design)
    n_ann, n_items = len(data.annotators), len(data.items)
    indices, indptr = design.counts.indices, design.counts.indptr
    ann = indices.astype(np.intp)
    item = np.repeat(np.arange(n_items, dtype=np.intp), data.n_per_item)  # the design's answer order
    yc = design.centred.data
    n_w = data.n_per_annotator.astype(float)
    # the prior's scale and the start: a robust scale, 1.4826 x the median distance to the item's mean
    shared = data.n_per_item[item] > 1
    spread = 1.4826 * float(np.median(np.abs(yc[shared]))) if shared.any() else 0.0
    s0 = spread**2 if spread > 0 else s0
    bias, precision = start if start is not None else (np.zeros(n_ann), np.full(n_ann, 1.0 / s0))
    alpha = (df + 1) / 2
    log_u_prior_const = 0.5 * df * np.log(0.5 * df) - gammaln(0.5 * df)
    n, n_w_ann = data.n_answers, n_ann

    def truths(u: np.ndarray, bias: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """q(z), Gaussian with precision sum tau u: each item's variance and its (centred) mean."""
        weighted = sp.csr_matrix((u, indices, indptr), shape=design.counts.shape)
        both = weighted @ np.column_stack([precision, precision * bias])
        var = 1.0 / both[:, 0]
        shifted = (sp.csr_matrix((u * yc, indices, indptr), shape=design.counts.shape) @ precision - both[:, 1]) * var
        return var, shifted

    def step(theta: np.ndarray) -> tuple[float, np.ndarray]:
        """One coordinate-ascent sweep from ``(log u, bias, log precision)``: the ELBO it reaches
        (per answer) and the sweep's output in the same coordinates."""
        u, bias, precision = np.exp(theta[:n]), theta[n : n + n_w_ann], np.exp(theta[n + n_w_ann :])
        var, shifted = truths(u, bias, precision)
        # q(u): Gamma(alpha, beta)
        r = yc - shifted[item]
        v_row = var[item]
        beta = 0.5 * (df + precision[ann] * ((r - bias[ann]) ** 2 + v_row))
        u = alpha / beta
        # M-step with the expected weights
        su, sur, sur2, suv = _by_annotator(ann, n_ann, u, u * r, u * r * r, u * v_row)
        bias = sur / (su + prior)
        spread = np.maximum(sur2 - 2 * bias * sur + bias**2 * su, 0.0) + suv
        precision = (n_w + prior) / (spread + prior * (bias**2 + s0))
        # centring moves a component's biases by -c and (implicitly) its truths by +c: r - b is unchanged
        e2 = (r - bias[ann]) ** 2 + v_row
        bias = _centre(data, bias, precision)
        # the ELBO at (q(z), q(u), bias, precision)
        log_u = digamma(alpha) - np.log(beta)
        log_tau = np.log(precision)
        lik = 0.5 * (np.dot(n_w, log_tau) + log_u.sum()) - 0.5 * _LOG_2PI * n
        lik -= 0.5 * float(np.dot(precision[ann] * u, e2))
        u_prior = n * log_u_prior_const + (0.5 * df - 1) * log_u.sum() - 0.5 * df * u.sum()
        entropy_u = n * (alpha + gammaln(alpha) + (1 - alpha) * digamma(alpha)) - np.log(beta).sum()
        entropy_z = 0.5 * float(np.log(2 * np.pi * np.e * var).sum())
        logprior = 0.5 * prior * float(log_tau.sum()) - 0.5 * prior * float(np.dot(precision, s0 + bias**2))
        elbo = float(lik + u_prior + entropy_u + entropy_z + logprior) / n
        return elbo, np.concatenate([np.log(u), bias, log_tau])

    theta, n_iter, converged, losses = _squarem_elbo(
        step, np.concatenate([np.zeros(n), bias, np.log(precision)]), max_iter, tol, accelerate
    )
    u, bias, precision = np.exp(theta[:n]), theta[n : n + n_ann], np.exp(theta[n + n_ann :])
    var, shifted = truths(u, bias, precision)  # the truths' posterior at the final parameters and weights
    order = np.argsort(data.item, kind="stable")  # the design's answer order -> table order
    weights = np.empty_like(u)
    weights[order] = u
    return RobustResult(bias, precision, shifted + design.centre, var, weights, n_iter, converged, losses, s0)
