"""Classification metrics of many confusion matrices at once, for the per-slice bootstrap.

A bootstrap resample of a slice is a vector of confusion-cell counts (:mod:`.slices`); calling a
scikit-learn metric once per resample costs its input checks each time (milliseconds), so the
metrics that are functions of the confusion matrix are computed here for all resamples in one
array expression, with scikit-learn's conventions: a ratio whose denominator is zero is 0
(``zero_division``'s default), balanced accuracy averages the recall of the classes present in
the resample's true labels, F1 / precision / recall / Jaccard are binary with ``pos_label=1``, and
their ``_macro``, ``_weighted`` and ``_micro`` forms average over the classes present in the resample's
true or predicted labels (scikit-learn's ``unique_labels``), weighted by true counts for ``_weighted``.
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


#: per-class score of each metric of :data:`~labelwise.evaluate._averaged.AVERAGED` from tp, fp, fn counts
_SCORES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "f1": lambda tp, fp, fn: _ratio(2 * tp, 2 * tp + fp + fn),
    "precision": lambda tp, fp, fn: _ratio(tp, tp + fp),
    "recall": lambda tp, fp, fn: _ratio(tp, tp + fn),
    "jaccard": lambda tp, fp, fn: _ratio(tp, tp + fp + fn),
}


def _binary(score: Callable) -> Callable[[np.ndarray, int | None], np.ndarray]:
    def batched(c: np.ndarray, pos: int | None) -> np.ndarray:
        assert pos is not None
        tp = c[:, pos, pos]
        return score(tp, c[:, :, pos].sum(axis=1) - tp, c[:, pos, :].sum(axis=1) - tp)

    return batched


def _per_class(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diagonal(c, axis1=1, axis2=2)
    true, pred = c.sum(axis=2), c.sum(axis=1)
    return tp, pred - tp, true - tp, (true + pred) > 0, true  # tp, fp, fn, present, support


def _averaged(score: Callable, average: str) -> Callable[[np.ndarray, int | None], np.ndarray]:
    """``score`` averaged over the classes present in each resample (true or predicted), as scikit-learn's
    ``average=``: ``macro`` the plain mean, ``weighted`` weighted by true counts, ``micro`` the score of the
    summed counts."""

    def batched(c: np.ndarray, pos: int | None) -> np.ndarray:
        tp, fp, fn, present, support = _per_class(c)
        if average == "micro":
            return score(tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1))
        weights = present if average == "macro" else support * present
        return _ratio((score(tp, fp, fn) * weights).sum(axis=1), weights.sum(axis=1))

    return batched


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
    "matthews_corrcoef": (_matthews, False),
    **{base: (_binary(score), True) for base, score in _SCORES.items()},
    **{
        f"{base}_{average}": (_averaged(score, average), False)
        for base, score in _SCORES.items()
        for average in ("macro", "micro", "weighted")
    },
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
