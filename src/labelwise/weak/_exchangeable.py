"""Exchangeable labelers: one confusion matrix shared by every labeler where the votes cannot tell them apart.

A crowd set is often stored by *slot* (the first, second, third answer of each item), each slot filled by whichever
worker took the item (CIFAR-10N's three annotations, a table with columns ``annotator_1..3``). Its "labelers" are then
exchangeable: each slot's confusion is the same mixture of the workers' confusions, and Dawid and Skene's model [1]_
with one confusion per slot spends ``m`` times the parameters the data identify. The homogeneous model (one confusion
``π[y, a]`` for all labelers, each answer independent given the class; the class-conditional model of [1]_ with the
labelers' parameters tied) is then the right one and is estimated from ``m`` times the votes.

Test. Both models are fitted by maximum likelihood (EM from majority vote, missing abstains) on the voted rows, and
the likelihood-ratio statistic ``2 (ℓ_separate − ℓ_shared)`` is compared with a χ² distribution of ``(m − 1) K (K −
1)`` degrees of freedom (the tied model is nested: Wilks [2]_). The shared confusion is kept where the test does not
reject at :data:`ALPHA`, and only where the χ² approximation is sound: every labeler has at least
:data:`MIN_PER_CELL` votes per cell of its ``K x K`` confusion on average (Cochran's [3]_ rule of thumb of 5 expected
counts per cell; without it a sparse crowd, whose workers have a few votes each, never rejects: the test has no
power there). Only single labelers (no cliques) on the missing-abstain fit, which the lured-item mixture did not
replace, are tested. The kept fit is the shared model's MAP fit under the label model's diagonal Dirichlet prior
(``prior_strength`` pseudo-votes per confusion row, once for the shared matrix) with the class balance estimated
unless it is fixed.

On by default (:data:`ENABLED`) since session 54, when it passed the rule registered in
``benchmarks/dev_weak_misses.py`` (the 93 dev sets, fresh stress crowds, fresh benchmark simulations, then the
benchmark: cifar10n_slots 0.9195 -> 0.9204; ``benchmarks/RESULTS.md``). False gives the fit before it.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using the EM
   algorithm", Applied Statistics 28(1), 20-28, 1979.
.. [2] S. S. Wilks, "The large-sample distribution of the likelihood ratio for testing composite hypotheses",
   Annals of Mathematical Statistics 9(1), 60-62, 1938.
.. [3] W. G. Cochran, "Some methods for strengthening the common χ² tests", Biometrics 10(4), 417-451, 1954.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from ..aggregate.priors import diagonal_confusion_prior
from ._em import EMRun
from ._posterior import FLOOR

__all__ = ["ALPHA", "ENABLED", "MIN_PER_CELL", "SharedTest", "shared_confusion_run", "shared_test"]

#: The switch (False: the label model without the test, as before session 54).
ENABLED = True
#: Level of the likelihood-ratio test of one shared confusion against one per labeler.
ALPHA = 0.05
#: Votes per confusion cell (``K²`` cells) each labeler needs on average for the test to run.
MIN_PER_CELL = 5.0


class SharedTest(NamedTuple):
    """The likelihood-ratio test of one shared confusion: the statistic, its degrees of freedom and p-value."""

    statistic: float
    df: int
    p_value: float


class _Rows(NamedTuple):
    x: sp.csr_matrix  # (rows, m·K): 1 at (i, j·K + a) where labeler j voted a on row i
    w: np.ndarray  # each row's number of items
    m: int
    k: int


def _rows(matrix: np.ndarray, w: np.ndarray, k: int) -> _Rows:
    r, c = np.nonzero(matrix >= 0)
    m = matrix.shape[1]
    x = sp.csr_matrix((np.ones(len(r)), (r, c * k + matrix[r, c])), shape=(matrix.shape[0], m * k))
    return _Rows(x, np.asarray(w, dtype=np.float64), m, k)


def _fit(
    rows: _Rows, shared: bool, pseudo: np.ndarray | None, p_fixed: np.ndarray | None, n_iter: int, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, int, bool]:
    """EM for Dawid and Skene's model (missing abstains), one confusion per labeler or one ``shared``, from majority
    vote; ``pseudo`` (K x K, ``[y, a]``) added to each confusion's expected counts (MAP), ``p_fixed`` a fixed balance.
    Returns the posterior, the confusions ``[j, y, a]``, the balance, the log-likelihood, EM steps, whether it
    converged (the log posterior per item rose by less than ``tol`` in a step)."""
    x, w, m, k = rows
    fold = sp.csr_matrix(np.tile(np.eye(k), (m, 1)))
    post = np.asarray((x @ fold).todense())
    post /= post.sum(axis=1, keepdims=True)
    total, last, converged, steps = float(w.sum()), -np.inf, False, 0
    xt = x.T.tocsr()
    while steps < n_iter:
        steps += 1
        counts = np.asarray(xt @ (post * w[:, None])).reshape(m, k, k).transpose(0, 2, 1)  # [j, y, a]
        if shared:
            counts = np.broadcast_to(counts.sum(axis=0), counts.shape)
        if pseudo is not None:
            counts = counts + pseudo[None]
        conf = np.maximum(counts, FLOOR) / np.maximum(counts, FLOOR).sum(axis=2, keepdims=True)
        p = p_fixed if p_fixed is not None else np.maximum(w @ post, FLOOR) / total
        log_joint = np.asarray(x @ np.log(conf).transpose(0, 2, 1).reshape(m * k, k)) + np.log(p)[None]
        top = log_joint.max(axis=1, keepdims=True)
        z = np.exp(log_joint - top)
        log_z = np.log(z.sum(axis=1)) + top[:, 0]
        post = z / z.sum(axis=1, keepdims=True)
        prior = float((pseudo * np.log(conf[0] if shared else conf)).sum()) if pseudo is not None else 0.0
        objective = (float(w @ log_z) + prior) / total
        if objective - last < tol:
            converged = True
            break
        last = objective
    return post, conf, p, float(w @ log_z), steps, converged


def shared_test(matrix: np.ndarray, w: np.ndarray, k: int, n_iter: int = 500, tol: float = 1e-9) -> SharedTest | None:
    """The likelihood-ratio test of one shared confusion on vote rows ``matrix`` (row ``i`` standing for ``w[i]``
    items, -1 = no vote), or None where a labeler has fewer than :data:`MIN_PER_CELL` votes per confusion cell."""
    from scipy.stats import chi2

    votes = np.asarray(w, dtype=np.float64) @ (matrix >= 0)
    m = matrix.shape[1]
    if m < 2 or votes.min() < MIN_PER_CELL * k * k:
        return None
    rows = _rows(matrix, w, k)
    separate = _fit(rows, False, None, None, n_iter, tol)[3]
    shared = _fit(rows, True, None, None, n_iter, tol)[3]
    statistic = max(2.0 * (separate - shared), 0.0)
    df = (m - 1) * k * (k - 1)
    return SharedTest(statistic, df, float(chi2.sf(statistic, df)))


def shared_confusion_run(model: Any, em: Any, run: EMRun, matrix: np.ndarray, groups: list[list[int]], k: int) -> EMRun:
    """``run``, or the shared-confusion MAP fit where :data:`ENABLED` and :func:`shared_test` keeps it (see the module
    docstring). ``em``: the label model's ``fit_abstain_models`` partial (its ``w``, ``p_fixed``, ``accuracy``,
    ``prior_strength``, ``smoothing``, ``n_iter``, ``tol`` are read); ``matrix``: the voted rows ``run`` was fitted on.
    Sets ``model.shared_confusion_`` to the test (None: not run)."""
    model.shared_confusion_ = None
    if not ENABLED or model.abstains_ != "missing" or run.lure is not None or any(len(g) > 1 for g in groups):
        return run
    s = em.keywords
    w = s["w"]
    test = shared_test(matrix, w, k)
    model.shared_confusion_ = test
    if test is None or test.p_value < ALPHA:
        return run
    p_fixed = s["p_fixed"]
    free = p_fixed is None or (isinstance(p_fixed, str) and p_fixed == "votes")
    pseudo = diagonal_confusion_prior(k, strength=float(s["prior_strength"]), accuracy=s["accuracy"])
    pseudo = pseudo + float(s["smoothing"])
    post, conf, p, log_lik, steps, converged = _fit(
        _rows(matrix, w, k), True, pseudo, None if free else run.p, int(s["n_iter"]), float(s["tol"])
    )
    m, total = matrix.shape[1], float(w.sum())
    rate = (w @ (matrix >= 0)) / total  # each labeler's share of voted items: the same under every class
    mu = np.empty((m, k + 1, k))
    mu[:, 0, :] = (1.0 - rate)[:, None]
    mu[:, 1:, :] = rate[:, None, None] * conf[0].T[None]  # [j, 1 + a, y] = rate_j · π[y, a]
    history = [log_lik / total]
    return run._replace(
        post=post, mu=mu.reshape(m * (k + 1), k), p=p, history=history, log_votes=None,
        objective=history, n_evals=steps, converged=converged,
    )  # fmt: skip
