"""Learned cliques contracted and the structure learned again: a trigger's readers joined across their copies.

On mostly one-class votes the label model's cliques are the dependent pairs Varma et al.'s (2019) sparse plus low-rank
learner finds (:func:`~._structure_learning.learned_pairs`, :mod:`._one_class_fit`). Its ``ℓ1`` penalty keeps one of
several nearly equal variables, or spreads a dependence thinly over them (the lasso's behaviour with correlated
regressors; Zou and Hastie 2005): where two rules read one trigger and one of them has a copy (a regex of the same
keyword), the second rule's dependence on the first is shared between the rule and its copy, each partial correlation
can fall below the learner's threshold, and the trigger's readers come out as two cliques, each counted as independent
evidence of its class (``benchmarks/RESULTS.md``, sessions 54 (trig54) and 56 (trig56)).

Where :data:`ENABLED`, the learned pairs' connected groups may join (:func:`joins`) where both vote one and the same
class (readers of one trigger vote its class), at least one has two or more functions, and the learner's sparse
estimate ``Ŝ`` (the solve that found the pairs) has a nonzero entry between them (some dependence kept, too weak on
any one pair to pass the threshold). Each group is then contracted to one variable (the vote of its first member that
votes) and the learner runs again on the contracted votes (its program and defaults); a pair it finds between two
groups that may join, with a partial correlation of at least :data:`JOIN_STRENGTH`, joins them. The joins come after
the learned pairs, within the learned structure's clique cap, and the fit with them is still chosen against the fit
without learned pairs by BIC (:func:`~._one_class_fit.choose_structure`).

This is trig54's candidate (``benchmarks/dev_weak_trigger_fix2.py``; it failed on one benchmark set, a one-class rule
joined to a copy pair at a contracted partial correlation of 0.064) with two changes: the bar :data:`JOIN_STRENGTH`
on the contracted learner's partial correlation, and ``Ŝ`` read from the learner's own solve (no second solve of
the full program). Registered by ``benchmarks/dev_weak_trigger_fix56.py`` (its docstring: the rule and the outcome)
which it passed (session 56). It was switched OFF (:data:`ENABLED`) for its cost: where the joins may form, the
learner's second solve (on ``bench_weak.py``'s sim1004, whose join the bar then refuses) costs about a tenth of the
fit, and sim1004 holds the benchmark's slimmest margin over Snorkel's speed.

The gate (trig57, ``benchmarks/dev_weak_trigger_fix57.py``): the second solve runs only for pairs of groups whose
join strength, estimated from the first solve without solving again (:func:`estimated_strength`), reaches
:data:`JOIN_STRENGTH`. The contracted program fits ``Ŝ_c − L̂_c`` to the inverse correlation of the contracted
indicators, so its sparse part is about ``Σ_c⁻¹ + L̂_c``; the estimate takes ``Σ_c`` as the correlation of each
group's first member's indicators (a group's other members are its copies and near copies, and the precision of a
subset of variables is the inverse of their own correlation) and ``L̂_c`` as the first solve's low-rank part on those
indicators. It leaves out the ``ℓ1`` shrinkage and the extra votes a contracted column gathers from its copies, so
it is an estimate, not a bound: on the seen shared-trigger sets every join of trig56 had an estimate of 0.24 or more
and a contracted partial correlation above it on 67 of 70, and every one of ``bench_weak.py``'s seen simulated sets
where the solve ran had an estimate under 0.16 (``benchmarks/RESULTS.md``, session 57 (trig57)). The pairs that
may join are found by the support test first and the one-class test reads only the groups that pass it
(:func:`_may_join`; trig57b, ``benchmarks/dev_weak_trigger_fix57b.py``, which judges the gate a second time).

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

from ._votes import ABSTAIN

__all__ = [
    "ENABLED",
    "JOIN_STRENGTH",
    "contracted",
    "contracted_joins",
    "estimated_strength",
    "joins",
    "learned_groups",
]

#: Whether :func:`~._structure_learning.learned_pairs` adds :func:`joins` to its pairs (module docstring). On since
#: session 57 (trig57b): the candidate of ``benchmarks/dev_weak_trigger_fix56.py`` passed its registered rule but was
#: switched off for its second solve's cost (a tenth of sim1004's fit); with trig57's gate (``gated``) it failed a
#: per-set CPU clause at the timing noise (``dev_weak_trigger_fix57.py``) and passed its second judging
#: (``dev_weak_trigger_fix57b.py``: the gated call at most 0.6% of any of the 19's fits, no solve on them).
ENABLED = True

#: The least partial correlation the contracted learner must give a join: four times its own threshold (0.05), between
#: the joins of true split cliques (0.32-0.55) and the false joins (0.055-0.108) seen by trig54 on seen seeds.
JOIN_STRENGTH = 0.2


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


def contracted_joins(
    matrix: np.ndarray,
    weights: np.ndarray,
    n_classes: int,
    pairs: list[tuple[int, int]],
    solved: Any,
    gram: Any = None,
    *,
    gated: bool = True,
) -> list[tuple[int, int, float]]:
    """The joins the contracted learner finds between the groups of ``pairs`` that may join, each as the pair of the
    groups' first members and its partial correlation, strongest first, before :data:`JOIN_STRENGTH`.

    ``matrix``: vote rows (``-1`` = abstain), row ``i`` standing for ``weights[i]`` items; ``solved``: the learner's
    solve on them (:class:`~._structure_learning.SparseLowRank`) and each indicator's function; ``gram``: the vote
    indicators' weighted gram where the caller has it. ``gated``: only pairs whose :func:`estimated_strength` reaches
    :data:`JOIN_STRENGTH` may join, and the contracted learner runs only where one does (module docstring); without
    the gate, trig56's joins."""
    from ._structure_learning import learner_pairs, solve_learner

    matrix = np.asarray(matrix)
    groups = learned_groups(matrix.shape[1], pairs)
    may_join = _may_join(matrix, groups, solved)
    if gated and may_join:
        strength = estimated_strength(matrix, weights, n_classes, groups, solved, gram)
        may_join = {(a, b) for a, b in may_join if strength[a, b] >= JOIN_STRENGTH}
    if not may_join:
        return []
    found = learner_pairs(solve_learner(contracted(matrix, groups), weights, n_classes), 0.0)
    return [(groups[a][0], groups[b][0], value) for a, b, value in found if (a, b) in may_join]


