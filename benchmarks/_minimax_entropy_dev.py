"""Regularized minimax conditional entropy (Zhou, Liu, Platt and Meek 2015) on a vote matrix, for the dev runs.

The model of a labeler's answer: ``P(labeler i answers k | item j, true class c) ∝ exp(σ_i[c, k] + τ_j[c, k])``,
``σ_i`` the labeler's confusion and ``τ_j`` the item's own confusability. The fit is the paper's: starting from
majority-vote shares ``μ``, alternately (a) minimise over ``σ`` given ``τ`` and ``μ``, then over ``τ`` given ``σ``
and ``μ``, the regularised negative expected log-likelihood (the dual of the minimax conditional entropy program)

    − Σ_answers Σ_c μ_j[c] log P(a_ij | j, c) + β/2 Σ_i ||σ_i||² + α/2 Σ_j ||τ_j||²,

each block by L-BFGS (at most ``inner_iter`` steps, as the authors' code); (b) set ``μ_j`` to the posterior of
the true class under a uniform prior, ``μ_j[c] ∝ Π_i P(a_ij | j, c)``; stop when no entry of ``μ`` moved more than
``tol`` or after ``n_iter`` rounds. Regularisers as the authors' code sets them: ``β = K²/4`` on the labelers,
``α = β · (mean answers per labeler) / (mean answers per item)`` on the items. Abstains (``-1``) are no answer.

Items with the same vote row have the same ``τ`` at the optimum (each ``τ_j`` block is strictly convex and its
data are the same), so the fit runs on the distinct vote rows with their counts as weights (``np.unique`` sorts
them): the result does not depend on the order of the input's rows.

References
----------
D. Zhou, S. Basu, Y. Mao and J. C. Platt, "Learning from the wisdom of crowds by minimax entropy", NIPS 2012.
D. Zhou, Q. Liu, J. C. Platt and C. Meek, "Aggregating ordinal labels from crowds by minimax conditional
entropy", ICML 2014. D. Zhou, Q. Liu, J. C. Platt, C. Meek and N. B. Shah, "Regularized minimax conditional
entropy for crowdsourcing", arXiv:1503.07240, 2015.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

#: the last fit's regularised marginal log-likelihood (``objective``) and last posterior move (``moved``)
LAST: dict[str, float] = {}


@dataclass
class Answers:
    """The distinct vote rows' answers: row, labeler, answer, row weight, and the one-hot maps to rows/labelers."""

    row: np.ndarray
    col: np.ndarray
    ans: np.ndarray
    w: np.ndarray  # answer weight (its row's count)
    to_row: sp.csr_matrix  # (n_rows, N): sums answers into their row
    to_col: sp.csr_matrix  # (m, N): sums answers into their labeler
    to_row_unit: sp.csr_matrix  # (n_rows, N): the same, unweighted
    counts: np.ndarray  # items per distinct row
    n_rows: int
    m: int


def answers_of(rows: np.ndarray, counts: np.ndarray) -> Answers:
    """The answers of the distinct vote rows ``rows`` (``-1`` abstain) with their counts."""
    r, c = np.nonzero(rows >= 0)
    a = rows[r, c].astype(np.int64)
    w = counts[r].astype(float)
    n, m = rows.shape
    idx = np.arange(len(r))
    to_row = sp.csr_matrix((w, (r, idx)), shape=(n, len(r)))
    to_col = sp.csr_matrix((w, (c, idx)), shape=(m, len(r)))
    unit = sp.csr_matrix((np.ones(len(r)), (r, idx)), shape=(n, len(r)))
    return Answers(r, c, a, w, to_row, to_col, unit, counts.astype(float), n, m)


