"""Vectorised passes for the vector aggregators: per-item weighted means (one sparse row->item
matrix product), per-row squared distances and cosine distances to the row's item mean (in blocks
of rows, so the gathered item means never exceed a block), the closest row of each item, the
within-item answer pairs, and the chi-squared prior of the reliabilities."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.stats import chi2

__all__ = [
    "BLOCK",
    "SKILL_FLOORS",
    "floored_totals",
    "chi2_prior",
    "closest_rows",
    "cosine_to_means",
    "item_means",
    "item_pairs",
    "pair_sq_distances",
    "row_sq_norms",
    "sq_distances_to_means",
]

#: Rows per block when gathering item means next to the rows (bounds the temporary arrays).
BLOCK = 1 << 15
#: Cosine distances closer than this to an item's smallest are ties.
TIE_ATOL = 1e-12


def item_means(X: Any, item_idx: np.ndarray, n_items: int, weights: np.ndarray | None = None) -> Any:
    """Weighted mean of the rows of each item: ``W @ X`` with ``W[i, r] = w_r / sum of w over item i``.
    An item whose weights sum to 0 gets the plain mean. Dense in, dense out; sparse in, CSR out."""
    n = len(item_idx)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    totals = np.bincount(item_idx, weights=w, minlength=n_items)
    zero = totals <= 0
    if zero.any():  # no weight at all on an item: every answer counts the same
        w = np.where(zero[item_idx], 1.0, w)
        totals = np.bincount(item_idx, weights=w, minlength=n_items)
    W = sp.csr_matrix((w / totals[item_idx], (item_idx, np.arange(n))), shape=(n_items, n))
    out = W @ X
    return out.tocsr() if sp.issparse(out) else np.asarray(out)


def row_sq_norms(X: Any) -> np.ndarray:
    """Squared L2 norm of each row."""
    if sp.issparse(X):
        return np.asarray(X.multiply(X).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", X, X)


def _row_dots(X: Any, A: Any, idx: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``<X[r], A[idx[r]]>`` for rows ``start:stop``."""
    if sp.issparse(X):
        return np.asarray(X[start:stop].multiply(A[idx[start:stop]]).sum(axis=1)).ravel()
    return np.einsum("ij,ij->i", X[start:stop], A[idx[start:stop]])


def sq_distances_to_means(X: Any, means: Any, item_idx: np.ndarray) -> np.ndarray:
    """``||X[r] - means[item_idx[r]]||^2`` per row: the difference itself for dense rows (no
    cancellation), ``|x|^2 - 2<x, m> + |m|^2`` (clipped at 0) for sparse ones."""
    n = X.shape[0]
    out = np.empty(n)
    if sp.issparse(X):
        xx = row_sq_norms(X)
        mm = row_sq_norms(means)[item_idx]
        for start in range(0, n, BLOCK):
            stop = min(start + BLOCK, n)
            out[start:stop] = xx[start:stop] - 2 * _row_dots(X, means, item_idx, start, stop) + mm[start:stop]
        return np.maximum(out, 0.0, out=out)
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        diff = X[start:stop] - means[item_idx[start:stop]]
        out[start:stop] = np.einsum("ij,ij->i", diff, diff)
    return out


def cosine_to_means(X: Any, means: Any, item_idx: np.ndarray) -> np.ndarray:
    """Cosine distance ``1 - <x, m> / (|x| |m|)`` of each row to its item's mean; ``inf`` where
    either vector is all zeros (no direction to compare)."""
    n = X.shape[0]
    dots = np.empty(n)
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        dots[start:stop] = _row_dots(X, means, item_idx, start, stop)
    norms = np.sqrt(row_sq_norms(X)) * np.sqrt(row_sq_norms(means))[item_idx]
    out = np.full(n, np.inf)
    ok = norms > 0
    out[ok] = 1.0 - dots[ok] / norms[ok]
    return out


def closest_rows(
    scores: np.ndarray, item_idx: np.ndarray, n_items: int, tiebreak: np.ndarray | None = None
) -> np.ndarray:
    """Position of the smallest score of each item. Scores within ``TIE_ATOL`` of the item's
    smallest tie (rounding decides between two answers equally close in exact arithmetic): the
    smallest ``tiebreak`` among them (when given), then the earliest row."""
    best = np.full(n_items, np.inf)
    np.minimum.at(best, item_idx, scores)
    near = scores <= best[item_idx] + TIE_ATOL
    keys = [np.arange(len(scores))] + ([] if tiebreak is None else [tiebreak])
    order = np.lexsort((*keys, ~near, item_idx))
    firsts = np.searchsorted(item_idx[order], np.arange(n_items))
    return order[firsts]


