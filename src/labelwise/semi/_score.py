"""A self-trainer's ``score``: accuracy on the rows that carry a label.

scikit-learn's ``ClassifierMixin.score`` compares every prediction with ``y``; in a self-training
target most rows are unlabeled (``-1``, ``None``, ``<NA>``), so ``cross_val_score`` and
``GridSearchCV`` counted each of them as a mistake (an accuracy of 0.4 for a model right on 80% of
the labeled rows), or failed on the missing values. Only labeled rows have a truth to compare with.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score
from sklearn.utils import _safe_indexing

from .._validate.row_order import check_score_rows
from ..errors import InvalidLabelsError
from ._labels import split_unlabeled

__all__ = ["LabeledRowsScore"]


class LabeledRowsScore:
    """Mixin: ``score`` is the mean accuracy on the labeled rows of ``y`` (unlabeled ones are left out)."""

    unlabeled_value: Any

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` on the rows of ``y`` that carry a label.

        Rows equal to ``unlabeled_value`` or missing are left out: they have no truth to compare
        with (``ClassifierMixin.score`` counted each as a mistake).

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
        y : array-like of shape (n_samples,)
            True labels; unlabeled rows marked as in ``fit``.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        score : float
        """
        check_score_rows(self, X, y, sample_weight)
        y_arr, unlabeled = split_unlabeled(y, self.unlabeled_value)
        rows = np.flatnonzero(~unlabeled)
        if rows.size == 0:
            raise InvalidLabelsError(
                f"y must hold labeled rows to score on, got none: all {y_arr.size} are the unlabeled marker "
                f"(unlabeled_value={self.unlabeled_value!r}) or missing"
            )
        truth = pd.Series(y_arr[rows]).infer_objects().to_numpy()  # ints beside <NA> were objects
        weights = None if sample_weight is None else np.asarray(sample_weight)[rows]
        predicted = self.predict(_safe_indexing(X, rows))  # type: ignore[attr-defined]
        return float(accuracy_score(truth, predicted, sample_weight=weights))
