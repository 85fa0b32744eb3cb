"""CrowdClassifier: a classifier and the annotators' confusion matrices learned together from crowd
answers by EM (Raykar et al. 2010, "Learning From Crowds")."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

from .._caller import warn_at_caller
from .._meta import PredictWithFittedEstimator, base_estimator
from .._progress import track
from .._soft_labels import expand_soft_labels
from .._validate.arguments import check_choice, check_positive_int, seed_from, show
from .._validate.estimators import check_estimator_method, check_meta_X, sample_weight_fit_params
from .._validate.nan_features import naming_nan_in
from .._validate.row_order import RowOrderScore
from ..aggregate._base import _blas_controller, check_tol
from ..errors import EstimatorError, InvalidLabelsError, InvalidParameterError, LabelwiseWarning
from ._crowd_em import (
    FLOOR,
    CrowdAnswers,
    check_smoothing,
    confusion_m_step,
    e_step,
    encode_crowd_answers,
    pseudo_counts,
)
from ._names import DEFAULT_CV

__all__ = ["CrowdClassifier", "DEFAULT_CV", "default_estimator"]


def default_estimator(*, sparse: bool = False) -> Pipeline:
    """CrowdClassifier's default model: ``StandardScaler`` then ``LogisticRegression(max_iter=1000)``.

    Standardising makes the L2 penalty weigh every feature alike and keeps the solver's problem well
    conditioned: on columns of very different scales the plain logistic regression's lbfgs runs to
    ``max_iter`` in every fit, and EM makes ``cv + 1`` fits per iteration (measured in
    benchmarks/RESULTS.md, "session 44 (fix44a)"). Sparse ``X`` is scaled without centring
    (``with_mean=False``), which keeps it sparse.
    """
    return make_pipeline(StandardScaler(with_mean=not sparse), LogisticRegression(max_iter=1000))


class CrowdClassifier(PredictWithFittedEstimator, RowOrderScore, ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    r"""Train any scikit-learn classifier directly from several annotators' answers (learning from crowds).

    Raykar et al. [1]_ fit the classifier ``P(k | x)`` and one confusion matrix per annotator,
    ``π_j[k, l] = P(annotator j answers l | true class k)``, together, by maximising the
    likelihood of the answers

    .. math:: \prod_i \sum_k P(k \mid x_i) \prod_{(j, l) \in A_i} π_j[k, l]

    by EM, the true labels being the hidden variables:

    * initialisation: the soft labels ``T[i, k]`` are majority vote's shares of row ``i``'s answers
      (as in the paper), or the posterior ``probas_`` of the aggregator given as ``init`` (e.g.
      :class:`labelwise.aggregate.DawidSkene`);
    * M-step: the classifier is refit on the soft labels (each row repeated once per class with
      the probability as sample weight, :func:`labelwise.weak.expand_soft_labels`: the weighted
      log-loss is the cross-entropy with ``T``), and
      ``π_j[k, l] ∝ Σ_{i: (j, l) ∈ A_i} T[i, k] + A[k, l]`` with the Dirichlet pseudo-counts ``A``
      of :class:`~labelwise.aggregate.DawidSkene` (``smoothing``, ``prior_strength``);
    * E-step: ``log T[i, k] = log P(k | x_i) + Σ_{(j, l) ∈ A_i} log π_j[k, l] - log Z_i`` (in log
      space; probabilities are floored at 1e-10).

    The iterations stop when the mean log-likelihood per answer, ``Σ_i log Z_i / n_answers``
    (``log_likelihood_history_``), changes by less than ``tol``, or after ``max_iter`` (with a
    :class:`~labelwise.errors.LabelwiseWarning`). ``estimator_`` is then fitted once more on the
    final soft labels ``posterior_``. The paper's classifier is a logistic regression; any
    classifier whose ``fit`` takes ``sample_weight`` and that has ``predict_proba`` works. With
    ``DummyClassifier(strategy="prior")`` (no features used) the model is Dawid-Skene [2]_.

    Departure from the paper (``cv``). The paper's E-step uses the classifier fitted on all the
    rows. A flexible model (trees, boosting, k-NN) fitted in-sample reproduces the soft labels it
    was fitted on, and EM stops where it started. With ``cv=m`` the E-step instead uses
    out-of-fold probabilities: the answered rows are split into ``m`` folds and each fold's
    ``P(k | x)`` comes from a model fitted on the other folds (``m + 1`` fits per iteration).
    ``cv=None`` is the paper's in-sample E-step (one fit per iteration). The default was chosen
    on simulated crowds with dev seeds (``benchmarks/RESULTS.md``).

    Rows of ``X`` with no answer are left out of both fits (the classifier and the confusion
    matrices: they carry no label information), and are still predicted: their ``posterior_``
    row is the final classifier's ``predict_proba``.

    Parameters
    ----------
    estimator : classifier, default make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        Needs ``predict_proba`` and ``sample_weight`` in ``fit``; cloned for every fit. The default
        standardises the features inside each fit (``with_mean=False`` for sparse ``X``): an
        L2-penalised logistic regression is not scale-invariant, and on columns of very different
        scales its solver runs to ``max_iter`` in every fit of every EM iteration (see
        :func:`default_estimator`). Its coefficients, ``estimator_[-1].coef_``, are per standard
        deviation of each feature (``estimator_[0].scale_``). A given estimator is used as it is.
    cv : int >= 2 or None, default 5
        Folds of the out-of-fold classifier probabilities in the E-step; ``None``: in-sample (the
        paper).
    init : "majority" or an aggregator, default "majority"
        Soft labels EM starts from: majority vote shares, or the ``probas_`` of a clone of the
        given aggregator (any object with ``fit(answers)`` and a ``probas_`` DataFrame indexed by
        item, one column per class, e.g. ``labelwise.aggregate.DawidSkene()``) fitted on
        ``answers``.
    smoothing : "auto" or float >= 0, default "auto"
        Confusion pseudo-counts, as in :class:`~labelwise.aggregate.DawidSkene`: ``"auto"`` the
        diagonal empirical-Bayes prior, a number that count in every cell (0: the paper's maximum
        likelihood).
    prior_strength : float >= 0, default 8.0
        Pseudo-answers per confusion row of the ``"auto"`` prior.
    max_iter : int >= 1, default 50
    tol : float >= 0, default 1e-4
    labels : sequence, optional
        The class set and its order (a label outside it is an error); default the sorted answers.
    duplicates : {"keep", "last"}, default "keep"
        Several answers of one annotator on one row: count each, or keep the last.
    item_col, annotator_col, label_col : str
        Columns of ``answers`` (default ``item``, ``annotator``, ``label``).
    random_state : int, Generator or None, default None
        Seed of the ``cv`` folds. The folds are drawn over the rows in
        their order, so the same seed on reordered rows gives other folds (and may flag other rows).
    verbose : bool or None, default False
        A progress bar over the EM iterations (``None``: only on a terminal).

    Attributes
    ----------
    estimator_ : estimator
        Fitted (on class codes ``0..K-1``) on the final soft labels of the answered rows (by
        default a Pipeline: ``estimator_[-1]`` is the logistic regression on standardised features).
    classes_ : ndarray of shape (K,)
    posterior_ : ndarray of shape (n_samples, K)
        The soft training labels ``T`` (columns in the order of ``classes_``); rows without an
        answer hold the final classifier's probabilities.
    confusions_ : ndarray of shape (n_annotators, K, K)
        ``[j, k, l] = P(annotator j answers l | true class k)``; rows sum to 1.
    annotators_ : pandas.Index
        The annotator of each entry of ``confusions_``.
    annotator_accuracy_ : pandas.Series
        ``Σ_k p_k π_j[k, k]`` with ``p`` the mean soft label of the answered rows.
    n_answers_per_row_ : ndarray of int, shape (n_samples,)
    n_iter_ : int
    converged_ : bool
    log_likelihood_history_ : list of float
        Mean log-likelihood per answer after each E-step.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    References
    ----------
    .. [1] V. C. Raykar, S. Yu, L. H. Zhao, G. H. Valadez, C. Florin, L. Bogoni and L. Moy,
       "Learning From Crowds", Journal of Machine Learning Research 11, 1297-1322, 2010.
    .. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Journal of the Royal Statistical Society, Series C 28(1), 20-28, 1979.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.datasets import load_iris
    >>> from labelwise.robust import CrowdClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> rng = np.random.default_rng(0)
    >>> rows = np.repeat(np.arange(len(y)), 3)
    >>> good = rng.random(rows.size) < 0.7  # each answer right with probability 0.7
    >>> answers = pd.DataFrame({"item": rows, "annotator": np.tile(["a", "b", "c"], len(y)),
    ...                         "label": np.where(good, y[rows], rng.integers(0, 3, rows.size))})
    >>> model = CrowdClassifier(random_state=0).fit(X, answers)
    >>> bool((model.predict(X) == y).mean() > 0.9)
    True
    """

    def __init__(
        self,
        estimator=None,
        cv=DEFAULT_CV,
        init="majority",
        smoothing="auto",
        prior_strength=8.0,
        max_iter=50,
        tol=1e-4,
        labels=None,
        duplicates="keep",
        item_col="item",
        annotator_col="annotator",
        label_col="label",
        random_state=None,
        verbose=False,
    ):
        self.estimator = estimator
        self.cv = cv
        self.init = init
        self.smoothing = smoothing
        self.prior_strength = prior_strength
        self.max_iter = max_iter
        self.tol = tol
        self.labels = labels
        self.duplicates = duplicates
        self.item_col = item_col
        self.annotator_col = annotator_col
        self.label_col = label_col
        self.random_state = random_state
        self.verbose = verbose

    def _default_estimator(self, sparse: bool = False) -> Pipeline:
        return default_estimator(sparse=sparse)

    def _check_params(self, X: Any) -> Any:
        sparse_default = self.estimator is None and sp.issparse(X)
        estimator = default_estimator(sparse=True) if sparse_default else base_estimator(self)
        check_estimator_method(estimator, "predict_proba", name="estimator")
        sample_weight_fit_params(estimator, np.ones(1), name="estimator (trained on soft labels as sample weights)")
        if self.cv is not None:
            check_positive_int("cv", self.cv, minimum=2)
        if not (isinstance(self.init, str) and self.init == "majority") and not hasattr(self.init, "fit"):
            raise InvalidParameterError(
                f"init must be 'majority' or an aggregator with fit(answers) and probas_, got {self.init!r}"
            )
        check_smoothing(self.smoothing, self.prior_strength)
        check_positive_int("max_iter", self.max_iter)
        check_tol(self.tol)
        check_choice("duplicates", self.duplicates, ("keep", "last"))
        return estimator

    # ------------------------------------------------------------------ classifier side
    def _fit_soft(self, template: Any, X: Any, rows: np.ndarray, soft: np.ndarray) -> Any:
        """A clone of ``template`` fitted on rows ``rows`` of ``X`` with soft labels ``soft``."""
        X_rows, codes, weight = expand_soft_labels(_safe_indexing(X, rows), soft)
        if np.unique(codes).size < 2:
            raise InvalidLabelsError(
                f"answers must leave at least 2 classes with weight on the rows a model is fitted on, got only "
                f"{show(self.classes_[codes[0]])} (fewer answered rows, or cv=None, may help)"
            )
        model = clone(template)
        model.fit(X_rows, codes, **sample_weight_fit_params(model, weight, name="estimator"))
        return model

    def _proba(self, model: Any, X: Any, rows: np.ndarray) -> np.ndarray:
        """``model``'s probabilities on ``X[rows]``, one column per class code (0 for a class it never saw)."""
        k = len(self.classes_)
        proba = np.asarray(model.predict_proba(_safe_indexing(X, rows)), dtype=np.float64)
        seen = np.asarray(getattr(model, "classes_", np.arange(k)), dtype=np.int64)
        if proba.ndim != 2 or proba.shape != (rows.size, seen.size):
            raise EstimatorError(
                f"estimator.predict_proba must return one column per class it was fitted on ({seen.size}), got "
                f"shape {proba.shape}"
            )
        out = np.zeros((rows.size, k))
        out[:, seen] = proba
        return out

    def _model_log_proba(self, template: Any, X: Any, rows: np.ndarray, soft: np.ndarray, seed: Any) -> np.ndarray:
        """``log P(k | x_i)`` of the answered rows for the E-step: in-sample or out-of-fold (``cv``)."""
        if self.cv is None:
            proba = self._proba(self._fit_soft(template, X, rows, soft), X, rows)
        else:
            proba = np.zeros_like(soft)
            for train, test in KFold(n_splits=self.cv, shuffle=True, random_state=seed).split(rows):
                model = self._fit_soft(template, X, rows[train], soft[train])
                proba[test] = self._proba(model, X, rows[test])
        return np.log(np.maximum(proba, FLOOR))

    # ------------------------------------------------------------------ fit
    def _start(self, answers: Any, crowd: CrowdAnswers, row_ids: pd.Index) -> np.ndarray:
        """Soft labels of the answered rows EM starts from."""
        if isinstance(self.init, str):
            return crowd.vote_shares()
        agg = clone(self.init).fit(answers)
        probas = getattr(agg, "probas_", None)
        if not isinstance(probas, pd.DataFrame):
            raise InvalidParameterError(
                f"init must be an aggregator whose fit(answers) sets a probas_ DataFrame, "
                f"{type(self.init).__name__} set {type(probas).__name__}"
            )
        start = probas.reindex(index=row_ids[crowd.answered], columns=pd.Index(crowd.classes))
        if start.isna().to_numpy().any():
            raise InvalidParameterError(
                f"init's probas_ must have a row per answered item and a column per class {list(crowd.classes)}, "
                f"{type(self.init).__name__} gave index {list(probas.index[:5])}... and columns {list(probas.columns)}"
            )
        soft = np.clip(start.to_numpy(dtype=np.float64), 0.0, None)
        return soft / np.maximum(soft.sum(axis=1, keepdims=True), FLOOR)

    def fit(self, X, answers):
        """Fit the classifier and the annotators' confusion matrices on ``X`` and the crowd's answers.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
        answers : pandas.DataFrame
            One row per answer with the columns ``item_col``, ``annotator_col``, ``label_col``.
            Items name rows of ``X``: for a DataFrame ``X``, values of its index (which must be
            unique); otherwise row positions ``0..n_samples-1``. An item naming no row is an
            :class:`~labelwise.errors.AnnotationError`.

        Returns
        -------
        self : CrowdClassifier
        """
        template = self._check_params(X)
        # Each iteration makes cv + 1 small fits: BLAS threads only spin between them (4-8x slower
        # on a loaded 2-core machine), so BLAS runs on one thread, as the aggregators' EM does.
        with _blas_controller().limit(limits=1, user_api="blas"), naming_nan_in(X, template):
            return self._fit(template, X, answers)

    def _fit(self, template: Any, X: Any, answers: Any) -> CrowdClassifier:
        X = check_meta_X(self, X, reset=True)
        n = _num_samples(X)
        if isinstance(X, pd.DataFrame):
            row_ids = X.index
            if not row_ids.is_unique:
                dup = row_ids[row_ids.duplicated()][0]
                raise InvalidParameterError(
                    f"X's index must be unique (answers name rows by it), got {show(dup)} more than once"
                )
        else:
            row_ids = pd.RangeIndex(n)
        crowd = encode_crowd_answers(
            answers,
            row_ids,
            labels=self.labels,
            duplicates=self.duplicates,
            item_col=self.item_col,
            annotator_col=self.annotator_col,
            label_col=self.label_col,
        )
        if crowd.n_classes < 2:
            raise InvalidLabelsError(
                f"answers must hold at least 2 classes (or give labels=), got 1 class ({show(crowd.classes[0])})"
            )
        if self.cv is not None and crowd.answered.size < self.cv:
            raise InvalidLabelsError(
                f"cv must be at most the number of answered rows of X ({crowd.answered.size}), got {self.cv}"
            )
        self.classes_ = crowd.classes
        soft = self._start(answers, crowd, row_ids)
        pseudo = pseudo_counts(crowd, self.smoothing, self.prior_strength)
        seed = seed_from(self.random_state)
        rows = crowd.answered
        self.log_likelihood_history_: list[float] = []
        self.converged_, self.n_iter_ = False, 0
        change = np.inf
        for it in track(range(1, self.max_iter + 1), total=self.max_iter, description="EM", verbose=self.verbose):
            log_model = self._model_log_proba(template, X, rows, soft, seed)  # M-step: the classifier
            conf = confusion_m_step(crowd, soft, pseudo)  # M-step: the annotators
            soft, loglik = e_step(crowd, log_model, conf)
            history = self.log_likelihood_history_
            change = abs(loglik - history[-1]) if history else np.inf
            history.append(loglik)
            self.n_iter_ = it
            if change < self.tol:
                self.converged_ = True
                break
        if not self.converged_:
            warn_at_caller(
                LabelwiseWarning(
                    f"CrowdClassifier did not converge in max_iter={self.max_iter} iterations (last change of the "
                    f"log-likelihood per answer {change:.3g} >= tol={self.tol}); raise max_iter"
                )
            )
        self.estimator_ = self._fit_soft(template, X, rows, soft)
        self._set_results(X, crowd, soft, pseudo, n)
        return self

    def _set_results(self, X: Any, crowd: CrowdAnswers, soft: np.ndarray, pseudo: np.ndarray, n: int) -> None:
        posterior = np.empty((n, crowd.n_classes))
        posterior[crowd.answered] = soft
        unanswered = np.flatnonzero(crowd.n_answers_per_row == 0)
        if unanswered.size:
            posterior[unanswered] = self._proba(self.estimator_, X, unanswered)
        self.posterior_ = posterior
        self.confusions_ = confusion_m_step(crowd, soft, pseudo)
        self.annotators_ = crowd.annotators
        prior = soft.mean(axis=0)
        self.annotator_accuracy_ = pd.Series(
            np.einsum("k,jkk->j", prior, self.confusions_), index=crowd.annotators, name="accuracy"
        )
        self.n_answers_per_row_ = crowd.n_answers_per_row

    def confusion_frame(self) -> pd.DataFrame:
        """``confusions_`` as a long table: one row per (annotator, true, given) with its probability."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        j, k = len(self.annotators_), len(self.classes_)
        return pd.DataFrame(
            {
                "annotator": np.repeat(np.asarray(self.annotators_, dtype=object), k * k),
                "true": np.tile(np.repeat(self.classes_, k), j),
                "given": np.tile(self.classes_, j * k),
                "probability": self.confusions_.ravel(),
            }
        )
