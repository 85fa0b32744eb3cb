"""k nearest neighbours that never asks for more neighbours than the training rows hold.

scikit-learn's :class:`~sklearn.neighbors.KNeighborsClassifier` fits on any number of rows, then
refuses to predict when ``n_neighbors`` exceeds them (``Expected n_neighbors <= n_samples_fit``).
``auto`` cross-validates on folds, whose training parts hold fewer rows than the table: on a small
table the menu's 15 neighbours were more than a fold holds, and the whole family was skipped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils.validation import _num_samples, check_is_fitted

from .._validate.row_order import RowOrderScore, check_row_order

__all__ = ["CappedNeighbors", "capped_neighbors_note"]


def capped_neighbors_note(n_neighbors: int, train_rows: list[int]) -> str | None:
    """The words for a cap: ``None`` when every training part holds ``n_neighbors`` rows or more."""
    fewest = min(train_rows)
    if fewest >= n_neighbors:
        return None
    most = max(train_rows)
    held = f"{fewest}" if fewest == most else f"{fewest} to {most}"
    return f"n_neighbors capped at each fold's training rows where they are fewer than {n_neighbors} ({held} rows)"


class CappedNeighbors(RowOrderScore, ClassifierMixin, BaseEstimator):
    """k nearest neighbours with ``k = min(n_neighbors, training rows)``.

    On at least ``n_neighbors`` training rows it is scikit-learn's
    :class:`~sklearn.neighbors.KNeighborsClassifier` with these settings; on fewer, every training
    row is a neighbour (the most the data allow), and ``n_neighbors_`` says how many were used.

    Parameters
    ----------
    n_neighbors : int, default 15
        Neighbours when the training rows allow.
    weights : {"uniform", "distance"}, default "distance"
        As for :class:`~sklearn.neighbors.KNeighborsClassifier`.

    Attributes
    ----------
    n_neighbors_ : int
        The neighbours used: ``min(n_neighbors, training rows)``.
    classes_ : ndarray
        The classes seen in training, sorted.
    estimator_ : KNeighborsClassifier
        The fitted classifier.

    Examples
    --------
    >>> import numpy as np
    >>> model = CappedNeighbors(n_neighbors=15).fit(np.arange(6.0).reshape(-1, 1), [0, 0, 0, 1, 1, 1])
    >>> model.n_neighbors_
    6
    """

    def __init__(self, n_neighbors: int = 15, weights: str = "distance") -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # as scikit-learn's kNN
        return tags

    def fit(self, X: Any, y: Any) -> CappedNeighbors:
        """Fit on ``X``, ``y`` with ``min(n_neighbors, len(X))`` neighbours."""
        check_row_order(X, "X", f"{type(self).__name__}.fit", y=y)
        self.n_neighbors_ = max(1, min(int(self.n_neighbors), _num_samples(X)))
        self.estimator_ = KNeighborsClassifier(n_neighbors=self.n_neighbors_, weights=self.weights).fit(X, y)
        self.classes_ = self.estimator_.classes_
        self.n_features_in_ = self.estimator_.n_features_in_
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (columns in ``classes_`` order)."""
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        check_is_fitted(self)
        return self.estimator_.predict(X)
