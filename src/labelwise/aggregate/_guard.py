"""Dawid-Skene's guard against a relabelling of the classes (:func:`relabelled_classes`), by row blocks."""

from __future__ import annotations

import numpy as np

from .._scratch import scratch
from ..errors import InvalidParameterError
from ._base import row_max

__all__ = ["relabelled_classes"]

#: Rows per block: the block's temporaries (a few vectors of this length) stay in the cache and are
#: the thread's scratch buffers, not fresh item-long arrays.
ROW_BLOCK = 1 << 16


def relabelled_classes(
    reference: np.ndarray,
    post: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    min_share: float = 0.01,
    block_rows: int = ROW_BLOCK,
) -> np.ndarray:
    """Classes whose items (by ``reference``, e.g. majority vote) ``post`` mostly gives to one other class.

    Only rows where ``reference`` has a single maximum count (entries within 1e-12 of the row's
    maximum count as maximal). Class ``k`` is relabelled when the most frequent argmax of ``post``
    over those rows is some ``l != k`` holding at least half of them: the signature of EM ending
    in a permutation of the classes [1]_. Small classes are not reported on their own: the
    relabelled classes are returned only when the rows they move hold at least ``min_share`` of
    all those rows.

    The rows are read ``block_rows`` at a time, and the (reference class, posterior class) table
    is summed in row order (``np.add.at``, the order ``np.bincount`` sums the whole array in), so
    every block size gives the same table bit for bit, with no temporary as long as the rows.

    Parameters
    ----------
    reference, post : ndarray of shape (n, K)
    weights : ndarray of shape (n,), optional
        Row multiplicities.
    min_share : float, default 0.01
        Share of the strict rows that the relabelled classes must move to be reported.
    block_rows : int, default :data:`ROW_BLOCK`
        Rows read at a time (any value gives the same result).

    Returns
    -------
    ndarray of int
        The relabelled class codes (empty when none).

    References
    ----------
    .. [1] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
       Using the EM Algorithm", Journal of the Royal Statistical Society, Series C 28(1), 20-28,
       1979 (EM's fixed points are defined up to a permutation of the latent classes).
    """
    reference, post = np.asarray(reference), np.asarray(post)
    if reference.ndim != 2 or post.shape != reference.shape:
        raise InvalidParameterError(
            f"reference and post must be 2-D arrays of one shape, got {reference.shape} and {post.shape}"
        )
    n, k = reference.shape
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if w is not None and w.shape != (n,):
        raise InvalidParameterError(f"weights must have shape ({n},), got {w.shape}")
    if isinstance(block_rows, bool) or not isinstance(block_rows, (int, np.integer)) or block_rows < 1:
        raise InvalidParameterError(f"block_rows must be an integer >= 1, got {block_rows!r}")
    table = np.zeros(k * k)
    for start in range(0, n, int(block_rows)):
        stop = min(start + int(block_rows), n)
        _count_block(table, reference[start:stop], post[start:stop], None if w is None else w[start:stop])
    table = table.reshape(k, k)
    best = table.argmax(axis=1)
    row_total = table.sum(axis=1)
    moved = (best != np.arange(k)) & (table.max(axis=1) >= 0.5 * row_total) & (row_total > 0)
    if table.max(axis=1)[moved].sum() < min_share * table.sum():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(moved)


def _count_block(table: np.ndarray, reference: np.ndarray, post: np.ndarray, weights: np.ndarray | None) -> None:
    """Add one block's strict rows to ``table[ref_class * K + post_class]`` (in row order)."""
    n, k = reference.shape
    level = row_max(reference)
    level -= 1e-12
    n_top = scratch("aggregate._guard.n_top", n, np.intp)  # per row, the entries at the maximum
    n_top.fill(0)
    hit = scratch("aggregate._guard.hit", n, np.bool_)
    for j in range(k):  # a column at a time: no boolean (n, K) array
        np.greater_equal(reference[:, j], level, out=hit)
        n_top += hit
    key = scratch("aggregate._guard.key", n, np.intp)
    np.argmax(reference, axis=1, out=key)
    key *= k
    post_key = scratch("aggregate._guard.post_key", n, np.intp)
    np.argmax(post, axis=1, out=post_key)
    key += post_key
    strict = np.equal(n_top, 1, out=hit)
    keys = key[strict]
    if weights is None:
        np.add.at(table, keys, 1.0)
    else:
        np.add.at(table, keys, weights[strict])
