"""Audit-then-train: confident learning finds the suspicious labels, the final model is trained without them."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import SVC
from sklearn.utils.metaestimators import available_if

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, check_positive, check_positive_int, show
from .._validate.estimators import sample_weight_fit_params
from ..errors import LabelwiseWarning, TooFewExamplesError
from ._common import resolve_gamma
from ._estimators import _DefenceClassifier, _SVCMixin

__all__ = ["AuditThenTrain"]


def _final_has(method: str):
    """Whether the final model has ``method`` (the fitted one once fitted, else the one to fit)."""

    def check(self: AuditThenTrain) -> bool:
        final = getattr(self, "estimator_", None)
        if final is None:
            final = self.estimator if self.estimator is not None else SVC()
        return hasattr(final, method)

    return check


class AuditThenTrain(_SVCMixin, _DefenceClassifier):
    """Audit the labels with confident learning, then train without (or down-weighting) the suspects.

    Out-of-fold probabilities come from ``probe`` (:func:`labelwise.out_of_fold_probs`);
    :func:`labelwise.find_label_issues` flags likely-wrong labels. ``mode="drop"`` trains on the
    rest, ``mode="weight"`` trains on all with ``sample_weight = label_quality``, and
    ``mode="relabel"`` trains on all with flagged labels replaced by the suggested label.

    Parameters
    ----------
    estimator : scikit-learn classifier, optional
        The final model (default: RBF SVC with ``C``, ``gamma``); ``mode="weight"`` needs
        ``sample_weight`` support. ``decision_function`` and ``predict_proba`` are the final
        model's, present when it has them (``predict_proba`` with one column per class of ``y``).
    probe : scikit-learn classifier with ``predict_proba``, optional
        Model for the out-of-fold probabilities (default: the RBF SVC with Platt scaling,
        ``CalibratedClassifierCV(SVC(C, gamma), ensemble=False, cv=3)``). Its probabilities are
        libsvm's and Platt's solutions, accurate to their tolerances, with the second of the sorted
        classes as +1: renaming the classes so that their order swaps can move a flag whose margin
        ties another's within that tolerance.
    mode : {"drop", "weight", "relabel"}, default="drop"
    cv : int, default=5
    filter_by : str, default="prune_by_noise_rate"
        Passed to :func:`labelwise.find_label_issues`.
    C, gamma : parameters of the default SVCs.
    random_state : int, Generator or None
        Seeds the cross-validation split.

    Attributes
    ----------
    issues_ : LabelIssues or None
        ``None`` when the data were too small to audit (a :class:`LabelwiseWarning` says so).
    kept_ : ndarray of bool
    estimator_ : the fitted final model

    References
    ----------
    .. [1] Northcutt, C., Jiang, L. & Chuang, I., "Confident Learning: Estimating Uncertainty in
       Dataset Labels", JAIR 70 (2021), pp. 1373-1411.
    """

    def __init__(
        self,
        estimator: Any = None,
        probe: Any = None,
        mode: str = "drop",
        cv: int = 5,
        filter_by: str = "prune_by_noise_rate",
        C: float = 10.0,
        gamma: Any = "scale",
        random_state: Any = None,
    ):
        self.estimator = estimator
        self.probe = probe
        self.mode = mode
        self.cv = cv
        self.filter_by = filter_by
        self.C = C
        self.gamma = gamma
        self.random_state = random_state

    def fit(self, X: Any, y: Any, **fit_params: Any) -> AuditThenTrain:
        """Audit with out-of-fold probabilities, then fit the final model on the cleaned data."""
        self._refuse_fit_params(fit_params)
        from ..audit import find_label_issues
        from ..probs import out_of_fold_probs

        check_choice("mode", self.mode, ("drop", "weight", "relabel"))
        X, codes = self._validate_fit(X, y)
        self.gamma_ = resolve_gamma(self.gamma, X)
        probe = (
            clone(self.probe)
            if self.probe is not None
            else CalibratedClassifierCV(SVC(C=check_positive("C", self.C), gamma=self.gamma_), ensemble=False, cv=3)
        )
        cv = check_positive_int("cv", self.cv, minimum=2)
        final = clone(self.estimator) if self.estimator is not None else self._svc()
        if self.mode == "weight":  # before the audit's fits: the final fit is the one that needs weights
            sample_weight_fit_params(final, np.ones(1), name="estimator (mode='weight' passes sample weights)")
        labels = self.classes_[codes]
        # Out-of-fold probabilities need cv folds per class, and the default probe calibrates on
        # 3 inner folds; on data too small for that, train without the audit (and say so).
        need = cv * (3 if self.probe is None else 1) + 1
        if np.bincount(codes).min() < need:
            warn_at_caller(
                LabelwiseWarning(
                    f"AuditThenTrain: a class has fewer than {need} examples, too few to audit with cv={cv}; "
                    "training on all labels"
                )
            )
            self.issues_ = None
            self.kept_ = np.ones(codes.size, dtype=bool)
            self.estimator_ = final.fit(X, labels)
            self.svc_ = self.estimator_
            return self
        probs = out_of_fold_probs(probe, X, codes, cv=cv, random_state=self.random_state, verbose=False)
        self.issues_ = find_label_issues(codes, probs, filter_by=self.filter_by)
        self.kept_ = ~np.asarray(self.issues_.is_issue)
        if self.mode == "drop":
            if np.unique(codes[self.kept_]).size < 2:
                kept = np.bincount(codes[self.kept_], minlength=self.classes_.size)
                gone = [show(c) for c in self.classes_[kept == 0]]
                raise TooFewExamplesError(
                    f"mode='drop' needs examples of at least 2 classes after dropping the flagged ones, but the "
                    f"audit flagged every example of class {', '.join(gone)} ({int(self.kept_.sum())} of "
                    f"{codes.size} examples kept); use mode='weight'"
                )
            self.estimator_ = final.fit(X[self.kept_], labels[self.kept_])
        elif self.mode == "weight":
            weights = np.asarray(self.issues_.label_quality)
            self.estimator_ = final.fit(X, labels, **sample_weight_fit_params(final, weights))
        else:
            sugg = np.asarray(self.issues_.suggested_label).astype(np.int64)
            new = np.where(self.kept_, codes, sugg)
            self.estimator_ = final.fit(X, self.classes_[new])
        unseen = np.setdiff1d(self.classes_, getattr(self.estimator_, "classes_", self.classes_))
        if unseen.size:
            warn_at_caller(
                LabelwiseWarning(
                    f"AuditThenTrain: the final model saw no example of class {', '.join(show(c) for c in unseen)} "
                    f"(mode={self.mode!r} left none): it never predicts it, predict_proba gives it 0 and "
                    "decision_function has columns for the other classes only"
                )
            )
        self.svc_ = self.estimator_
        return self

    @available_if(_final_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision scores of the final model (present when it has ``decision_function``)."""
        X = self._validate_predict(X)
        return self.estimator_.decision_function(X)

    @available_if(_final_has("predict_proba"))
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the final model, one column per class of ``y`` (``classes_``).

        A class the final model never saw (every example of it dropped) gets probability 0.
        """
        X = self._validate_predict(X)
        proba = self.estimator_.predict_proba(X)
        out = np.zeros((proba.shape[0], self.classes_.size))
        out[:, np.searchsorted(self.classes_, self.estimator_.classes_)] = proba
        return out

    def predict(self, X: Any) -> np.ndarray:
        """Predictions of the final model."""
        X = self._validate_predict(X)
        return self.estimator_.predict(X)
