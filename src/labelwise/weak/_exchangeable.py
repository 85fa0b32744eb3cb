"""Exchangeable labelers: one confusion matrix shared by every labeler where the votes cannot tell them apart.

A crowd set is often stored by *slot* (the first, second, third answer of each item), each slot filled by whichever
worker took the item (CIFAR-10N's three annotations, a table with columns ``annotator_1..3``). Its "labelers" are then
exchangeable: each slot's confusion is the same mixture of the workers' confusions, and Dawid and Skene's model [1]_
with one confusion per slot spends ``m`` times the parameters the data identify. The homogeneous model (one confusion
``π[y, a]`` for all labelers, each answer independent given the class; the class-conditional model of [1]_ with the
labelers' parameters tied) is then the right one and is estimated from ``m`` times the votes.

Test (:func:`labelwise.aggregate._shared_confusion.shared_test`, which ``aggregate.DawidSkene(shared_confusion=
"auto")`` runs too; its EM is the aggregate layer's Dawid-Skene EM with a tied M-step). Both models are fitted by
maximum likelihood (EM from majority vote, missing abstains) on the voted rows, and the likelihood-ratio statistic ``2 (ℓ_separate − ℓ_shared)`` is compared with a χ² distribution of ``(m − 1) K (K −
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

from typing import Any

import numpy as np

from ..aggregate._shared_confusion import ALPHA, MIN_PER_CELL, SharedTest, em_fit, observed_rows
from ..aggregate._shared_confusion import shared_test as _shared_test
from ..aggregate.priors import diagonal_confusion_prior
from ._em import EMRun
from ._posterior import FLOOR

__all__ = ["ALPHA", "ENABLED", "MIN_PER_CELL", "SharedTest", "shared_confusion_run", "shared_test"]

#: The switch (False: the label model without the test, as before session 54).
ENABLED = True


def shared_test(matrix: np.ndarray, w: np.ndarray, k: int) -> SharedTest | None:
    """The likelihood-ratio test of one shared confusion on vote rows ``matrix`` (row ``i`` standing for ``w[i]``
    items, -1 = no vote), or None where a labeler has fewer than :data:`MIN_PER_CELL` votes per confusion cell; the
    counts floored at the label model's :data:`~labelwise.weak._posterior.FLOOR`."""
    return _shared_test(observed_rows(matrix, w, k), k, floor=FLOOR)


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
    obs = observed_rows(matrix, w, k)
    test = _shared_test(obs, k, floor=FLOOR)
    model.shared_confusion_ = test
    if test is None or test.p_value < ALPHA:
        return run
    p_fixed = s["p_fixed"]
    free = p_fixed is None or (isinstance(p_fixed, str) and p_fixed == "votes")
    pseudo = diagonal_confusion_prior(k, strength=float(s["prior_strength"]), accuracy=s["accuracy"])
    pseudo = pseudo + float(s["smoothing"])
    fit = em_fit(obs, k, shared=True, pseudo=pseudo, n_iter=int(s["n_iter"]), tol=float(s["tol"]), floor=FLOOR,
                 balance=None if free else run.p)  # fmt: skip
    assert fit.shared is not None  # a tied fit returns its shared confusion
    m, total = matrix.shape[1], float(w.sum())
    rate = (w @ (matrix >= 0)) / total  # each labeler's share of voted items: the same under every class
    mu = np.empty((m, k + 1, k))
    mu[:, 0, :] = (1.0 - rate)[:, None]
    mu[:, 1:, :] = rate[:, None, None] * fit.shared[None]  # [j, 1 + a, y] = rate_j · π[y, a]
    history = [fit.log_likelihood / total]
    return run._replace(
        post=fit.post, mu=mu.reshape(m * (k + 1), k), p=fit.prior, history=history, log_votes=None,
        objective=history, n_evals=fit.steps, converged=fit.converged,
    )  # fmt: skip
