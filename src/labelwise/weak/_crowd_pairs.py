"""Dependent pairs of crowd workers for the label model, found by aggregate's Dawid-Skene pair check.

With missing abstains the label model *is* Dawid-Skene's model (who votes says nothing of the
class), so the check of :class:`labelwise.aggregate.DawidSkene` applies to it as it stands: for
each pair of functions sharing enough items, their agreements against the number predicted by
a fit of every other vote, a posterior predictive check (Gelman, Meng and Stern 1996; the
check, its screens and thresholds are :mod:`labelwise.aggregate._pair_check` and
:mod:`labelwise.aggregate._dependent`, reused here, not copied). This module only feeds it the
label model's vote rows: the distinct rows, each weighted by its number of items, are the
answer patterns Dawid-Skene iterates over.

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..aggregate._answers import EncodedAnswers
from ..aggregate._observed import _no_pairs, _Observed
from ..aggregate._patterns import AnswerPatterns
from ..aggregate.dawid_skene import DawidSkene
from ..aggregate.majority import weighted_vote_shares

__all__ = ["PAIR_COLUMNS", "dependent_pairs", "join_free_pairs", "pairs_frame"]

#: The columns of a dependent pair (``dependent_pairs_``), the functions as ``a`` and ``b``.
PAIR_COLUMNS = ("n_shared", "agreements", "expected", "z")


def dependent_pairs(
    matrix: np.ndarray, weights: np.ndarray, n_classes: int, *, threshold: float, prior_strength: float
) -> np.ndarray:
    """Pairs of functions whose votes agree more than Dawid-Skene's model fitted without them predicts.

    Parameters
    ----------
    matrix : ndarray of shape (n_rows, m), int
        Vote rows (``-1``: abstain); every row holds at least one vote.
    weights : ndarray of shape (n_rows,)
        Items per row.
    n_classes : int
    threshold : float
        The check's ``z`` threshold (``DawidSkene(dependency_threshold=...)``).
    prior_strength : float
        Strength of the diagonal prior of the fits the check makes (``DawidSkene(prior_strength=...)``).

    Returns
    -------
    ndarray of shape (n_pairs, 6)
        One row ``(a, b, n_shared, agreements, expected, z)`` per dependent pair (``a``, ``b``:
        function positions), as ``DawidSkene.dependent_pairs_`` reports them.
    """
    rows, cols = np.nonzero(matrix >= 0)  # row-major: answers sorted by (row, function)
    enc = EncodedAnswers(
        item_idx=rows.astype(np.int64),
        annotator_idx=cols.astype(np.int64),
        label_idx=matrix[rows, cols].astype(np.int64),
        item_values=pd.RangeIndex(matrix.shape[0]),
        annotator_values=pd.RangeIndex(matrix.shape[1]),
        classes=np.arange(n_classes),
    )
    pat = AnswerPatterns(enc, np.arange(matrix.shape[0]), np.asarray(weights, dtype=np.float64))
    est = DawidSkene(prior_strength=prior_strength, dependency_threshold=threshold)
    est.dependent_pairs_ = _no_pairs(enc)
    pseudo = est._pseudo_counts(pat)  # as DawidSkene's fit: before the count rows are built
    est._weigh_dependent(enc, _Observed.build(pat), weighted_vote_shares(enc), pseudo)
    return est.dependent_pairs_[["annotator_a", "annotator_b", *PAIR_COLUMNS]].to_numpy(dtype=np.float64)


def pairs_frame(pairs: np.ndarray, labelers: tuple[str, ...]) -> pd.DataFrame:
    """``dependent_pairs_``: :func:`dependent_pairs`' rows with the functions' names."""
    names = np.asarray(labelers, dtype=object)
    frame = {"labeler_a": names[pairs[:, 0].astype(np.int64)], "labeler_b": names[pairs[:, 1].astype(np.int64)]}
    return pd.DataFrame({**frame, **{c: pairs[:, t + 2] for t, c in enumerate(PAIR_COLUMNS)}})


def join_free_pairs(groups: list[list[int]], pairs: np.ndarray, max_size: int) -> list[list[int]]:
    """``groups`` with the dependent ``pairs`` (rows ``a, b, ..., z``) joined, strongest ``z`` first,
    where neither function is in a clique of ``groups`` and the joined group stays within
    ``max_size`` functions. The cliques already there (copies of a rule, given dependencies) are
    kept as they are."""
    free = {g[0] for g in groups if len(g) == 1}
    owner = {j: t for t, g in enumerate(groups) for j in g}
    members = {t: list(g) for t, g in enumerate(groups)}
    joined = False
    for row in pairs[np.argsort(-pairs[:, -1], kind="stable")] if len(pairs) else pairs:
        a, b = int(row[0]), int(row[1])
        ga, gb = owner[a], owner[b]
        if a not in free or b not in free or ga == gb or len(members[ga]) + len(members[gb]) > max_size:
            continue
        for j in members[gb]:
            owner[j] = ga
        members[ga] = sorted(members[ga] + members.pop(gb))
        joined = True
    return [members[t] for t in sorted(members)] if joined else groups
