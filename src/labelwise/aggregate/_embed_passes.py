"""The passes of RASA/HRRASA's iterations, on dense or on sparse vectors.

Each step takes the answers' weights and returns every answer's squared distance to its item's
weighted mean; ``change`` is the relative change of the means since the previous step
(``sum |m - m_old|^2 / sum |m|^2``, crowd-kit's stopping rule).

Dense vectors (:class:`DensePasses`): the means themselves, and the distances from the
differences (no cancellation). Sparse vectors (:class:`GramPasses`, TF-IDF of texts, say): the
means are never formed while iterating. With ``p_r`` the weight of answer ``r`` normalised within
its item and ``G_rs = <x_r, x_s>`` for the pairs of answers of one item (computed once),
``<x_r, m_i> = sum_s p_s G_rs`` and ``|m_i|^2 = sum_rs p_r p_s G_rs``, so a step is a few
``bincount`` passes over the within-item pairs, and the means are formed once at the end.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from ._embed_math import BLOCK, item_means, item_pairs, row_sq_norms, sq_distances_to_means

__all__ = ["MAX_GRAM_PAIRS", "DensePasses", "GramPasses", "normalized_weights", "passes_for"]


def normalized_weights(weights: np.ndarray, item_idx: np.ndarray, n_items: int) -> np.ndarray:
    """``w_r / sum of w over r's item``; an item whose weights sum to 0 gets equal weights."""
    totals = np.bincount(item_idx, weights=weights, minlength=n_items)
    zero = totals <= 0
    if zero.any():
        weights = np.where(zero[item_idx], 1.0, weights)
        totals = np.bincount(item_idx, weights=weights, minlength=n_items)
    return weights / totals[item_idx]


def _sq_total(M: Any) -> float:
    return float(M.multiply(M).sum()) if sp.issparse(M) else float(np.einsum("ij,ij->", M, M))


def _ratio(num: float, den: float) -> float:
    if den == 0:
        return 0.0 if num == 0 else float("inf")
    return num / den


class DensePasses:
    """Steps on the means themselves (dense rows, or sparse ones with too many pairs for the Gram
    passes): the weighted means, then the row distances to them."""

    def __init__(self, X: np.ndarray, item_idx: np.ndarray, n_items: int) -> None:
        self.X, self.item_idx, self.n_items = X, item_idx, n_items
        self._means: Any = None
        self._last: Any = None

    def step(self, weights: np.ndarray) -> np.ndarray:
        self._last = self._means
        self._means = item_means(self.X, self.item_idx, self.n_items, weights)
        return sq_distances_to_means(self.X, self._means, self.item_idx)

    def change(self) -> float:
        return _ratio(_sq_total(self._means - self._last), _sq_total(self._means))

    def means(self) -> Any:
        return self._means


class GramPasses:
    """Steps on sparse rows through the within-item Gram entries (see the module's docstring)."""

    def __init__(self, X: sp.csr_matrix, item_idx: np.ndarray, n_items: int) -> None:
        self.X, self.item_idx, self.n_items = X, item_idx, n_items
        n = len(item_idx)
        a, b = item_pairs(item_idx, n_items)
        half = a < b  # G is symmetric: each unordered pair once, then mirrored
        a, b = a[half], b[half]
        g = np.empty(len(a))
        for start in range(0, len(a), BLOCK):
            stop = min(start + BLOCK, len(a))
            g[start:stop] = np.asarray(X[a[start:stop]].multiply(X[b[start:stop]]).sum(axis=1)).ravel()
        self.a = np.concatenate([np.arange(n), a, b])
        self.b = np.concatenate([np.arange(n), b, a])
        self.gram = np.concatenate([row_sq_norms(X), g, g])
        self.pair_item = item_idx[self.a]
        self._p: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self._weights: np.ndarray | None = None

    def _quadratic(self, p: np.ndarray) -> np.ndarray:
        """``sum_rs p_r p_s G_rs`` per item."""
        return np.bincount(self.pair_item, weights=p[self.a] * p[self.b] * self.gram, minlength=self.n_items)

    def step(self, weights: np.ndarray) -> np.ndarray:
        self._last, self._weights = self._p, weights
        p = self._p = normalized_weights(weights, self.item_idx, self.n_items)
        n = len(self.item_idx)
        dots = np.bincount(self.a, weights=p[self.b] * self.gram, minlength=n)
        own = self.gram[:n]
        return np.maximum(own - 2 * dots + self._quadratic(p)[self.item_idx], 0.0)

    def change(self) -> float:
        assert self._p is not None and self._last is not None
        return _ratio(float(self._quadratic(self._p - self._last).sum()), float(self._quadratic(self._p).sum()))

    def means(self) -> Any:
        return item_means(self.X, self.item_idx, self.n_items, self._weights)


#: Most within-item answer pairs for the Gram passes (three float/int arrays of this length); above
#: it (items with hundreds of answers each), sparse rows iterate on the means themselves.
MAX_GRAM_PAIRS = 20_000_000


def passes_for(X: Any, item_idx: np.ndarray, n_items: int) -> DensePasses | GramPasses:
    """The passes for ``X``'s kind: Gram entries for sparse rows (unless the items have so many
    answers that the pairs would not fit: ``MAX_GRAM_PAIRS``), the means themselves otherwise."""
    sizes = np.bincount(item_idx, minlength=n_items).astype(np.int64)
    if sp.issparse(X) and int((sizes * sizes).sum()) <= MAX_GRAM_PAIRS:
        return GramPasses(X, item_idx, n_items)
    return DensePasses(X, item_idx, n_items)
