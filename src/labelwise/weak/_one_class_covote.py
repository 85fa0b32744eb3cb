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

__all__ = ["SCREEN_ONE_CLASS", "one_class_screen"]

#: Whether :func:`one_class_screen` offers the search pairs of a one-class function by their co-votes (off: the
#: agreement screen alone). On since session 54 (``benchmarks/dev_weak_clique_screen2.py``'s judging).
SCREEN_ONE_CLASS = True


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
        ``None`` when :data:`SCREEN_ONE_CLASS` is off, no group is past ``full_past`` or no pair passes.
    """
    from ._clique_cap import NEAR_COPY_CORR
    from ._one_class import one_class_functions

    grown = full_past is not None and any(len(g) > full_past for g in groups)
    one = one_class_functions(matrix) if SCREEN_ONE_CLASS and grown else None
    if one is None or one.all() or not one.any():
        return None
    covote = tables.covote_z_all()
    pairs = (one[:, None] != one[None, :]) & ~(z > threshold) & (covote > threshold)
    near = pairs & (tables.covote_corr_all() >= NEAR_COPY_CORR)
    return np.where(near, covote, 0.0) if near.any() else None
