"""Dawid-Skene's guard against a relabelling of the classes (:func:`relabelled_classes`), by row blocks."""

from __future__ import annotations

import numpy as np

from .._scratch import scratch
from .._validate.arguments import check_positive_int
from ..errors import InvalidParameterError
from ._base import row_max

__all__ = ["relabelled_classes", "relabelled_given", "strict_classes"]

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
    over those rows is some ``l != k`` holding at least half of them, and more of them than ``k``
    keeps (a tie is not decided by the classes' order): the signature of EM ending
    in a permutation of the classes [1]_. Small classes are not reported on their own: the
    relabelled classes are returned only when the rows they move hold at least ``min_share`` of
    all those rows. The same as ``relabelled_given(strict_classes(reference), post, weights)``:
    a caller that will overwrite ``reference`` keeps just its :func:`strict_classes`.

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
    classes = strict_classes(reference, block_rows=block_rows)
    return relabelled_given(classes, post, weights, min_share=min_share, block_rows=block_rows)


def strict_classes(reference: np.ndarray, *, block_rows: int = ROW_BLOCK) -> np.ndarray:
    """Per row of ``reference`` (n, K): the column of its single maximum, or -1 where the maximum is
    tied within 1e-12 (or the row holds a NaN); int8 for K < 128 (an item-long array of one byte
    per row), else int32.

    Parameters
    ----------
    reference : ndarray of shape (n, K)
    block_rows : int, default :data:`ROW_BLOCK`
        Rows read at a time (any value gives the same result).

    Returns
    -------
    ndarray of shape (n,)
    """
    reference = np.asarray(reference)
    if reference.ndim != 2:
        raise InvalidParameterError(f"reference must be a 2-D array, got shape {reference.shape}")
    step = check_positive_int("block_rows", block_rows)
    n, k = reference.shape
    out = np.empty(n, dtype=np.int8 if k < 128 else np.int32)
    for start in range(0, n, step):
        block = reference[start : start + step]
        m = len(block)
        level = row_max(block)
        level -= 1e-12
        n_top = scratch("aggregate._guard.n_top", m, np.intp)  # per row, the entries at the maximum
        n_top.fill(0)
        hit = scratch("aggregate._guard.hit", m, np.bool_)
        for j in range(k):  # a column at a time: no boolean (n, K) array
            np.greater_equal(block[:, j], level, out=hit)
            n_top += hit
        key = scratch("aggregate._guard.key", m, np.intp)
        np.argmax(block, axis=1, out=key)
        key[n_top != 1] = -1
        out[start : start + m] = key
    return out


def relabelled_given(
    classes: np.ndarray,
    post: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    min_share: float = 0.01,
    block_rows: int = ROW_BLOCK,
) -> np.ndarray:
    """:func:`relabelled_classes` from the reference's :func:`strict_classes` ``classes``.

    Parameters
    ----------
    classes : ndarray of shape (n,)
        Each row's strict reference class, -1 for none.
    post : ndarray of shape (n, K)
    weights : ndarray of shape (n,), optional
        Row multiplicities.
    min_share : float, default 0.01
    block_rows : int, default :data:`ROW_BLOCK`

    Returns
    -------
    ndarray of int
        The relabelled class codes (empty when none).
    """
    post = np.asarray(post)
    classes = np.asarray(classes)
    if post.ndim != 2 or classes.shape != (len(post),):
        raise InvalidParameterError(
            f"classes must have one entry per row of post, got shapes {classes.shape} and {post.shape}"
        )
    n, k = post.shape
    w = None if weights is None else np.asarray(weights, dtype=np.float64)
    if w is not None and w.shape != (n,):
        raise InvalidParameterError(f"weights must have shape ({n},), got {w.shape}")
    step = check_positive_int("block_rows", block_rows)
    table = np.zeros(k * k)
    for start in range(0, n, step):
        ref = classes[start : start + step]
        m = len(ref)
        key = scratch("aggregate._guard.key", m, np.intp)
        np.argmax(post[start : start + m], axis=1, out=key)
        strict = scratch("aggregate._guard.hit", m, np.bool_)
        np.greater_equal(ref, 0, out=strict)
        keys = key[strict]
        keys += ref[strict].astype(np.intp) * k
        np.add.at(table, keys, 1.0 if w is None else w[start : start + m][strict])  # in row order
    table = table.reshape(k, k)
    row_total = table.sum(axis=1)
    stayed = table.diagonal().copy()
    np.fill_diagonal(table, -np.inf)
    best_other = table.max(axis=1) if k > 1 else np.full(k, -np.inf)
    # strictly more rows to one other class than stayed: a tie is not "mostly", and deciding it by
    # the classes' order would make the result depend on how the classes are named
    moved = (best_other > stayed) & (best_other >= 0.5 * row_total) & (row_total > 0)
    if best_other[moved].sum() < min_share * row_total.sum():
        return np.empty(0, dtype=np.int64)
    return np.flatnonzero(moved)
