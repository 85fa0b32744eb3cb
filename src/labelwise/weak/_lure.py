"""Lured items in the label model's Dawid-Skene fit: a mixture of normal items and items whose
ordinary labelers are drawn together to one look-alike wrong class (the lure, a latent class).

Dawid and Skene's model (votes independent given the class) explains a cluster of labelers lured
to the same wrong class only by inflating every labeler's confusion toward it. Here each item has,
besides its class ``z``, a latent type, lured with probability ``ρ``; a lured item also has a lure
class ``l ≠ z`` drawn from ``λ[z, ·]`` (a ``K x K`` row-stochastic matrix with a zero diagonal,
shared by all labelers). Labeler ``j`` answers by its confusion row on a normal item, ``P(a | z) =
π_j[z, a]``, and on a lured item answers the lure with probability ``s_j`` (its susceptibility)
and otherwise by its confusion row: ``P(a | z, l) = s_j 1[a = l] + (1 − s_j) π_j[z, a]`` (the whole
row, so that ``π_j`` means the same on both item types and each vote is a two-component mixture
with a closed-form M-step). At ``ρ = 0`` or ``s = 0`` it is Dawid and Skene's model.

Everything latent is discrete, so the E-step sums ``(z, type, l)`` out exactly per distinct vote
row: the lured product is ``exp(B_iz + C_izl)``, ``B_iz = Σ_j log((1 − s_j) π_j[z, a_ij])``,
``C_izl = Σ_{j: a_ij = l} [log((1 − s_j) π_j[z, l] + s_j) − log((1 − s_j) π_j[z, l])]``; an
iteration costs ``O(n K + r K² + m K²)`` for ``n`` answers on ``r`` distinct rows of ``m`` labelers.
The logs and exps of an answer depend only on its (labeler, vote), so they are computed on ``m K``
rows and gathered (session 38, lurespeed38: the same bits as computing them per answer; the sums
over the short class axis are column by column, numpy's own order, see :func:`_last_sum`).
The M-step is closed form (MAP): ``π_j`` from its expected non-lure votes plus the label model's
Dirichlet pseudo-counts, ``s_j`` from its expected lure votes over its answers on lured items,
``ρ`` and ``λ`` from the expected item types and lures (priors ``ρ ~ Beta(2, 2)``, each ``λ`` row
``Dirichlet(2)`` off the diagonal), the class balance when it is free. The susceptibilities are fitted
by empirical Bayes in two EM runs (SQUAREM, each raising its own log posterior): (a) one
susceptibility shared by all labelers, ``s ~ Beta(2, 2)``; (b) from (a)'s fit, each labeler's own
``s_j ~ Beta(1 + κ μ, 1 + κ (1 − μ))`` with ``μ`` (a)'s shared value and ``κ = 4``, so that a labeler
with few answers on lured items keeps near the crowd's rate.

It runs where the votes have at least :data:`MIN_CLASSES` classes and the items at least
:data:`MIN_VOTES` votes on average (``benchmarks/dev_weak_lure.py``, its registered rule and the
reasons: with few votes per item a lure is not identified, and with two classes a lured item and a
normal item of the other class differ only in which labelers vote for it).

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using
   the EM algorithm", Applied Statistics 28(1), 20-28, 1979.
.. [2] S. Paun, B. Carpenter, J. Chamberlain, D. Hovy, U. Kruschwitz and M. Poesio, "Comparing
   Bayesian models of annotation", TACL 6, 571-585, 2018 (priors on the confusion rows).
.. [3] T. Tian and J. Zhu, "Uncovering the latent structures of crowd labeling", PAKDD 2015
   (items in latent classes on which workers behave differently).
.. [4] G. Casella, "An introduction to empirical Bayes data analysis", The American Statistician
   39(2), 83-87, 1985 (a prior's hyperparameter estimated from the data).
.. [5] R. Varadhan and C. Roland, "Simple and globally convergent methods for accelerating the
   convergence of any EM algorithm", Scandinavian Journal of Statistics 35(2), 335-353, 2008.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from ..aggregate._columnwise import columnwise
from ._posterior import FLOOR, VotedOutcomes
from ._squarem import SquaremRun, squarem

__all__ = ["MIN_CLASSES", "MIN_VOTES", "LureFit", "fit_lured_items", "lure_applies", "lured_posterior", "refit_lured"]

#: The model runs only where the votes have at least this many classes ...
MIN_CLASSES = 3
#: ... and the items at least this many votes on average.
MIN_VOTES = 10.0
#: Priors: Beta(a, b) of ρ and of stage (a)'s shared susceptibility; λ rows' Dirichlet pseudo-count.
RHO_PRIOR = (2.0, 2.0)
S_PRIOR = (2.0, 2.0)
LAMBDA_PRIOR = 2.0
#: Stage (b)'s prior strength κ of each labeler's susceptibility around the shared one.
KAPPA = 4.0
#: Start: ρ and the susceptibilities.
RHO0 = 0.1
S0 = 0.3


def lure_applies(voted: VotedOutcomes, w: np.ndarray, k: int, groups: list[list[int]]) -> bool:
    """Whether the fit reaches the gate: single labelers (no cliques), at least :data:`MIN_CLASSES`
    classes and at least :data:`MIN_VOTES` votes per item on average (``voted``'s rows weighted by ``w``)."""
    if k < MIN_CLASSES or any(len(g) > 1 for g in groups):
        return False
    return float(w @ np.diff(voted.lam.indptr)) >= MIN_VOTES * float(w.sum())


def _logsumexp(a: np.ndarray, axis: int, keepdims: bool = False) -> np.ndarray:
    """``log Σ exp`` along ``axis``, ``-inf`` entries allowed (scipy's is slow on small arrays)."""
    last = axis in (-1, a.ndim - 1)  # then column by column (the same bits, see _last_sum)
    top = _last_max(a)[..., None] if last else np.max(a, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(a - top)
    out = np.log(_last_sum(e)[..., None] if last else np.sum(e, axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis)


def _last_sum(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=-1)``, bit for bit: under 8 entries numpy adds them left to right, and so does this
    (column by column, without numpy's slow reduction over a short last axis); 8 or more: numpy's sum."""
    if a.shape[-1] >= 8:
        return a.sum(axis=-1)
    out = a[..., 0].copy()
    for i in range(1, a.shape[-1]):
        out += a[..., i]
    return out


def _last_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=-1)`` (a maximum is exact in any order; NaN propagates as in numpy's) column by column."""
    out = a[..., 0].copy()
    for i in range(1, a.shape[-1]):
        np.maximum(out, a[..., i], out=out)
    return out


def _row_max(a: np.ndarray) -> np.ndarray:
    """``a.max(axis=1)`` of a 2-D array (exact in any order): column by column up to :data:`_FEW` columns, where that
    is faster (K <= 6 classes squared), numpy's reduction beyond."""
    return _last_max(a) if a.shape[1] <= _FEW else a.max(axis=1)


#: Widest rows :func:`_row_max` takes column by column.
_FEW = 36


def _clip(x: float, low: float, high: float) -> float:
    """``float(np.clip(x, low, high))`` of one float, without numpy's dispatch (NaN stays NaN)."""
    return min(max(x, low), high)


def _logit(x: Any) -> Any:
    return np.log(x) - np.log1p(-x)


class LureFit:
    """The fit's state: the answers of the distinct rows and the maps between parameters and a flat vector.

    The flat vector (what SQUAREM extrapolates) holds ``log π`` (m, K, K), ``logit s`` (m),
    ``logit ρ``, ``log λ`` off the diagonal, ``log p`` (K) and ``logit μ``.
    """

    def __init__(self, voted: VotedOutcomes, k: int, prior: np.ndarray, *, free: bool) -> None:
        lam, starts = voted.lam, voted.starts
        self.w = np.asarray(voted.weights, dtype=np.float64)
        self.k, self.m, self.r = k, len(starts), lam.shape[0]
        self.row = np.repeat(np.arange(self.r), np.diff(lam.indptr))
        self.labeler = np.searchsorted(starts, lam.indices, side="right") - 1
        self.vote = lam.indices - starts[self.labeler] - 1
        self.answer = self.labeler * k + self.vote  # each answer's row of the (labeler, vote) tables
        self.row_vote = self.row * k + self.vote  # ... and of a (row, vote) table
        n = len(self.row)
        self.by_row = sp.csr_matrix((np.ones(n), np.arange(n), lam.indptr), shape=(self.r, n))
        self.by_vote = sp.csr_matrix((np.ones(n), (self.row * k + self.vote, np.arange(n))), shape=(self.r * k, n))
        self.by_labeler_vote = sp.csr_matrix(
            (np.ones(n), (self.labeler * k + self.vote, np.arange(n))), shape=(self.m * k, n)
        )
        self.cols = starts[:, None] + 1 + np.arange(k)[None, :]  # labeler j's vote columns
        self.a_prior = np.transpose(prior[self.cols], (0, 2, 1))  # [j, z, a] pseudo-counts
        self.off = ~np.eye(k, dtype=bool)
        self.wn = self.w[self.row]
        self.sizes = np.cumsum([self.m * k * k, self.m, 1, k * (k - 1)])
        self.free = free
        self.shared = True  # stage (a); stage (b) sets it False

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, np.ndarray, np.ndarray, float]:
        m, k, sizes, off = self.m, self.k, self.sizes, self.off
        log_pi = x[: sizes[0]].reshape(m, k, k)
        log_pi = log_pi - _logsumexp(log_pi, axis=2, keepdims=True)
        s = np.clip(expit(x[sizes[0] : sizes[1]]), 1e-9, 1 - 1e-9)
        rho = _clip(float(expit(x[sizes[1]])), 1e-12, 1 - 1e-12)
        log_lam = np.full((k, k), -np.inf)
        log_lam[off] = x[sizes[2] : sizes[3]]
        log_lam[off] = (log_lam - _logsumexp(log_lam, axis=1, keepdims=True))[off]
        log_p = x[sizes[3] : -1] - _logsumexp(x[sizes[3] : -1], axis=0)
        mu = _clip(float(expit(x[-1])), 1e-9, 1 - 1e-9)
        return log_pi, s, rho, log_lam, log_p, mu

    def pack(self, log_pi: np.ndarray, s: np.ndarray, rho: float, log_lam: np.ndarray, log_p: np.ndarray, mu: float):
        return np.concatenate([log_pi.ravel(), _logit(s), [_logit(rho)], log_lam[self.off], log_p, [_logit(mu)]])

    def start(self, mu_cols: np.ndarray, p: np.ndarray) -> np.ndarray:
        """The flat start: ``π`` from the Dawid-Skene fit's vote columns ``mu_cols``, ``p``, ``ρ0``, ``s0``, uniform ``λ``."""
        cond = mu_cols[self.cols]  # (m, a, z)
        pi0 = np.transpose(cond / np.maximum(cond.sum(axis=1, keepdims=True), FLOOR), (0, 2, 1))
        p0 = np.maximum(p, FLOOR)
        lam0 = np.where(self.off, 1.0 / max(self.k - 1, 1), 0.0)
        return self.pack(
            np.log(np.maximum(pi0, FLOOR)),
            np.full(self.m, S0),
            RHO0,
            np.log(np.where(self.off, lam0, 1.0)),
            np.log(p0 / p0.sum()),
            S0,
        )

    def e_step(self, x: np.ndarray) -> tuple[Any, ...]:
        """Posterior of every row's (z, normal) and (z, lured, l), each row's ``log P(votes)``, and per answer ``v``."""
        t0, t1, log_z, tables = self._e_step(self.unpack(x))
        return t0, t1, log_z, tables[1][self.answer]

    def _per_labeler(self, values: np.ndarray) -> np.ndarray:
        """Per labeler, the sum of ``values`` (one per answer) over its answers, in answer order (a sparse product's
        sums, from 0)."""
        return np.bincount(self.labeler, weights=values, minlength=self.m)

    def _tables(self, log_pi: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per (labeler ``j``, vote ``a``) (rows ``j K + a``) and class ``z``: ``log π_j[z, a]``, ``u = log((1 − s_j)
        π_j[z, a])`` and ``v = log((1 − s_j) π_j[z, a] + s_j)``; an answer's values are its row's (``m K`` rows, not ``n``)."""
        m, k = self.m, self.k
        own = np.ascontiguousarray(log_pi.transpose(0, 2, 1)).reshape(m * k, k)  # [j a, z]
        u = np.repeat(np.log1p(-s), k)[:, None] + own
        v = np.logaddexp(u, np.repeat(np.log(s), k)[:, None])
        return own, u, v

    def _e_step(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """:meth:`e_step` at unpacked parameters; its last output is :meth:`_tables`' ``(u, v)``."""
        log_pi, s, rho, log_lam, log_p, _ = params
        r, k = self.r, self.k
        own_t, u_t, v_t = self._tables(log_pi, s)
        # (r, 2z): Σ_j log π_j[z, a] and Σ_j u; one product of both tables (each column's sums are its own)
        sums = np.asarray(self.by_row @ np.take(np.concatenate([own_t, u_t], axis=1), self.answer, axis=0))
        normal = sums[:, :k]
        normal += np.log1p(-rho)
        normal += log_p
        # [row, z, l], added in the order of B + C + log λ + log ρ + log p (the same bits as one expression)
        lured = np.empty((r, k, k))
        np.add(
            sums[:, k:, None],
            np.asarray(self.by_vote @ np.take(v_t - u_t, self.answer, axis=0)).reshape(r, k, k).transpose(0, 2, 1),
            out=lured,
        )
        lured += log_lam[None]
        lured += np.log(rho)
        lured += log_p[None, :, None]
        top = np.maximum(_last_max(normal), _row_max(lured.reshape(r, k * k)))
        t0 = np.exp(normal - top[:, None])
        t1 = np.exp(lured - top[:, None, None])
        total_row = _last_sum(t0) + t1.sum(axis=(1, 2))
        log_z = np.log(total_row) + top
        t0 /= total_row[:, None]
        t1 /= total_row[:, None, None]
        return t0, t1, log_z, (u_t, v_t)

    def log_posterior(
        self, log_lik: float, log_pi: np.ndarray, s: np.ndarray, rho: float, log_lam: np.ndarray, mu: float
    ) -> float:
        """The objective EM raises: the log-likelihood ``log_lik`` plus the log priors."""
        ls, l1s = np.log(s), np.log1p(-s)
        if self.shared:  # one susceptibility: its prior once
            s_term = (S_PRIOR[0] - 1) * float(ls[0]) + (S_PRIOR[1] - 1) * float(l1s[0])
        else:
            s_term = float((KAPPA * mu * ls + KAPPA * (1 - mu) * l1s).sum())
        return (
            log_lik
            + float((self.a_prior * log_pi).sum())
            + s_term
            + (RHO_PRIOR[0] - 1) * np.log(rho)
            + (RHO_PRIOR[1] - 1) * np.log1p(-rho)
            + (LAMBDA_PRIOR - 1) * float(log_lam[self.off].sum())
        )

    def step(self, x: np.ndarray) -> tuple[float, np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """One EM iteration from ``x``: the log posterior per item at ``x``, the M-step's point, and the E-step."""
        params = self.unpack(x)
        log_pi, s, rho, log_lam, log_p, mu = params
        t0, t1, log_z, (_, v_t) = self._e_step(params)
        w, wn, k, m = self.w, self.wn, self.k, self.m
        pz = t0 + _last_sum(t1)
        p_lured = t1.sum(axis=(1, 2))
        value = self.log_posterior(float(w @ log_z), log_pi, s, rho, log_lam, mu)
        lure_share = np.exp(np.repeat(np.log(s), k)[:, None] - v_t)  # per (j, a): s_j / P(a | z, lured at a)
        t1_vote = np.ascontiguousarray(t1.transpose(0, 2, 1)).reshape(self.r * k, k)  # [row l, z]
        resp = np.take(t1_vote, self.row_vote, axis=0)
        resp *= np.take(lure_share, self.answer, axis=0)  # (n, z): lure votes
        lure_votes = self._per_labeler(wn * _last_sum(resp))
        trials = self._per_labeler(wn * np.take(p_lured, self.row))
        if self.shared:
            s_new = np.full(m, (lure_votes.sum() + S_PRIOR[0] - 1) / (trials.sum() + S_PRIOR[0] + S_PRIOR[1] - 2))
        else:
            s_new = (lure_votes + KAPPA * mu) / (trials + KAPPA)
        weight = np.take(pz, self.row, axis=0)
        weight -= resp
        columnwise(np.multiply, weight, wn[:, None])  # (n, z): the answers' ordinary votes
        counts = np.asarray(self.by_labeler_vote @ weight).reshape(m, k, k).transpose(0, 2, 1)  # [j, z, a]
        votes = counts + self.a_prior
        row_votes = _last_sum(votes)[:, :, None]
        pi = votes / np.maximum(row_votes, FLOOR)
        pi = np.where(row_votes > 0, np.maximum(pi, FLOOR), np.exp(log_pi))
        rho_new = (float(w @ p_lured) + RHO_PRIOR[0] - 1) / (float(w.sum()) + RHO_PRIOR[0] + RHO_PRIOR[1] - 2)
        lam = np.dot(w.reshape(1, -1), t1.reshape(len(w), -1)).reshape(k, k) + (LAMBDA_PRIOR - 1)  # tensordot's
        lam[~self.off] = 0.0
        log_lam_new = np.log(np.maximum(lam, FLOOR) / lam.sum(axis=1, keepdims=True))
        if self.free:
            log_p = np.log(np.maximum(w @ pz, FLOOR) / max(float(w @ pz.sum(axis=1)), FLOOR))
        s_new = np.clip(s_new, 1e-6, 1 - 1e-6)
        rho_new = _clip(rho_new, 1e-9, 1 - 1e-9)
        new = self.pack(np.log(pi / pi.sum(axis=2, keepdims=True)), s_new, rho_new, log_lam_new, log_p, mu)
        return value / float(w.sum()), new, (pz, log_z)


def fit_lured_items(
    voted: VotedOutcomes,
    mu_cols: np.ndarray,
    p: np.ndarray,
    k: int,
    prior: np.ndarray,
    *,
    free: bool,
    n_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[SquaremRun]]:
    """Fit the lured-item model from a Dawid-Skene fit (its group ``μ`` ``mu_cols`` and class balance ``p``).

    ``voted``: the distinct rows' outcomes of single labelers, with their weights; ``prior``: the
    label model's Dirichlet pseudo-counts (``_em.diagonal_pseudo_counts``); ``free``: whether the
    class balance is estimated. Stages (a) and (b) (module docstring) each run SQUAREM for at most
    ``n_iter`` EM steps, stopping when a cycle raises the log posterior per item by less than ``tol``.

    Returns
    -------
    the class posterior of each row, each row's ``log P(votes)``, the class balance, and the two runs
    """
    model = LureFit(voted, k, prior, free=free)
    first = squarem(model.step, model.start(mu_cols, p), max_evals=max(n_iter, 1), tol=tol, low=-50.0, high=50.0)
    model.shared = False
    x1 = first.theta.copy()
    x1[-1] = x1[model.sizes[0]]  # μ = the shared susceptibility (its logit)
    second = squarem(model.step, x1, max_evals=max(n_iter, 1), tol=tol, low=-50.0, high=50.0)
    pz, log_z = second.extra
    post = pz / pz.sum(axis=1, keepdims=True)
    return post, log_z, np.exp(model.unpack(second.theta)[4]), [first, second]


def refit_lured(
    voted: VotedOutcomes, run: Any, groups: list[list[int]], k: int, prior: np.ndarray, *, free: bool, **em: Any
) -> Any:
    """``run`` (an ``_em.EMRun`` of the Dawid-Skene MAP fit) replaced by the lured-item fit from it.

    The posterior, class balance and each row's ``log P(votes)`` are the lured-item model's; ``mu``
    is the M-step of the group model under that posterior (what the rest of the label model reads:
    accuracies, confusions, the dependent-pair check); ``lure`` holds the fit's flat parameters
    (:meth:`LureFit.unpack`) for :func:`lured_posterior`. ``em``: ``smoothing``, ``n_iter``, ``tol``.
    """
    from ._posterior import em_m_step_missing, outcome_patterns

    post, log_z, p_new, runs = fit_lured_items(
        voted, run.mu, run.p, k, prior, free=free, n_iter=int(em["n_iter"]), tol=float(em["tol"])
    )
    mu = em_m_step_missing(voted, post, float(em["smoothing"]), *outcome_patterns(groups, k), prior=prior)[0]
    return run._replace(
        post=post,
        mu=mu,
        p=p_new,
        log_votes=log_z,
        n_evals=run.n_evals + sum(r.n_evals for r in runs),
        converged=run.converged and all(r.converged for r in runs),
        lure=runs[-1].theta,
    )


def lured_posterior(theta: np.ndarray, lam_g: VotedOutcomes, k: int, post: np.ndarray) -> np.ndarray:
    """``post`` (the group model's posterior of every row) with the rows that have a vote replaced by
    the lured-item model's posterior at its fitted parameters ``theta``."""
    theta = np.asarray(theta, dtype=np.float64)  # a loaded model's parameters are a list
    has_vote = np.diff(lam_g.lam.indptr) > 0
    rows = np.flatnonzero(has_vote)
    out = np.array(post, dtype=np.float64, copy=True)
    if len(rows):
        sub = lam_g[rows].weighted(np.ones(len(rows)))
        model = LureFit(sub, k, np.zeros((sub.lam.shape[1], k)), free=False)
        t0, t1, _, _ = model.e_step(theta)
        pz = t0 + t1.sum(axis=2)
        out[rows] = pz / pz.sum(axis=1, keepdims=True)
    return out
