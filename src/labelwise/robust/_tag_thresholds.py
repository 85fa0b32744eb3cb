"""Per-tag decision thresholds of :class:`~labelwise.robust.CleanMultilabelClassifier`: checked, or chosen for F1."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validate.arguments import show
from ..errors import InvalidParameterError

_EXPECTED = 'thresholds must be "auto", a number in (0, 1) or one number in (0, 1) per tag'


def check_thresholds(value: Any, n_tags: int | None = None) -> Any:
    """``"auto"``, or ``value`` as float64 thresholds (one per tag when ``n_tags`` is given); errors name
    ``thresholds``."""
    if isinstance(value, str):
        if value == "auto":
            return value
        raise InvalidParameterError(f"{_EXPECTED}, got {value!r}")
    scalar = isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, bool)
    arr = np.asarray(value) if scalar or isinstance(value, (list, tuple, np.ndarray)) else None
    if arr is None or arr.dtype.kind not in "iuf" or arr.ndim > 1:
        raise InvalidParameterError(f"{_EXPECTED}, got {show(value) if arr is None else f'shape {arr.shape}'}")
    arr = arr.astype(np.float64)
    bad = ~(np.isfinite(arr) & (arr > 0) & (arr < 1))
    if bad.any():
        where = "" if arr.ndim == 0 else f" (tag {int(np.flatnonzero(bad)[0])})"
        raise InvalidParameterError(f"{_EXPECTED}, got {show(arr[bad][0] if arr.ndim else arr.item())}{where}")
    if n_tags is not None and arr.ndim == 1 and arr.size != n_tags:
        raise InvalidParameterError(f"{_EXPECTED}, got {arr.size} thresholds for {n_tags} tags")
    return arr if n_tags is None else np.broadcast_to(arr, (n_tags,)).copy()


def best_f1_threshold(target: np.ndarray, probs: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The threshold ``t`` for which ``probs > t`` has the highest F1 against the 0/1 ``target``.

    Every cut between two distinct probabilities is tried (weighted counts where ``weights`` are
    given); ties go to the highest cut (fewest tags given); ``t`` is the midpoint between the last
    probability kept and the next one below (half the lowest when all are kept). A column without
    positives gets 0.5 (F1 is 0 at every cut).
    """
    w = np.ones(target.size) if weights is None else weights
    positives = float(np.sum(w * target))
    if positives <= 0:
        return 0.5
    order = np.argsort(-probs, kind="stable")
    p, tp, given = probs[order], np.cumsum((w * target)[order]), np.cumsum(w[order])
    last = np.flatnonzero(np.r_[p[1:] != p[:-1], True])  # the last row of each run of equal probabilities
    f1 = 2 * tp[last] / (given[last] + positives)
    best = int(last[int(np.argmax(f1))])
    below = p[best + 1] if best + 1 < p.size else 0.0
    return float((p[best] + below) / 2)


def auto_thresholds(targets: np.ndarray, probs: np.ndarray, weights: np.ndarray, fitted: np.ndarray) -> np.ndarray:
    """Per tag, :func:`best_f1_threshold` of its cleaned column (``targets``, rows of weight 0 left out)
    on the out-of-fold ``probs``; 0.5 for a tag that is not ``fitted``."""
    out = np.full(targets.shape[1], 0.5)
    for j in np.flatnonzero(fitted).tolist():
        keep = weights[:, j] > 0
        out[j] = best_f1_threshold(targets[keep, j], probs[keep, j], weights[keep, j])
    return out
