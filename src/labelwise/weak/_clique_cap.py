"""Cliques of copies larger than ``max_clique``: a cap by the joint outcome's size and the abstain model they imply.

The clique search (:func:`~._dependencies.clique_search`) joins functions whose agreement, co-votes and joint table all
say they are dependent, but never into a clique of more than ``max_clique`` (3) functions. A rule with three copies is
four functions that vote together; with the cap one copy is left out and counted as independent evidence, and on
simulated rule sets with such groups the label model falls below majority vote (issue 15; ``benchmarks/RESULTS.md``,
session 53, clique53).

The cap of 3 bounds the joint outcome of a clique, ``(K + 1)^size`` values per class, which EM's M-step and prior
(:func:`~._em.clique_vote_prior`) carry in full, each a free parameter per class. Where :data:`GROW_CLIQUES` is on,
the search's cap is instead the largest size whose joint outcome stays within :data:`MAX_OUTCOMES` values
(:func:`clique_limits`; at least ``max_clique``): the same bound on the table's size at every ``K``, not the same
number of members. Past ``max_clique`` two groups join only by complete linkage (:func:`all_covote`: every pair across
them co-votes with z at least :data:`NEAR_COPY` times the search's threshold), so a clique does not grow by a chain of
single pairs through independent functions. The moment fit and the search's pair tests are unchanged; the
informative fit's one-class check (:func:`~._fit_check.fitted_check`) keeps the groups it is given whole, at any size.

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

__all__ = ["GROW_CLIQUES", "MAX_OUTCOMES", "NEAR_COPY", "all_covote", "clique_limits", "grown_abstains"]

#: Whether the clique search's cap follows :func:`clique_cap` and a grown clique keeps informative abstains
#: (``benchmarks/dev_weak_clique_cap.py`` registers and judges it).
GROW_CLIQUES = False

#: Past ``max_clique``, every pair across two joining groups must co-vote with a z-score at least this many times the
#: search's threshold (:func:`all_covote`; chosen on exploration seeds, ``benchmarks/dev_weak_clique_cap.py``).
NEAR_COPY = 4.0

#: The most joint outcomes ``(K + 1)^size`` a clique grown past ``max_clique`` may have (chosen on exploration seeds
#: of ``benchmarks/dev_weak_clique_cap.py``'s copy family; its docstring gives the reason).
MAX_OUTCOMES = 1296


def clique_limits(model: Any, size: int, n_classes: int) -> dict[str, Any]:
    """The clique search's keyword limits (:func:`~._dependencies.clique_search`'s ``max_size`` and ``full_past``):
    ``size`` (the model's plan), or with :data:`GROW_CLIQUES` on and the model's own search (no learned pairs), the
    largest ``s`` with ``(n_classes + 1)^s <= MAX_OUTCOMES`` where that is more, past ``size`` by complete linkage
    (:func:`all_covote`)."""
    if not GROW_CLIQUES or getattr(model, "_structure_learned", False):
        return {"max_size": size}
    s = size
    while (n_classes + 1) ** (s + 1) <= MAX_OUTCOMES:
        s += 1
    return {"max_size": s, "full_past": size}


def all_covote(tables: Any, threshold: float) -> Callable[[list[int], list[int]], bool]:
    """Whether two groups may join past the plan's size: every pair across them votes together far more than
    coverages independent given the class explain (``tables``' :meth:`~._dependencies.PairTables.covote_z_all`
    at least :data:`NEAR_COPY` times ``threshold``): each member a near-copy of each, not a chain of pairs (two
    independent rules joined through a third). Co-votes, not agreement: a one-class rule and its copy agree with
    z = 0."""
    held: list[np.ndarray] = []

    def linked(a: list[int], b: list[int]) -> bool:
        if not held:
            held.append(tables.covote_z_all())
        return bool((held[0][np.ix_(a, b)] >= NEAR_COPY * threshold).all())

    return linked


def grown_abstains(model: Any, groups: Sequence[Sequence[int]], abstains: str) -> str:
    """The abstain model EM fits: ``abstains``, or ``"informative"`` where :data:`GROW_CLIQUES` is on, the model's
    ``abstains`` is ``"auto"`` and one of ``groups`` has more than ``model.max_clique`` functions without learned
    pairs (a clique the grown cap made: functions that share their abstains)."""
    if not GROW_CLIQUES or model.abstains != "auto" or getattr(model, "_structure_learned", False):
        return abstains
    grown = any(len(g) > int(model.max_clique) for g in groups)
    return "informative" if grown and abstains == "auto" else abstains
