"""CleanMultilabelClassifier: train on noisy tags (missing and spurious) with one-vs-rest confident learning."""

from __future__ import annotations

from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.utils.validation import _num_samples, check_is_fitted

from .._caller import warn_at_caller
from .._chunks import check_n_jobs
from .._meta import base_estimator, fit_clone, inherit_input_tags
from .._tag_cells import DEFAULT_SEPARATOR, check_separator
from .._validate.arguments import check_choice, check_positive_int, seed_from, show
from .._validate.estimators import (
    check_estimator_method,
    check_meta_X,
    fit_sample_weight,
    sample_weight_fit_params,
)
from .._validate.nan_features import naming_nan_in
from .._validate.row_order import RowOrderScore, check_row_order
from ..audit.multilabel import MultilabelIssues, find_label_issues
from ..errors import LabelwiseWarning
from ._multilabel_targets import (
    check_pred_probs,
    encode_tag_targets,
    fold_trainable,
    out_of_fold_tag_probs,
    positive_column,
    tag_folds,
    tag_splitter,
    trainable_tags,
)
from ._names import MULTILABEL_ACTIONS
from ._tag_thresholds import auto_thresholds, check_thresholds

__all__ = ["MULTILABEL_ACTIONS", "CleanMultilabelClassifier"]


