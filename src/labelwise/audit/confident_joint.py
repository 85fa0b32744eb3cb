"""The confident joint and the noise estimates derived from it (confident learning, step 1).

Notation follows Northcutt, Jiang & Chuang (JAIR 2021): ``ỹ`` is the given (noisy) label,
``y*`` the latent true label, ``p̂(ỹ=j; x)`` the out-of-fold predicted probability of class ``j``.
All matrices here have rows indexed by the given label and columns by the true label, except the
two noise matrices, whose convention is stated on each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._blocks import index_dtype, row_blocks
from ._exact import class_limb_sums, exact_means

#: Floating-point tolerance: ``p >= t - FUZZ`` passes threshold ``t``; a given label within ``FUZZ``
#: of the top probability counts as predicted. The same tolerance cleanlab uses, so results agree.
FUZZ = 1e-6
#: Thresholds are clipped below at ``2 * FUZZ`` so that a probability of 0 never passes.
_MIN_THRESHOLD = 2 * FUZZ
#: A class absent from the given labels gets an unreachable threshold (it is never "confident").
_ABSENT_THRESHOLD = 2.0

CONFIDENT_CLASS_RULES = ("among_confident", "argmax")


def per_class_thresholds(self_conf: np.ndarray, codes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per-class thresholds ``t_j``: the mean self-confidence of the examples labelled ``j``.

    ``t_j = (1 / |X_{ỹ=j}|) * sum_{x in X_{ỹ=j}} p̂(ỹ=j; x)`` (paper, Eq. 2), from
    ``self_conf[i] = p̂(ỹ=codes[i]; x_i)``. Classes with no given examples get an unreachable
    threshold. The sums are exact (:mod:`labelwise.audit._exact`), so the thresholds do not
    depend on the order or chunking of the rows.
    """
    return thresholds_from_sums(class_limb_sums(codes, self_conf, counts.shape[0]), counts)


def thresholds_from_sums(limb_sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Thresholds from exact per-class sums of self-confidence (see :func:`per_class_thresholds`)."""
    means = exact_means(limb_sums, counts)
    thresholds = np.where(counts > 0, means, _ABSENT_THRESHOLD)
    return np.clip(thresholds, _MIN_THRESHOLD, None)


@dataclass(frozen=True, eq=False)
class RowStatistics:
    """Per-example quantities gathered in one blocked pass over ``probs``.

    Attributes
    ----------
    confident_class : ndarray of int16 (int32 for K >= 32768)
        The class ``x`` is confidently counted in, or -1 when no class passes its threshold.
    predicted : ndarray of int16 (int32 for K >= 32768)
        ``argmax_j p̂(ỹ=j; x)``.
    given_is_predicted : ndarray of bool
        The given label's probability is within ``FUZZ`` of the largest one.
    """

    confident_class: np.ndarray
    predicted: np.ndarray
    given_is_predicted: np.ndarray


def _exact_cut(cut: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Cut values in ``dtype`` such that ``p >= result`` iff ``p >= cut`` for every ``p`` of ``dtype``.

    Comparing float32 probabilities with float64 thresholds would convert every block to
    float64; rounding each threshold up to the next representable value keeps the test exact.
    """
    if np.dtype(dtype) == np.float64:
        return cut
    low = cut.astype(dtype)
    return np.where(low.astype(np.float64) < cut, np.nextafter(low, np.inf), low).astype(dtype)


def row_statistics(
    probs: np.ndarray,
    codes: np.ndarray,
    self_conf: np.ndarray,
    thresholds: np.ndarray,
    *,
    rule: str = "among_confident",
) -> RowStatistics:
    """Assign each example to the class it is confidently counted in (paper, Eq. 1).

    An example passes the threshold of class ``j`` when ``p̂(ỹ=j; x) >= t_j``. When several
    classes pass, the paper counts the example in the most probable class *among those that pass*
    (``rule="among_confident"``). cleanlab 2.9 instead takes the argmax over *all* classes, which
    may be a class whose threshold was not reached (cleanlab issue #1248); ``rule="argmax"``
    reproduces that for comparison.
    """
    n, k = probs.shape
    predicted = np.empty(n, dtype=index_dtype(k))
    top = np.empty(n, dtype=probs.dtype)
    for block in row_blocks(n, k):
        part = probs[block]
        pred = part.argmax(axis=1)
        predicted[block] = pred
        top[block] = part[np.arange(pred.shape[0]), pred]
    return row_statistics_from_top(probs, self_conf, predicted, top, thresholds, rule=rule)


def _resolve_unsure(sub: np.ndarray, pred: np.ndarray, cut: np.ndarray, rule: str) -> np.ndarray:
    """Confident class of rows whose top class misses its threshold (``sub``: a copy of their probabilities)."""
    passed = sub >= cut
    if rule == "among_confident":
        # Probabilities that pass are > 0, so zeroing the others keeps the argmax among them.
        sub_guess = np.multiply(sub, passed, out=sub).argmax(axis=1)
        any_passed = passed[np.arange(sub.shape[0]), sub_guess]
        return np.where(any_passed, sub_guess, -1)
    n_passed = passed.sum(axis=1)
    return np.where(n_passed > 1, pred, np.where(n_passed == 1, passed.argmax(axis=1), -1))


def row_statistics_from_top(
    probs: np.ndarray,
    self_conf: np.ndarray,
    predicted: np.ndarray,
    top: np.ndarray,
    thresholds: np.ndarray,
    *,
    rule: str = "among_confident",
) -> RowStatistics:
    """:func:`row_statistics` from each row's argmax ``predicted`` and its probability ``top``, already
    known: only the rows whose top class misses its threshold (usually few) read ``probs`` again."""
    cut = _exact_cut(thresholds - FUZZ, probs.dtype)
    dtype = index_dtype(probs.shape[1])
    guess = predicted.astype(dtype)
    unsure = np.flatnonzero(top < cut[predicted])
    if unsure.size:
        guess[unsure] = _resolve_unsure(probs[unsure], predicted[unsure], cut, rule)
    return RowStatistics(guess, predicted.astype(dtype, copy=False), self_conf + FUZZ >= top)


def count_confident_joint(codes: np.ndarray, confident_class: np.ndarray, n_classes: int) -> np.ndarray:
    """Confident joint ``C[i, j] = |X̂_{ỹ=i, y*=j}|`` (paper, Eq. 1), diagonal at least 1.

    The diagonal is raised to at least 1 so every class keeps one correctly labelled example and
    calibration never divides by zero (the same guard as cleanlab).
    """
    counted = confident_class >= 0
    flat = codes[counted] * n_classes + confident_class[counted]
    joint = np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)
    np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
    return joint


