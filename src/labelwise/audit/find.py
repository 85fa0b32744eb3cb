"""``find_label_issues``: confident learning on out-of-fold predicted probabilities."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import (
    check_choice,
    check_class_counts,
    check_positive_int,
    check_probs,
    check_same_length,
    encode_labels_for_probs,
)
from ._blocks import self_confidence
from .confident_joint import (
    CONFIDENT_CLASS_RULES,
    calibrate_confident_joint,
    count_confident_joint,
    estimate_joint,
    inverse_noise_matrix_from_joint,
    noise_matrix_from_joint,
    per_class_thresholds,
    row_statistics,
)
from .filters import FILTERS, SCORE_FILTERS, FilterInputs
from .result import LabelIssues
from .scores import SCORERS


def find_label_issues(
    labels: Any,
    probs: Any,
    *,
    filter_by: str = "prune_by_noise_rate",
    rank_by: str = "self_confidence",
    classes: Any = None,
    min_examples_per_class: int = 1,
    confident_class_rule: str = "among_confident",
) -> LabelIssues:
    """Find the examples whose given label is probably wrong, by confident learning.

    Confident learning (Northcutt, Jiang & Chuang, 2021) counts, for every pair of given label
    ``i`` and true label ``j``, the examples labelled ``i`` whose predicted probability of ``j``
    reaches class ``j``'s threshold (its mean self-confidence); this *confident joint* is
    calibrated to the label counts and normalised into an estimate of the joint distribution of
    given and true labels, from which the noise matrices follow. A filter then chooses which
    examples to flag, using the estimated number of errors per cell.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Given labels: integers ``0..K-1`` indexing the columns of ``probs``, or any hashable
        values (strings...) with ``classes`` naming the class of each column; without
        ``classes``, the sorted unique values of ``labels`` are taken as the columns' classes.
    probs : array-like of shape (n, K)
        Out-of-fold predicted probabilities (e.g. from :func:`labelwise.out_of_fold_probs`);
        float32 or float64, rows summing to 1 within 1e-4. Not copied.
    filter_by : str, default "prune_by_noise_rate"
        One of ``prune_by_noise_rate``, ``prune_by_class``, ``both``, ``confident_learning``,
        ``predicted_neq_given``, ``low_self_confidence``, ``low_normalized_margin`` (see
        :mod:`labelwise.audit.filters`).
    rank_by : str, default "self_confidence"
        Label quality score used to rank the flagged examples: ``self_confidence``,
        ``normalized_margin`` or ``confidence_weighted_entropy``.
    classes : array-like of shape (K,), optional
        The class of each column of ``probs``.
    min_examples_per_class : int, default 1
        Never flag so many examples of a class that fewer than this many remain.
    confident_class_rule : {"among_confident", "argmax"}, default "among_confident"
        Where an example passes the thresholds of several classes, the paper counts it in the
        most probable class among those that pass (``"among_confident"``). cleanlab 2.9 takes
        the argmax over all classes, which may be a class whose threshold was not reached
        (cleanlab issue #1248); ``"argmax"`` reproduces cleanlab exactly.

    Returns
    -------
    LabelIssues
        Mask, ranked indices, label quality, suggested labels (the model's top class),
        confident joint, estimated joint, noise and inverse noise matrices, per-class summary.

    Raises
    ------
    InvalidProbabilitiesError
        ``probs`` has NaN/inf/negative values or rows not summing to 1 (the first bad row is named).
    InvalidLabelsError
        Labels outside the classes of ``probs``, missing values, or fewer than two classes.
    ShapeMismatchError
        ``labels`` and ``probs`` describe different numbers of examples.

    Notes
    -----
    A class present in ``probs`` but absent from ``labels`` is allowed (with a
    :class:`~labelwise.errors.LabelwiseWarning`): nothing can be counted as confidently
    belonging to it. Memory: work is done in blocks of rows, so the extra memory is a few
    vectors of length ``n`` plus the rows of the largest class.

    References
    ----------
    .. [1] Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident Learning: Estimating
       Uncertainty in Dataset Labels. Journal of Artificial Intelligence Research, 70, 1373-1411.

    Examples
    --------
    >>> import numpy as np, labelwise as lw
    >>> probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.95, 0.05], [0.2, 0.8]])
    >>> result = lw.find_label_issues(["cat", "cat", "dog", "dog", "dog"], probs)
    >>> result.ranked_indices, result.suggested_label[3]
    (array([3]), 'cat')
    """
    check_choice("filter_by", filter_by, list(FILTERS))
    check_choice("rank_by", rank_by, list(SCORERS))
    check_choice("confident_class_rule", confident_class_rule, CONFIDENT_CLASS_RULES)
    check_positive_int("min_examples_per_class", min_examples_per_class, minimum=0)
    arr = check_probs(probs)
    n_classes = arr.shape[1]
    codes, class_values = encode_labels_for_probs(labels, n_classes, classes=classes)
    check_same_length("labels", codes, "probs", arr)
    label_counts = check_class_counts(codes, n_classes)

    self_conf = self_confidence(arr, codes)
    thresholds = per_class_thresholds(self_conf, codes, label_counts)
    stats = row_statistics(arr, codes, self_conf, thresholds, rule=confident_class_rule)
    confident_joint = count_confident_joint(codes, stats.confident_class, n_classes)
    calibrated = calibrate_confident_joint(confident_joint, label_counts)
    joint = estimate_joint(calibrated)

    inputs = FilterInputs(codes, arr, self_conf, label_counts, stats, calibrated, min_examples_per_class)
    is_issue = FILTERS[filter_by](inputs)
    if filter_by not in SCORE_FILTERS:
        is_issue &= ~stats.given_is_predicted

    quality = self_conf if rank_by == "self_confidence" else SCORERS[rank_by](codes, arr)
    flagged = np.flatnonzero(is_issue)
    ranked = flagged[np.argsort(quality[flagged], kind="stable")]
    return LabelIssues(
        is_issue=is_issue,
        ranked_indices=ranked,
        label_quality=quality,
        classes=class_values,
        thresholds=thresholds,
        confident_joint=confident_joint,
        calibrated_confident_joint=calibrated,
        joint=joint,
        noise_matrix=noise_matrix_from_joint(joint),
        inverse_noise_matrix=inverse_noise_matrix_from_joint(joint),
        filter_by=filter_by,
        rank_by=rank_by,
        confident_class_rule=confident_class_rule,
        label_codes=codes,
        suggested_codes=stats.predicted,
        label_counts=label_counts,
    )
