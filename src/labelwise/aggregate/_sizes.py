"""The sizes every encoded answer table reports, read off its distinct values."""

from __future__ import annotations

from typing import Any


class AnswerSizes:
    """``n_items``, ``n_annotators`` and ``n_classes`` from ``item_values``, ``annotator_values`` and
    ``classes``: the encoded table (:class:`~labelwise.aggregate._answers.EncodedAnswers`) and the
    summary gathered from a dask DataFrame's partitions (:mod:`~labelwise.aggregate.distributed`)."""

    item_values: Any
    annotator_values: Any
    classes: Any

    @property
    def n_items(self) -> int:
        """Number of distinct items."""
        return len(self.item_values)

    @property
    def n_annotators(self) -> int:
        """Number of distinct annotators."""
        return len(self.annotator_values)

    @property
    def n_classes(self) -> int:
        """Number of classes ``K`` (declared or observed)."""
        return len(self.classes)
