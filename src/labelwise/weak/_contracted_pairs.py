"""Learned cliques contracted and the structure learned again: a trigger's readers joined across their copies.

On mostly one-class votes the label model's cliques are the dependent pairs Varma et al.'s (2019) sparse plus low-rank
learner finds (:func:`~._structure_learning.learned_pairs`, :mod:`._one_class_fit`). Its ``ℓ1`` penalty keeps one of
several nearly equal variables, or spreads a dependence thinly over them (the lasso's known behaviour with correlated
regressors; Zou and Hastie 2005): where two rules read one trigger and one of them has a copy (a regex of the same
keyword), the second rule's dependence on the first is shared between the rule and its copy, each partial correlation
can fall below the learner's threshold, and the trigger's readers come out as two cliques, each counted as independent
evidence of its class. On simulated keyword rules that share triggers (``benchmarks/dev_weak_shared_triggers.py``)
such split cliques hold a share of the label model's deepest falls below majority vote, and the true cliques given
lift every one of them (``benchmarks/RESULTS.md``, session 54, trig54).

So where :data:`ENABLED` and the fit uses learned pairs (:func:`~._one_class_fit.structure_plan`), two connected groups
of learned pairs may join where both vote one and the same class (readers of one trigger vote its class), at least one
has two or more functions, and the learner's sparse estimate ``Ŝ`` has a nonzero entry between them before its
threshold (:func:`sparse_support`: the program keeps some dependence there, too weak on any one pair to pass). Each
group is then contracted to one variable (it votes its class where any member votes) and the learner runs again, with
its own defaults, on the contracted votes (:func:`contracted_pairs`); a pair it finds between two groups that may join
joins them. Both conditions, not one: on seen sets the contracted learner alone joined cliques of different triggers
of one class (few variables leave the low-rank part less room to take the class), and the support alone joined
class rules to cliques. The joins are added after the learned pairs (:func:`structure_plan`), within the learned
structure's clique cap, and the fit with them is still chosen against the fit without learned pairs by BIC
(:func:`~._one_class_fit.choose_structure`).

References
----------
P. Varma, F. Sala, A. He, A. Ratner and C. Ré, "Learning Dependency Structures for Weak Supervision Models",
ICML 2019.
H. Zou and T. Hastie, "Regularization and Variable Selection via the Elastic Net", Journal of the Royal Statistical
Society B 67(2), 2005.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._moments import indicator, weighted_gram
from ._one_class_fit import LEARNED, reused
from ._one_class_fit import structure_plan as learned_plan
from ._votes import ABSTAIN

__all__ = ["ENABLED", "contracted_pairs", "learned_groups", "sparse_support", "structure_plan"]

#: Whether the learned structure is completed by learning again on its contracted cliques (module docstring). False:
#: the candidate of ``benchmarks/dev_weak_trigger_fix2.py`` (session 54), registered before its judging.
ENABLED = False


def learned_groups(n_functions: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """The connected groups of ``n_functions`` functions under ``pairs``, each sorted, ordered by first member."""
    parent = list(range(n_functions))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in pairs:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for j in range(n_functions):
        groups.setdefault(root(j), []).append(j)
    return [groups[r] for r in sorted(groups)]


def sparse_support(matrix: np.ndarray, weights: np.ndarray, n_classes: int, gram: Any) -> np.ndarray:
    """``(m, m)`` booleans: whether the learner's sparse estimate ``Ŝ`` has a nonzero entry between two functions'
    indicators, before its threshold (the program :func:`~._structure_learning.learned_pairs` solves, on the same
    correlation, by the same solvers)."""
    from ._structure_learning import (
        GAMMA,
        LABEL_MODEL_TOL,
        LAM_SCALE,
        gram_correlation,
        sparse_low_rank,
        sparse_low_rank_admm,
    )

    m = np.asarray(matrix).shape[1]
    corr, owner = gram_correlation(gram, n_classes, float(np.sum(weights)))
    support = np.zeros((m, m), dtype=bool)
    if len(owner) < 2:
        return support
    lam = LAM_SCALE * float(np.sqrt(np.log(len(owner)) / float(np.sum(weights))))
    fit = sparse_low_rank_admm(corr, lam, GAMMA)
    if not fit.converged:
        fit = sparse_low_rank(corr, lam, GAMMA, tol=LABEL_MODEL_TOL)
    rows, cols = np.nonzero((fit.sparse != 0) & (owner[:, None] != owner[None, :]))
    support[owner[rows], owner[cols]] = True
    return support


def contracted_pairs(
    matrix: np.ndarray, weights: np.ndarray, n_classes: int, learned: list[tuple[int, int]], gram: Any
) -> list[tuple[int, int]]:
    """Pairs joining the ``learned`` pairs' groups, found by the learner on the votes with each group contracted.

    ``matrix``: vote rows (``-1`` = abstain), row ``i`` standing for ``weights[i]`` items; ``gram``: their vote
    indicators' weighted gram (the fit's). Two groups may join where both vote one and the same class, at least one
    has two or more functions, and the learner's sparse estimate on the votes has a nonzero entry between them
    (:func:`sparse_support`). Each group of two or more functions then becomes one column, the vote of its first
    member that votes in the row, and the learner (:func:`~._structure_learning.learned_pairs`, its defaults) runs on
    those columns; a pair it finds between two groups that may join is returned as the pair of their first members.
    Empty where no two groups may join or the learner finds none of them."""
    from ._structure_learning import learned_pairs

    matrix = np.asarray(matrix)
    groups = learned_groups(matrix.shape[1], learned)
    classes = [set(np.unique(matrix[:, g][matrix[:, g] != ABSTAIN]).tolist()) for g in groups]
    pairs = [
        (a, b)
        for a in range(len(groups))
        for b in range(a + 1, len(groups))
        if len(classes[a]) == 1 and classes[a] == classes[b] and max(len(groups[a]), len(groups[b])) > 1
    ]
    if not pairs:
        return []
    support = sparse_support(matrix, weights, n_classes, gram)
    may_join = {(a, b) for a, b in pairs if support[np.ix_(groups[a], groups[b])].any()}
    if not may_join:
        return []
    columns = []
    for g in groups:
        sub = matrix[:, g]
        fired = sub != ABSTAIN
        first = sub[np.arange(len(sub)), fired.argmax(axis=1)]
        columns.append(np.where(fired.any(axis=1), first, ABSTAIN))
    found = learned_pairs(np.stack(columns, axis=1), weights, n_classes) or []
    return [(groups[a][0], groups[b][0]) for a, b in found if (a, b) in may_join]


def structure_plan(
    model: Any, deps: list[tuple[int, int]], matrix: np.ndarray, weights: np.ndarray, n_classes: int
) -> tuple[list[tuple[int, int]], float, int]:
    """:func:`~._one_class_fit.structure_plan`'s pairs, threshold and clique cap, with :func:`contracted_pairs`'s
    joins after the pairs where :data:`ENABLED` and the fit uses learned pairs (once for the fits that share their
    steps)."""
    pairs, threshold, cap = learned_plan(model, deps)
    learned = LEARNED.get()
    if not ENABLED or not learned:
        return pairs, threshold, cap
    gram = reused("gram", lambda: weighted_gram(indicator(matrix, n_classes), weights))  # the fit's (fit_rows)
    joins = reused(  # a tuple: a list result would come back as lists
        ("contracted", *learned),
        lambda: tuple(contracted_pairs(np.asarray(matrix), np.asarray(weights), n_classes, learned, gram)),
    )
    return pairs + [p for p in joins if p not in pairs], threshold, cap
