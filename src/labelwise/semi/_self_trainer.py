"""SelfTrainer: a scikit-learn meta-estimator that pseudo-labels unlabeled examples round by round."""

from __future__ import annotations

import itertools
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.exceptions import DataConversionWarning
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import _safe_indexing
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _num_samples

from .._progress import track
from .._meta import PredictWithFittedEstimator, base_estimator
from .._validate import (
    check_choice,
    check_estimator_method,
    check_random_state,
    check_fraction,
    check_meta_X,
    check_positive_int,
    check_same_length,
    encode_labels,
    sample_weight_fit_params,
    seed_from,
    show,
)
from ..errors import EstimatorError, InvalidLabelsError, InvalidParameterError, LabelwiseWarning
from ._selection import (
    curriculum_threshold,
    flexmatch_thresholds,
    freematch_thresholds,
    llkd_thresholds,
    normalized_entropy,
    select_class_balanced,
    select_k_best,
    select_threshold,
    softmatch_weights,
)

__all__ = ["SelfTrainer", "SafeguardResult", "SELECTIONS"]

#: Rules that add to a growing pseudo-labelled set (labels stay unless ``recheck`` drops them).
INCREMENTAL = ("threshold", "k_best", "class_balanced")
#: Rules that choose the whole pseudo-labelled set afresh every round.
RESELECTING = ("curriculum", "adaptive", "llkd")
SELECTIONS = INCREMENTAL + RESELECTING