def _may_join(matrix: np.ndarray, groups: list[list[int]], solved: Any) -> set[tuple[int, int]]:
    """The pairs ``(a, b)``, ``a < b``, of ``groups`` that may join (module docstring): a nonzero entry of the first
    solve's ``Ŝ`` between them, one of them with two or more functions, both voting one and the same class. The
    class is read only for the groups that pass the first two tests, on their own columns."""
    fit, owner = solved
    at = np.empty(matrix.shape[1], dtype=np.int64)
    for i, g in enumerate(groups):
        at[g] = i
    linked = np.zeros((len(groups), len(groups)), dtype=bool)
    rows, cols = np.nonzero((fit.sparse != 0) & (owner[:, None] != owner[None, :]))
    linked[at[owner[rows]], at[owner[cols]]] = True
    big = np.array([len(g) > 1 for g in groups])
    a_s, b_s = np.nonzero(np.triu(linked, 1) & (big[:, None] | big[None, :]))
    if not len(a_s):
        return set()
    read = sorted({*a_s.tolist(), *b_s.tolist()})
    columns = [j for i in read for j in groups[i]]
    place = {j: n for n, j in enumerate(columns)}
    one_class = dict(
        zip(read, _one_class_groups(matrix[:, columns], [[place[j] for j in groups[i]] for i in read]), strict=True)
    )
    return {
        (a, b)
        for a, b in zip(a_s.tolist(), b_s.tolist(), strict=True)
        if one_class[a] is not None and one_class[a] == one_class[b]
    }


