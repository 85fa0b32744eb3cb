"""Classification metrics of many confusion matrices at once, for the per-slice bootstrap.

A bootstrap resample of a slice is a vector of confusion-cell counts (:mod:`.slices`); calling a
scikit-learn metric once per resample costs its input checks each time (milliseconds), so the
metrics that are functions of the confusion matrix are computed here for all resamples in one
array expression, with scikit-learn's conventions: a ratio whose denominator is zero is 0
(``zero_division``'s default), balanced accuracy averages the recall of the classes present in
the resample's true labels, F1 / precision / recall are binary with ``pos_label=1``, and their
``_macro`` forms average over the classes present in the resample's true or predicted labels.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["batch_metric"]


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _accuracy(c: np.ndarray, pos: int | None) -> np.ndarray:
    return _ratio(np.trace(c, axis1=1, axis2=2), c.sum(axis=(1, 2)))


def _balanced_accuracy(c: np.ndarray, pos: int | None) -> np.ndarray:
    true = c.sum(axis=2)
    recall = _ratio(np.diagonal(c, axis1=1, axis2=2), true)
    return _ratio((recall * (true > 0)).sum(axis=1), (true > 0).sum(axis=1))


def _binary(c: np.ndarray, pos: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    assert pos is not None
    tp = c[:, pos, pos]
    return tp, c[:, :, pos].sum(axis=1) - tp, c[:, pos, :].sum(axis=1) - tp  # tp, fp, fn


def _f1(c: np.ndarray, pos: int | None) -> np.ndarray:
    tp, fp, fn = _binary(c, pos)
    return _ratio(2 * tp, 2 * tp + fp + fn)


def _precision(c: np.ndarray, pos: int | None) -> np.ndarray:
    tp, fp, _ = _binary(c, pos)
    return _ratio(tp, tp + fp)


def _recall(c: np.ndarray, pos: int | None) -> np.ndarray:
    tp, _, fn = _binary(c, pos)
    return _ratio(tp, tp + fn)


def _per_class(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diagonal(c, axis1=1, axis2=2)
    true, pred = c.sum(axis=2), c.sum(axis=1)
    return tp, pred - tp, true - tp, (true + pred) > 0  # tp, fp, fn, present


def _macro(per_class: np.ndarray, present: np.ndarray) -> np.ndarray:
    return _ratio((per_class * present).sum(axis=1), present.sum(axis=1))


def _f1_macro(c: np.ndarray, pos: int | None) -> np.ndarray:
    tp, fp, fn, present = _per_class(c)
    return _macro(_ratio(2 * tp, 2 * tp + fp + fn), present)


def _precision_macro(c: np.ndarray, pos: int | None) -> np.ndarray:
    tp, fp, _, present = _per_class(c)
    return _macro(_ratio(tp, tp + fp), present)


def _recall_macro(c: np.ndarray, pos: int | None) -> np.ndarray:
    tp, _, fn, present = _per_class(c)
    return _macro(_ratio(tp, tp + fn), present)


def _matthews(c: np.ndarray, pos: int | None) -> np.ndarray:
    c = c.astype(float)
    t, p = c.sum(axis=2), c.sum(axis=1)
    s, correct = c.sum(axis=(1, 2)), np.trace(c, axis1=1, axis2=2)
    num = correct * s - (t * p).sum(axis=1)
    den = np.sqrt((s * s - (p * p).sum(axis=1)) * (s * s - (t * t).sum(axis=1)))
    return _ratio(num, den)


_BATCHED: dict[str, tuple[Callable[[np.ndarray, int | None], np.ndarray], bool]] = {
    "accuracy": (_accuracy, False),
    "balanced_accuracy": (_balanced_accuracy, False),
    "f1": (_f1, True),
    "precision": (_precision, True),
    "recall": (_recall, True),
    "matthews_corrcoef": (_matthews, False),
    "f1_macro": (_f1_macro, False),
    "precision_macro": (_precision_macro, False),
    "recall_macro": (_recall_macro, False),
}


def batch_metric(name: str, classes: np.ndarray) -> Callable[[np.ndarray], np.ndarray] | None:
    """``f(counts)`` for counts of shape (B, K*K) (row-major true x predicted cells) -> (B,) values of
    the scikit-learn metric ``name``, or None when ``name`` is not one computed here (or is binary
    and 1 is not one of the two ``classes``)."""
    entry = _BATCHED.get(name.removesuffix("_score"))
    if entry is None:
        return None
    fn, binary = entry
    pos = None
    if binary:
        where = [i for i, c in enumerate(classes.tolist()) if c == 1 and not isinstance(c, str)]
        if len(classes) != 2 or not where:
            return None
        pos = where[0]
    k = len(classes)
    return lambda counts: fn(np.asarray(counts).reshape(-1, k, k), pos)
