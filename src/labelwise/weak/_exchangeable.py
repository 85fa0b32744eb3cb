"""Exchangeable labelers: one confusion matrix shared by every labeler where the votes cannot tell them apart.

A crowd set stored by *slot* (CIFAR-10N's three annotations, a table with columns ``annotator_1..3``) has
exchangeable "labelers": each slot's confusion is the same mixture of the workers' confusions, and Dawid and Skene's
model with one confusion per slot spends ``m`` times the parameters the data identify. The model with the labelers'
parameters tied, its EM (the aggregate layer's Dawid-Skene EM with a tied M-step) and the likelihood-ratio test of it
against one confusion per labeler (Wilks' χ² with ``(m − 1) K (K − 1)`` degrees of freedom at :data:`ALPHA`, run only
where every labeler has :data:`MIN_PER_CELL` votes per confusion cell, Cochran's rule) live in
:mod:`labelwise.aggregate._shared_confusion`, with their references; ``aggregate.DawidSkene(shared_confusion="auto")``
runs the same test.

Here: only single labelers (no cliques) on the missing-abstain fit, which the lured-item mixture did not replace,
are tested, on the voted rows (EM from majority vote, the label model's floor on the counts, its stopping rule: the
objective per item rising by less than ``tol``). Where the test does not reject, the kept fit is the shared model's
MAP fit under the label model's diagonal Dirichlet prior (``prior_strength`` pseudo-votes per confusion row, once for
the shared matrix) with the class balance estimated unless it is fixed.

On by default (:data:`ENABLED`) since session 54, when it passed the rule registered in
``benchmarks/dev_weak_misses.py`` (the 93 dev sets, fresh stress crowds, fresh benchmark simulations, then the
benchmark: cifar10n_slots 0.9195 -> 0.9204; ``benchmarks/RESULTS.md``). False gives the fit before it.

References
----------
.. [1] A. P. Dawid and A. M. Skene, "Maximum likelihood estimation of observer error-rates using the EM
   algorithm", Applied Statistics 28(1), 20-28, 1979 (with Wilks 1938 and Cochran 1954 for the test: see
   :mod:`labelwise.aggregate._shared_confusion`).
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
