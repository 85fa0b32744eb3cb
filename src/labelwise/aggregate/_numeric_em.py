"""EM for numeric answers with a per-annotator bias and precision (see ``numeric.BiasPrecision``).

Model: answer ``y_r`` of annotator ``w`` on item ``i`` is ``z_i + b_w + e_r`` with
``e_r ~ N(0, 1/tau_w)``; a flat prior on each truth ``z_i``; a Normal-Gamma prior on each
annotator's ``(b_w, tau_w)``: ``tau_w ~ Gamma((a + 1)/2, a s0/2)``, ``b_w | tau_w ~ N(0, 1/(a tau_w))``
(``a`` = ``prior``, ``s0`` the pooled within-item variance of the raw answers). EM maximises the
posterior of ``(b, tau)`` with the truths integrated out. One pass over row blocks of the answer
arrays builds :class:`Design` (two sparse items x annotators matrices); each iteration is then four
sparse matrix products with them, never a loop over items or annotators:

* E-step: the truths' posterior ``z_i ~ N(m_i, v_i)``, ``v_i = 1 / sum tau_w``,
  ``m_i = v_i sum tau_w (y_r - b_w)`` (sums over the item's answers);
* with ``r = y - m_i``: per annotator ``sum r``, ``sum r^2`` and ``sum v_i``, which give both the
  objective at the current parameters and the M-step ``b_w = sum r / (n_w + a)``,
  ``tau_w = (n_w + a) / (sum (r - b_w)^2 + v_i + a b_w^2 + a s0)``;
* the shift of each component's biases to a ``tau``-weighted mean of 0: the likelihood does not
  change when all biases of a component move by ``c`` and its truths by ``-c``, and the prior is
  largest at that mean, so this is the exact maximum along that direction (monotone as EM).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._converged import loss_settled
from ._numeric_data import NumericAnswers, annotator_sums, item_sums

__all__ = ["Design", "EMResult", "design_of", "pooled_variance", "bias_precision_em", "posterior", "objective_at"]

_LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Design:
    """The answers as two items x annotators sparse matrices with one entry per answer.

    ``counts`` holds 1 per answer and ``centred`` the answer less its item's mean answer
    (``centre``); ``sum_centred`` and ``sum_sq_centred`` are each annotator's sums of the centred
    answers and of their squares. Every EM step is four sparse products with these (no per-answer
    temporaries); centring keeps the sums of squares at the scale of the answers' spread, so no
    precision is lost to a large common offset (prices in the millions).
    """

    counts: sp.csr_matrix
    centred: sp.csr_matrix
    centre: np.ndarray
    sum_centred: np.ndarray
    sum_sq_centred: np.ndarray


def design_of(data: NumericAnswers, block_rows: int | None = None) -> Design:
    """Build :class:`Design`: the item means and annotator sums by passes over row blocks, then the
    rows grouped by item (a stable sort, skipped when the table is already in item order)."""
    y, item, ann = data.value, data.item, data.annotator
    centre = item_sums(data, lambda s: y[s], block_rows) / data.n_per_item
    sum_centred = annotator_sums(data, lambda s: y[s] - centre[item[s]], block_rows)
    sum_sq_centred = annotator_sums(data, lambda s: (y[s] - centre[item[s]]) ** 2, block_rows)
    in_order = bool(np.all(item[1:] >= item[:-1]))
    order = slice(None) if in_order else np.argsort(item, kind="stable")
    index_type = np.int32 if len(data.annotators) < 2**31 - 1 else np.int64
    indices = ann[order].astype(index_type)
    indptr = np.concatenate([[0], np.cumsum(data.n_per_item)]).astype(np.int64)
    shape = (len(data.items), len(data.annotators))
    values = y[order] - centre[item[order]]
    counts = sp.csr_matrix((np.ones(data.n_answers), indices, indptr), shape=shape)
    centred = sp.csr_matrix((values, indices, indptr), shape=shape)
    return Design(counts, centred, centre, sum_centred, sum_sq_centred)


@dataclass(frozen=True)
class EMResult:
    """The fitted parameters and the truths' posterior, with how the fit ended."""

    bias: np.ndarray
    precision: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    n_iter: int
    converged: bool
    losses: list[float]
    s0: float


def pooled_variance(data: NumericAnswers, design: Design) -> float:
    """Pooled within-item variance of the raw answers: ``sum (y - mean_i)^2 / sum (n_i - 1)``.

    The prior's scale, so that the fit is equivariant to the answers' unit. Falls back to the
    variance of all answers when no item has two answers or all items' answers agree, and to 1
    when every answer is the same number.
    """
    ss = float(design.sum_sq_centred.sum())
    dof = int((data.n_per_item - 1).sum())
    if dof > 0 and ss > 0:
        return ss / dof
    spread = float(np.var(data.value))
    return spread if spread > 0 else 1.0


def posterior(design: Design, bias: np.ndarray, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E-step: each truth's posterior mean (less the item's mean answer) and variance."""
    both = design.counts @ np.column_stack([precision, precision * bias])
    var = 1.0 / both[:, 0]
    return (design.centred @ precision - both[:, 1]) * var, var


def _residual_sums(design: Design, shifted: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per annotator: ``sum r``, ``sum r^2`` and ``sum v_i`` with ``r = y - m_i`` (``shifted``: m less the centre)."""
    back = design.counts.T @ np.column_stack([shifted, shifted**2, var])
    cross = design.centred.T @ shifted
    sr = design.sum_centred - back[:, 0]
    sr2 = design.sum_sq_centred - 2 * cross + back[:, 1]
    return sr, np.maximum(sr2, 0.0), back[:, 2]


