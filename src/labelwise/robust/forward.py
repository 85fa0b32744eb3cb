"""ForwardCorrection: multinomial logistic regression trained with a loss corrected for label noise."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted, validate_data

from .._caller import warn_at_caller
from .._validate.arguments import check_choice, check_positive, check_positive_int, seed_from
from .._validate.estimators import check_sample_weight
from .._validate.labels import check_same_length
from .._validate.nan_features import nan_refusal
from .._validate.row_order import RowOrderScore, check_row_order
from ..errors import InvalidParameterError
from . import _corrected_loss as loss
from ._backward_runaway import check_backward_runaway
from ._transition_fit import check_transition_param, class_targets, out_of_fold, resolve_transition

__all__ = ["CORRECTIONS", "ForwardCorrection"]

CORRECTIONS = ("forward", "backward")


class ForwardCorrection(RowOrderScore, ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression on noisy labels, with Patrini et al.'s loss correction.

    The model ``q(x) = softmax(W x + b)`` estimates the *clean* class posterior. Under class-
    conditional noise with transition matrix ``T[i, j] = P(ỹ=j | y=i)``, the noisy posterior is
    ``Tᵀ q(x)``, so the *forward*-corrected loss of an example with noisy label ``ỹ`` is
    ``-log (Tᵀ q(x))_ỹ`` (Patrini et al. [1]_, Theorem 2): its minimiser over noisy data is the
    minimiser of the ordinary log loss over clean data. The *backward* correction
    (``correction="backward"``, their Theorem 1) instead weights the log losses of every class by
    ``T⁻¹``: ``Σ_j T⁻¹[ỹ, j] (-log q_j(x))``, an unbiased estimate of the clean loss (it needs an
    invertible ``T`` and, having negative weights, is less stable). That loss is not bounded below:
    when ``T`` overstates the noise (or is near-singular) it falls without end along the fitted
    weights, only ``C`` stops them, and the accuracy can fall to chance; such a fit warns
    (:mod:`~labelwise.robust._backward_runaway`) naming the numbers and ``correction="forward"``.

    The objective ``C Σ_n s_n ℓ_n + ||W||² / 2`` (intercept not penalised) is minimised with
    L-BFGS-B and its analytic gradient, over row blocks of ``X`` (dense or sparse). It is
    scikit-learn's :class:`~sklearn.linear_model.LogisticRegression` objective (for two classes,
    one coefficient vector for class 1), so with ``transition=np.eye(K)`` the two fit the same
    model. ``predict_proba`` returns ``q(x)``, the clean-label posterior.

    ``transition`` may be a matrix, or the name of an estimator of ``T``
    (:func:`~labelwise.robust.estimate_transition`) applied to the ``cv``-fold out-of-fold
    probabilities of a plain logistic regression (same ``C``) on the noisy labels: Patrini et
    al.'s two stages (train on the noisy labels, estimate ``T``, retrain with the corrected loss;
    the paper estimates ``T`` by anchor points, ``transition="anchor"``).

    Parameters
    ----------
    C : float > 0, default 1.0
        Inverse regularisation strength, as in scikit-learn.
    transition : {"anchor", "confident_joint"} or array of shape (n_classes, n_classes), default "confident_joint"
        ``T[i, j] = P(noisy j | true i)``, classes in sorted order (``classes_``); rows sum to 1. A
        DataFrame whose index (true class) and columns (noisy class) name the classes is matched by name.
        The default was chosen on development seeds (``benchmarks/dev_noisy_transition.py``), where
        the confident joint's estimate gave more accurate models than the anchor points.
    correction : {"forward", "backward"}, default "forward"
    percentile : float in (0, 100], default 97
        Percentile of the anchor-point rule (``transition="anchor"``).
    cv : int >= 2, default 5
        Folds of the out-of-fold probabilities (when ``transition`` is a name).
    fit_intercept : bool, default True
    max_iter : int, default 1000
        L-BFGS-B iterations.
    tol : float, default 1e-4
        L-BFGS-B's projected-gradient tolerance (``gtol``).
    random_state : int, Generator or None
        Seed of the fold shuffling. The folds are drawn over the rows in
        their order, so the same seed on reordered rows gives other folds (and may flag other rows).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    transition_ : ndarray of shape (n_classes, n_classes)
        The ``T`` used.
    pred_probs_ : ndarray of shape (n_samples, n_classes) or None
        The out-of-fold probabilities ``T`` was estimated from (None for a given matrix).
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    References
    ----------
    .. [1] Patrini, G., Rozza, A., Menon, A. K., Nock, R. and Qu, L. (2017). "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach". CVPR 2017, 1944-1952.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from labelwise.robust import ForwardCorrection
    >>> X, y = load_iris(return_X_y=True)
    >>> T = np.array([[0.8, 0.2, 0.0], [0.0, 0.8, 0.2], [0.2, 0.0, 0.8]])
    >>> model = ForwardCorrection(transition=T).fit(X, y)
    >>> model.predict_proba(X[:1]).shape
    (1, 3)
    """

    def __init__(
        self,
        C=1.0,
        transition="confident_joint",
        correction="forward",
        percentile=97.0,
        cv=5,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-4,
        random_state=None,
    ):
        self.C = C
        self.transition = transition
        self.correction = correction
        self.percentile = percentile
        self.cv = cv
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _features(self, X, *, reset: bool):
        """``X`` as float64 (CSR when sparse), checked by scikit-learn and re-raised as a labelwise error."""
        try:
            return validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=reset)
        except ValueError as exc:  # keep scikit-learn's message, raise a labelwise error naming X
            refusal = nan_refusal(X, self, exc)
            if refusal is not None:
                raise refusal from exc
            raise InvalidParameterError(f"X is not a valid feature matrix: {exc}") from None

    def _plain(self) -> LogisticRegression:
        """The uncorrected model whose out-of-fold probabilities estimate ``T``."""
        return LogisticRegression(C=self.C, fit_intercept=self.fit_intercept, max_iter=self.max_iter, tol=self.tol)

    def fit(self, X, y, sample_weight=None):
        """Estimate (or check) ``T``, then fit the corrected model on the noisy labels ``y``.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            The noisy labels.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self : ForwardCorrection
        """
        C = check_positive("C", self.C)
        check_choice("correction", self.correction, CORRECTIONS)
        check_positive_int("max_iter", self.max_iter)
        tol = check_positive("tol", self.tol)
        check_transition_param(self.transition, self.percentile, self.cv)
        check_row_order(X, "X", "the robust estimators", y=y, sample_weight=sample_weight)
        X = self._features(X, reset=True)
        codes, classes = class_targets(y, owner=type(self).__name__)
        check_same_length("X", range(X.shape[0]), "y", codes)
        self.classes_ = classes
        n_classes = classes.size
        given = check_sample_weight(sample_weight, codes.size)
        weights = np.ones(codes.size) if given is None else given
        T, self.pred_probs_ = resolve_transition(
            self.transition,
            classes,
            probs_fn=lambda: out_of_fold(
                self._plain(), X, codes, classes, self.cv, seed_from(self.random_state), given
            ),
            codes=codes,
            percentile=self.percentile,
            invertible=self.correction == "backward",
        )
        self.transition_ = T
        matrix = T if self.correction == "forward" else np.linalg.inv(T)
        n_out = 1 if n_classes == 2 else n_classes
        n_params = X.shape[1] * n_out + (n_out if self.fit_intercept else 0)
        total = weights.sum()
        result = minimize(
            loss.objective,
            np.zeros(n_params),
            args=(X, codes, weights / total, matrix, 1.0 / (C * total), bool(self.fit_intercept), self.correction),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": self.max_iter, "maxls": 50, "gtol": tol, "ftol": 64 * np.finfo(float).eps},
        )
        if not result.success and result.nit >= self.max_iter:
            warn_at_caller(
                ConvergenceWarning(
                    f"ForwardCorrection did not converge in max_iter={self.max_iter} iterations; raise max_iter"
                )
            )
        W, b = loss.unpack(result.x, X.shape[1], n_out, bool(self.fit_intercept))
        self.coef_ = W.T.copy()
        self.intercept_ = b.copy()
        self.n_iter_ = int(result.nit)
        if self.correction == "backward":
            check_backward_runaway(X, codes, weights / total, W, b, T, C)
        return self

    def decision_function(self, X):
        """Logits ``W x + b`` (one column for two classes, as scikit-learn's)."""
        check_is_fitted(self)
        X = self._features(X, reset=False)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict_proba(self, X):
        """The clean-label posterior ``softmax(W x + b)``, columns in the order of ``classes_``."""
        check_is_fitted(self)
        X = self._features(X, reset=False)
        return loss.softmax(loss.logits(X, self.coef_.T, self.intercept_, self.classes_.size))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable clean class of each row."""
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
