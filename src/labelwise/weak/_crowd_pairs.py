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

__all__ = ["dependent_pairs"]


def dependent_pairs(
    matrix: np.ndarray, weights: np.ndarray, n_classes: int, *, threshold: float, prior_strength: float
) -> pd.DataFrame:
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
    pandas.DataFrame
        ``DawidSkene.dependent_pairs_`` with function positions ``0 .. m - 1`` as
        ``annotator_a`` / ``annotator_b`` (empty when none).
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
    return est.dependent_pairs_
