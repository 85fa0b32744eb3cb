"""SelfTrainer: a scikit-learn meta-estimator that pseudo-labels unlabeled examples round by round."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.utils import _safe_indexing

from .._caller import warn_at_caller
from .._meta import PredictWithFittedEstimator, accepts_sample_weight, checked_proba, fit_clone
from .._progress import track
from .._validate.estimators import fit_sample_weight, sample_weight_fit_params
from .._validate.nan_features import naming_nan_in
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError, LabelwiseWarning
from ._labels import split_unlabeled
from ._params import check_params, encode_target
from ._rules import SELECTIONS, RoundInput, Rule, RuleSettings
from ._safeguard import SafeguardResult, cv_safeguard
from ._score import LabeledRowsScore

__all__ = ["SelfTrainer", "SafeguardResult", "SELECTIONS", "split_unlabeled"]


class SelfTrainer(LabeledRowsScore, PredictWithFittedEstimator, ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Self-training: fit on the labeled examples, pseudo-label the unlabeled ones, refit.

    Each round fits a fresh clone of ``estimator`` on the given labels plus the current
    pseudo-labels, predicts probabilities for the unlabeled pool and admits pseudo-labels by one
    of the selection rules surveyed by Amini et al. [1]_:

    ``"threshold"``, ``"k_best"``, ``"class_balanced"``
        add to a growing pseudo-labelled set: every example above ``threshold``, the ``k_best``
        most confident, or the ``k_best // K`` most confident per predicted class ([1]_; see
        :func:`~labelwise.semi.select_threshold`, :func:`~labelwise.semi.select_k_best`,
        :func:`~labelwise.semi.select_class_balanced`). With ``recheck=True`` each round also
        drops pseudo-labels the current model no longer predicts.
    ``"curriculum"``
        Curriculum Labeling [3]_: round ``t`` takes the top ``t * percentile_step`` percent of the
        pool (:func:`~labelwise.semi.curriculum_threshold`).
    ``"adaptive"``
        per-class thresholds chosen by ``adaptive_thresholds``: FlexMatch's Curriculum Pseudo
        Labeling [2]_ (:func:`~labelwise.semi.flexmatch_thresholds`), FreeMatch's self-adaptive
        thresholds [6]_ (:func:`~labelwise.semi.freematch_thresholds`) or SoftMatch's
        truncated-Gaussian weights [7]_ (:func:`~labelwise.semi.softmatch_weights`); weighted as
        in FlexMatch's loss ``L_s + lambda * L_u`` (see ``unlabeled_weight``).
    ``"llkd"``
        LLKD's teacher/student selection [4]_: the teacher's confidence above its adaptive
        per-class threshold *and* the student's uncertainty above its own
        (:func:`~labelwise.semi.llkd_thresholds`), weighted by ``confidence * uncertainty``.

    The last three choose the set afresh each round, which re-checks by construction. Each rule
    is a small class in ``labelwise.semi._rules`` (its state across rounds and one ``select``),
    listed in its registry ``RULES``; ``fit`` is the loop around it.

    Unlabeled examples are marked with ``unlabeled_value`` (``-1`` by default, as in
    scikit-learn) or are missing (``None``/``NaN``, e.g. for string labels).

    Parameters
    ----------
    estimator : estimator with ``fit`` and ``predict_proba``, default LogisticRegression(max_iter=1000)
        The student, cloned before each fit.
        On columns of very different scales pass ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``:
        the plain default's lbfgs then runs to ``max_iter`` in every fit (benchmarks/RESULTS.md, session 45).
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

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None):
        """Fit the student on the labeled examples and the pseudo-labels it selects.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, ...)
            Passed to the inner estimator (tables and text pass through unchanged).
        y : array-like of shape (n_samples,)
            Class labels; unlabeled examples are ``unlabeled_value`` or missing.
        sample_weight : array-like of shape (n_samples,), optional
            A weight per example, e.g. a label model's confidence in each label (probabilistic
            labels as sample weights). Every fit of the student weighs a labeled example by it and
            a pseudo-labelled one by it times the selection's own weight; the teacher and the
            safeguard's fits are weighted too (the teacher only if its ``fit`` takes weights).
            Needs an estimator whose ``fit`` accepts ``sample_weight``.

        Returns
        -------
        self : SelfTrainer
        """
        params = check_params(self)
        check_row_order(X, "X", "the self-training estimators", y=y, sample_weight=sample_weight)
        X, y_arr, codes, unlabeled = encode_target(self, X, y)
        given = fit_sample_weight(sample_weight, y_arr.size, params["estimator"])
        labeled_rows = np.flatnonzero(~unlabeled)
        if given is not None and not (given[labeled_rows] > 0).any():
            raise InvalidParameterError("sample_weight must be positive on some labeled example, got 0 on all of them")
        n_classes = len(self.classes_)
        labeled_iter = np.where(unlabeled, -1, 0).astype(np.int64)
        confidence = np.full(y_arr.size, np.nan)
        self.teacher_ = None
        self.safeguard_ = None
        self.n_iter_ = 0
        history: list[dict] = []
        with naming_nan_in(X, params["estimator"]):  # scikit-learn's NaN refusal, from any fit or prediction
            if not unlabeled.any():
                marker = [
                    c for c in self.classes_ if isinstance(c, str) and c.strip() in ("", "?")
                ]  # '' trained as a class
                hint = (
                    f"; the class {marker[0]!r} looks like the marker of unlabeled rows: pass unlabeled_value={marker[0]!r}"
                    if marker
                    else ""
                )
                warn_at_caller(
                    LabelwiseWarning(
                        f"y has no unlabeled examples (none equal unlabeled_value={self.unlabeled_value!r} or are "
                        f"missing); fitting the estimator on all labels (plain supervised fit){hint}"
                    )
                )
                self.estimator_ = fit_clone(params["estimator"], X, codes, labeled_rows, given)
                self.termination_condition_ = "all_labeled"
            else:
                if self.safeguard == "cv":
                    self.safeguard_ = cv_safeguard(self, X, codes, labeled_rows, n_classes, params, given)
                if self.safeguard_ is not None and self.safeguard_.decision == "labeled_only":
                    self.estimator_ = fit_clone(params["estimator"], X, codes, labeled_rows, given)
                    self.termination_condition_ = "safeguard"
                else:
                    self._self_train(X, codes, labeled_iter, confidence, history, params, given)
        self._finish(y_arr, codes, labeled_iter, confidence, history)
        return self

    def _pool_weights(self, params: dict, n: int, n_labeled: int, pool: np.ndarray) -> tuple[np.ndarray | None, float]:
        """Sample weights of every example (None: unweighted fits) and the weight of one pseudo-label.

        Each pseudo-label weighs ``unlabeled_weight * n_labeled / n_pool``, so all pseudo-labels
        together weigh at most ``unlabeled_weight`` times the labeled part (FlexMatch's
        ``L_s + lambda L_u``, each loss a mean over its own batch).
        """
        balance = params["unlabeled_weight"]
        weights = None
        if params["selection"] == "llkd" or balance is not None:
            if accepts_sample_weight(params["estimator"]):
                weights = np.ones(n)
            elif self.unlabeled_weight is not None:  # checked in _check_params; kept as a guard
                sample_weight_fit_params(params["estimator"], np.ones(1))
            # otherwise the default weighting is optional; selection still applies
        base_weight = 1.0 if balance is None else balance * n_labeled / pool.size
        if weights is not None:
            weights[pool] = base_weight
        return weights, base_weight

    def _self_train(self, X, codes, labeled_iter, confidence, history, params, row_weight=None) -> None:
        """The self-training loop: fit, predict the pool, let the rule select, until it stops.

        Long because it is the loop itself; what differs between rules is in the rule classes.

        Updates ``codes``, ``labeled_iter``, ``confidence`` and ``history`` in place and sets
        ``teacher_``, ``estimator_``, ``n_iter_`` and ``termination_condition_``.
        """
        n_classes = len(self.classes_)
        labeled_rows = np.flatnonzero(codes >= 0)
        pool = np.flatnonzero(codes < 0)
        given = codes[labeled_rows]
        prior = np.bincount(given, minlength=n_classes) / given.size
        X_pool = _safe_indexing(X, pool)
        teacher_proba = teacher_pred = teacher_conf = None
        if self.teacher is not None:
            weigh_teacher = row_weight is not None and accepts_sample_weight(self.teacher)
            self.teacher_ = fit_clone(self.teacher, X, codes, labeled_rows, row_weight if weigh_teacher else None)
            teacher_proba = checked_proba(self.teacher_, X_pool, n_classes, "teacher")
            teacher_pred, teacher_conf = teacher_proba.argmax(axis=1), teacher_proba.max(axis=1)
        weights, base_weight = self._pool_weights(params, codes.size, labeled_rows.size, pool)
        scale = 1.0 if row_weight is None else row_weight[pool]  # the given weights of the pool's rows
        if row_weight is not None:
            weights = (np.ones(codes.size) if weights is None else weights) * row_weight
        rule: Rule = params["rule"](
            RuleSettings(
                n_classes=n_classes,
                prior=prior,
                threshold=params["threshold"],
                k_best=params["k_best"],
                step=params["step"],
                warmup=self.warmup,
                mapping=self.mapping,
                prior_correction=self.prior_correction,
                momentum=self.momentum,
                recheck=self.recheck,
                base_weight=base_weight,
            )
        )
        termination = None
        model = model_rows = None
        seen: set[int] = set()
        rounds = range(1, self.max_iter + 1) if self.max_iter is not None else itertools.count(1)
        for round_ in track(rounds, total=self.max_iter, description="self-training", verbose=self.verbose):
            pool_codes = codes[pool]
            if rule.incremental and not self.recheck and (pool_codes >= 0).all():
                termination = "all_labeled"
                break
            rows = np.flatnonzero(codes >= 0)
            model = fit_clone(params["estimator"], X, codes, rows, weights)
            model_rows = (rows, None if weights is None else weights[rows].copy())
            self.n_iter_ = round_
            proba = checked_proba(model, X_pool, n_classes, "estimator")
            pred, conf = (proba.argmax(axis=1), proba.max(axis=1))
            if teacher_pred is not None:
                pred, conf = teacher_pred, teacher_conf
            chosen = rule.select(
                RoundInput(round_, proba, teacher_proba, pred, conf, pool_codes, confidence[pool], weights is not None)
            )
            new_codes = chosen.codes
            changed = new_codes != pool_codes
            reweighted = False
            if chosen.weights is not None and weights is not None:  # rules weigh only weighted fits
                if chosen.soft:  # soft weights: a change of weight alone also changes the next fit
                    reweighted = not np.allclose(chosen.weights * scale, weights[pool], rtol=1e-9, atol=0.0)
                weights[pool] = chosen.weights * scale
            history.append(_round_record(round_, pool_codes, new_codes, changed, chosen.thresholds))
            pool_iter = labeled_iter[pool]
            pool_iter[changed] = np.where(new_codes[changed] >= 0, round_, -1)
            labeled_iter[pool] = pool_iter
            codes[pool] = new_codes
            confidence[pool] = chosen.confidence
            if not changed.any() and not reweighted:
                termination = "no_change"
                break
            soft_bytes = chosen.weights.round(9).tobytes() if chosen.soft and chosen.weights is not None else b""
            state = hash(new_codes.tobytes() + soft_bytes)
            if not rule.incremental and state in seen:  # a cycle of re-selections: stop
                termination = "no_change"
                break
            seen.add(state)
            if rule.exhausted(round_):
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
            model_rows is not None
            and np.array_equal(model_rows[0], rows)
            and (final_weights is None or (model_rows[1] is not None and np.array_equal(model_rows[1], final_weights)))
            and termination == "no_change"
        )
        self.estimator_ = model if same_fit else fit_clone(params["estimator"], X, codes, rows, weights)

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


def _round_record(round_: int, old: np.ndarray, new: np.ndarray, changed: np.ndarray, thresholds: Any) -> dict:
    """One row of ``history_``: how the pool's pseudo-labels changed in a round."""
    return {
        "round": round_,
        "n_pseudo": int((new >= 0).sum()),
        "n_added": int((changed & (old < 0)).sum()),
        "n_removed": int((changed & (new < 0)).sum()),
        "n_relabeled": int((changed & (old >= 0) & (new >= 0)).sum()),
        "thresholds": thresholds,
    }
