"""Label quality scores: one number per example, low means the given label is likely wrong."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._chunks import is_dask
from .._validate.arguments import check_choice
from .._validate.class_columns import classes_from_header
from .._validate.labels import check_same_length, encode_labels_for_probs
from .._validate.probabilities import check_probs
from .._validate.row_order import check_row_order
from ._blocks import max_other, row_blocks, self_confidence

_CLIP = 1e-6
READER = "the label audits"  # who pairs labels and probs by position, for check_row_order's message


def self_confidence_score(codes: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Predicted probability of the given label, ``p(y = given | x)``."""
    return self_confidence(probs, codes)


def normalized_margin_score(codes: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``(p_given - max_{k != given} p_k + 1) / 2``: in [0, 1], below 0.5 when another class wins."""
    return (self_confidence(probs, codes) - max_other(probs, codes) + 1.0) / 2.0


def normalized_entropy(probs: np.ndarray) -> np.ndarray:
    """Shannon entropy of each row divided by ``log K``: 0 = certain, 1 = uniform.

    The one implementation in labelwise: the audit's entropy score and self-training's LLKD rule
    (``labelwise.semi`` re-exports it) both use it.

    Parameters
    ----------
    probs : ndarray of shape (n, K)
        Predicted probabilities, rows summing to 1.

    Returns
    -------
    ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.audit.scores import normalized_entropy
    >>> normalized_entropy(np.array([[0.5, 0.5], [0.9, 0.1]])).round(3).tolist()
    [1.0, 0.469]
    """
    return _normalized_entropy(check_probs(probs))


def _normalized_entropy(probs: np.ndarray) -> np.ndarray:
    """:func:`normalized_entropy` of already checked probabilities, in row blocks."""
    n, k = probs.shape
    out = np.empty(n, dtype=probs.dtype)
    for block in row_blocks(n, k):
        p = probs[block]
        logp = np.log(p, out=np.zeros_like(p), where=p > 0)  # 0 log 0 = 0
        out[block] = -(p * logp).sum(axis=1)
    return out / np.log(k)


def confidence_weighted_entropy_score(codes: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Normalised entropy divided by self-confidence, mapped to (0, 1] by ``x -> log(1 + x) / x``.

    High entropy or low self-confidence give a large ratio ``x`` and hence a low score (Kuan and
    Mueller 2022, "Model-agnostic label quality scoring to detect real-world label errors").
    Self-confidence is clipped below at 1e-6 so the ratio stays finite. Where ``x < 1e-6`` the
    prediction is one-hot and ``log(1 + x) / x`` is replaced by its limit along that path: 1 when
    the given label is the predicted class (``x -> 0``), 0 when it is not (``x -> inf``: the
    entropy of a near one-hot row vanishes more slowly than its small self-confidence). cleanlab
    divides by ``max(x, 1e-6)`` instead, which scores a certain, correct label 0, the worst.
    """
    confidence = self_confidence(probs, codes)
    ratio = _normalized_entropy(probs) / np.clip(confidence, _CLIP, None)
    one_hot = ratio < _CLIP
    score = np.log1p(ratio) / np.where(one_hot, 1.0, ratio)
    score[one_hot] = np.where(confidence[one_hot] > 0.5, 1.0 - ratio[one_hot] / 2, 0.0)
    return score.astype(probs.dtype, copy=False)  # the entropy is float64 for float32 probs


SCORERS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "self_confidence": self_confidence_score,
    "normalized_margin": normalized_margin_score,
    "confidence_weighted_entropy": confidence_weighted_entropy_score,
}


def label_quality_scores(
    labels: Any, probs: Any, *, method: str = "self_confidence", classes: Any = None
) -> np.ndarray:
    """Score how likely each given label is correct, from out-of-fold predicted probabilities.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Given labels: integers ``0..K-1`` indexing the columns of ``probs``, or any values with
        ``classes`` naming the class of each column (sorted unique values are assumed otherwise).
    probs : array-like of shape (n, K)
        Out-of-fold predicted probabilities; rows sum to 1. Paired with ``labels`` by position; a
        pandas ``labels`` whose index holds a ``probs`` DataFrame's rows in another order is refused.
    method : {"self_confidence", "normalized_margin", "confidence_weighted_entropy"}
        ``self_confidence``: ``p(given | x)``. ``normalized_margin``: ``(p(given|x) - max other + 1)/2``.
        ``confidence_weighted_entropy``: ``log(1+x)/x`` with ``x`` = normalised entropy over
        self-confidence.
    classes : array-like of shape (K,), optional
        The class of each column of ``probs``.

    Returns
    -------
    ndarray of shape (n,), the dtype of ``probs``
        Scores in [0, 1]; lower means more likely mislabeled. For a dask ``probs`` or ``labels``, a
        dask array of the same scores (computed, kept on the workers, chunked like ``probs``, chunks
        under 1 MiB merged); a zarr ``probs`` is read chunk by chunk. The scores are the in-memory
        ones to the bit.

    References
    ----------
    .. [1] Kuan & Mueller, "Model-Agnostic Label Quality Scoring to Detect Real-World Label
       Errors", ICML DataPerf Workshop 2022.
    .. [2] Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
       Labels", JAIR 70, 2021.

    Examples
    --------
    >>> import numpy as np, labelwise as lw
    >>> probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    >>> lw.label_quality_scores([0, 1, 1], probs).round(2)
    array([0.9, 0.8, 0.3])
    """
    check_choice("method", method, list(SCORERS))
    check_row_order(probs, "probs", READER, labels=labels)
    if is_dask(probs) or is_dask(labels) or not isinstance(check_probs(probs, check_values=False), np.ndarray):
        from ._chunked_scores import chunked_label_quality_scores  # dask, zarr: chunk by chunk

        return chunked_label_quality_scores(labels, probs, SCORERS[method], classes)
    probs, classes = classes_from_header(labels, probs, classes)  # a header naming classes, matched by name
    arr = check_probs(probs)
    codes, _ = encode_labels_for_probs(labels, arr.shape[1], classes=classes)
    check_same_length("labels", codes, "probs", arr)
    return SCORERS[method](codes, arr)