def split_unlabeled(y: Any, unlabeled_value: Any, *, name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """Return ``y`` as a 1-D array and the mask of unlabeled entries.

    Unlabeled entries equal ``unlabeled_value`` or are missing (``None``/``NaN``).
    """
    if isinstance(y, (pd.Series, pd.Index)):
        arr = y.to_numpy()
    else:
        arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please change the shape of y "
            "to (n_samples,), for example using ravel().",
            DataConversionWarning,
            stacklevel=3,
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise InvalidLabelsError(f"{name} must be one-dimensional (one label per example), got shape {arr.shape}")
    if arr.dtype.kind in "US":
        arr = arr.astype(object)
    missing = pd.isna(arr) if arr.dtype.kind in "fOcmM" else np.zeros(arr.shape, dtype=bool)
    if unlabeled_value is None or (isinstance(unlabeled_value, float) and np.isnan(unlabeled_value)):
        marked = np.zeros(arr.shape, dtype=bool)
    elif arr.dtype.kind == "O":
        marked = np.asarray(arr == unlabeled_value, dtype=bool)
    elif arr.dtype.kind in "iufb" and isinstance(unlabeled_value, (numbers.Number, np.number)):
        marked = arr == unlabeled_value
    else:
        marked = np.asarray(arr.astype(object) == unlabeled_value, dtype=bool)
    return arr, np.asarray(missing, dtype=bool) | marked


def _log_loss(proba: np.ndarray, codes: np.ndarray) -> float:
    """Mean negative log-probability of the true class (probabilities clipped at 1e-15)."""
    return float(-np.log(np.clip(proba[np.arange(codes.size), codes], 1e-15, 1.0)).mean())


@dataclass(frozen=True)
class SafeguardResult:
    """What ``safeguard="cv"`` measured on the labeled part, and what it decided.

    Attributes
    ----------
    decision : {"self_training", "labeled_only", "unchecked"}
        ``"labeled_only"``: pseudo-labelling did not beat the labeled-only estimator in
        cross-validation, so the final model is the estimator fitted on the given labels alone.
        ``"unchecked"``: some class had fewer than 2 labeled examples, so no check was possible.
    n_splits : int
        Number of stratified folds over the labeled examples (0 when unchecked).
    accuracy_self_training, accuracy_labeled_only : float
        Out-of-fold accuracy on the held-out labeled examples.
    log_loss_self_training, log_loss_labeled_only : float
        Out-of-fold log loss on the same examples (the tie-breaker when accuracies are equal).
    """

    decision: str
    n_splits: int
    accuracy_self_training: float
    accuracy_labeled_only: float
    log_loss_self_training: float
    log_loss_labeled_only: float

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate model: its out-of-fold accuracy and log loss, and whether it was chosen."""
        chosen = {"self_training": "self_training", "labeled_only": "labeled_only"}.get(self.decision, "self_training")
        return pd.DataFrame(
            {
                "model": ["self_training", "labeled_only"],
                "accuracy": [self.accuracy_self_training, self.accuracy_labeled_only],
                "log_loss": [self.log_loss_self_training, self.log_loss_labeled_only],
                "chosen": [chosen == "self_training", chosen == "labeled_only"],
            }
        )


class SelfTrainer(PredictWithFittedEstimator, ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Self-training: fit on the labeled examples, pseudo-label the unlabeled ones, refit.

    Each round fits a fresh clone of ``estimator`` on the given labels plus the current
    pseudo-labels, predicts probabilities for the unlabeled pool and admits pseudo-labels by one
    of the selection rules surveyed by Amini et al. [1]_:

    ``"threshold"``
        every example whose confidence (largest predicted probability) exceeds ``threshold``;
    ``"k_best"``
        the ``k_best`` most confident examples;
    ``"class_balanced"``
        the ``k_best // K`` most confident examples of each predicted class, so the class the
        model already favours cannot take over;
    ``"curriculum"``
        Curriculum Labeling [3]_: round ``t`` chooses, from the whole pool, the examples in the
        top ``t * percentile_step`` percent of confidence (a percentile schedule that admits more
        each round; labels are re-predicted every round);
    ``"adaptive"``
        FlexMatch's Curriculum Pseudo Labeling [2]_: per-class thresholds
        ``M(beta(c)) * threshold`` that scale with how well each class is learned (the number of
        pool examples confidently predicted as that class); chosen afresh every round, and
        weighted as in FlexMatch's loss ``L_s + lambda * L_u`` (see ``unlabeled_weight``);
        with ``adaptive_thresholds="freematch"`` the per-class thresholds are FreeMatch's
        self-adaptive ones [6]_ instead (they follow the model's mean confidence and mean class
        prediction on the pool, see :func:`~labelwise.semi.freematch_thresholds`); with
        ``adaptive_thresholds="softmatch"``, SoftMatch's soft threshold [7]_: every pool example
        gets its pseudo-label, weighted by a truncated Gaussian of its (uniformly aligned)
        confidence (see :func:`~labelwise.semi.softmatch_weights`);
    ``"llkd"``
        the teacher/student selection of LLKD [4]_: pseudo-labels come from a separate
        ``teacher`` fitted once on the labeled part; an example is admitted when the teacher's
        confidence is above its adaptive per-class threshold *and* the student's uncertainty
        (normalised entropy) is above its own, i.e. reliable labels the student still needs.
        Admitted examples are weighted by ``confidence * uncertainty`` when the student accepts
        ``sample_weight``.

    The first three rules grow the pseudo-labelled set; with ``recheck=True`` each round also
    drops pseudo-labels the current model no longer predicts (they may be admitted again later).
    The last three choose the set afresh each round, which re-checks by construction.

    Unlabeled examples are marked with ``unlabeled_value`` (``-1`` by default, as in
    scikit-learn) or are missing (``None``/``NaN``, e.g. for string labels).

    Parameters
    ----------
    estimator : estimator with ``fit`` and ``predict_proba``, default LogisticRegression(max_iter=1000)
        The student, cloned before each fit.
    selection : {"threshold", "k_best", "class_balanced", "curriculum", "adaptive", "llkd"}, default "threshold"
    threshold : float in [0, 1), optional
        Confidence threshold of ``"threshold"`` (default 0.75) and FlexMatch's upper threshold
        tau of ``"adaptive"`` (default 0.95, as in the paper).
    k_best : int, default 10
        Examples admitted per round by ``"k_best"`` and (in total) by ``"class_balanced"``.
    percentile_step : float in (0, 100], default 20
        Percent of the pool added per round by ``"curriculum"`` (20 in Curriculum Labeling).
    adaptive_thresholds : {"flexmatch", "freematch", "softmatch"}, default "flexmatch"
        How ``"adaptive"`` sets its per-class thresholds: FlexMatch's Curriculum Pseudo Labeling
        (uses ``threshold``, ``warmup``, ``mapping``, ``prior_correction``), FreeMatch's
        self-adaptive thresholds (moving averages with decay ``momentum`` per round; ``threshold``
        is not used), or SoftMatch's truncated-Gaussian weights (every pool example is
        pseudo-labelled each round and weighted by its confidence relative to the pool's mean and
        variance; uses ``prior_correction``; needs an estimator accepting ``sample_weight``).
    warmup : bool, default True
        FlexMatch's threshold warm-up (the unused examples count in the normaliser).
    mapping : {"convex", "linear"}, default "convex"
        FlexMatch's mapping from learning effect to threshold scale.
    prior_correction : bool, default False
        FlexMatch: count each class's learning effect relative to its share of the labeled
        examples (labelwise's correction for imbalanced classes; FlexMatch assumes balanced ones).
        SoftMatch: align predictions to the labeled class proportions (ReMixMatch's distribution
        alignment [8]_) instead of SoftMatch's uniform alignment.
    teacher : estimator with ``fit`` and ``predict_proba``, optional
        A separate teacher fitted once on the labeled part. When given, pseudo-labels and their
        confidences come from the teacher for every rule. Required by ``"llkd"``.
    momentum : float in [0, 1), default 0.5
        Weight of the previous round in LLKD's and FreeMatch's moving-average thresholds.
    recheck : bool, default False
        Drop pseudo-labels that the current student no longer predicts (incremental rules).
    unlabeled_weight : float > 0 or None, default None
        Weight lambda of the pseudo-labelled part against the labeled part, as in FlexMatch's
        loss ``L_s + lambda * L_u`` where each loss is a mean over its own examples: given labels
        weigh 1 and each pseudo-label ``lambda * n_labeled / n_unlabeled``. ``None`` means 1.0 for
        ``"adaptive"`` (the paper's lambda; skipped when the estimator cannot take
        ``sample_weight``) and no weighting (every pseudo-label weighs 1, as in scikit-learn)
        for the other rules. Needs an estimator accepting ``sample_weight`` when given.
    safeguard : {None, "cv"}, default None
        ``"cv"``: make pseudo-labelling safe in the sense of Li and Zhou [5]_ (unlabeled data
        should never make the model worse than the supervised one). The labeled examples are
        split into ``cv`` stratified folds; for each fold, self-training runs with that fold's
        labels hidden (its examples join the unlabeled pool) and the estimator is also fitted on
        the other folds' labels alone; both predict the held-out labels. Self-training is kept
        only when its out-of-fold accuracy is strictly higher; otherwise (a tie included, since
        the labeled data then give no evidence that the unlabeled data help) the final model is
        the estimator fitted on the labeled examples alone and no pseudo-label is kept. The
        measurement and decision are in ``safeguard_``. Costs about ``cv + 1`` self-training runs.
        Only labeled examples are used to decide.
    cv : int >= 2, default 3
        Folds of ``safeguard="cv"`` (fewer when the smallest class has fewer labeled examples).
    max_iter : int >= 0 or None, default 10
        Maximum number of rounds; ``None`` runs until nothing changes.
    unlabeled_value : scalar or None, default -1
        The marker of unlabeled examples in ``y`` (missing values are always unlabeled).
    random_state : int, numpy Generator or None, default None
        Shuffles the safeguard's folds; ``None`` keeps the labeled examples in their order
        (deterministic).
    verbose : bool or None, default False
        Show a progress bar over rounds (``None``: only on a terminal).

    Attributes
    ----------
    estimator_ : estimator
        The student fitted on the given labels plus the final pseudo-labels.
    teacher_ : estimator or None
        The fitted teacher.
    classes_ : ndarray of shape (n_classes,)
        The classes seen among the labeled examples.
    transduction_ : ndarray of shape (n_samples,)
        The labels of the final fit: given labels, pseudo-labels, and the original marker for
        examples never labeled.
    labeled_iter_ : ndarray of int, shape (n_samples,)
        Round in which each example got its current label: 0 = given, -1 = never.
    pseudo_confidence_ : ndarray of float, shape (n_samples,)
        Confidence (of the teacher when there is one) in each pseudo-label: at the round it was
        admitted for the incremental rules, at the last round for the re-selecting ones; NaN for
        given labels and examples never labeled.
    n_iter_ : int
        Number of self-training rounds (fits inside the loop).
    termination_condition_ : {"max_iter", "no_change", "all_labeled", "safeguard"}
        Why the loop stopped (``"no_change"`` also when a re-selecting rule returns to a set it
        chose before, so ``max_iter=None`` always ends; ``"safeguard"`` when ``safeguard="cv"``
        chose the labeled-only estimator, so no round ran).
    safeguard_ : SafeguardResult or None
        With ``safeguard="cv"``: the out-of-fold accuracy and log loss of self-training and of
        the labeled-only estimator, and the ``decision``; ``None`` otherwise.
    history_ : pandas.DataFrame
        One row per round: ``round``, ``n_pseudo`` (pseudo-labelled examples after the round),
        ``n_added``, ``n_removed`` (dropped or re-chosen away), ``n_relabeled`` (kept but with a
        new label), and ``thresholds`` (per-class thresholds, where the rule has them).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.

    See Also
    --------
    sklearn.semi_supervised.SelfTrainingClassifier : the threshold and k-best rules.

    References
    ----------
    .. [1] Amini, M.-R., Feofanov, V., Pauletto, L., Hadjadj, L., Devijver, E. and Maximov, Y.
       (2022). "Self-Training: A Survey". arXiv:2202.12040.
    .. [2] Zhang, B., Wang, Y., Hou, W., Wu, H., Wang, J., Okumura, M. and Shinozaki, T. (2021).
       "FlexMatch: Boosting Semi-Supervised Learning with Curriculum Pseudo Labeling".
       Advances in Neural Information Processing Systems 34 (NeurIPS 2021).
    .. [3] Cascante-Bonilla, P., Tan, F., Qi, Y. and Ordonez, V. (2021). "Curriculum Labeling:
       Revisiting Pseudo-Labeling for Semi-Supervised Learning". AAAI 2021.
    .. [4] Li, J., Nag, S., Liu, H., Tang, X., Sarwar, S., Cui, L., Gu, H., Wang, S., He, Q. and
       Tang, J. (2025). "Learning with Less: Knowledge Distillation from Large Language Models
       via Unlabeled Data". Findings of the Association for Computational Linguistics: NAACL 2025
       (arXiv:2411.08028, 2024).
    .. [5] Li, Y.-F. and Zhou, Z.-H. (2015). "Towards Making Unlabeled Data Never Hurt".
       IEEE Transactions on Pattern Analysis and Machine Intelligence 37(1), 175-188.
    .. [6] Wang, Y., Chen, H., Heng, Q., Hou, W., Fan, Y., Wu, Z., Wang, J., Savvides, M.,
       Shinozaki, T., Raj, B., Schiele, B. and Xie, X. (2023). "FreeMatch: Self-adaptive
       Thresholding for Semi-supervised Learning". ICLR 2023.
    .. [7] Chen, H., Tao, R., Fan, Y., Wang, Y., Wang, J., Schiele, B., Xie, X., Raj, B. and
       Savvides, M. (2023). "SoftMatch: Addressing the Quantity-Quality Trade-off in
       Semi-supervised Learning". ICLR 2023.
    .. [8] Berthelot, D., Carlini, N., Cubuk, E. D., Kurakin, A., Sohn, K., Zhang, H. and
       Raffel, C. (2020). "ReMixMatch: Semi-Supervised Learning with Distribution Alignment and
       Augmentation Anchoring". ICLR 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from labelwise.semi import SelfTrainer
    >>> X, y = load_iris(return_X_y=True)
    >>> y = y.copy()
    >>> y[np.random.default_rng(0).random(y.size) < 0.7] = -1
    >>> model = SelfTrainer(selection="adaptive").fit(X, y)
    >>> model.termination_condition_ in ("no_change", "max_iter", "all_labeled")
    True
    """

    def __init__(
        self,
        estimator=None,
        selection="threshold",
        threshold=None,
        k_best=10,
        percentile_step=20.0,
        adaptive_thresholds="flexmatch",
        warmup=True,
        mapping="convex",
        prior_correction=False,
        teacher=None,
        momentum=0.5,
        recheck=False,
        unlabeled_weight=None,
        safeguard=None,
        cv=3,
        max_iter=10,
        unlabeled_value=-1,
        random_state=None,
        verbose=False,
    ):
        self.estimator = estimator
        self.selection = selection
        self.threshold = threshold
        self.k_best = k_best
        self.percentile_step = percentile_step
        self.adaptive_thresholds = adaptive_thresholds
        self.warmup = warmup
        self.mapping = mapping
        self.prior_correction = prior_correction
        self.teacher = teacher
        self.momentum = momentum
        self.recheck = recheck
        self.unlabeled_weight = unlabeled_weight
        self.safeguard = safeguard
        self.cv = cv
        self.max_iter = max_iter
        self.unlabeled_value = unlabeled_value
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ parameters
    def _check_params(self) -> dict:
        selection = check_choice("selection", self.selection, SELECTIONS)
        default_tau = 0.95 if selection == "adaptive" else 0.75
        threshold = default_tau if self.threshold is None else check_fraction("threshold", self.threshold)
        k_best = check_positive_int("k_best", self.k_best)
        try:
            step = float(self.percentile_step)
        except (TypeError, ValueError):
            step = float("nan")
        if not 0 < step <= 100:
            raise InvalidParameterError(f"percentile_step must be in (0, 100], got {self.percentile_step!r}")
        check_choice("mapping", self.mapping, ("convex", "linear"))
        check_choice("adaptive_thresholds", self.adaptive_thresholds, ("flexmatch", "freematch", "softmatch"))
        check_fraction("momentum", self.momentum)
        if self.max_iter is not None:
            check_positive_int("max_iter", self.max_iter, minimum=0)
        unlabeled_weight = self.unlabeled_weight
        if unlabeled_weight is None:
            unlabeled_weight = 1.0 if selection == "adaptive" else None
        elif isinstance(unlabeled_weight, bool) or not isinstance(unlabeled_weight, numbers.Real) or not (
            0 < unlabeled_weight < np.inf
        ):
            raise InvalidParameterError(f"unlabeled_weight must be a positive number or None, got {unlabeled_weight!r}")
        if self.safeguard is not None:
            check_choice("safeguard", self.safeguard, ("cv",))
        cv = check_positive_int("cv", self.cv, minimum=2)
        check_random_state(self.random_state)
        if selection == "llkd" and self.teacher is None:
            raise InvalidParameterError(
                "teacher must be an estimator when selection='llkd' (LLKD needs a separate teacher), got None"
            )
        estimator = base_estimator(self)
        check_estimator_method(estimator, "predict_proba", name="estimator")
        if self.teacher is not None:
            check_estimator_method(self.teacher, "predict_proba", name="teacher")
        if self.unlabeled_weight is not None:
            sample_weight_fit_params(estimator, np.ones(1), name="estimator (unlabeled_weight needs sample weights)")
        if selection == "adaptive" and self.adaptive_thresholds == "softmatch":
            sample_weight_fit_params(
                estimator, np.ones(1), name="estimator (adaptive_thresholds='softmatch' weights each pseudo-label)"
            )
        return {
            "selection": selection,
            "threshold": threshold,
            "k_best": k_best,
            "step": step,
            "estimator": estimator,
            "unlabeled_weight": unlabeled_weight,
            "cv": cv,
        }

    # ------------------------------------------------------------------ fitting
    def _fit_one(self, template, X, codes, rows, weights=None):
        model = clone(template)
        X_rows = _safe_indexing(X, rows)
        fit_params = {}
        if weights is not None:
            fit_params = sample_weight_fit_params(model, weights[rows], name="estimator")
        model.fit(X_rows, codes[rows], **fit_params)
        return model

    @staticmethod
    def _proba(model, X_rows, n_classes: int, name: str) -> np.ndarray:
        proba = np.asarray(model.predict_proba(X_rows), dtype=np.float64)
        model_classes = getattr(model, "classes_", np.arange(n_classes))
        if proba.ndim != 2 or proba.shape[1] != n_classes or not np.array_equal(model_classes, np.arange(n_classes)):
            raise EstimatorError(
                f"{name}.predict_proba must return one column per class ({n_classes}), got shape {proba.shape}"
            )
        return proba

    def fit(self, X, y):
        """Fit the student on the labeled examples and the pseudo-labels it selects.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Passed to the inner estimator (tables and text pass through unchanged).
        y : array-like of shape (n_samples,)
            Class labels; unlabeled examples are ``unlabeled_value`` or missing.

        Returns
        -------
        self : SelfTrainer
        """
        params = self._check_params()
        if y is None:
            raise InvalidLabelsError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        X = check_meta_X(self, X, reset=True)
        y_arr, unlabeled = split_unlabeled(y, self.unlabeled_value)
        check_same_length("X", range(_num_samples(X)), "y", y_arr)
        labeled_rows = np.flatnonzero(~unlabeled)
        if labeled_rows.size == 0:
            raise InvalidLabelsError(
                f"y must contain labeled examples, got none: all {y_arr.size} values are the unlabeled "
                f"marker (unlabeled_value={self.unlabeled_value!r}) or missing"
            )
        given = y_arr[labeled_rows]
        if given.dtype == object:  # e.g. ints mixed with None markers: recover the ints' dtype
            given = pd.Series(given).infer_objects().to_numpy()
        try:
            check_classification_targets(given)
        except ValueError as exc:
            raise InvalidLabelsError(f"y must hold class labels: {exc}") from None
        codes_given, classes = encode_labels(given, name="y")
        n_classes = len(classes)
        if n_classes < 2:
            marker = self.unlabeled_value
            hint = ""
            if unlabeled.any() and marker is not None:
                hint = (
                    f"; if {marker!r} is a real class (e.g. labels in {{-1, +1}}), it collides with the unlabeled "
                    f"marker: mark unlabeled examples with another unlabeled_value (e.g. None)"
                )
            raise InvalidLabelsError(
                f"y must contain at least 2 classes among labeled examples, got 1 class ({show(classes[0])}){hint}"
            )
        self.classes_ = classes
        prior = np.bincount(codes_given, minlength=n_classes) / codes_given.size
        n = y_arr.size
        codes = np.full(n, -1, dtype=np.int64)
        codes[labeled_rows] = codes_given
        labeled_iter = np.where(unlabeled, -1, 0).astype(np.int64)
        confidence = np.full(n, np.nan)
        self.teacher_ = None
        self.safeguard_ = None
        self.n_iter_ = 0
        pool = np.flatnonzero(unlabeled)
        history: list[dict] = []

        if pool.size == 0:
            warnings.warn(
                f"y has no unlabeled examples (none equal unlabeled_value={self.unlabeled_value!r} or are "
                "missing); fitting the estimator on all labels (plain supervised fit)",
                LabelwiseWarning,
                stacklevel=2,
            )
            self.estimator_ = self._fit_one(params["estimator"], X, codes, labeled_rows)
            self.termination_condition_ = "all_labeled"
            self._finish(y_arr, codes, labeled_iter, confidence, history)
            return self

        if self.safeguard == "cv":
            self.safeguard_ = self._cv_safeguard(X, codes, labeled_rows, n_classes, params)
            if self.safeguard_.decision == "labeled_only":
                self.estimator_ = self._fit_one(params["estimator"], X, codes, labeled_rows)
                self.termination_condition_ = "safeguard"
                self._finish(y_arr, codes, labeled_iter, confidence, history)
                return self

        selection = params["selection"]
        X_pool = _safe_indexing(X, pool)
        teacher_pred = teacher_conf = teacher_proba = None
        if self.teacher is not None:
            self.teacher_ = self._fit_one(self.teacher, X, codes, labeled_rows)
            teacher_proba = self._proba(self.teacher_, X_pool, n_classes, "teacher")
            teacher_pred, teacher_conf = teacher_proba.argmax(axis=1), teacher_proba.max(axis=1)
        balance = params["unlabeled_weight"]
        weights = None
        if selection == "llkd" or balance is not None:
            try:
                sample_weight_fit_params(params["estimator"], np.ones(1))
                weights = np.ones(n)
            except EstimatorError:
                if self.unlabeled_weight is not None:
                    raise
                weights = None  # the default weighting is optional; selection still applies
        # Each pseudo-label weighs unlabeled_weight * n_labeled / n_pool, so all pseudo-labels
        # together weigh at most unlabeled_weight times the labeled part (FlexMatch's L_s + lambda L_u,
        # each loss a mean over its own batch).
        base_weight = 1.0 if balance is None else balance * labeled_rows.size / pool.size
        if weights is not None:
            weights[pool] = base_weight

        termination = None
        model = None
        model_rows = None
        previous_t = previous_s = previous_fm = None
        seen: set[int] = set()
        rounds = range(1, self.max_iter + 1) if self.max_iter is not None else itertools.count(1)
        for round_ in track(rounds, total=self.max_iter, description="self-training", verbose=self.verbose):
            pool_codes = codes[pool]
            if selection in INCREMENTAL and not self.recheck and (pool_codes >= 0).all():
                termination = "all_labeled"
                break
            rows = np.flatnonzero(codes >= 0)
            model = self._fit_one(params["estimator"], X, codes, rows, weights)
            model_rows = (rows, None if weights is None else weights[rows].copy())
            self.n_iter_ = round_
            proba = self._proba(model, X_pool, n_classes, "estimator")
            s_pred, s_conf = proba.argmax(axis=1), proba.max(axis=1)
            pred, conf = (s_pred, s_conf) if teacher_pred is None else (teacher_pred, teacher_conf)
            new_codes = pool_codes.copy()
            new_conf = confidence[pool].copy()
            new_weights = None
            thresholds: Any = None
            if selection in INCREMENTAL:
                pseudo = pool_codes >= 0
                if self.recheck:
                    flipped = pseudo & (s_pred != pool_codes)
                    new_codes[flipped] = -1
                    new_conf[flipped] = np.nan
                candidates = np.flatnonzero(~pseudo)
                c_conf, c_pred = conf[candidates], pred[candidates]
                if candidates.size == 0:
                    chosen = np.zeros(0, dtype=bool)
                elif selection == "threshold":
                    chosen = select_threshold(c_conf, params["threshold"])
                    thresholds = params["threshold"]
                elif selection == "k_best":
                    chosen = select_k_best(c_conf, params["k_best"])
                else:
                    chosen = select_class_balanced(c_conf, c_pred, n_classes, params["k_best"])
                admitted = candidates[chosen]
                new_codes[admitted] = pred[admitted]
                new_conf[admitted] = conf[admitted]
            else:
                if selection == "curriculum":
                    cut = curriculum_threshold(conf, round_, params["step"])
                    chosen = conf >= cut
                    thresholds = cut
                elif selection == "adaptive" and self.adaptive_thresholds == "softmatch":
                    soft = softmatch_weights(
                        proba if teacher_proba is None else teacher_proba,
                        target=prior if self.prior_correction else None,
                    )
                    chosen = soft.weights > 0
                    new_weights = base_weight * soft.weights
                    thresholds = {"mean": round(soft.mean, 4), "std": round(float(np.sqrt(soft.variance)), 4)}
                elif selection == "adaptive" and self.adaptive_thresholds == "freematch":
                    previous_fm = freematch_thresholds(
                        proba if teacher_proba is None else teacher_proba, previous=previous_fm, momentum=self.momentum
                    )
                    per_class = previous_fm.thresholds
                    chosen = conf > per_class[pred]
                    thresholds = per_class.round(4).tolist()
                elif selection == "adaptive":
                    per_class = flexmatch_thresholds(
                        conf,
                        pred,
                        n_classes,
                        threshold=params["threshold"],
                        warmup=self.warmup,
                        mapping=self.mapping,
                        class_prior=prior if self.prior_correction else None,
                    )
                    chosen = conf > per_class[pred]
                    thresholds = per_class.round(4).tolist()
                else:  # llkd
                    uncertainty = normalized_entropy(proba)
                    previous_t = llkd_thresholds(conf, pred, n_classes, previous=previous_t, momentum=self.momentum)
                    previous_s = llkd_thresholds(
                        uncertainty, pred, n_classes, previous=previous_s, momentum=self.momentum
                    )
                    chosen = (conf >= previous_t.thresholds[pred]) & (uncertainty >= previous_s.thresholds[pred])
                    thresholds = {
                        "teacher_confidence": previous_t.thresholds.round(4).tolist(),
                        "student_uncertainty": previous_s.thresholds.round(4).tolist(),
                    }
                    if weights is not None:
                        score = conf * uncertainty
                        w = np.ones(pool.size)
                        if chosen.any():
                            mean = score[chosen].mean()
                            w[chosen] = score[chosen] / mean if mean > 0 else 1.0
                        weights[pool] = base_weight * w
                new_codes = np.where(chosen, pred, -1)
                new_conf = np.where(chosen, conf, np.nan)
            changed = new_codes != pool_codes
            reweighted = False
            if new_weights is not None:  # soft weights: a change of weight alone also changes the next fit
                reweighted = not np.allclose(new_weights, weights[pool], rtol=1e-9, atol=0.0)
                weights[pool] = new_weights
            history.append(
                {
                    "round": round_,
                    "n_pseudo": int((new_codes >= 0).sum()),
                    "n_added": int((changed & (pool_codes < 0)).sum()),
                    "n_removed": int((changed & (new_codes < 0)).sum()),
                    "n_relabeled": int((changed & (pool_codes >= 0) & (new_codes >= 0)).sum()),
                    "thresholds": thresholds,
                }
            )
            pool_iter = labeled_iter[pool]
            pool_iter[changed] = np.where(new_codes[changed] >= 0, round_, -1)
            labeled_iter[pool] = pool_iter
            codes[pool] = new_codes
            confidence[pool] = new_conf
            if not changed.any() and not reweighted:
                termination = "no_change"
                break
            state = hash(new_codes.tobytes() + (b"" if new_weights is None else new_weights.round(9).tobytes()))
            if selection in RESELECTING and state in seen:  # a cycle of re-selections: stop
                termination = "no_change"
                break
            seen.add(state)
            if selection == "curriculum" and round_ * params["step"] >= 100:
                termination = "all_labeled"
                break
        if termination is None:
            termination = "max_iter"
        if (codes[pool] >= 0).all():
            termination = "all_labeled"
        self.termination_condition_ = termination

        rows = np.flatnonzero(codes >= 0)
        final_weights = None if weights is None else weights[rows]
        same_fit = (
            model is not None
            and np.array_equal(model_rows[0], rows)
            and (final_weights is None or np.array_equal(model_rows[1], final_weights))
            and termination == "no_change"
        )
        self.estimator_ = model if same_fit else self._fit_one(params["estimator"], X, codes, rows, weights)
        self._finish(y_arr, codes, labeled_iter, confidence, history)
        return self

    def _cv_safeguard(self, X, codes, labeled_rows, n_classes, params) -> "SafeguardResult":
        """Cross-validate self-training against the labeled-only estimator on the labeled part."""
        given = codes[labeled_rows]
        n_splits = min(params["cv"], int(np.bincount(given, minlength=n_classes).min()))
        if n_splits < 2:
            warnings.warn(
                f"safeguard='cv' needs at least 2 labeled examples in every class, got "
                f"{int(np.bincount(given, minlength=n_classes).min())} in the smallest; self-training "
                "is kept without the check",
                LabelwiseWarning,
                stacklevel=3,
            )
            return SafeguardResult("unchecked", 0, np.nan, np.nan, np.nan, np.nan)
        seed = seed_from(self.random_state)
        folds = StratifiedKFold(n_splits, shuffle=seed is not None, random_state=seed)
        inner = clone(self).set_params(safeguard=None, unlabeled_value=-1, verbose=False)
        proba_st = np.zeros((given.size, n_classes))
        proba_lo = np.zeros((given.size, n_classes))
        for train, test in folds.split(np.zeros((given.size, 1)), given):
            held_out = labeled_rows[test]
            y_fold = codes.copy()
            y_fold[held_out] = -1  # the held-out labels join the unlabeled pool, unseen
            X_test = _safe_indexing(X, held_out)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LabelwiseWarning)
                student = clone(inner).fit(X, y_fold)
            proba_st[test] = self._proba(student, X_test, n_classes, "estimator")
            plain = self._fit_one(params["estimator"], X, codes, labeled_rows[train])
            proba_lo[test] = self._proba(plain, X_test, n_classes, "estimator")
        acc_st = float((proba_st.argmax(axis=1) == given).mean())
        acc_lo = float((proba_lo.argmax(axis=1) == given).mean())
        loss_st = _log_loss(proba_st, given)
        loss_lo = _log_loss(proba_lo, given)
        keep = acc_st > acc_lo  # strictly better: a tie keeps the labeled-only estimator
        return SafeguardResult(
            "self_training" if keep else "labeled_only", n_splits, acc_st, acc_lo, loss_st, loss_lo
        )

    def _finish(self, y_arr, codes, labeled_iter, confidence, history) -> None:
        transduction = y_arr.copy()
        pseudo = (labeled_iter > 0) & (codes >= 0)
        if pseudo.any():
            values = self.classes_[codes[pseudo]]
            if transduction.dtype != self.classes_.dtype:
                try:
                    transduction = transduction.astype(np.result_type(transduction.dtype, self.classes_.dtype))
                except TypeError:
                    transduction = transduction.astype(object)
            transduction[pseudo] = values
        self.transduction_ = transduction
        self.labeled_iter_ = labeled_iter
        self.pseudo_confidence_ = confidence
        self.history_ = pd.DataFrame(
            history, columns=["round", "n_pseudo", "n_added", "n_removed", "n_relabeled", "thresholds"]
        )