def _one_class_groups(matrix: np.ndarray, groups: list[list[int]]) -> list[int | None]:
    """Each group's one class where all its votes are of one class, else ``None`` (no vote, or votes of several):
    the values each function votes found column by column at once (by value where they span a few values, else by a
    count of each column's values)."""
    if not matrix.size:
        return [None] * len(groups)
    low, high = int(matrix.min()), int(matrix.max())
    values = np.arange(low, high + 1)
    if len(values) <= 16:
        votes = np.stack([(matrix == v).any(axis=0) for v in values.tolist()], axis=1)
    else:
        codes = (matrix - low).astype(np.int64) + len(values) * np.arange(matrix.shape[1])
        votes = np.bincount(codes.ravel(), minlength=len(values) * matrix.shape[1]) > 0
        votes = votes.reshape(matrix.shape[1], len(values))
    votes[:, values == ABSTAIN] = False
    out: list[int | None] = []
    for g in groups:
        voted = values[votes[g].any(axis=0)]
        out.append(int(voted[0]) if len(voted) == 1 else None)
    return out


def contracted(matrix: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """``matrix`` with each group contracted to one column, in the groups' order: on each row the vote of the group's
    first member that votes (``ABSTAIN`` where none does)."""
    out = matrix[:, [g[0] for g in groups]]
    for place in range(1, max(len(g) for g in groups)):
        at = [i for i, g in enumerate(groups) if len(g) > place]
        now = out[:, at]
        out[:, at] = np.where(now == ABSTAIN, matrix[:, [groups[i][place] for i in at]], now)
    return out


def estimated_strength(
    matrix: np.ndarray, weights: np.ndarray, n_classes: int, groups: list[list[int]], solved: Any, gram: Any = None
) -> np.ndarray:
    """The contracted learner's partial correlation between each two groups, estimated from the learner's first solve
    (module docstring): ``(n_groups, n_groups)``, the largest over the two groups' representative indicators of
    ``−E_ab / sqrt(E_aa E_bb)`` with ``E = Σ_K⁻¹ + L̂_KK``. A group's representative is its first member with an
    indicator in the solve; ``K`` their indicators, ``Σ_K`` their correlation (from ``gram`` where given, else from
    the vote rows, as :func:`~._structure_learning.solve_learner` reads them), ``L̂`` the solve's low-rank part.
    Groups without an indicator get ``-inf``; a singular ``Σ_K``, ``+inf`` (the learner decides)."""
    from ._structure_learning import gram_correlation, indicator_correlation

    fit, owner = solved
    group_of = np.full(matrix.shape[1], -1)
    for i, g in enumerate(groups):
        members = [j for j in g if (owner == j).any()]
        if members:
            group_of[members[0]] = i
    kept = np.flatnonzero(group_of[owner] >= 0)
    out = np.full((len(groups), len(groups)), -np.inf)
    if gram is None:
        corr, _ = indicator_correlation(matrix, n_classes, weights)
    else:
        corr, _ = gram_correlation(gram, n_classes, float(np.asarray(weights, dtype=np.float64).sum()))
    try:
        e = np.linalg.inv(corr[np.ix_(kept, kept)]) + fit.low_rank[np.ix_(kept, kept)]
    except np.linalg.LinAlgError:
        return np.full_like(out, np.inf)
    scale = np.sqrt(np.maximum(np.diag(e), 1e-12))
    partial = -e / np.outer(scale, scale)
    at = group_of[owner[kept]]
    x, y = np.nonzero(at[:, None] != at[None, :])
    np.maximum.at(out, (at[x], at[y]), partial[x, y])
    return out


def joins(
    matrix: np.ndarray,
    weights: np.ndarray,
    n_classes: int,
    pairs: list[tuple[int, int]],
    solved: Any,
    gram: Any = None,
) -> list[tuple[int, int]]:
    """:func:`contracted_joins` (gated) with a partial correlation of at least :data:`JOIN_STRENGTH`, those not in
    ``pairs``."""
    found = contracted_joins(matrix, weights, n_classes, pairs, solved, gram)
    return [(a, b) for a, b, value in found if value >= JOIN_STRENGTH and (a, b) not in pairs]
