"""A small scikit-learn classifier base shared by labelwise's defences."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..errors import InvalidLabelsError, InvalidParameterError


class _DefenceClassifier(ClassifierMixin, BaseEstimator):
    """Validation shared by the defences: scikit-learn's checks, re-raised as labelwise errors."""

    def _validate_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        try:
            X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2)
            check_classification_targets(y)
        except ValueError as exc:  # keep scikit-learn's message, raise a labelwise error
            raise InvalidParameterError(str(exc)) from None
        classes, codes = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise InvalidLabelsError(
                f"y must contain at least 2 classes to train a classifier, got 1 class ({classes[0]!r})"
            )
        self.classes_ = classes
        return X, codes.astype(np.int64)

    def _validate_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        try:
            return validate_data(self, X, dtype=np.float64, reset=False)
        except ValueError as exc:
            raise InvalidParameterError(str(exc)) from None

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels for ``X``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.int64)]
        return self.classes_[np.argmax(scores, axis=1)]
