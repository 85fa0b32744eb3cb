"""CleanClassifier: find label issues with out-of-fold probabilities, then refit on cleaned data."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

from .._meta import (
    PredictWithFittedEstimator,
    accepts_sample_weight,
    base_estimator,
    encode_class_targets,
    fit_clone,
)
from .._progress import track
from .._validate.arguments import check_choice, check_positive_int, seed_from, show
from .._validate.estimators import (
    check_estimator_method,
    check_meta_X,
    fit_sample_weight,
    sample_weight_fit_params,
)
from .._validate.labels import check_rows_per_class_for_folds, check_same_length
from .._validate.nan_features import naming_nan_in
from .._validate.row_order import RowOrderScore, check_row_order
from ..audit import FILTERS, SCORERS, LabelIssues, find_label_issues
from ..errors import InvalidLabelsError, TooFewExamplesError
from ..probs import out_of_fold_probs
from ._transition_fit import one_dim_targets

__all__ = ["CleanClassifier", "ACTIONS"]

ACTIONS = ("drop", "reweight")


class CleanClassifier(PredictWithFittedEstimator, RowOrderScore, ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Train on noisy labels: find the label issues by confident learning, then refit without them.

    ``fit`` computes out-of-fold predicted probabilities with ``cv``-fold cross-validation
    (:func:`labelwise.out_of_fold_probs`), finds the label issues with
    :func:`labelwise.find_label_issues` (confident learning, Northcutt et al. [1]_), and fits a
    clone of ``estimator`` on the cleaned data:

    ``action="drop"``
        the flagged examples are removed. With ``class_weighting=True`` (and an estimator that
        accepts ``sample_weight``) the kept examples of class ``k`` are weighted by
        ``1 / P(given=k | true=k)``, the inverse of the estimated noise matrix's diagonal, so
        that each class's loss has the mass it would have had without noise ([1]_, Sec. 4;
        Northcutt et al. [2]_).
    ``action="reweight"``
        nothing is removed; each example is weighted by its label quality score (``rank_by``,
        the out-of-fold probability of its given label for ``"self_confidence"``), divided by
        the mean quality of its class, and flagged examples keep only that weight while the
        others get at least 1. Needs an estimator whose ``fit`` accepts ``sample_weight``.

    ``n_rounds > 1`` re-estimates the probabilities after cleaning: each further round
    cross-validates again with models trained only on the kept (or weighted) examples of the
    training folds, predicts every example, and finds the issues afresh on all labels, so an
    example dropped by a noisy first model can come back. The rounds stop early at a fixed point
    (``n_rounds_``); a round that leaves fewer than 2 classes to train on is an error naming
    ``n_rounds``.

    Parameters
    ----------
    estimator : classifier with ``fit`` and ``predict_proba``, default LogisticRegression(max_iter=1000)
        Cloned for every fold and for the final fit.
        On columns of very different scales pass ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``:
        the plain default's lbfgs then runs to ``max_iter`` in every fit (benchmarks/RESULTS.md, session 45).
    cv : int >= 2, default 5
        Cross-validation folds; every class needs at least ``cv`` examples.
    filter_by : str, default "prune_by_noise_rate"
        Filter of :func:`labelwise.find_label_issues`.
    rank_by : str, default "self_confidence"
        Label quality score (used for ranking and by ``action="reweight"``).
    action : {"drop", "reweight"}, default "drop"
    class_weighting : bool, default False
        With ``action="drop"``, weight classes by the inverse noise rates when the estimator
        accepts ``sample_weight`` (silently skipped otherwise), as cleanlab's CleanLearning
        does. Off by default: on the benchmark (``benchmarks/RESULTS.md``) plain dropping was
        more accurate.
    n_rounds : int >= 1, default 1
        Rounds of (re-)estimating probabilities and issues.
    random_state : int, Generator or None
        Seed of the fold shuffling. The folds are drawn over the rows in
        their order, so the same seed on reordered rows gives other folds (and may flag other rows).
    n_jobs : int or None
        Folds fitted in parallel (first round).
    verbose : bool or None, default False
        Progress bars (``None``: only on a terminal).

    Attributes
    ----------
    estimator_ : estimator
        Fitted on the cleaned data.
    classes_ : ndarray of shape (n_classes,)
    label_issues_ : LabelIssues
        The issues found in the last round (over all examples).
    label_issues_rounds_ : list of LabelIssues
        One result per round run.
    n_rounds_ : int
        Rounds run: ``n_rounds``, or fewer when a round kept the same rows with the same weights
        as the round before (a fixed point: the following rounds would repeat it).
    noise_matrix_ : ndarray of shape (n_classes, n_classes)
        Estimated ``P(given=i | true=j)`` of the last round.
    pred_probs_ : ndarray of shape (n_samples, n_classes)
        The out-of-fold probabilities of the last round.
    n_dropped_ : int
        Examples left out of the final fit (0 for ``"reweight"``; examples given weight 0 count).
    sample_weight_ : ndarray of float, shape (n_samples,)
        Weight of each example in the final fit (0 = dropped), ``sample_weight`` included.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    References
    ----------
    .. [1] Northcutt, C. G., Jiang, L. and Chuang, I. L. (2021). "Confident Learning: Estimating
       Uncertainty in Dataset Labels". Journal of Artificial Intelligence Research 70, 1373-1411.
    .. [2] Northcutt, C. G., Wu, T. and Chuang, I. L. (2017). "Learning with Confident Examples:
       Rank Pruning for Robust Classification with Noisy Labels". UAI 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from labelwise.robust import CleanClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> y = y.copy()
    >>> y[:10] = 2  # ten setosas mislabelled
    >>> model = CleanClassifier(random_state=0).fit(X, y)
    >>> bool(model.label_issues_.is_issue[:10].mean() > 0.5)
    True
    """

    def __init__(
        self,
        estimator=None,
        cv=5,
        filter_by="prune_by_noise_rate",
        rank_by="self_confidence",
        action="drop",
        class_weighting=False,
        n_rounds=1,
        random_state=None,
        n_jobs=None,
        verbose=False,
    ):
        self.estimator = estimator
        self.cv = cv
        self.filter_by = filter_by
        self.rank_by = rank_by
        self.action = action
        self.class_weighting = class_weighting
        self.n_rounds = n_rounds
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self):
        estimator = base_estimator(self)
        check_estimator_method(estimator, "predict_proba", name="estimator")
        check_positive_int("cv", self.cv, minimum=2)
        check_choice("filter_by", self.filter_by, list(FILTERS))
        check_choice("rank_by", self.rank_by, list(SCORERS))
        check_choice("action", self.action, ACTIONS)
        check_positive_int("n_rounds", self.n_rounds)
        if self.action == "reweight":
            sample_weight_fit_params(estimator, np.ones(1), name="estimator (action='reweight' needs sample weights)")
        return estimator

    def _weights(self, issues: LabelIssues, codes: np.ndarray, use_weights: bool) -> np.ndarray:
        """Final-fit weight of every example (0 = dropped) for the configured action."""
        n_classes = issues.noise_matrix.shape[0]
        if self.action == "drop":
            weights = (~issues.is_issue).astype(np.float64)
            if use_weights and self.class_weighting:
                keep_rate = np.maximum(np.diag(issues.noise_matrix), 1e-3)
                weights *= (1.0 / keep_rate)[codes]
            return weights
        quality = np.clip(issues.label_quality.astype(np.float64), 0.0, None)
        class_mean = np.bincount(codes, weights=quality, minlength=n_classes) / np.maximum(
            np.bincount(codes, minlength=n_classes), 1
        )
        relative = quality / np.where(class_mean[codes] > 0, class_mean[codes], 1.0)
        return np.where(issues.is_issue, relative, np.maximum(relative, 1.0))

    def _check_kept(self, codes: np.ndarray, rows: np.ndarray, round_: int, where: str) -> None:
        """Raise :class:`TooFewExamplesError` when the rows kept after ``round_`` hold fewer than 2 classes.

        Dropping flagged rows round after round can leave a class (or all but one) without a row;
        a model then cannot be fitted: the message names ``n_rounds`` (or, after a single round,
        ``filter_by``), which decides how much is dropped.
        """
        kept = np.unique(codes[rows])
        if kept.size >= 2:
            return
        held = "no row" if kept.size == 0 else f"only class {show(self.classes_[kept[0]])}"
        cause, fix = ("n_rounds", "fewer rounds") if self.n_rounds > 1 else ("filter_by", "a filter flagging fewer")
        raise TooFewExamplesError(
            f"{cause} drops too many rows: after round {round_} of {self.n_rounds} the rows kept {where} "
            f"hold {held}, and a model needs 2 classes (use {fix}, or reweight the rows instead of dropping them)"
        )

    def _refit_probs(self, template, X, codes, weights, n_classes, seed, round_: int = 0) -> np.ndarray:
        """Out-of-fold probabilities from models trained only on the weighted/kept training rows."""
        folds = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=seed).split(codes, codes)
        probs = np.zeros((codes.size, n_classes))
        for train, test in track(list(folds), total=self.cv, description="re-estimating", verbose=self.verbose):
            rows = train[weights[train] > 0]
            self._check_kept(codes, rows, round_, "to train a fold's model")
            use = accepts_sample_weight(template) and not np.all(weights[rows] == 1)
            model = fit_clone(template, X, codes, rows, weights if use else None)
            fold = np.asarray(model.predict_proba(_safe_indexing(X, test)), dtype=np.float64)
            probs[np.ix_(test, np.asarray(model.classes_, dtype=np.int64))] = fold
        return probs / probs.sum(axis=1, keepdims=True)

    def fit(self, X, y, sample_weight=None):
        """Find label issues in ``(X, y)`` and fit the estimator on the cleaned data.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
        y : array-like of shape (n_samples,)
            The (noisy) labels.
        sample_weight : array-like of shape (n_samples,), optional
            A weight per example, e.g. the confidence of a label model's label
            (``weak.LabelModel().fit(votes).probas_.max(axis=1)``: probabilistic labels as sample
            weights). Every fit (the out-of-fold models of each round and the final model) is
            weighted by it, times the cleaning's own weights; an example of weight 0 is never
            trained on, but is audited. Needs an estimator whose ``fit`` accepts ``sample_weight``.

        Returns
        -------
        self : CleanClassifier
        """
        template = self._check_params()
        if y is None:
            raise InvalidLabelsError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        check_row_order(X, "X", "the robust estimators", y=y, sample_weight=sample_weight)
        X = check_meta_X(self, X, reset=True)
        y_arr = one_dim_targets(y)
        check_same_length("X", range(_num_samples(X)), "y", y_arr)
        given = fit_sample_weight(sample_weight, y_arr.shape[0], template)
        y_arr, codes, classes = encode_class_targets(y_arr)
        n_classes = len(classes)
        if n_classes < 2:
            raise InvalidLabelsError(f"y must contain at least 2 classes, got 1 class ({show(classes[0])})")
        counts = np.bincount(codes, minlength=n_classes)
        check_rows_per_class_for_folds(counts, classes, self.cv)
        self.classes_ = classes
        use_weights = accepts_sample_weight(template)
        base = np.ones(codes.size) if given is None else given
        with naming_nan_in(X, template):  # scikit-learn's NaN refusal, from any fit of the rounds
            seed = seed_from(self.random_state)
            # out_of_fold_probs takes no sample weights, and len(X), which sparse matrices refuse
            if sp.issparse(X) or given is not None:
                probs = self._refit_probs(template, X, codes, base, n_classes, seed)
            else:
                probs = out_of_fold_probs(
                    template, X, codes, cv=self.cv, random_state=seed, n_jobs=self.n_jobs, verbose=self.verbose
                )
            rounds: list[LabelIssues] = []
            weights = base  # replaced by each round's weights
            for round_ in range(self.n_rounds):
                if round_ > 0:
                    probs = self._refit_probs(template, X, codes, weights, n_classes, seed, round_)
                issues = find_label_issues(
                    y_arr, probs, filter_by=self.filter_by, rank_by=self.rank_by, classes=classes
                )
                rounds.append(issues)
                previous, weights = weights, self._weights(issues, codes, use_weights) * base
                if round_ > 0 and np.array_equal(weights, previous):
                    break  # a fixed point: the next round would train on the same rows and weights and repeat this one
            rows = np.flatnonzero(weights > 0)
            self._check_kept(codes, rows, len(rounds), "for the final model")
            self.estimator_ = fit_clone(template, X, codes, rows, weights if use_weights else None)
        self.label_issues_ = rounds[-1]
        self.label_issues_rounds_ = rounds
        self.n_rounds_ = len(rounds)
        self.noise_matrix_ = rounds[-1].noise_matrix
        self.pred_probs_ = probs
        self.sample_weight_ = weights if use_weights else (weights > 0).astype(np.float64)
        self.n_dropped_ = int(codes.size - rows.size)
        return self
