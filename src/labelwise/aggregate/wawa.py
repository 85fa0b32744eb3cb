"""Wawa: worker agreement with aggregate, then a vote weighted by that agreement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._answers import EncodedAnswers
from ._base import BaseAggregator, agreement_skill
from ._sparse_votes import answer_cells, dense_too_large
from .majority import vote_shares

__all__ = ["Wawa"]


class Wawa(BaseAggregator):
    """Worker Agreement With Aggregate (Wawa).

    Three steps:

    1. majority vote ``z_i = argmax_k #{j : y_ij = k}`` (seeded random tie-breaking);
    2. each annotator's skill ``s_j = #{i : y_ij = z_i} / #{i : j answered i}``, the share of
       their answers that agree with the majority;
    3. a weighted vote: ``probas_[i, k] = sum_{j : y_ij = k} s_j / sum_j s_j`` and
       ``labels_[i] = argmax_k probas_[i, k]``.

    An item whose annotators all have skill 0 keeps its plain vote shares.
    ``annotator_skill_`` is ``s`` (step 2).

    Both votes are counted on the answered (item, label) cells alone when a dense ``n_items x K``
    table would exceed :data:`~labelwise.aggregate._sparse_votes.DENSE_BYTES_LIMIT` (free-text
    answers), as :class:`~labelwise.aggregate.MajorityVote` does: the same labels, skills and shares
    (``probas_sparse_``, and ``probas_`` raises an error naming its size).

    Parameters
    ----------
    labels, duplicates, item_col, annotator_col, label_col
        As in :class:`~labelwise.aggregate.MajorityVote`.
    random_state : int, Generator or None, default 0
        Seeds tie-breaking (in both votes).

    References
    ----------
    .. [1] Toloka. "Wawa" aggregation, crowd-kit documentation (Ustalov et al., "Learning from
       Crowds with Crowd-Kit", JOSS 2024), https://crowd-kit.readthedocs.io.
    .. [2] Appen (CrowdFlower) "trust score": weighting each contributor by their agreement with
       the aggregate.
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

    _any_k = True  # sparse shares above DENSE_BYTES_LIMIT

    def _fit(self, enc: EncodedAnswers, probs: Any, *, owned: bool = False) -> tuple[Any, np.ndarray]:
        cells = answer_cells(enc) if dense_too_large(enc.n_items, enc.n_classes) else None
        skill = agreement_skill(enc, self._hard_labels(vote_shares(enc, None, cells)))
        self.skills_ = skill
        return vote_shares(enc, skill, cells), skill
