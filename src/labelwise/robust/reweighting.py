"""ImportanceReweighting: fit any classifier on noisy labels with Liu & Tao's importance weights."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.utils.validation import _num_samples

from .._meta import PredictWithFittedEstimator, base_estimator, fit_clone
from .._validate.arguments import seed_from
from .._validate.estimators import check_estimator_method, check_meta_X, check_sample_weight, sample_weight_fit_params
from .._validate.labels import check_same_length
from .._validate.nan_features import naming_nan_in
from .._validate.row_order import RowOrderScore, check_row_order
from ._transition_fit import check_transition_param, class_targets, out_of_fold, resolve_transition

__all__ = ["ImportanceReweighting", "importance_weights"]

#: Floor of the noisy posterior in the weights' denominator.
_TINY = 1e-12


def importance_weights(noisy_probs: np.ndarray, codes: np.ndarray, transition: np.ndarray) -> np.ndarray:
    """``β = P(Y=ỹ | x) / P(Ỹ=ỹ | x)`` of every example from its noisy posterior and ``T``.

    The clean posterior comes from inverting ``P(Ỹ | x) = Tᵀ P(Y | x)`` row by row
    (``clean = noisy T⁻¹``): for two classes this is Liu & Tao's
    ``P(Y=y|x) = (P(Ỹ=y|x) - ρ_{-y}) / (1 - ρ_{+1} - ρ_{-1})``, their Eq. (8). An estimated noisy
    posterior can make it negative; it is clipped at 0 and renormalised, and the denominator is the
    noisy posterior that this clean one implies, ``(clean T)_ỹ`` (equal to ``P(Ỹ=ỹ | x)`` wherever
    nothing was clipped), so that ``β <= 1 / T[ỹ, ỹ]``: one example whose noisy posterior of its
    label is near 0 cannot get an unbounded weight. ``transition`` must be invertible (checked by
    the caller).
    """
    clean = np.clip(noisy_probs @ np.linalg.inv(transition), 0.0, None)
    sums = clean.sum(axis=1, keepdims=True)
    clean = np.where(sums > 0, clean / np.where(sums > 0, sums, 1.0), noisy_probs)
    rows = np.arange(codes.size)
    implied = (clean @ transition)[rows, codes]
    return clean[rows, codes] / np.maximum(implied, _TINY)


class ImportanceReweighting(
    PredictWithFittedEstimator, RowOrderScore, ClassifierMixin, MetaEstimatorMixin, BaseEstimator
):
    """Train any classifier on noisy labels by importance reweighting (Liu & Tao, 2016).

    Under class-conditional noise, the risk of a classifier on the clean distribution ``D`` equals
    a reweighted risk on the noisy one ``D_ρ``:
    ``E_D[ℓ(f(X), Y)] = E_{D_ρ}[β(X, Ỹ) ℓ(f(X), Ỹ)]`` with
    ``β(x, ỹ) = P_D(Y=ỹ | x) / P_{D_ρ}(Ỹ=ỹ | x)`` (Liu & Tao [1]_, Theorem 1). ``fit``

    1. estimates the noisy posterior ``P(Ỹ | x)`` by the ``cv``-fold out-of-fold probabilities of
       ``estimator`` (the paper uses a probabilistic classifier on the noisy sample too);
    2. takes ``T[i, j] = P(Ỹ=j | Y=i)`` as given, or estimates it from those probabilities
       (:func:`~labelwise.robust.estimate_transition`: ``"anchor"`` is, for two classes, the
       paper's own ``ρ_{-y} = min_x P(Ỹ=y | x)`` rule, with Patrini et al.'s [2]_ percentile
       against outliers; the default ``"confident_joint"`` was more accurate on development seeds,
       ``benchmarks/dev_noisy_transition.py``);
    3. computes ``β`` (:func:`importance_weights`). The paper states the binary case; for ``K``
       classes the clean posterior is recovered by inverting ``P(Ỹ | x) = Tᵀ P(Y | x)``, which
       for ``K = 2`` is the paper's Eq. (8);
    4. fits a clone of ``estimator`` on all examples with ``sample_weight = β`` (times
       ``sample_weight``); examples of weight 0 are left out.

    Parameters
    ----------
    estimator : classifier with ``predict_proba`` and ``sample_weight`` in ``fit``, default LogisticRegression(max_iter=1000)
        On columns of very different scales pass ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``:
        the plain default's lbfgs then runs to ``max_iter`` in every fit (benchmarks/RESULTS.md, session 45).
    transition : {"anchor", "confident_joint"} or array of shape (n_classes, n_classes), default "confident_joint"
        ``T``, rows (true class) summing to 1, classes in sorted order (``classes_``); must be invertible.
        A DataFrame whose index (true class) and columns (noisy class) name the classes is matched by name.
    percentile : float in (0, 100], default 97
        Percentile of the anchor-point rule (``transition="anchor"``).
    cv : int >= 2, default 5
        Folds of the out-of-fold probabilities.
    random_state : int, Generator or None
        Seed of the fold shuffling. The folds are drawn over the rows in
        their order, so the same seed on reordered rows gives other folds (and may flag other rows).

    Attributes
    ----------
    estimator_ : estimator
        Fitted with the importance weights.
    classes_ : ndarray of shape (n_classes,)
    transition_ : ndarray of shape (n_classes, n_classes)
    pred_probs_ : ndarray of shape (n_samples, n_classes)
        Out-of-fold noisy posteriors.
    sample_weight_ : ndarray of shape (n_samples,)
        ``β`` (times ``sample_weight``) of every example.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    References
    ----------
    .. [1] Liu, T. and Tao, D. (2016). "Classification with Noisy Labels by Importance
       Reweighting". IEEE TPAMI 38(3), 447-461.
    .. [2] Patrini, G., Rozza, A., Menon, A. K., Nock, R. and Qu, L. (2017). "Making Deep Neural
       Networks Robust to Label Noise: a Loss Correction Approach". CVPR 2017, 1944-1952.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from labelwise.robust import ImportanceReweighting
    >>> X, y = load_iris(return_X_y=True)
    >>> model = ImportanceReweighting(random_state=0).fit(X, y)
    >>> model.sample_weight_.shape
    (150,)
    """

    def __init__(self, estimator=None, transition="confident_joint", percentile=97.0, cv=5, random_state=None):
        self.estimator = estimator
        self.transition = transition
        self.percentile = percentile
        self.cv = cv
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Estimate the noisy posterior and ``T``, then fit the estimator with the importance weights.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
        y : array-like of shape (n_samples,)
            The noisy labels.
        sample_weight : array-like of shape (n_samples,), optional
            Multiplies the importance weights (and weights the out-of-fold fits).

        Returns
        -------
        self : ImportanceReweighting
        """
        template = base_estimator(self)
        check_estimator_method(template, "predict_proba", name="estimator")
        sample_weight_fit_params(template, np.ones(1), name="estimator (importance weights are sample weights)")
        check_transition_param(self.transition, self.percentile, self.cv)
        check_row_order(X, "X", "the robust estimators", y=y, sample_weight=sample_weight)
        X = check_meta_X(self, X, reset=True)
        codes, classes = class_targets(y, owner=type(self).__name__)
        check_same_length("X", range(_num_samples(X)), "y", codes)
        self.classes_ = classes
        given = check_sample_weight(sample_weight, codes.size)
        seed = seed_from(self.random_state)
        with naming_nan_in(X, template):  # scikit-learn's NaN refusal, from the folds' fits
            probs = out_of_fold(template, X, codes, classes, self.cv, seed, given)
        T, _ = resolve_transition(
            self.transition,
            classes,
            probs_fn=lambda: probs,
            codes=codes,
            percentile=self.percentile,
            invertible=True,
        )
        beta = importance_weights(probs, codes, T)
        if given is not None:
            beta = beta * given
        self.transition_ = T
        self.pred_probs_ = probs
        self.sample_weight_ = beta
        with naming_nan_in(X, template):
            self.estimator_ = fit_clone(template, X, codes, np.flatnonzero(beta > 0), beta)
        return self
