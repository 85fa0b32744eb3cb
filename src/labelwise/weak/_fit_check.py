"""The label model's dependence check on its fitted model (``LabelModel(pair_check=True)``), and its refit.

References
----------
.. [1] A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum Likelihood from Incomplete Data via
   the EM Algorithm", Journal of the Royal Statistical Society B 39(1), 1-38, 1977.
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
.. [3] C. Biernacki, G. Celeux and G. Govaert, "Choosing starting values for the EM algorithm for
   getting the highest likelihood in multivariate Gaussian mixture models", Computational
   Statistics & Data Analysis 41(3-4), 561-575, 2003.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _crowd_pairs, _em
from ._clique_cap import check_keeps_cap
from ._crowd_pairs import dependent_pairs, own_fit_pairs
from ._em import COMPARISON_TOL
from ._missing_guard import guard_missing as guard_relabelling
from ._one_class import one_class_groups
from ._posterior import VotedOutcomes, posterior, voted_outcomes
from ._shared_steps import reused_for_all
from ._votes import Votes

__all__ = ["fitted_check", "guard_missing", "refit_best"]


def fitted_check(
    model: Any,
    matrix: np.ndarray,
    lam: sp.csr_matrix,
    weights: np.ndarray,
    groups: list[list[int]],
    lam_g: Any,
    run: Any,
    votes: Votes,
    gram: Any = None,
) -> tuple[list[list[int]], Any, np.ndarray, np.ndarray | None] | None:
    """Pairs of functions the fitted model (``run``: its EM run, ``lam_g``: the groups' outcome
    indicator of every row) treats as independent but which are not, and the new groups.

    Missing abstains (Dawid-Skene's model): :class:`labelwise.aggregate.DawidSkene`'s dependent-pair
    check on ``votes`` (with ``model.pair_check_triad``, its pairs through the triad gate of
    :mod:`._pair_triad`), recorded in ``model._pairs`` and modelled by ``model._model_pairs``; with
    :data:`._crowd_pairs.OWN_FIT` the same check on the rows and the fit ``run`` (:func:`._crowd_pairs.own_fit_pairs`).
    Informative abstains: the co-vote check of one-class functions
    (:func:`._one_class.one_class_groups`) under the fitted posterior. Returns the new groups,
    their outcome indicator and outcome counts and EM's start (``None``: the same starts), or
    ``None`` when the groups do not change. ``matrix``, ``lam``, ``weights``: the vote rows, their
    one-hot indicator and the items each row stands for; ``gram`` (optional) its weighted gram ``λᵀWλ``.
    """
    threshold, k = float(model.dependency_threshold), len(votes.classes)
    if model.abstains_ == "missing":
        strength, triad = float(model.prior_strength), bool(model.pair_check_triad)
        distinct = (matrix, weights)  # the triad gate's sums over the distinct vote rows
        pairs_of = [(g[i], g[j]) for g in groups for i in range(len(g)) for j in range(i + 1, len(g))]
        known = pairs_of if _em.LEAN_MISSING else None
        own = (
            _own_fit_pairs(matrix, weights, run, k, threshold, strength, triad, known) if _crowd_pairs.OWN_FIT else None
        )
        model._pairs = (
            own
            if own is not None
            else dependent_pairs(
                votes, threshold=threshold, prior_strength=strength, triad=triad, distinct=distinct, known=known
            )
        )
        return model._model_pairs(matrix, k, groups, model._pairs)
    if getattr(model, "_structure_learned", False):  # the learned pairs hold the one-class dependencies
        return None
    fitted = posterior(lam_g, run.mu, run.p)[0]
    new = one_class_groups(
        matrix,
        lam,
        weights,
        k,
        groups,
        fitted,
        threshold=threshold,
        min_shared=model.min_shared,
        max_size=max(int(model.max_clique), *map(len, groups)),  # the groups it checks kept whole
        gram=gram,
    )
    new = check_keeps_cap(model, groups, new, (matrix, lam, weights, k, gram, threshold))  # past the cap: linked only
    return None if new is None else (new, *voted_outcomes(matrix, k, new), None)


def _own_fit_pairs(
    matrix: np.ndarray,
    weights: np.ndarray,
    run: Any,
    k: int,
    threshold: float,
    strength: float,
    triad: bool,
    known: list[tuple[int, int]] | None,
) -> np.ndarray | None:
    """:func:`._crowd_pairs.own_fit_pairs` on the rows with a vote, which the missing-abstain EM ``run`` ran on.

    Where the label model's fits of one set of vote rows share their steps (:data:`~._shared_steps.SHARED`: the
    one-class fit's structures), a check with the same inputs as an earlier fit's (the same ``matrix`` and
    ``weights``, a posterior ``run.post`` equal to the bit, the same settings and ``known`` pairs) is that check's
    rows, not run again: the check reads nothing else, so they are its rows (sim15701's two structures reach the same
    missing-abstain fit and cliques)."""

    def check() -> np.ndarray | None:
        cov = (matrix >= 0).any(axis=1)
        rows, w = (matrix, weights) if cov.all() else (matrix[cov], weights[cov])
        return own_fit_pairs(
            rows, w, run.post, k, threshold=threshold, prior_strength=strength, triad=triad, known=known or None
        )

    post = np.ascontiguousarray(run.post)
    key = ("own_fit_pairs", post.shape, post.dtype.str, post.tobytes(), k, threshold, strength, triad, str(known))
    found = reused_for_all((matrix, weights), key, check)
    return None if found is None else found.copy()  # the caller's own array


def refit_best(
    model: Any, em: Any, lam_g: Any, n_outcomes: np.ndarray, starts: list[np.ndarray], run: Any, groups: Any
) -> Any:
    """The refit of the new ``groups`` after :func:`fitted_check`: EM (``em``, the label model's
    :func:`~._em.fit_abstain_models` with its settings) from ``starts`` (the last one majority vote,
    where Dawid and Skene [2]_ start) and, with missing abstains and
    ``model.pair_check_warm_start``, also from the posterior of the checked fit ``run``; the run
    with the higher MAP objective (``EMRun.objective``: the same model and prior, so they compare)
    is kept, majority vote's on a tie. Several starts and the highest objective kept are the
    usual guard against EM's local optima [1]_: on a crowd whose look-alike classes are near coin
    flips for the vote (``benchmarks/dev_weak_dep_collapse.py``), EM of a clique from majority vote
    swapped two classes at a lower objective than from the fit it checked. Returns ``em``'s result, whose
    run alone is read: with ``compare=False`` (the model's BIC and vote-value log-likelihood describe its first
    choice, not this refit) the missing model's maximum-likelihood fit that would only feed them is skipped.
    """
    if isinstance(lam_g, VotedOutcomes):  # weighted once: both refits then share its weighted transpose
        lam_g = lam_g.weighted(em.keywords["w"])
    fit = partial(em, lam_g, n_outcomes, groups=groups, abstains=model.abstains_, compare=False)
    both = model.pair_check_warm_start and model.abstains_ == "missing"
    if both and _em.lean_applies(starts[-1].shape[1]):
        return _short_runs(fit, starts, run, em.keywords)
    first = fit(starts)
    if not both:
        return first
    other = fit([*starts[:-1], run.post])
    return other if other[0].objective[-1] > first[0].objective[-1] else first


def _short_runs(fit: Any, starts: list[np.ndarray], run: Any, settings: dict[str, Any]) -> Any:
    """:func:`refit_best`'s two refits under :data:`~._em.LEAN_MISSING`: both stopped at the looser of ``tol`` and
    :data:`~._em.COMPARISON_TOL`, the one of higher objective (majority vote's on a tie) taken on to ``tol``
    (:func:`_taken_on`): the short-run strategy of Biernacki et al. [3]_."""
    loose = max(float(settings["tol"]), COMPARISON_TOL)
    first = fit(starts, tol=loose)
    other = fit([*starts[:-1], run.post], tol=loose)
    best = other if other[0].objective[-1] > first[0].objective[-1] else first
    if loose <= float(settings["tol"]):
        return best
    return (_taken_on(fit, starts, best[0], int(settings["n_iter"])), *best[1:])


def _taken_on(fit: Any, starts: list[np.ndarray], short: Any, n_iter: int) -> Any:
    """The missing-abstain MAP run ``short``, stopped at a looser tolerance, taken on by ``fit`` (the label model's
    ``fit_abstain_models`` on the run's rows and groups, without further starts or refinement: EM alone) from its
    last posterior to ``tol`` within the rest of its budget of ``n_iter`` EM steps; its history, objective and steps
    are the two runs' together, its record of further starts ``short``'s."""
    if not short.converged or short.n_evals >= n_iter:  # at its budget: nothing left to take it on
        return short._replace(loose=False)
    alone = {"spectral_start": False, "iwmv_start": False, "lured_items": False}
    more = fit([*starts[:-1], short.post], n_iter=n_iter - short.n_evals, **alone)[0]
    return more._replace(
        history=short.history + more.history,
        objective=short.objective + more.objective,
        n_evals=short.n_evals + more.n_evals,
        spectral=short.spectral,
        iwmv=short.iwmv,
    )


def guard_missing(
    model: Any, em: Any, run: Any, rows: tuple[Any, np.ndarray, np.ndarray], groups: list[list[int]], votes: Votes
) -> Any:
    """:func:`._missing_guard.guard_missing` (the relabelling guard, same arguments) of ``run``, first taken on to
    ``tol`` (:func:`_taken_on`) when it is the first MAP fit stopped loose (``EMRun.loose``,
    :data:`~._em.LEAN_MISSING`) and no refit replaced it."""
    if run.loose:
        lam_g, n_outcomes, vote = rows
        fit = partial(em, lam_g, n_outcomes, groups=groups, abstains="missing", compare=False)
        run = _taken_on(fit, [vote], run, int(em.keywords["n_iter"]))
    return guard_relabelling(model, em, run, rows, groups, votes)
