"""The clique search's second screen: a pair of a one-class function and a function voting several classes, admitted
by its co-votes where the search has grown a clique past its plan, and where it has not, by its co-votes and a test of
its votes given the class (:data:`SCREEN_GIVEN_CLASS`).

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

Where the search grew no clique, a one-class rule's three to five copies are missed all the same (most of the copy
family's falls below majority vote at 1,000 items). Co-votes alone cannot tell them from crowd workers given the same
batch of items (who votes is the assignment). There each pair the screen offers must also pass :func:`copied_vote_z`,
a Cochran-Mantel-Haenszel test of whether the multi-class function's *votes* follow the one-class function's firing
within each class; only the cliques it grows past the plan are kept (:func:`screened_groups`). Registered and judged
in ``benchmarks/dev_weak_copy_fix56.py``.

References
----------
S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models without Labeled Data", ICML 2017.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SCREEN_GIVEN_CLASS", "SCREEN_ONE_CLASS", "copied_vote_z", "one_class_screen", "screened_groups"]

#: Whether :func:`one_class_screen` offers the search pairs of a one-class function by their co-votes (off: the
#: agreement screen alone). On since session 54 (``benchmarks/dev_weak_clique_screen2.py``'s judging).
SCREEN_ONE_CLASS = True

#: Whether the screen is also offered where the search grew no clique past its plan, each of its pairs kept only
#: where the other function's votes depend on the one-class function's firing given the class
#: (:func:`copied_vote_z` over the search's threshold), and its joins kept only in the new groups they grow past the
#: plan (:func:`screened_groups`). On since session 56 (``benchmarks/dev_weak_copy_fix56.py``'s judging).
SCREEN_GIVEN_CLASS = True


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
    ungrown = full_past is not None and not grown and SCREEN_GIVEN_CLASS
    one = one_class_functions(matrix) if SCREEN_ONE_CLASS and (grown or ungrown) else None
    if one is None or one.all() or not one.any():
        return None
    covote = tables.covote_z_all()
    pairs = (one[:, None] != one[None, :]) & ~(z > threshold) & (covote > threshold)
    near = pairs & (tables.covote_corr_all() >= NEAR_COPY_CORR)
    if ungrown and near.any():
        near &= _copied(matrix, tables, one, near, threshold)
    return np.where(near, covote, 0.0) if near.any() else None


def _copied(matrix: np.ndarray, tables: Any, one: np.ndarray, near: np.ndarray, threshold: float) -> np.ndarray:
    """(m, m) bool: the pairs of ``near`` (one one-class member each) whose :func:`copied_vote_z` is over
    ``threshold`` under ``tables``' posterior and weights."""
    a, b = np.nonzero(np.triu(near))
    rule = np.where(one[a], a, b)
    pairs = list(zip(rule.tolist(), np.where(one[a], b, a).tolist(), strict=True))
    z = copied_vote_z(matrix, tables._post, tables.weights, pairs)
    out = np.zeros_like(near)
    out[a, b] = out[b, a] = z > threshold
    return out


def copied_vote_z(
    matrix: np.ndarray, post: np.ndarray, weights: np.ndarray, pairs: list[tuple[int, int]]
) -> np.ndarray:
    """Mantel-Haenszel z-score of each pair ``(r, c)``: does ``c`` vote ``r``'s class more often where the one-class
    function ``r`` fires, on the items ``c`` votes on, within each class?

    ``r`` votes one class ``a``. On the items ``c`` votes on (``matrix``: the vote rows, ``-1`` = abstain, row ``i``
    standing for ``weights[i]`` items), each class ``y`` of the posterior ``post`` gives a 2x2 table of expected counts
    ``n_y[f, s] = Σ_i w_i post[i, y] [r fires = f] [c votes a = s]``; the Cochran-Mantel-Haenszel statistic
    ``z = Σ_y (n_y[1, 1] - E_y) / sqrt(Σ_y V_y)``, ``E_y = n_y[1, ·] n_y[·, 1] / N_y`` and
    ``V_y = n_y[1, ·] n_y[0, ·] n_y[·, 1] n_y[·, 0] / (N_y^2 (N_y - 1))`` (strata with ``N_y <= 1`` left out), asks
    whether ``c``'s *vote* depends on ``r``'s firing given the class. A copy of ``r`` votes ``a`` where ``r`` fires
    (its errors too) and its own votes elsewhere: z is large and positive. Who votes does not enter: two workers
    given the same items (a crowd's assignment) vote independently given the class, one of them one class or not,
    so z is near 0 (or has no items where ``r`` abstains and ``c`` votes: 0). One-sided: a class posterior read
    from the votes themselves leans toward ``a`` where ``r`` fires, which pushes z of an independent pair down, not up.
    0 where the variance is 0.

    References
    ----------
    W. G. Cochran, "Some Methods for Strengthening the Common χ² Tests", Biometrics 10(4), 417-451, 1954.
    N. Mantel and W. Haenszel, "Statistical Aspects of the Analysis of Data From Retrospective Studies of Disease",
    Journal of the National Cancer Institute 22(4), 719-748, 1959.
    """
    mass = post * np.asarray(weights, dtype=np.float64)[:, None]
    out = np.zeros(len(pairs))
    for t, (r, c) in enumerate(pairs):
        voted = matrix[:, c] >= 0
        if not voted.any() or not (matrix[:, r] >= 0).any():
            continue
        cls = int(matrix[matrix[:, r] >= 0, r][0])
        fires = (matrix[voted, r] >= 0).astype(np.float64)
        same = (matrix[voted, c] == cls).astype(np.float64)
        m = mass[voted]  # (items c votes on, K)
        n_y = m.sum(axis=0)
        f1, s1, both = fires @ m, same @ m, (fires * same) @ m
        keep = n_y > 1.0
        expected = f1 * s1 / np.maximum(n_y, 1e-300)
        var = f1 * (n_y - f1) * s1 * (n_y - s1) / np.maximum(n_y**2 * (n_y - 1.0), 1e-300)
        v = float(var[keep].sum())
        out[t] = float((both - expected)[keep].sum()) / np.sqrt(v) if v > 1e-9 else 0.0
    return out


def screened_groups(groups: list[list[int]], new: list[list[int]], full_past: int | None) -> list[list[int]]:
    """The search's groups after the screen's pairs: ``new`` where ``groups`` (before them) already hold a clique
    past ``full_past`` or :data:`SCREEN_GIVEN_CLASS` is off; otherwise only the groups of ``new`` past ``full_past``
    that ``groups`` lack, each of ``groups`` kept less their members (``groups`` itself where there is none). A pair or a triple the screen joins stays apart,
    as without the screen (joins that small moved ``abstains="auto"``'s choice on seen sets; a clique past the plan
    keeps informative abstains, :func:`~._clique_cap.grown_abstains`)."""
    if not SCREEN_GIVEN_CLASS or full_past is None or any(len(g) > full_past for g in groups):
        return new
    old = {tuple(g) for g in groups}
    grown = [g for g in new if len(g) > full_past and tuple(g) not in old]
    if not grown:
        return groups
    taken = {j for g in grown for j in g}
    rest = [[j for j in g if j not in taken] for g in groups]
    return sorted(grown + [g for g in rest if g], key=min)
