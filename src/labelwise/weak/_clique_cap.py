"""Cliques of copies larger than ``max_clique``: near-copies grown to the learned structure's cap, informative abstains.

The clique search (:func:`~._dependencies.clique_search`) joins functions whose agreement, co-votes and joint table all
say they are dependent, but never into a clique of more than ``max_clique`` (3) functions. A rule with three copies is
four functions that vote together; with the cap one copy is left out and counted as independent evidence, and on
simulated rule sets with such groups the label model falls below majority vote (issue 15; ``benchmarks/RESULTS.md``,
session 53, clique53).

The cap of 3 bounds the joint outcome of a clique, ``(K + 1)^size`` values per class, which EM's M-step and prior
(:func:`~._em.clique_vote_prior`) carry in full, each a free parameter per class. Where :data:`GROW_CLIQUES` is on,
the search may grow a clique past ``max_clique`` up to :data:`GROWN_CAP` functions, but only by complete linkage
(:func:`all_covote`: every pair across the two joining groups co-votes with z at least :data:`NEAR_COPY` times the
search's threshold; with :data:`EFFECT_LINK`, z over the threshold and a co-vote correlation given the class of at
least :data:`NEAR_COPY_CORR`, which does not grow with the items as a z-score does), so a clique does not grow by a
chain of single pairs through independent functions; a cap by the outcome table's size (``(K + 1)^s <= 1296``) cut
rules with five copies into parts at K = 3 and 5 and failed its judging (``benchmarks/dev_weak_clique_cap.py``). The
moment fit and the search's pair tests are unchanged; the informative fit's one-class check
(:func:`~._fit_check.fitted_check`) keeps the groups it is given whole, at any size, and grows one past
``max_clique`` itself only where the search's linkage joins its parts (:func:`check_keeps_cap`, :func:`linked_parts`).

A clique grown past ``max_clique`` is a group of functions that vote on the same items far more than chance (the
search's co-vote test): copies of a rule share its abstains, so *who votes* carries the rule's trigger, which
Dawid-Skene's missing-abstain model (who votes is assignment) assumes away; with such a clique the missing fit can
follow the clique's vote pattern instead of the class (simulated sets sim7302, sim8602 of ``bench_weak.py``'s
generator). There ``abstains="auto"`` keeps informative abstains (:func:`grown_abstains`).

References
----------
A. Ratner, B. Hancock, J. Dunnmon, F. Sala, S. Pandey and C. Ré, "Training Complex Models with Multi-Task Weak
Supervision", AAAI 2019 (cliques of dependent functions as one joint outcome).
S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models without Labeled Data", ICML 2017.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "CHECK_LINK",
    "EFFECT_LINK",
    "GROWN_CAP",
    "GROW_CLIQUES",
    "NEAR_COPY",
    "NEAR_COPY_CORR",
    "all_covote",
    "check_keeps_cap",
    "clique_limits",
    "grown_abstains",
    "linked_parts",
]

#: Whether the clique search may grow cliques of near-copies to :data:`GROWN_CAP` (:func:`clique_limits`) and a grown
#: clique keeps informative abstains: on, adopted by the rule of ``benchmarks/dev_weak_clique_cap.py`` (session 53).
GROW_CLIQUES = True

#: Past ``max_clique``, every pair across two joining groups must co-vote with a z-score at least this many times the
#: search's threshold (:func:`all_covote`; chosen on exploration seeds, ``benchmarks/dev_weak_clique_cap.py``).
NEAR_COPY = 4.0

#: Whether the complete linkage asks every cross pair for an effect size instead of ``z >= NEAR_COPY x threshold``,
#: whose bar drifts with the items (false joins at 30,000-100,000 items): co-vote z over the search's threshold
#: (significance) and co-vote correlation given the class (:meth:`~._dependencies.PairTables.covote_corr_all`) at
#: least :data:`NEAR_COPY_CORR`; and the informative fit's one-class check may not grow a group past ``max_clique``
#: (:func:`check_keeps_cap`). On: adopted by the rule of ``benchmarks/dev_weak_clique_cap_n.py`` (session 53).
EFFECT_LINK = True

#: Whether the one-class check's new group past ``max_clique`` (:func:`check_keeps_cap`) is kept where every pair
#: across the groups it joins passes the search's complete linkage (:func:`all_covote` on the vote shares), instead of
#: the check's result being dropped. On: adopted by the rule of ``benchmarks/dev_weak_clique_bars.py`` (session 54).
CHECK_LINK = True

#: The co-vote correlation bar of :data:`EFFECT_LINK`: on the seen 10,000-item sets the value that decides the
#: fewest pairs over the threshold differently from ``z >= NEAR_COPY x threshold`` (79 of 3,616).
NEAR_COPY_CORR = 0.42

#: The largest clique the search may grow past ``max_clique`` by near-copies: the learned structure's
#: (:data:`~._one_class_fit.LEARNED_MAX_CLIQUE`, Varma et al.'s singleton separators: a trigger's readers are one
#: clique), so a rule with up to five copies is one clique at every ``K``.
GROWN_CAP = 6


def clique_limits(model: Any, size: int) -> dict[str, Any]:
    """The clique search's keyword limits (:func:`~._dependencies.clique_search`'s ``max_size`` and ``full_past``):
    ``size`` (the model's plan), or with :data:`GROW_CLIQUES` on and the model's own search (no learned pairs),
    :data:`GROWN_CAP` where that is more, past ``size`` by complete linkage (:func:`all_covote`)."""
    if not GROW_CLIQUES or getattr(model, "_structure_learned", False):
        return {"max_size": size}
    return {"max_size": max(size, GROWN_CAP), "full_past": size}


def all_covote(tables: Any, threshold: float) -> Callable[[list[int], list[int]], bool]:
    """Whether two groups may join past the plan's size: every pair across them votes together far more than
    coverages independent given the class explain (``tables``' :meth:`~._dependencies.PairTables.covote_z_all`
    at least :data:`NEAR_COPY` times ``threshold``; with :data:`EFFECT_LINK`, over ``threshold`` and
    :meth:`~._dependencies.PairTables.covote_corr_all` at least :data:`NEAR_COPY_CORR`): each member a near-copy of
    each, not a chain of pairs (two independent rules joined through a third). Co-votes, not agreement: a one-class
    rule and its copy agree with z = 0."""
    held: list[np.ndarray] = []

    def linked(a: list[int], b: list[int]) -> bool:
        if not held:
            held.append(tables.covote_z_all())
            if EFFECT_LINK:
                held.append(tables.covote_corr_all())
        cross = np.ix_(a, b)
        if EFFECT_LINK:
            return bool((held[0][cross] > threshold).all() and (held[1][cross] >= NEAR_COPY_CORR).all())
        return bool((held[0][cross] >= NEAR_COPY * threshold).all())

    return linked


def check_keeps_cap(
    model: Any, groups: Sequence[Sequence[int]], new: list[list[int]] | None, rows: tuple[Any, ...] | None = None
) -> list[list[int]] | None:
    """The one-class check's new groups (:func:`~._fit_check.fitted_check`), or ``None`` (the fit kept) where
    :data:`EFFECT_LINK` is on and one of them has more than ``model.max_clique`` functions without being one of the
    given ``groups``: the check joins by its own pair test, without complete linkage, so past the cap it grew
    cliques of independent one-class functions. With :data:`CHECK_LINK` and ``rows`` (the check's vote rows, their
    indicator, weights, ``K``, gram and threshold), such a group is kept where the parts it joins are linked
    (:func:`linked_parts`)."""
    if not EFFECT_LINK or new is None:
        return new
    given = {tuple(g) for g in groups}
    grown = [g for g in new if len(g) > int(model.max_clique) and tuple(g) not in given]
    if not grown:
        return new
    if CHECK_LINK and rows is not None and linked_parts(grown, groups, *rows):
        return new
    return None


def linked_parts(
    grown: Sequence[Sequence[int]],
    groups: Sequence[Sequence[int]],
    matrix: np.ndarray,
    lam: Any,
    weights: np.ndarray,
    n_classes: int,
    gram: Any,
    threshold: float,
) -> bool:
    """Whether every group of ``grown`` passes the clique search's complete linkage (:func:`all_covote`, on the vote
    shares as the search computes it) between each two of its parts, a part being its functions of one of
    ``groups``: the check then joined near-copies, as the search would have."""
    from ._dependencies import PairTables, shared_counts
    from ._posterior import vote_shares

    m = matrix.shape[1]
    shares = vote_shares(lam, m, n_classes)
    sums = shared_counts(lam, shares, weights, m, gram, matrix)
    linked = all_covote(PairTables(matrix, shares, weights, n_classes, sums), threshold)
    owner = {j: t for t, g in enumerate(groups) for j in g}
    for g in grown:
        parts = [[j for j in g if owner[j] == t] for t in sorted({owner[j] for j in g})]
        if not all(linked(a, b) for i, a in enumerate(parts) for b in parts[i + 1 :]):
            return False
    return True


def grown_abstains(model: Any, groups: Sequence[Sequence[int]], abstains: str) -> str:
    """The abstain model EM fits: ``abstains``, or ``"informative"`` where :data:`GROW_CLIQUES` is on, the model's
    ``abstains`` is ``"auto"`` and one of ``groups`` has more than ``model.max_clique`` functions without learned
    pairs (a clique the grown cap made: functions that share their abstains)."""
    if not GROW_CLIQUES or model.abstains != "auto" or getattr(model, "_structure_learned", False):
        return abstains
    grown = any(len(g) > int(model.max_clique) for g in groups)
    return "informative" if grown and abstains == "auto" else abstains