def log_softmax(mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``mm − log Σ_k exp(mm[..., k])`` over the last (short) axis and its ``exp``, column by column: numpy's
    reductions over a short last axis are slow, and this is the fit's inner loop."""
    top = mm[..., 0].copy()
    for i in range(1, mm.shape[-1]):
        np.maximum(top, mm[..., i], out=top)
    out = mm - top[..., None]
    e = np.exp(out)
    total = e[..., 0].copy()
    for i in range(1, mm.shape[-1]):
        total += e[..., i]
    out -= np.log(total)[..., None]
    e /= total[..., None]
    return out, e


def _terms(mm: np.ndarray, ans: Answers, q: np.ndarray, k: int) -> tuple[float, np.ndarray]:
    """Weighted negative expected log-likelihood and its per-answer gradient ``(N, K*K)`` w.r.t. ``mm = σ_i + τ_j``
    (``(N, K, K)``: rows the true class, columns the answer); ``q`` the answers' items' posteriors ``(N, K)``."""
    logp, p = log_softmax(mm)
    at = np.arange(len(ans.ans))
    picked = logp[at, :, ans.ans]  # (N, K)
    f = -float(ans.w @ (q * picked).sum(axis=1))
    g = p
    g *= q[:, :, None]
    g[at, :, ans.ans] -= q
    return f, g.reshape(len(ans.ans), k * k)


def _block(which: str, s, t, ans: Answers, mu, k: int, lam: float, inner_iter: int) -> np.ndarray:
    """One block of the M-step: ``σ`` (``which='s'``) or ``τ`` minimised by L-BFGS with the other held."""
    shape = s.shape if which == "s" else t.shape
    to = ans.to_col if which == "s" else ans.to_row
    weights = None if which == "s" else ans.counts  # a distinct row stands for `count` items, each with its ridge

    held = t[ans.row] if which == "s" else s[ans.col]  # the other block's terms, fixed in this block
    index = ans.col if which == "s" else ans.row
    q = mu[ans.row]

    def obj(x: np.ndarray) -> tuple[float, np.ndarray]:
        v = x.reshape(shape)
        f, g = _terms(v[index] + held, ans, q, k)
        grad = np.asarray(to @ g).reshape(shape)
        if weights is None:
            return f + 0.5 * lam * float(x @ x), grad.ravel() + lam * x
        sq = (v * v).reshape(len(v), -1).sum(axis=1)
        return f + 0.5 * lam * float(weights @ sq), grad.ravel() + lam * (weights[:, None, None] * v).ravel()

    x0 = (s if which == "s" else t).ravel()
    res = minimize(obj, x0, jac=True, method="L-BFGS-B", options={"maxiter": inner_iter, "gtol": 1e-6})
    return res.x.reshape(shape)


def mme_posterior(
    matrix: np.ndarray,
    k: int,
    *,
    n_iter: int = 50,
    tol: float = 5e-3,
    inner_iter: int = 25,
    lam_worker: float | None = None,
    lam_task: float | None = None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, int]:
    """Posterior ``(n, K)`` of each row of ``matrix`` (``-1`` abstain) under the regularised minimax conditional
    entropy model, and the number of rounds run. Rows without a vote get the uniform posterior. ``start``: an
    ``(n, K)`` posterior to start from instead of majority-vote shares (rows with the same votes averaged)."""
    rows, inverse, counts = np.unique(matrix, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    ans = answers_of(rows, counts)
    if len(ans.ans) == 0:
        return np.full((len(matrix), k), 1.0 / k), 0
    per_col = np.bincount(ans.col, weights=ans.w, minlength=ans.m)
    per_row = np.bincount(ans.row, minlength=ans.n_rows)
    beta = 0.25 * k * k if lam_worker is None else lam_worker
    voted_rows = per_row > 0
    alpha = (
        beta * per_col[per_col > 0].mean() / float(counts[voted_rows] @ per_row[voted_rows] / counts[voted_rows].sum())
        if lam_task is None
        else lam_task
    )
    mu = np.zeros((ans.n_rows, k))
    np.add.at(mu, (ans.row, ans.ans), 1.0)
    mu = np.where(voted_rows[:, None], mu / np.maximum(mu.sum(axis=1, keepdims=True), 1), 1.0 / k)
    if start is not None:
        mu = np.zeros((ans.n_rows, k))
        np.add.at(mu, inverse, np.asarray(start, dtype=float))
        mu /= mu.sum(axis=1, keepdims=True)
    s = np.zeros((ans.m, k, k))
    t = np.zeros((ans.n_rows, k, k))
    rounds = 0
    while rounds < n_iter:
        rounds += 1
        s = _block("s", s, t, ans, mu, k, beta, inner_iter)
        t = _block("t", s, t, ans, mu, k, alpha, inner_iter)
        logp = log_softmax(s[ans.col] + t[ans.row])[0]
        ll = np.asarray(ans.to_row_unit @ logp[np.arange(len(ans.ans)), :, ans.ans])
        new = np.exp(ll - ll.max(axis=1, keepdims=True))
        new /= new.sum(axis=1, keepdims=True)
        moved = float(np.abs(new - mu).max())
        mu = new
        if moved < tol:
            break
    top = ll.max(axis=1)
    marginal = top + np.log(np.exp(ll - top[:, None]).mean(axis=1))  # log Σ_c P(votes | c) / K, uniform prior
    ridge = 0.5 * beta * float((s * s).sum()) + 0.5 * alpha * float(ans.counts @ (t * t).reshape(len(t), -1).sum(1))
    LAST.update(objective=float(ans.counts @ marginal) - ridge, moved=moved)
    return mu[inverse], rounds