def item_pairs(item_idx: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair ``(a, b)``, ``a != b``, of rows of one item, by positions."""
    order = np.argsort(item_idx, kind="stable")
    sizes = np.bincount(item_idx, minlength=n_items)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    size_of_row = sizes[item_idx[order]]
    a_sorted = np.repeat(np.arange(len(order)), size_of_row)
    group_start = np.repeat(starts[item_idx[order]], size_of_row)
    offsets = np.arange(len(a_sorted)) - np.repeat(np.cumsum(size_of_row) - size_of_row, size_of_row)
    b_sorted = group_start + offsets
    keep = a_sorted != b_sorted
    return order[a_sorted[keep]], order[b_sorted[keep]]


def pair_sq_distances(X: Any, a: np.ndarray, b: np.ndarray, sq_norms: np.ndarray) -> np.ndarray:
    """``||X[a] - X[b]||^2`` for each pair, in blocks of pairs."""
    out = np.empty(len(a))
    for start in range(0, len(a), BLOCK):
        stop = min(start + BLOCK, len(a))
        if sp.issparse(X):
            dots = np.asarray(X[a[start:stop]].multiply(X[b[start:stop]]).sum(axis=1)).ravel()
            out[start:stop] = np.maximum(sq_norms[a[start:stop]] + sq_norms[b[start:stop]] - 2 * dots, 0.0)
        else:
            diff = X[a[start:stop]] - X[b[start:stop]]
            out[start:stop] = np.einsum("ij,ij->i", diff, diff)
    return out


def chi2_prior(counts: np.ndarray, alpha: float, quantile: str) -> np.ndarray:
    """The numerator of the reliabilities, a chi-squared quantile with ``counts`` degrees of freedom:
    ``"lower"``: the alpha/2 quantile (CATD's upper confidence bound of the error variance);
    ``"upper"``: the 1 - alpha/2 quantile (crowd-kit's ``chi2.isf(alpha / 2, n)``)."""
    counts = np.asarray(counts, dtype=np.float64)
    if quantile == "lower":
        return chi2.ppf(alpha / 2, counts)
    return chi2.isf(alpha / 2, counts)


#: The floors of an annotator's summed squared distance (:func:`floored_totals`).
SKILL_FLOORS = ("relative", "absolute")
#: The relative floor of an annotator's squared distance per answer, a share of the crowd's mean.
RELATIVE_FLOOR = 1e-3
#: crowd-kit's floor of the summed distance; the relative floor's per answer when the crowd's mean is 0.
MIN_TOTAL_DISTANCE = 1e-5


def floored_totals(totals: np.ndarray, counts: np.ndarray, kind: str = "relative") -> np.ndarray:
    """The floor of each annotator's summed squared distance. ``kind="relative"``: ``RELATIVE_FLOOR``
    times the crowd's mean squared distance per answer, times the annotator's answers
    (``MIN_TOTAL_DISTANCE`` per answer when that mean is 0); ``"absolute"``: ``MIN_TOTAL_DISTANCE``
    on the sum, crowd-kit's ``_EPS``.

    The reliability ``prior / total`` of the papers has no bound: annotators who agree with one another
    pull the aggregate onto their answers, their distance goes to 0 and their reliability grows
    without end (crowd-kit floors the total at an absolute 1e-5, which gave two always-agreeing
    annotators of five answers 83,121 each, whatever the scale of the vectors). Relative to the crowd,
    the floor is free of the vectors' scale (scaling every vector by ``c`` divides every reliability by
    ``c**2``) and caps a reliability at 1,000 times what the annotator would get at the crowd's mean
    distance. An annotator far more accurate than the rest reaches it too: RASA's reliability feeds on
    itself (a dominant annotator's distance to the mean shrinks as its weight grows), so such an
    annotator's reliability grows until a floor stops it, the paper's fixed point being infinite.
    """
    if kind == "absolute":
        return np.full(totals.shape, MIN_TOTAL_DISTANCE)
    n = counts.sum()
    per_answer = totals.sum() / n if n > 0 else 0.0
    floor_each = RELATIVE_FLOOR * per_answer if per_answer > 0 else MIN_TOTAL_DISTANCE
    return np.maximum(counts * floor_each, np.finfo(float).tiny)
