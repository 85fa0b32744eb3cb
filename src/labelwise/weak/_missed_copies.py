"""The learned structure where the clique search's cliques leave out a function that votes with one of them (opt-in).

The clique search (:func:`~._dependencies.clique_search`) joins pairs by their agreement and co-votes, strongest
first, into cliques of at most ``max_clique`` functions. A rule with two copies (or a copy the search pairs with the
other copy first) is then fitted as a pair with its third member left out, or the three are left apart: the label
model counts one rule's vote two or three times (session 57, geninf57: 7 of 30 informative-abstain falls below
majority vote on the benchmark generator's dev sets). Varma et al.'s (2019) sparse plus low-rank learner
(:func:`~._structure_learning.learned_pairs`) finds these pairs on the sets checked, but it runs only on mostly
one-class votes (:mod:`._one_class_fit`).

Here, on the other sets, the model is fitted as main fits it; where two functions in different groups of that fit
vote together far more often than their coverages, independent given the class, explain (the clique search's
co-vote z-score, :meth:`~._dependencies.PairTables.covote_z_all` on the vote shares, above :data:`GATE_Z`, and
their co-vote correlation given the class at least :data:`GATE_CORR`: a near-copy), the
dependent pairs are learned and the model fitted with them too (:func:`~._one_class_fit.structure_plan`), and the fit
with the lower Bayesian information criterion (Schwarz 1978) is kept, as :func:`~._one_class_fit.choose_structure`
keeps it (the balance stays as given: the vote shares are the classes' prevalence here, not one-class coverage).
Nowhere else does the learner run: the gate's cost is one co-vote table.

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019.
G. Schwarz, "Estimating the Dimension of a Model", Annals of Statistics 6(2), 1978.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ._votes import ABSTAIN

__all__ = ["ENABLED", "GATE_CORR", "GATE_Z", "fit_rows", "left_out_pairs"]

#: Whether the label model runs this module's gate on sets not mostly of one-class votes (off: main's behaviour).
ENABLED = False

#: The co-vote z-score above which two functions in different groups call for the learned structure: the label
#: model's default ``dependency_threshold`` (the clique search's own bar for a co-vote).
GATE_Z = 5.0

#: The co-vote correlation given the class (:meth:`~._dependencies.PairTables.covote_corr_all`, an effect size that
#: does not grow with the items) such a pair must reach as well: a near-copy, not two rules whose coverages the vote
#: shares explain less well. Chosen on dev seeds 1000-1059 of the generator's copy configurations (session 57,
#: copies57): left-out true copy pairs 0.66-0.87, other left-out pairs mostly below 0.55.
GATE_CORR = 0.6


def left_out_pairs(matrix: np.ndarray, w: np.ndarray, n_classes: int, groups: list[list[int]]) -> list[tuple[int, int]]:
    """The pairs of functions in different ``groups`` whose co-vote z-score on the vote rows ``matrix`` (row ``i``
    standing for ``w[i]`` items; the vote shares as the class posterior, as in the clique search) is above
    :data:`GATE_Z` and whose co-vote correlation given the class is at least :data:`GATE_CORR`."""
    from ._dependencies import PairTables
    from ._moments import indicator, transposed, weighted_gram
    from ._posterior import vote_shares
    from ._shared_steps import reused

    m = matrix.shape[1]
    lam = reused("lam", lambda: indicator(matrix, n_classes))  # the fit's own, as its gram and vote shares
    gram = reused("gram", lambda: weighted_gram(lam, w))
    shares = vote_shares(lam, m, n_classes)
    # the co-vote counts from what the fit made: the items a pair votes on (the gram's K×K blocks summed) and each
    # function's class mass where it votes (the indicator's columns of one function summed)
    both = np.asarray(gram.toarray()).reshape(m, n_classes, m, n_classes).sum(axis=(1, 3))
    mass = (transposed(lam) @ (shares * w[:, None])).reshape(m, n_classes, n_classes).sum(axis=1)
    tables = PairTables(matrix, shares, w, n_classes, (both, mass))
    close = tables.covote_corr_all() >= GATE_CORR
    if not close.any():  # the common case: no near-copy at all, the z-scores not needed
        return []
    strong = close & (tables.covote_z_all() > GATE_Z)
    owner = np.empty(m, dtype=np.int64)
    for i, g in enumerate(groups):
        owner[g] = i
    rows, cols = np.nonzero(strong & (owner[:, None] != owner[None, :]))
    return [(a, b) for a, b in zip(rows.tolist(), cols.tolist(), strict=True) if a < b]


def fit_rows(model: Any, args: tuple) -> tuple:
    """``model._fit_rows(*args)`` (``args``: the vote rows, their weights, the fixed balance, the given pairs and the
    votes), refitted with the learned pairs where :func:`left_out_pairs` finds a pair and kept by BIC (module
    docstring)."""
    from . import _one_class_fit as one_class

    matrix, w = args[:2]
    k = len(args[4].classes)
    with warnings.catch_warnings(record=True) as caught:  # shown as they came unless a refit is kept
        warnings.simplefilter("always")
        out = model._fit_rows(*args)
    if not left_out_pairs(matrix, w, k, model._groups):
        return one_class._keep(model, out, {}, caught)
    first = (out, dict(model.__dict__), list(caught))  # the model's state copied only where the gate fires
    from ._moments import indicator, weighted_gram  # past the gate: a cold fit where it stays shut imports no more
    from ._shared_steps import reused
    from ._structure_learning import learned_pairs

    lam = reused("lam", lambda: indicator(matrix, k))
    learned = learned_pairs(matrix, w, k, reused("gram", lambda: weighted_gram(lam, w)))
    if not learned:
        return one_class._keep(model, *first)
    without = _bic(model, matrix, w, k)
    second = one_class._fit_once(model, args, learned, None)
    return one_class._keep(model, *(second if _bic(model, matrix, w, k) < without else first))


def _bic(model: Any, matrix: np.ndarray, w: np.ndarray, n_classes: int) -> float:
    """The fitted ``model``'s Bayesian information criterion ``−2 log L + d log n`` on the ``n`` items with a vote,
    ``d`` the outcome parameters its groups use (:func:`~._one_class_fit.used_parameters`), as
    :func:`~._one_class_fit.choose_structure` reads it."""
    from ._one_class_fit import used_parameters

    n = float(w[(np.asarray(matrix) != ABSTAIN).any(axis=1)].sum())
    d = used_parameters(matrix, w, model._groups, n_classes)
    return -2.0 * n * float(model.log_likelihood_history_[-1]) + d * float(np.log(max(n, 2.0)))
