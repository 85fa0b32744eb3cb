"""Majority vote: the most frequent label per item, with seeded random tie-breaking."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._answers import EncodedAnswers
from ._base import BaseAggregator, agreement_skill, row_sum
from ._sparse_votes import (
    AnswerCells,
    dense_too_large,
    sparse_vote_shares,
    sparse_weighted_shares,
    vote_totals,
)

__all__ = ["MajorityVote", "vote_shares", "weighted_vote_shares"]


def weighted_vote_shares(
    enc: EncodedAnswers, annotator_weights: np.ndarray | None = None, fallback_weights: np.ndarray | None = None
) -> np.ndarray:
    """Per item, each label's share of the (weighted) votes: shape (n_items, K), rows sum to 1.

    ``annotator_weights[j]`` (non-negative) weighs every answer of annotator ``j`` (``None``: all 1).
    An item whose annotators all have weight 0 falls back to the votes weighted by
    ``fallback_weights`` (``None``: plain vote shares). A weighted row is divided by totals summed in
    a fixed order (:func:`~labelwise.aggregate._sparse_votes.vote_totals`, not the BLAS product's),
    so that the shares on the answered cells alone
    (:func:`~labelwise.aggregate._sparse_votes.sparse_weighted_shares`) are the same bits.
    """
    counts = enc.item_label_counts  # cached on ``enc``: never written to below
    if annotator_weights is None:
        return counts / row_sum(counts)[:, None]
    weights = np.asarray(annotator_weights, dtype=np.float64)[enc.annotator_idx]
    scores = enc.item_class_sum(weights)
    total = vote_totals(enc, scores, weights)
    dead = total <= 0
    if dead.any() and fallback_weights is None:
        scores[dead] = counts[dead]
        total[dead] = row_sum(counts[dead])  # exact integers
    elif dead.any():
        weights = np.asarray(fallback_weights, dtype=np.float64)[enc.annotator_idx]
        fallback = enc.item_class_sum(weights)
        scores[dead] = fallback[dead]
        total[dead] = vote_totals(enc, fallback, weights)[dead]
    return scores / total[:, None]


def vote_shares(
    enc: EncodedAnswers,
    annotator_weights: np.ndarray | None,
    cells: AnswerCells | None,
    fallback_weights: np.ndarray | None = None,
) -> Any:
    """:func:`weighted_vote_shares`, or with ``cells`` (:func:`~labelwise.aggregate._sparse_votes.answer_cells`,
    for a label set too large for a dense table) the same shares on the answered cells, a CSR matrix."""
    if cells is None:
        return weighted_vote_shares(enc, annotator_weights, fallback_weights)
    return sparse_weighted_shares(enc, cells, annotator_weights, fallback_weights)


def _vote_shares_in_place(enc: EncodedAnswers, *, consume: bool = False) -> np.ndarray:
    """:func:`weighted_vote_shares` without weights, divided in the memory of the count matrix
    when nothing else will read it; equal bit for bit.

    Counts made here (not cached on ``enc``) become the shares: one ``n_items x K`` array less
    to allocate (40 MB at a million items and five classes). ``consume``: ``enc`` was made for
    the caller's fit alone, so its cached counts (``item_label_counts``, e.g. made for a prior) may
    become the shares too; they are removed from ``enc`` (a later use counts again). Otherwise
    cached counts are shared, and the shares are a new array. The counts' row sums are the answers
    per item, cached on ``enc`` (as int64, converted in the memory of the float sums) instead of
    being summed again.
    """
    counts = enc.__dict__.pop("item_label_counts", None) if consume else None
    if counts is None:
        if "item_label_counts" in enc.__dict__:  # already made (and shared): divide into a new array
            return weighted_vote_shares(enc)
        counts = enc.item_class_sum(None)
    total = row_sum(counts)
    counts /= total[:, None]
    if "answers_per_item" not in enc.__dict__:  # the sums of counts (exact) become int64 in their own memory
        per_item = total.view(np.int64)
        np.copyto(per_item, total, casting="unsafe")  # element for element onto itself: no copy
        enc.__dict__["answers_per_item"] = per_item
    return counts


class MajorityVote(BaseAggregator):
    """Majority vote, hard (the most voted label) and soft (vote shares).

    For item ``i`` with answers ``y_ij``, ``probas_[i, k] = #{j : y_ij = k} / #{j}`` (the soft
    label) and ``labels_[i] = argmax_k probas_[i, k]``.

    Ties are broken uniformly at random among the tied labels, with a generator seeded by
    ``random_state``: the same input (in any row order) and the same ``random_state`` always give
    the same labels, and different seeds give a fair draw. ``annotator_skill_`` is each
    annotator's agreement with the majority label (share of their answers equal to it).

    When a dense ``n_items x K`` float64 table would exceed
    :data:`~labelwise.aggregate._sparse_votes.DENSE_BYTES_LIMIT` (2 GiB; e.g. free-text answers,
    nearly every one a class of its own), the votes are counted on the answered (item, label) cells
    alone: ``labels_`` are the same (same ties, same draws), the shares are in ``probas_sparse_``
    (a scipy.sparse CSR matrix) and reading ``probas_`` raises an error naming its size.

    Parameters
    ----------
    labels : sequence, optional
        Declared label set (an answer outside it is an error); its order fixes ``classes_``.
    duplicates : {"keep", "last"}
        Keep every answer of an annotator on an item, or only the last one.
    item_col, annotator_col, label_col : str
        Column names of the answer table.
    random_state : int, Generator or None, default 0
        Seeds the tie-breaking.

    Examples
    --------
    >>> import pandas as pd
    >>> answers = pd.DataFrame({"item": [1, 1, 1, 2, 2], "annotator": list("abcab"),
    ...                         "label": ["cat", "cat", "dog", "dog", "dog"]})
    >>> MajorityVote().fit(answers).labels_.tolist()
    ['cat', 'dog']
    """

    def __init__(
        self,
        *,
        labels: Sequence[Any] | None = None,
        duplicates: str = "keep",
        item_col: str = "item",
        annotator_col: str = "annotator",
        label_col: str = "label",
        random_state: Any = 0,
    ) -> None:
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state

    _owns_posterior = True  # the vote shares are made per fit
    _any_k = True  # sparse shares above DENSE_BYTES_LIMIT

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[Any, np.ndarray]:
        if dense_too_large(enc.n_items, enc.n_classes):
            post: Any = sparse_vote_shares(enc)
        else:
            post = _vote_shares_in_place(enc)
        codes = self._hard_labels(post)
        self._fit_codes = (post, codes)  # the results reuse these labels (see _hard_labels)
        return post, agreement_skill(enc, codes)

    def _hard_labels(self, post: Any, row_group: np.ndarray | None = None) -> np.ndarray:
        """The labels ``_fit`` drew for this posterior (one argmax, and ``labels_`` are the labels
        that ``annotator_skill_`` was measured against, whatever the ``random_state``), else a
        fresh draw."""
        fitted = self.__dict__.pop("_fit_codes", None)
        if fitted is not None and fitted[0] is post and row_group is None:
            return fitted[1]
        return super()._hard_labels(post, row_group)
