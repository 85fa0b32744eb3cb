"""Variational EM for numeric answers with Student-t annotator noise (see ``numeric.RobustBiasPrecision``).

The model of :mod:`._numeric_em` with the noise of each answer a Student t with ``df`` degrees of
freedom, written as its Gaussian scale mixture (Liu & Rubin 1995): answer ``r`` has a weight
``u_r ~ Gamma(df/2, df/2)`` and noise ``N(0, 1 / (tau_w u_r))``. The truths and the weights are
latent; their joint posterior has no closed form, so the fit is mean-field variational EM
(coordinate ascent on the evidence lower bound, ELBO): ``q(z_i) = N(m_i, v_i)`` given the expected
weights, ``q(u_r) = Gamma((df + 1)/2, (df + tau_w e_r)/2)`` with ``e_r = (y_r - b_w - m_i)^2 + v_i``,
then the biases and precisions as the Gaussian M-step with each answer weighed by ``E[u_r]``. Each
step increases the ELBO, which ``loss_history_`` records (negated, per answer). An answer far from
its item's value gets a small weight, instead of inflating its annotator's variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import digamma, gammaln

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


def robust_em(
    data: NumericAnswers,
    *,
    df: float,
    prior: float,
    max_iter: int,
    tol: float,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    block_rows: int | None = None,
) -> RobustResult:
    """Fit by variational EM from ``start`` (biases, precisions; default: no bias and ``1/s0``).

    The prior's scale ``s0`` is robust here: ``(1.4826 x`` the median distance of an answer to its
    item's mean answer``)^2`` over items with two answers or more (the pooled variance where that is
    0). The Gaussian model's pooled variance would let a few wild answers set every annotator's
    prior noise (a typo x10 on a price of 50 adds thousands to it)."""
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
    u = np.ones(data.n_answers)
    alpha = (df + 1) / 2
    log_u_prior_const = 0.5 * df * np.log(0.5 * df) - gammaln(0.5 * df)
    losses: list[float] = []
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        # q(z): Gaussian, precision sum tau u
        weighted = sp.csr_matrix((u, indices, indptr), shape=design.counts.shape)
        both = weighted @ np.column_stack([precision, precision * bias])
        var = 1.0 / both[:, 0]
        shifted = (sp.csr_matrix((u * yc, indices, indptr), shape=design.counts.shape) @ precision - both[:, 1]) * var
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
        n_iter += 1
        # the ELBO at (q(z), q(u), bias, precision)
        log_u = digamma(alpha) - np.log(beta)
        log_tau = np.log(precision)
        lik = 0.5 * (np.dot(n_w, log_tau) + log_u.sum()) - 0.5 * _LOG_2PI * data.n_answers
        lik -= 0.5 * float(np.dot(precision[ann] * u, e2))
        u_prior = data.n_answers * log_u_prior_const + (0.5 * df - 1) * log_u.sum() - 0.5 * df * u.sum()
        entropy_u = data.n_answers * (alpha + gammaln(alpha) + (1 - alpha) * digamma(alpha)) - np.log(beta).sum()
        entropy_z = 0.5 * float(np.log(2 * np.pi * np.e * var).sum())
        logprior = 0.5 * prior * float(log_tau.sum()) - 0.5 * prior * float(np.dot(precision, s0 + bias**2))
        loss = -float(lik + u_prior + entropy_u + entropy_z + logprior) / data.n_answers
        settled = bool(losses) and loss_settled(losses[-1] - loss, loss, tol)
        losses.append(loss)
        if settled:
            converged = True
            break
    # the truths' posterior at the final parameters and weights
    weighted = sp.csr_matrix((u, indices, indptr), shape=design.counts.shape)
    both = weighted @ np.column_stack([precision, precision * bias])
    var = 1.0 / both[:, 0]
    shifted = (sp.csr_matrix((u * yc, indices, indptr), shape=design.counts.shape) @ precision - both[:, 1]) * var
    order = np.argsort(data.item, kind="stable")  # the design's answer order -> table order
    weights = np.empty_like(u)
    weights[order] = u
    return RobustResult(bias, precision, shifted + design.centre, var, weights, n_iter, converged, losses, s0)
