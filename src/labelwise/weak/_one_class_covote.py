"""The clique search's second screen: a pair of a one-class function and a function voting several classes, admitted
by its co-votes where the search has grown a clique past its plan.

The search (:func:`~._dependencies.clique_search`) screens pairs by their agreement z-score
(:func:`~._dependencies.agreement_excess`). A function that votes one class only agrees with another whenever that one
votes its class: given the class nothing is left to excess, so a copy of a one-class rule has an agreement z near 0 and
is missed at small n (documented in :func:`~._clique_cap.all_covote`). Where the search has grown a clique past its
plan (near-copies: ``abstains="auto"`` then fits informative abstains, :func:`~._clique_cap.grown_abstains`), such
missed copies are counted as independent functions. There, after the search's own pairs, this screen offers it the
pairs of one one-class function and one function voting several classes whose co-vote z-score
(:meth:`~._dependencies.PairTables.covote_z_all`; Bach et al.'s dependency question asked of who votes) is over the
search's threshold and whose co-vote correlation given the class (:meth:`~._dependencies.PairTables.covote_corr_all`)
is at least :data:`~._clique_cap.NEAR_COPY_CORR`, strongest first, each still to pass the search's own tests (co-vote
z, joint table by BIC, the grown cap's linkage). No new threshold. Two one-class functions are left to the informative
fit's one-class check (:mod:`._one_class`): under the vote shares the search reads, two independent rules that fire on
the same class co-vote beyond what the shares explain. Chosen on seen simulated sets
(``benchmarks/dev_weak_clique_screen.py``, re-registered in ``benchmarks/dev_weak_clique_screen2.py``).

References
----------
S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models without Labeled Data", ICML 2017.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SCREEN_ONE_CLASS", "SCREEN_UNGROWN", "one_class_screen", "screened_groups"]

#: Whether :func:`one_class_screen` offers the search pairs of a one-class function by their co-votes (off: the
#: agreement screen alone). On since session 54 (``benchmarks/dev_weak_clique_screen2.py``'s judging).
SCREEN_ONE_CLASS = True

#: Whether the screen is also offered where the search grew no clique past its plan, its joins then kept only in the
#: new groups they grow past the plan (:func:`screened_groups`): a one-class rule with three or more copies missed at
#: small n. A new group with two members that voted on exactly the same items is refused (a crowd's shared
#: assignment, not copies). Off (main's): ``benchmarks/dev_weak_copy_fix55.py`` judged it without the refusal (session
#: 55, failed on a crowd's shared batch); registered with it in ``benchmarks/dev_weak_copy_fix2.py`` before its judging.
SCREEN_UNGROWN = False


def one_class_screen(
    z: np.ndarray, matrix: np.ndarray, tables: Any, threshold: float, groups: list[list[int]], full_past: int | None
) -> np.ndarray | None:
    """The pairs the search tests after its own, scored by their co-vote z (0 for the others), or ``None``.

    Parameters
    ----------
    z : numpy.ndarray
        (m, m) the search's agreement z-scores; a pair over ``threshold`` was tested already.
    matrix : numpy.ndarray
        The vote rows (``-1`` = abstain), one column per function.
    tables : PairTables
        The search's :class:`~._dependencies.PairTables` of the same rows.
    threshold : float
        The search's threshold.
    groups : list of list of int
        The search's cliques.
    full_past : int or None
        The plan's size past which the search grows cliques by linkage (``None``: it does not).

    Returns
    -------
    numpy.ndarray or None
        ``None`` when :data:`SCREEN_ONE_CLASS` is off, no group is past ``full_past`` (without
        :data:`SCREEN_UNGROWN`) or no pair passes.
    """
    from ._clique_cap import NEAR_COPY_CORR
    from ._one_class import one_class_functions

    grown = full_past is not None and (SCREEN_UNGROWN or any(len(g) > full_past for g in groups))
    one = one_class_functions(matrix) if SCREEN_ONE_CLASS and grown else None
    if one is None or one.all() or not one.any():
        return None
    covote = tables.covote_z_all()
    pairs = (one[:, None] != one[None, :]) & ~(z > threshold) & (covote > threshold)
    near = pairs & (tables.covote_corr_all() >= NEAR_COPY_CORR)
    return np.where(near, covote, 0.0) if near.any() else None


def screened_groups(
    groups: list[list[int]], new: list[list[int]], full_past: int | None, matrix: np.ndarray
) -> list[list[int]]:
    """The search's groups after the screen's pairs: ``new`` where ``groups`` (before them) already hold a clique
    past ``full_past``; otherwise (:data:`SCREEN_UNGROWN`) only the groups of ``new`` past ``full_past`` that
    ``groups`` lack and in which no two members voted on exactly the same items of ``matrix`` (-1: abstain), each of
    ``groups`` kept less their members. A pair or a triple the screen joins stays apart, as without the screen (joins
    that small moved ``abstains="auto"``'s choice on seen sets; a clique past the plan keeps informative abstains,
    :func:`~._clique_cap.grown_abstains`). A rule's copy votes on its own where the rule abstains; workers given the
    same batch of items (a crowd's assignment) vote on exactly the same ones, and their co-votes are the assignment's.
    """
    if full_past is None or any(len(g) > full_past for g in groups):
        return new
    old = {tuple(g) for g in groups}
    voted = matrix >= 0
    grown = [g for g in new if len(g) > full_past and tuple(g) not in old and not _same_items(voted[:, g])]
    taken = {j for g in grown for j in g}
    rest = [[j for j in g if j not in taken] for g in groups]
    return sorted(grown + [g for g in rest if g], key=min)


def _same_items(voted: np.ndarray) -> bool:
    """Whether two columns of the (items, members) vote indicator ``voted`` are equal."""
    return len({col.tobytes() for col in np.packbits(voted, axis=0).T}) < voted.shape[1]