def round_preserving_row_totals(matrix: np.ndarray) -> np.ndarray:
    """Round each row to integers whose sum is the row's rounded total, as cleanlab does.

    Every entry is rounded to the nearest integer (halves to even, ``np.rint``); a row whose
    rounded entries miss its rounded total by ``m`` then moves the ``|m|`` entries that rounding
    moved furthest the other way: up, the largest ``x - round(x)`` first (equal ones, the later
    column first); down, the smallest first (equal ones, the earlier column first). This is the
    rule of cleanlab's ``round_preserving_row_totals``; the two differ only in which of several
    equal differences the second step moves, where cleanlab takes its argsort's order (not stable
    where numpy sorts with SIMD instructions). A half-way entry is decided by its value, not its
    column, so renaming classes does not move it unless the second step must choose among ties.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    nearest = np.rint(matrix)
    missing = (np.rint(matrix.sum(axis=1)) - nearest.sum(axis=1)).astype(np.int64)
    moved = matrix - nearest
    k = matrix.shape[1]
    up_first = k - 1 - np.argsort(-moved[:, ::-1], axis=1, kind="stable")
    down_first = np.argsort(moved, axis=1, kind="stable")
    step = np.zeros_like(nearest)
    for order, sign in ((up_first, 1.0), (down_first, -1.0)):
        ranks = np.empty_like(order)
        np.put_along_axis(ranks, order, np.broadcast_to(np.arange(k), order.shape).copy(), axis=1)
        step += sign * (ranks < np.maximum(sign * missing, 0)[:, None])
    return (nearest + step).astype(np.int64)


def calibrate_confident_joint(confident_joint: np.ndarray, label_counts: np.ndarray) -> np.ndarray:
    """Calibrate the confident joint so row ``i`` sums to the number of examples labelled ``i``.

    ``C̃[i, j] = C[i, j] / sum_j C[i, j] * |X_{ỹ=i}|`` (paper, Eq. 3), rounded to integers that
    keep each row total.
    """
    row_sums = confident_joint.sum(axis=1, keepdims=True).astype(np.float64)
    scaled = confident_joint / np.maximum(row_sums, 1e-100) * label_counts[:, None]
    scaled *= label_counts.sum() / max(scaled.sum(), 1e-100)
    return round_preserving_row_totals(scaled)


def estimate_joint(calibrated: np.ndarray) -> np.ndarray:
    """``Q̂_{ỹ, y*} = C̃ / sum(C̃)``: the estimated joint distribution of given and true labels."""
    return calibrated / max(calibrated.sum(), 1e-100)


def _normalise_columns(matrix: np.ndarray) -> np.ndarray:
    sums = matrix.sum(axis=0, keepdims=True)
    out = np.divide(matrix, sums, out=np.zeros_like(matrix, dtype=np.float64), where=sums > 0)
    empty = np.flatnonzero(sums[0] == 0)
    out[empty, empty] = 1.0
    return out


def noise_matrix_from_joint(joint: np.ndarray) -> np.ndarray:
    """``noise[i, j] = P(ỹ=i | y*=j)``: columns (true class) sum to 1."""
    return _normalise_columns(joint)


def inverse_noise_matrix_from_joint(joint: np.ndarray) -> np.ndarray:
    """``inverse[i, j] = P(y*=i | ỹ=j)``: columns (given class) sum to 1."""
    return _normalise_columns(joint.T)
