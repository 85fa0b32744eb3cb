"""A small scikit-learn classifier base shared by labelwise's defences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.svm import SVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validate.arguments import check_positive, show
from .._validate.nan_features import nan_refusal
from .._validate.row_order import RowOrderScore, check_row_order
from ..errors import InvalidLabelsError, InvalidParameterError, TooFewExamplesError
from ._common import refuse_sparse, resolve_gamma


def _raise_nan_refusal(X: Any, estimator: Any, exc: ValueError) -> None:
    """Raise scikit-learn's refusal of NaN in ``X`` as a labelwise error naming the first NaN (else return)."""
    refusal = nan_refusal(X, estimator, exc)
    if refusal is not None:
        raise refusal from exc


class _DefenceClassifier(RowOrderScore, ClassifierMixin, BaseEstimator):
    """Validation shared by the defences: scikit-learn's checks, re-raised as labelwise errors.

    ``fit`` pairs ``X`` and ``y`` by position, as scikit-learn does; a ``y`` Series that lists the
    rows of a DataFrame ``X`` in another order is refused (:func:`~labelwise._validate.row_order.check_row_order`).
    """

    def _refuse_fit_params(self, fit_params: dict[str, Any]) -> None:
        """Refuse what ``fit`` takes besides ``X`` and ``y`` (``sample_weight`` from a Pipeline) by name.

        The filtering defences take no ``sample_weight``: each decides by its own rule how much a row
        counts (a filter, a relabelling or a corrected kernel), so a weight could reach the final fit
        only and would not mean what it means to scikit-learn (a repeated row). ``FloralSVC`` takes
        one (a per-row box on its dual) and refuses only other parameters here. ``fit`` takes ``**fit_params`` rather than a ``sample_weight`` argument so that
        :func:`sklearn.utils.validation.has_fit_parameter` stays False: ``BaggingClassifier`` then
        draws rows instead of passing weights, as before.
        """
        if not fit_params:
            return
        name = type(self).__name__
        given = ", ".join(sorted(fit_params))
        hint = (
            "drop the rows of weight 0 and fit without weights (in a Pipeline, do not pass <step>__sample_weight)"
            if "sample_weight" in fit_params
            else "fit takes only X and y"
        )
        raise InvalidParameterError(
            f"{name}.fit takes no {given}: the defence decides how much each row counts by its own rule and "
            f"takes no weights or other fit parameters ({hint})"
        )

    def _validate_fit(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        check_row_order(X, "X", "the poison defences", y=y)
        refuse_sparse(X)
        X_given = X
        try:
            X, y = validate_data(self, X, y, dtype=np.float64, ensure_min_samples=2)
            check_classification_targets(y)
        except ValueError as exc:  # keep scikit-learn's message, raise a labelwise error
            _raise_nan_refusal(X_given, self, exc)
            raise InvalidParameterError(f"X and y are not a valid training set: {exc}") from None
        classes, codes = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise InvalidLabelsError(
                f"y must contain at least 2 classes to train a classifier, got 1 class ({classes[0]!r})"
            )
        self.classes_ = classes
        return X, codes.astype(np.int64)

    def _validate_predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        refuse_sparse(X)
        try:
            return validate_data(self, X, dtype=np.float64, reset=False)
        except ValueError as exc:
            _raise_nan_refusal(X, self, exc)
            raise InvalidParameterError(f"X is not a valid feature matrix: {exc}") from None

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels for ``X``."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.int64)]
        return self.classes_[np.argmax(scores, axis=1)]


class _SVCMixin:
    """The RBF-SVC fit and decision function shared by the SVC-based defences."""

    if TYPE_CHECKING:  # provided by the defence classes this is mixed into
        C: float
        gamma: Any
        classes_: np.ndarray

        def _validate_predict(self, X: Any) -> np.ndarray: ...

    def _svc(self) -> SVC:
        return SVC(C=check_positive("C", self.C), kernel="rbf", gamma=self.gamma_)

    def decision_function(self, X: Any) -> np.ndarray:
        """Decision scores of the final SVC on ``X``."""
        X = self._validate_predict(X)
        return self.svc_.decision_function(X)

    def _fit_svc(self, X: np.ndarray, codes: np.ndarray, keep: np.ndarray | None = None, weight=None):
        self.gamma_ = resolve_gamma(self.gamma, X)
        idx = np.arange(X.shape[0]) if keep is None else np.flatnonzero(keep)
        if np.unique(codes[idx]).size < 2:
            kept = np.bincount(codes[idx], minlength=self.classes_.size)
            gone = [show(c) for c in self.classes_[kept == 0]]
            raise TooFewExamplesError(
                f"{type(self).__name__} removed every example of class {', '.join(gone)} ({idx.size} of "
                f"{X.shape[0]} examples kept); loosen the filter"
            )
        sw = None if weight is None else weight[idx]
        # Fit on class codes and map back, so predict returns the user's labels.
        self.svc_ = self._svc().fit(X[idx], self.classes_[codes[idx]], sample_weight=sw)
        return self
