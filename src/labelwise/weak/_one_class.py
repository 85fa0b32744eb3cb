"""The co-vote check of one-class labeling functions on a fitted label model (informative abstains).

A function that only ever votes one class (a keyword rule) says something by *when* it votes,
not by *what*: two such rules agree whenever they vote together, copy or not. The clique search
(:func:`~labelwise.weak._dependencies.clique_search`) screens pairs by their agreement excess,
so a copy of a one-class rule can slip through it, and the informative-abstain fit then counts
the rule twice. This check asks, after that fit, whether a pair with a one-class member votes
together more often than the fitted model predicts: the co-vote z-score
(:meth:`~labelwise.weak._dependencies.PairTables.covote_z`) under the fitted posterior, a
posterior predictive check (Gelman, Meng and Stern 1996) of the model's independence given the
class. Under a rough class posterior (the vote shares the search reads) two independent rules
that fire on the same class look dependent too; under the fitted model's posterior they do not,
while a copy's co-votes stay far over any threshold. Chosen on simulated data
(``benchmarks/dev_weak_one_class_check.py``).

References
----------
A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via realized
discrepancies", Statistica Sinica 6, 733-807, 1996.
S. H. Bach, B. He, A. Ratner and C. Ré, "Learning the Structure of Generative Models without
Labeled Data", ICML 2017.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._dependencies import PairTables, group_dependent, shared_coverage
from ._shared_steps import reused_for
from ._votes import ABSTAIN

__all__ = ["one_class_functions", "one_class_groups"]


def one_class_functions(matrix: np.ndarray) -> np.ndarray:
    """(m,) bool: the functions whose votes (``matrix``'s column, ``-1`` = abstain) are all one class.

    On signed integer votes, a column's highest vote is its maximum (the abstain ``-1`` is below every class)
    and its lowest the minimum of the same bits read unsigned (``-1`` is then above every class): two
    reductions, no masked copies; once per vote rows where the label model's fits share their steps."""
    return reused_for(matrix, "one_class_functions", lambda: _one_class_columns(np.asarray(matrix)))


def _one_class_columns(matrix: np.ndarray) -> np.ndarray:
    """:func:`one_class_functions`."""
    if matrix.dtype.kind == "i" and ABSTAIN == -1:
        high = matrix.max(axis=0, initial=-1)
        unsigned = np.dtype(matrix.dtype.str.replace("i", "u"))
        low = matrix.view(unsigned).min(axis=0, initial=np.iinfo(unsigned).max)
        return (high >= 0) & (low == high.astype(low.dtype))
    voted = matrix != ABSTAIN
    big = np.iinfo(np.int64).max
    low = np.where(voted, matrix, big).min(axis=0, initial=big)
    high = np.where(voted, matrix, -1).max(axis=0, initial=-1)
    return voted.any(axis=0) & (low == high)


def one_class_groups(
    matrix: np.ndarray,
    lam: sp.csr_matrix,
    weights: np.ndarray,
    n_classes: int,
    groups: list[list[int]],
    post: np.ndarray,
    *,
    threshold: float,
    min_shared: int,
    max_size: int,
    gram: sp.spmatrix | None = None,
) -> list[list[int]] | None:
    """The groups with the dependent one-class pairs joined, or ``None`` when none is found.

    ``matrix``: the vote rows (``-1`` = abstain), row ``i`` standing for ``weights[i]`` items;
    ``lam`` its one-hot indicator; ``post`` the fitted model's posterior of every row. A pair
    whose two functions are in different ``groups`` and one of which is one-class
    (:func:`one_class_functions`) is dependent when its co-vote z under ``post`` is over
    ``threshold``, it shares at least ``min_shared`` items and its joint table pays for itself by
    BIC under ``post`` (:meth:`~labelwise.weak._dependencies.PairTables.bic_gain`, as in the
    search). Such pairs are joined strongest first, the existing groups kept, every group within
    ``max_size`` functions (:func:`~labelwise.weak._dependencies.group_dependent`). ``gram`` (optional):
    ``lamᵀ W lam``, whose blocks count the items each pair shares
    (:func:`~labelwise.weak._dependencies.shared_from_gram`).
    """
    m = matrix.shape[1]
    one = one_class_functions(matrix)
    if not one.any():
        return None
    owner = np.empty(m, dtype=np.int64)
    for t, g in enumerate(groups):
        owner[g] = t
    either = (one[:, None] | one[None, :]) & (owner[:, None] != owner[None, :])
    sums = shared_coverage(lam, post, weights, m, gram)
    tables = PairTables(matrix, post, weights, n_classes, sums)
    z = np.where(either, tables.covote_z_all(), 0.0)
    if not (z > threshold).any():
        return None
    new = group_dependent(
        z,
        sums[0],
        threshold=threshold,
        min_shared=min_shared,
        max_size=max_size,
        forced=[(g[0], j) for g in groups for j in g[1:]],
        accept=lambda a, b: bool(tables.bic_gain([(a, b)])[0] > 0),
    )
    same = sorted(map(tuple, new)) == sorted(map(tuple, groups))
    return None if same else new