class CleanMultilabelClassifier(MetaEstimatorMixin, RowOrderScore, ClassifierMixin, BaseEstimator):
    """Train on noisy tags: flag the wrong (row, tag) cells by confident learning, then refit per tag.

    Multi-label data is read one-vs-rest: every tag is a binary problem "present / absent". ``fit``

    1. computes out-of-fold ``P(tag present)`` for every row and tag (per tag and fold, a clone of
       ``estimator``; one split of the rows for all tags, by iterative stratification [3]_ so that
       every fold holds its share of each tag, rare ones included), unless ``pred_probs`` are given;
    2. flags the (row, tag) cells whose presence or absence is probably wrong with
       :func:`labelwise.audit.multilabel.find_label_issues` (confident learning, prune by noise
       rate, run on each tag's binary problem: Northcutt et al. [1]_, in the one-vs-rest reading
       of multi-label data of Thyagarajan et al. [2]_): missing tags (absent, probably apply) and
       spurious ones (given, probably do not);
    3. fits, per tag, a clone of ``estimator`` on that tag's column cleaned by ``action``:

    ``action="reweight"`` (the default)
        nothing is removed; a flagged cell is weighted by its self-confidence (the out-of-fold
        probability of its given value), the others by 1. Needs an estimator whose ``fit``
        accepts ``sample_weight`` (for one without, pass ``"flip"`` or ``"drop"``). With
        ``"auto"`` thresholds this was the most accurate action on simulated data, in every
        noise setting (dev seeds, see ``benchmarks/RESULTS.md``).
    ``action="flip"``
        every row is kept and the flagged cells of the tag are toggled (the audit's suggested
        tags): a flipped missing tag is a positive regained for a tag that is already rare.
    ``action="drop"``
        the flagged cells of the tag are left out of that tag's fit (the row still trains the
        other tags), as :class:`labelwise.robust.CleanClassifier` drops rows.

    ``predict`` gives a tag where ``predict_proba`` exceeds that tag's threshold: ``"auto"`` (the
    default), per tag, the cut of the out-of-fold probabilities with the highest F1 against the
    cleaned column (every cut between two distinct probabilities tried; rows of weight 0 left out;
    a tag that is not fitted keeps 0.5); or one number for all tags, or one per tag. Missing tags
    lower a noisy tag's probabilities, so 0.5 gives it too rarely: ``"auto"`` raised held-out micro
    F1 on simulated data (dev seeds, see ``benchmarks/RESULTS.md``).

    A tag with fewer than ``cv`` present (or absent) rows cannot be cross-validated (nor one whose
    rows of positive weight in some fold's training part hold one value only): it is not audited
    and not fitted, a :class:`~labelwise.errors.LabelwiseWarning` names it, and it is
    predicted with its prior (its share of rows); so is a tag whose cleaned column holds one
    value only. With no tag to cross-validate, ``fit`` raises
    :class:`~labelwise.errors.TooFewExamplesError`.

    Parameters
    ----------
    estimator : binary classifier with ``fit`` and ``predict_proba``, default LogisticRegression(max_iter=1000)
        Cloned for every tag and fold.
        On columns of very different scales pass ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``:
        the plain default's lbfgs then runs to ``max_iter`` in every fit (benchmarks/RESULTS.md, session 45).
    cv : int >= 2, splitter or list of (train, test) pairs, default 5
        An int: that many folds of :class:`~labelwise.robust.multilabel_folds.IterativeStratifiedKFold`.
        A splitter (an object with ``split(X, y)`` and ``get_n_splits()``, e.g. scikit-learn's
        ``KFold``) is called with the 0/1 tag matrix as ``y``; a list of ``(train, test)`` row
        index pairs gives the folds. Their test parts must hold every row once.
    action : {"reweight", "flip", "drop"}, default "reweight"
    thresholds : "auto", float in (0, 1) or array of them (one per tag), default "auto"
        Per-tag decision thresholds of ``predict`` (see above); the ones used are ``thresholds_``.
    n_jobs : int or None
        joblib workers for the per-tag (and per-fold) fits; -1: all cores, None: 1.
    random_state : int, Generator or None
        Seed of the folds (the same folds for every tag). The folds are drawn over the rows in
        their order, so the same seed on reordered rows gives other folds (and may flag other rows).
    verbose : bool or None, default False
        Progress bars (``None``: only on a terminal).
    tag_separator : str, default "|"
        The separator of the tags in a string entry of ``y`` (``";"``: ``"a|b;c"`` is the tags ``a|b``
        and ``c``), as :func:`labelwise.audit.multilabel.find_label_issues` reads it; checked as
        there (:func:`labelwise._tag_cells.check_separator`).

    Attributes
    ----------
    classes_ : ndarray of shape (n_tags,)
        The tag of each column of ``predict`` / ``predict_proba``.
    estimators_ : list of (estimator or None)
        Per tag, the binary model fitted on the cleaned column (None: predicted with ``prior_``).
    prior_ : ndarray of float, shape (n_tags,)
        Per tag, the share of rows with the tag in the cleaned column (the given one for a skipped tag).
    skipped_tags_ : ndarray
        Tags with too few present or absent rows to be cross-validated (not audited, not fitted).
    issues_ : MultilabelIssues
        The audit of the given tags on ``pred_probs_``: ``issues_.is_issue`` (n_rows, n_tags) are
        the cells cleaned; ``is_missing`` / ``is_spurious`` tell the two kinds apart.
    pred_probs_ : ndarray of float, shape (n_rows, n_tags)
        The out-of-fold (or given) probabilities; a skipped tag's column holds its given 0/1 values.
    n_flagged_ : ndarray of int, shape (n_tags,)
        Flagged cells per tag.
    thresholds_ : ndarray of float, shape (n_tags,)
        The decision threshold of each tag.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    References
    ----------
    .. [1] Northcutt, C. G., Jiang, L. and Chuang, I. L. (2021). "Confident Learning: Estimating
       Uncertainty in Dataset Labels". Journal of Artificial Intelligence Research 70, 1373-1411.
    .. [2] Thyagarajan, A., Snorrason, E., Northcutt, C. and Mueller, J. (2023). "Identifying
       Incorrect Annotations in Multi-Label Classification Data". ICLR 2023 Workshop on
       Trustworthy and Reliable Large-Scale Machine Learning Models.
    .. [3] Sechidis, K., Tsoumakas, G. and Vlahavas, I. (2011). "On the Stratification of
       Multi-Label Data". ECML PKDD 2011, LNCS 6913, 145-158.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_multilabel_classification
    >>> from labelwise.noise import flip_tags
    >>> from labelwise.robust import CleanMultilabelClassifier
    >>> X, Y = make_multilabel_classification(300, n_classes=3, random_state=0)
    >>> noisy = flip_tags(Y, drop_rate=0.3, add_rate=0.0, random_state=0).labels
    >>> model = CleanMultilabelClassifier(random_state=0).fit(X, noisy)
    >>> model.predict_proba(X[:2]).shape, model.predict(X[:2]).shape
    ((2, 3), (2, 3))
    >>> bool(model.issues_.is_missing[noisy != Y].mean() > model.issues_.is_missing[noisy == Y].mean())
    True
    """

    def __init__(
        self,
        estimator=None,
        cv=5,
        action="reweight",
        thresholds="auto",
        n_jobs=None,
        random_state=None,
        verbose=False,
        tag_separator=DEFAULT_SEPARATOR,
    ):
        self.estimator = estimator
        self.cv = cv
        self.action = action
        self.thresholds = thresholds
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose
        self.tag_separator = tag_separator

    def _check_params(self) -> Any:
        estimator = base_estimator(self)
        check_estimator_method(estimator, "predict_proba", name="estimator")
        tag_splitter(self.cv, None)
        check_choice("action", self.action, MULTILABEL_ACTIONS)
        check_thresholds(self.thresholds)
        check_n_jobs("n_jobs", self.n_jobs)
        check_separator(self.tag_separator)
        if self.action == "reweight":
            sample_weight_fit_params(
                estimator,
                np.ones(1),
                name="estimator (action='reweight', the default, needs sample weights; pass action='flip' or "
                "'drop' for an estimator without)",
            )
        return estimator

    def fit(self, X, y, pred_probs=None, sample_weight=None):
        """Flag the noisy (row, tag) cells of ``y`` and fit one binary model per tag on the cleaned tags.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_rows, ...)
        y : (n_rows, n_tags) 0/1 matrix or DataFrame, or one list of tags per row
            The given (noisy) tags. Lists may hold any hashable tags (``"a|b"`` strings are split
            at ``tag_separator``); a DataFrame's column names are the tags.
        pred_probs : array-like of shape (n_rows, n_tags), optional
            Out-of-fold ``P(tag present)``, columns in the order of ``classes_`` (sorted tags for
            lists, the matrix's columns otherwise); given, no cross-validation is run.
        sample_weight : array-like of shape (n_rows,), optional
            A weight per row, passed to every fit (the out-of-fold models and the final ones,
            times ``action="reweight"``'s weights; ``auto`` thresholds weigh F1 by it). A row of
            weight 0 is never trained on, but is audited. Needs an estimator whose ``fit`` (a
            pipeline's last step's) accepts ``sample_weight``.

        Returns
        -------
        self : CleanMultilabelClassifier
        """
        template = self._check_params()
        check_row_order(X, "X", "the robust estimators", y=y, pred_probs=pred_probs, sample_weight=sample_weight)
        with naming_nan_in(X, template):  # scikit-learn's NaN refusal, from any fit of the folds or the tags
            return self._fit(template, X, y, pred_probs, sample_weight)

    def _fit(self, template, X, y, pred_probs, sample_weight):
        X = check_meta_X(self, X, reset=True)
        given, tags = encode_tag_targets(y, _num_samples(X), tag_separator=self.tag_separator)
        n, k = given.shape
        base = fit_sample_weight(sample_weight, n, template)
        seed = seed_from(self.random_state)
        splitter = tag_splitter(self.cv, seed)
        n_splits = check_positive_int("cv (its get_n_splits())", splitter.get_n_splits(X, given), minimum=2)
        trainable = trainable_tags(given, n_splits)
        self.classes_ = tags
        if pred_probs is None:
            folds = tag_folds(splitter, X, given.astype(np.int64))
            trainable = fold_trainable(given, folds, base, trainable)
            self._warn_skipped(given, trainable, n_splits)
            probs = out_of_fold_tag_probs(
                template, X, given, trainable, folds, weights=base, n_jobs=self.n_jobs, verbose=self.verbose
            )
        else:
            self._warn_skipped(given, trainable, n_splits)
            probs = np.where(trainable, check_pred_probs(pred_probs, (n, k)), given)
        issues = find_label_issues(given, probs, classes=tags, tag_separator=self.tag_separator)
        self.pred_probs_ = probs
        self.issues_ = issues
        self.n_flagged_ = issues.is_issue.sum(axis=0)
        targets, weights = self._cleaned(given, issues, np.ones(n) if base is None else base)
        self._fit_tags(template, X, targets, weights, trainable, weighted=base is not None)
        fitted = np.array([m is not None for m in self.estimators_], dtype=bool)
        if isinstance(self.thresholds, str):
            self.thresholds_ = auto_thresholds(targets, probs, weights, fitted)
        else:
            self.thresholds_ = check_thresholds(self.thresholds, k)
        return self

    def _warn_skipped(self, given: np.ndarray, trainable: np.ndarray, n_splits: int) -> None:
        """``skipped_tags_`` and a warning naming them, with their counts of rows."""
        n = given.shape[0]
        n_pos = given.sum(axis=0)
        self.skipped_tags_ = self.classes_[~trainable]
        if self.skipped_tags_.size:
            few = ", ".join(
                f"{show(t)} ({int(p)} of {n} rows)"
                for t, p in zip(self.classes_[~trainable], n_pos[~trainable], strict=True)
            )
            warn_at_caller(
                LabelwiseWarning(
                    f"y has tags with fewer than cv={n_splits} present (or absent) rows, or with one value only in "
                    f"some fold's training rows: {few}; they are not audited nor fitted, and are predicted with their "
                    "share of rows"
                )
            )

    def _cleaned(self, given: np.ndarray, issues: MultilabelIssues, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The 0/1 targets (n_rows, n_tags) each tag is fitted on, and their weights (0: left out), for ``action``."""
        flagged = issues.is_issue
        weights = np.repeat(base[:, None], given.shape[1], axis=1)
        if self.action == "drop":
            return given.astype(np.int64), np.where(flagged, 0.0, weights)
        if self.action == "flip":
            return (given ^ flagged).astype(np.int64), weights
        return given.astype(np.int64), np.where(flagged, issues.label_quality, 1.0) * weights

    def _fit_tags(
        self, template, X, targets: np.ndarray, weights: np.ndarray, trainable: np.ndarray, *, weighted: bool
    ) -> None:
        """One binary model per trainable tag on its cleaned column; the prior where it holds one value only."""
        k = targets.shape[1]
        self.estimators_: list[Any] = [None] * k
        self.prior_ = targets.mean(axis=0).astype(np.float64)
        todo, single = [], []
        for j in np.flatnonzero(trainable).tolist():
            rows = np.flatnonzero(weights[:, j] > 0)
            self.prior_[j] = np.average(targets[rows, j], weights=weights[rows, j]) if rows.size else self.prior_[j]
            if rows.size == 0 or np.unique(targets[rows, j]).size < 2:
                single.append(self.classes_[j])
                continue
            w = weights[:, j] if weighted or np.any(weights[rows, j] != 1.0) else None
            todo.append((j, rows, w))
        if self.n_jobs is None or self.n_jobs == 1:
            models = [fit_clone(template, X, targets[:, j], rows, w) for j, rows, w in todo]
        else:
            models = Parallel(n_jobs=self.n_jobs)(
                delayed(fit_clone)(template, X, targets[:, j], rows, w) for j, rows, w in todo
            )
        for (j, _, _), model in zip(todo, models, strict=True):
            self.estimators_[j] = model
        if single:
            warn_at_caller(
                LabelwiseWarning(
                    f"after cleaning, the tags {[show(t) for t in single]} hold one value only: predicted with their prior"
                )
            )

    def predict_proba(self, X):
        """``P(tag present)`` per row and tag, shape (n_rows, n_tags), columns in the order of ``classes_``."""
        check_is_fitted(self)
        checked = check_meta_X(self, X, reset=False)
        out = np.tile(self.prior_, (_num_samples(checked), 1))
        for j, model in enumerate(self.estimators_):
            if model is not None:
                with naming_nan_in(X, model):
                    out[:, j] = positive_column(model, model.predict_proba(checked))
        return out

    def predict(self, X):
        """The 0/1 tag matrix (n_rows, n_tags): 1 where ``predict_proba`` exceeds the tag's threshold (``thresholds_``)."""
        return (self.predict_proba(X) > self.thresholds_).astype(np.int64)

    def predict_tags(self, X) -> list[list[Any]]:
        """Per row, the list of predicted tags (values of ``classes_``)."""
        pred = self.predict(X).astype(bool)
        return [self.classes_[row].tolist() for row in pred]

    def __sklearn_tags__(self):
        tags = inherit_input_tags(super().__sklearn_tags__(), self)
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags
