"""Inter-annotator agreement on a long table of answers: Krippendorff's alpha, Fleiss' kappa, and
the agreement of each item and each annotator with a consensus label.

Everything is computed from the sparse item x class count matrix (one ``bincount``-style pass
over the answers), never by looping over items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import InvalidParameterError
from ._answers import EncodedAnswers, encode_answers
from ._base import csr_entry_rows

__all__ = [
    "Agreement",
    "agreement",
    "annotator_agreement",
    "fleiss_kappa",
    "item_agreement",
    "krippendorff_alpha",
]


def check_answers(answers: Any, *, name: str = "answers", labels: Any = None) -> EncodedAnswers:
    """Validate a long answer table and encode it (see :func:`~labelwise.aggregate.encode_answers`)."""
    return encode_answers(answers, labels=labels, name=name)


def _counts(enc: EncodedAnswers) -> sparse.csr_matrix:
    """Item x class answer counts (duplicates summed, explicit zeros removed)."""
    counts = enc.votes.copy()
    counts.sum_duplicates()
    counts.eliminate_zeros()
    return counts


def krippendorff_alpha(answers: pd.DataFrame, *, labels: Any = None) -> float:
    """Krippendorff's alpha for nominal data.

    Builds the coincidence matrix from the item x class counts ``n_uc``: each item ``u`` with
    ``m_u >= 2`` answers (a *pairable* unit) contributes ``n_uc n_uk / (m_u - 1)`` to ``o_ck`` for
    ``c != k`` and ``n_uc (n_uc - 1) / (m_u - 1)`` to ``o_cc``. With ``n_c = sum_k o_ck`` and
    ``n = sum_c n_c``, nominal alpha is ``1 - (n - 1) * (n - sum_c o_cc) / (n**2 - sum_c n_c**2)``.
    Missing answers (an annotator who did not label an item) are simply absent rows. Every answer
    counts as one value, so duplicate (item, annotator) answers count twice.

    Parameters
    ----------
    answers : DataFrame
        Long table with columns ``item``, ``annotator``, ``label``.
    labels : sequence, optional
        The declared label set (answers outside it are an error).

    Returns
    -------
    float
        Alpha in ``(-1, 1]``; 1 is perfect agreement, 0 agreement at chance. NaN when no item has
        two answers or when every answer has the same value (alpha is undefined, 0/0).

    References
    ----------
    .. [1] Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability. Annenberg School
       for Communication, University of Pennsylvania, Departmental Papers 43.
    .. [2] Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard reliability
       measure for coding data. Communication Methods and Measures, 1(1), 77-89.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"item": [1, 1, 2, 2], "annotator": ["a", "b", "a", "b"],
    ...                         "label": ["x", "x", "y", "y"]})
    >>> krippendorff_alpha(answers)
    1.0
    """
    return _alpha(_counts(check_answers(answers, labels=labels)))


def _alpha(counts: sparse.csr_matrix) -> float:
    """Nominal alpha from the item x class count matrix."""
    m = np.asarray(counts.sum(axis=1)).ravel()
    pairable = m >= 2
    if not pairable.any():
        return float("nan")
    rows = csr_entry_rows(counts)
    keep = pairable[rows]
    n_uc = counts.data[keep]
    weight = 1.0 / (m[rows[keep]] - 1.0)
    cols = counts.indices[keep]
    k = counts.shape[1]
    o_diag = np.bincount(cols, weights=n_uc * (n_uc - 1.0) * weight, minlength=k)
    n_c = np.bincount(cols, weights=n_uc, minlength=k)
    n = n_c.sum()
    expected = n * n - np.square(n_c).sum()
    if expected <= 0:
        return float("nan")
    return float(1.0 - (n - 1.0) * (n - o_diag.sum()) / expected)


def fleiss_kappa(answers: pd.DataFrame, *, labels: Any = None) -> float:
    """Fleiss' kappa for many raters and nominal categories.

    With ``n_ij`` the answers of category ``j`` on item ``i`` and ``n_i`` the answers on item
    ``i``: ``P_i = (sum_j n_ij**2 - n_i) / (n_i (n_i - 1))``, ``P_bar`` the mean of ``P_i``,
    ``p_j`` the share of all answers in category ``j``, ``P_e = sum_j p_j**2`` and
    ``kappa = (P_bar - P_e) / (1 - P_e)``. Fleiss (1971) assumes the same number of answers per
    item; when it varies, ``P_i`` is computed with each item's own ``n_i`` and items with fewer
    than two answers are left out, which reduces to Fleiss' formula when ``n_i`` is constant.

    Parameters
    ----------
    answers : DataFrame
        Long table with columns ``item``, ``annotator``, ``label``.
    labels : sequence, optional
        The declared label set.

    Returns
    -------
    float
        Kappa; NaN when no item has two answers or when every answer has the same value.

    References
    ----------
    .. [1] Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
       Psychological Bulletin, 76(5), 378-382.
    """
    return _kappa(_counts(check_answers(answers, labels=labels)))


def _kappa(counts: sparse.csr_matrix) -> float:
    """Fleiss' kappa from the item x class count matrix."""
    n_i = np.asarray(counts.sum(axis=1)).ravel()
    ok = n_i >= 2
    if not ok.any():
        return float("nan")
    sq = np.asarray(counts.multiply(counts).sum(axis=1)).ravel()
    p_i = (sq[ok] - n_i[ok]) / (n_i[ok] * (n_i[ok] - 1.0))
    p_bar = p_i.mean()
    p_j = np.asarray(counts[ok].sum(axis=0)).ravel()
    p_j = p_j / p_j.sum()
    p_e = float(np.square(p_j).sum())
    if p_e >= 1.0:
        return float("nan")
    return float((p_bar - p_e) / (1.0 - p_e))


def _consensus_codes(enc: EncodedAnswers, consensus: Any) -> np.ndarray:
    """Consensus label of each answer's item as a code into ``enc.classes`` (-1: none / unknown)."""
    if isinstance(consensus, pd.Series):
        series = consensus
    elif hasattr(consensus, "labels_") and isinstance(consensus.labels_, pd.Series):
        series = consensus.labels_
    else:
        raise InvalidParameterError(
            f"consensus must be a pandas Series of labels indexed by item (or a fitted aggregator with labels_), "
            f"got {type(consensus).__name__}"
        )
    per_item = series.reindex(pd.Index(enc.items))
    return pd.Index(enc.classes).get_indexer(per_item.to_numpy())


def item_agreement(answers: pd.DataFrame, consensus: Any) -> pd.Series:
    """Share of each item's answers that equal its consensus label.

    Parameters
    ----------
    answers : DataFrame
        Long table with columns ``item``, ``annotator``, ``label``.
    consensus : Series or fitted aggregator
        Consensus label per item (index = item), e.g. ``DawidSkene().fit(answers).labels_``.

    Returns
    -------
    Series
        Indexed by item (sorted), values in ``[0, 1]``; NaN for items without a consensus label.
    """
    enc = check_answers(answers)
    item_codes = _consensus_codes(enc, consensus)
    match = (item_codes[enc.item_idx] == enc.label_idx).astype(np.float64)
    n = enc.n_items
    total = np.bincount(enc.item_idx, minlength=n).astype(np.float64)
    agree = np.bincount(enc.item_idx, weights=match, minlength=n) / total
    agree[item_codes < 0] = np.nan
    return pd.Series(agree, index=enc.item_index(), name="agreement")


def annotator_agreement(answers: pd.DataFrame, consensus: Any) -> pd.DataFrame:
    """Each annotator's number of answers and share of them equal to the consensus label.

    Answers on items without a consensus label are left out of the share.

    Returns
    -------
    DataFrame
        Indexed by annotator (sorted), columns ``answers`` (int) and ``agreement`` (float, NaN
        when none of the annotator's items has a consensus).
    """
    enc = check_answers(answers)
    item_codes = _consensus_codes(enc, consensus)
    target = item_codes[enc.item_idx]
    known = target >= 0
    a = enc.n_annotators
    n_answers = np.bincount(enc.annotator_idx, minlength=a)
    n_known = np.bincount(enc.annotator_idx[known], minlength=a).astype(np.float64)
    n_match = np.bincount(
        enc.annotator_idx[known], weights=(target[known] == enc.label_idx[known]).astype(np.float64), minlength=a
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_known > 0, n_match / np.maximum(n_known, 1.0), np.nan)
    return pd.DataFrame({"answers": n_answers.astype(np.int64), "agreement": share}, index=enc.annotator_index())


@dataclass(frozen=True)
class Agreement:
    """Dataset-level agreement of a long answer table.

    Attributes
    ----------
    krippendorff_alpha, fleiss_kappa : float
        See :func:`krippendorff_alpha` and :func:`fleiss_kappa` (NaN when undefined).
    n_items, n_annotators, n_answers : int
        Size of the table.
    n_pairable_items : int
        Items with at least two answers (the only ones agreement is measured on).
    """

    krippendorff_alpha: float
    fleiss_kappa: float
    n_items: int
    n_annotators: int
    n_answers: int
    n_pairable_items: int

    def to_frame(self) -> pd.DataFrame:
        """One row with every field."""
        return pd.DataFrame([self.__dict__])


def agreement(answers: pd.DataFrame, *, labels: Any = None) -> Agreement:
    """Krippendorff's alpha, Fleiss' kappa and table sizes in one :class:`Agreement`."""
    enc = check_answers(answers, labels=labels)
    counts = _counts(enc)
    per_item = np.bincount(enc.item_idx, minlength=enc.n_items)
    return Agreement(
        krippendorff_alpha=_alpha(counts),
        fleiss_kappa=_kappa(counts),
        n_items=enc.n_items,
        n_annotators=enc.n_annotators,
        n_answers=enc.n_answers,
        n_pairable_items=int((per_item >= 2).sum()),
    )
