"""EM for numeric answers with a per-annotator bias and precision (see ``numeric.BiasPrecision``).

Model: answer ``y_r`` of annotator ``w`` on item ``i`` is ``z_i + b_w + e_r`` with
``e_r ~ N(0, 1/tau_w)``; a flat prior on each truth ``z_i``; a Normal-Gamma prior on each
annotator's ``(b_w, tau_w)``: ``tau_w ~ Gamma((a + 1)/2, a s0/2)``, ``b_w | tau_w ~ N(0, 1/(a tau_w))``
(``a`` = ``prior``, ``s0`` the pooled within-item variance of the raw answers). EM maximises the
posterior of ``(b, tau)`` with the truths integrated out. Each iteration is two passes over row
blocks of the answer arrays (``bincount`` sums), never a loop over items or annotators:

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

from ._converged import loss_settled
from ._numeric_data import NumericAnswers, item_sums

__all__ = ["EMResult", "pooled_variance", "bias_precision_em", "posterior", "objective"]

_LOG_2PI = float(np.log(2 * np.pi))


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


def pooled_variance(data: NumericAnswers, block_rows: int | None = None) -> float:
    """Pooled within-item variance of the raw answers: ``sum (y - mean_i)^2 / sum (n_i - 1)``.

    The prior's scale, so that the fit is equivariant to the answers' unit. Falls back to the
    variance of all answers when no item has two answers or all items' answers agree, and to 1
    when every answer is the same number.
    """
    y = data.value
    means = item_sums(data, lambda s: y[s], block_rows) / data.n_per_item
    ss = float(item_sums(data, lambda s: (y[s] - means[data.item[s]]) ** 2, block_rows).sum())
    dof = int((data.n_per_item - 1).sum())
    if dof > 0 and ss > 0:
        return ss / dof
    spread = float(np.var(y))
    return spread if spread > 0 else 1.0


def posterior(
    data: NumericAnswers, bias: np.ndarray, precision: np.ndarray, block_rows: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """E-step: each truth's posterior mean and variance given the annotators' biases and precisions."""
    n_items = len(data.items)
    total, weighted = np.zeros(n_items), np.zeros(n_items)
    for s in data.blocks(block_rows):
        w, i = data.annotator[s], data.item[s]
        tau = precision[w]
        total += np.bincount(i, weights=tau, minlength=n_items)
        weighted += np.bincount(i, weights=tau * (data.value[s] - bias[w]), minlength=n_items)
    var = 1.0 / total
    return weighted * var, var


def _residual_sums(
    data: NumericAnswers, mean: np.ndarray, var: np.ndarray, block_rows: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per annotator: ``sum r``, ``sum r^2`` and ``sum v_i`` with ``r = y - m_i`` (one pass)."""
    n_ann = len(data.annotators)
    sr, sr2, sv = np.zeros(n_ann), np.zeros(n_ann), np.zeros(n_ann)
    for s in data.blocks(block_rows):
        w, i = data.annotator[s], data.item[s]
        r = data.value[s] - mean[i]
        sr += np.bincount(w, weights=r, minlength=n_ann)
        sr2 += np.bincount(w, weights=r * r, minlength=n_ann)
        sv += np.bincount(w, weights=var[i], minlength=n_ann)
    return sr, sr2, sv


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
    quad = float(np.dot(precision, sr2 - 2 * bias * sr + n_w * bias**2))
    loglik = (
        0.5 * float(np.dot(n_w, log_tau))
        - 0.5 * _LOG_2PI * float((data.n_per_item - 1).sum())
        + 0.5 * float(np.log(var).sum())
        - 0.5 * quad
    )
    logprior = 0.5 * prior * float(log_tau.sum()) - 0.5 * prior * float(np.dot(precision, s0 + bias**2))
    return -(loglik + logprior) / data.n_answers


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


def bias_precision_em(
    data: NumericAnswers, *, prior: float, max_iter: int, tol: float, block_rows: int | None = None
) -> EMResult:
    """Fit the biases and precisions by EM (see the module docstring); start: no bias, precision ``1/s0``."""
    s0 = pooled_variance(data, block_rows)
    bias = np.zeros(len(data.annotators))
    precision = np.full(len(data.annotators), 1.0 / s0)
    losses: list[float] = []
    converged = False
    n_iter = 0
    while True:
        mean, var = posterior(data, bias, precision, block_rows)
        sums = _residual_sums(data, mean, var, block_rows)
        loss = objective(data, bias, precision, var, sums, prior, s0)
        if losses and loss_settled(losses[-1] - loss, loss, tol):
            losses.append(loss)
            converged = True
            break
        losses.append(loss)
        if n_iter >= max_iter or not np.isfinite(loss):
            break
        bias, precision = _m_step(data, sums, prior, s0)
        bias = _centre(data, bias, precision)
        n_iter += 1
    return EMResult(bias, precision, mean, var, n_iter, converged, losses, s0)