def objective(
    data: NumericAnswers,
    bias: np.ndarray,
    precision: np.ndarray,
    var: np.ndarray,
    sums: tuple[np.ndarray, np.ndarray, np.ndarray],
    prior: float,
    s0: float,
) -> float:
    """Negative log posterior of ``(bias, precision)`` per answer, truths integrated out (up to a constant).

    Per item, ``log p(y_i) = 1/2 sum log tau_r - (n_i - 1)/2 log 2 pi - 1/2 log sum tau_r -
    1/2 sum tau_r (y_r - b_r - m_i)^2``; per annotator the Normal-Gamma log density
    ``a/2 log tau_w - a tau_w (s0 + b_w^2) / 2`` (its constant dropped).
    """
    sr, sr2, _ = sums
    n_w = data.n_per_annotator
    log_tau = np.log(precision)
    quad = float(np.dot(precision, np.maximum(sr2 - 2 * bias * sr + n_w * bias**2, 0.0)))
    loglik = (
        0.5 * float(np.dot(n_w, log_tau))
        - 0.5 * _LOG_2PI * float((data.n_per_item - 1).sum())
        + 0.5 * float(np.log(var).sum())
        - 0.5 * quad
    )
    logprior = 0.5 * prior * float(log_tau.sum()) - 0.5 * prior * float(np.dot(precision, s0 + bias**2))
    return -(loglik + logprior) / data.n_answers


def objective_at(
    data: NumericAnswers, design: Design, bias: np.ndarray, precision: np.ndarray, prior: float, s0: float
) -> float:
    """:func:`objective` at any ``(bias, precision)``: the E-step and the sums first."""
    shifted, var = posterior(design, bias, precision)
    return objective(data, bias, precision, var, _residual_sums(design, shifted, var), prior, s0)


def _m_step(data: NumericAnswers, sums, prior: float, s0: float) -> tuple[np.ndarray, np.ndarray]:
    sr, sr2, sv = sums
    n_w = data.n_per_annotator
    bias = sr / (n_w + prior)
    spread = sr2 - 2 * bias * sr + n_w * bias**2 + sv
    precision = (n_w + prior) / (np.maximum(spread, 0.0) + prior * (bias**2 + s0))
    return bias, precision


def _centre(data: NumericAnswers, bias: np.ndarray, precision: np.ndarray) -> np.ndarray:
    comp = data.annotator_component
    shift = np.bincount(comp, weights=precision * bias, minlength=data.n_components) / np.bincount(
        comp, weights=precision, minlength=data.n_components
    )
    return bias - shift[comp]


def _em_step(data: NumericAnswers, design: Design, theta: np.ndarray, prior: float, s0: float):
    """One EM step from ``theta = (bias, log precision)``: the objective at ``theta``, ``F(theta)``,
    and the truths' posterior at ``theta`` (centred mean, variance)."""
    n = len(data.annotators)
    bias, precision = theta[:n], np.exp(theta[n:])
    shifted, var = posterior(design, bias, precision)
    sums = _residual_sums(design, shifted, var)
    loss = objective(data, bias, precision, var, sums, prior, s0)
    new_bias, new_precision = _m_step(data, sums, prior, s0)
    new_bias = _centre(data, new_bias, new_precision)
    return loss, np.concatenate([new_bias, np.log(new_precision)]), (shifted, var)


def bias_precision_em(
    data: NumericAnswers, *, prior: float, max_iter: int, tol: float, block_rows: int | None = None
) -> EMResult:
    """Fit the biases and precisions by EM accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3),
    on ``(bias, log precision)``; start: no bias, precision ``1/s0``.

    A cycle takes two EM steps ``t1 = F(t0)``, ``t2 = F(t1)`` and jumps to
    ``t0 + 2 a r + a^2 v`` (``r = t1 - t0``, ``v = t2 - 2 t1 + t0``, ``a = |r| / |v|`` at least 1);
    the jump is kept (followed by one EM step) only when its objective is no worse than ``t1``'s,
    else the cycle ends at ``t2``: the objectives of the points kept never increase, and the fixed
    points are EM's. Stops when the objective falls by less than ``tol`` between two points kept.
    """
    design = design_of(data, block_rows)
    s0 = pooled_variance(data, design)
    n = len(data.annotators)
    theta = np.concatenate([np.zeros(n), np.full(n, -np.log(s0))])
    losses: list[float] = []
    n_iter = 0

    def settled(loss: float) -> bool:
        return bool(losses) and loss_settled(losses[-1] - loss, loss, tol)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while True:
            loss0, theta1, post = _em_step(data, design, theta, prior, s0)
            if settled(loss0) or n_iter >= max_iter or not np.isfinite(loss0):
                converged = settled(loss0)
                losses.append(loss0)
                break
            losses.append(loss0)
            n_iter += 1
            loss1, theta2, post1 = _em_step(data, design, theta1, prior, s0)
            if settled(loss1) or n_iter >= max_iter:
                converged = settled(loss1)
                losses.append(loss1)
                theta, post = theta1, post1
                break
            losses.append(loss1)
            n_iter += 1
            r, v = theta1 - theta, theta2 - 2 * theta1 + theta
            step = max(1.0, float(np.linalg.norm(r)) / max(float(np.linalg.norm(v)), 1e-300))
            jump = theta + 2 * step * r + step**2 * v
            theta = theta2
            if step > 1.0 and n_iter < max_iter:
                loss_j, after_jump, _ = _em_step(data, design, jump, prior, s0)
                n_iter += 1
                if np.isfinite(loss_j) and loss_j <= loss1 and np.all(np.isfinite(after_jump)):
                    losses.append(loss_j)
                    theta = after_jump
    shifted, var = post
    return EMResult(theta[:n], np.exp(theta[n:]), shifted + design.centre, var, n_iter, converged, losses, s0)
