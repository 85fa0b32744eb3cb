"""Dawid-Skene's E-step and the next M-step's sparse product, by row blocks in two passes.

One EM iteration of :class:`~labelwise.aggregate.DawidSkene` (Dawid and Skene, 1979) reads the
(items x used columns) count matrix twice: the E-step's ``M @ log Π`` and the next M-step's
``M.T @ T``. Between them the softmax of the E-step runs over the items x K posterior several
times (the row maxima, the shift, ``exp``, the row sums, the division), each a pass over an array
that does not fit in the cache at a million items. :func:`posterior_and_counts` computes the same
numbers by row blocks: the first pass takes each block's product, adds the log prior, shifts by the
row maxima and exponentiates while the block is in the cache; the row sums are one call on the whole
array, exactly as :func:`~labelwise.aggregate._base.log_normalize` takes them (an OpenBLAS product,
whose rounding depends on how it splits the rows among its threads, so it is not taken by blocks);
the second pass divides each block and adds it to ``M.T @ T`` straight away.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import InvalidParameterError
from ._base import log_normalize, row_sum

try:  # the kernels of ``csr @ dense`` and ``csc @ dense``, private to scipy
    from scipy.sparse._sparsetools import csc_matvecs as _CSC_MATVECS
    from scipy.sparse._sparsetools import csr_matvecs as _CSR_MATVECS
except ImportError:  # pragma: no cover - a scipy without them: the whole-array products
    _CSC_MATVECS = _CSR_MATVECS = None

#: Items per block (with K = 5, 640 KB of the posterior: the block is still in the cache when the
#: next step reads it). Any value gives the same numbers.
ROW_BLOCK = 1 << 14


def posterior_and_counts(
    m: sp.csr_matrix,
    log_given: np.ndarray,
    log_prior: np.ndarray,
    *,
    out: np.ndarray | None = None,
    row_weights: np.ndarray | None = None,
    block_rows: int = ROW_BLOCK,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The posterior ``softmax(M @ log_given + log_prior)``, its log normalisers and ``M.T @ (w T)``.

    The values equal, bit for bit, ``log_normalize(m @ log_given + log_prior, overwrite=True)``
    followed by ``m.T @ (post * row_weights[:, None])`` (``m.T @ post`` without weights): the
    block products run scipy's kernels over the block's rows in the same order as the whole
    products (a row's sum of answers; each column's sum over the items in item order), and every
    other step is elementwise or the one whole-array row sum.

    Parameters
    ----------
    m : scipy.sparse.csr_matrix of shape (n, C), float64
        The count matrix (one row per item or answer pattern).
    log_given : ndarray of shape (C, K)
        ``log π`` of each used (annotator, label) column.
    log_prior : ndarray of shape (K,)
    out : ndarray of shape (n, K), optional
        float64, C-contiguous and writeable: the posterior is written there (its contents are not
        read). A fresh array otherwise.
    row_weights : ndarray of shape (n,), optional
        Row multiplicities applied in the counts (not in the posterior).
    block_rows : int, default :data:`ROW_BLOCK`
        Rows per block (any value gives the same numbers).

    Returns
    -------
    post : ndarray of shape (n, K)
        Rows sum to 1 (``out`` when given).
    log_z : ndarray of shape (n,)
        Each row's log-sum-exp.
    counts : ndarray of shape (C, K)
        ``M.T @ (row_weights * post)``: the next M-step's expected counts per used column.
    """
    n, n_cols = m.shape
    k = log_given.shape[1] if log_given.ndim == 2 else 0
    if isinstance(block_rows, bool) or not isinstance(block_rows, (int, np.integer)) or block_rows < 1:
        raise InvalidParameterError(f"block_rows must be an integer >= 1, got {block_rows!r}")
    if log_given.shape != (n_cols, k) or log_prior.shape != (k,):
        raise InvalidParameterError(
            f"log_given must have shape ({n_cols}, K) and log_prior (K,), got {log_given.shape} and {log_prior.shape}"
        )
    if not _blockable(m, log_given, out):
        return _whole(m, log_given, log_prior, out, row_weights)
    post = np.empty((n, k)) if out is None else out
    top = np.empty(n)
    x = np.ascontiguousarray(log_given, dtype=np.float64).ravel()
    for start in range(0, n, int(block_rows)):  # pass 1: product, log prior, shift, exp
        stop = min(start + int(block_rows), n)
        block = post[start:stop]
        block.fill(0.0)
        _CSR_MATVECS(stop - start, n_cols, k, *_rows(m, start, stop), x, block.ravel())
        block += log_prior
        _shift_exp(block, top[start:stop])
    total = row_sum(post)  # log_normalize's whole-array row sums, the same bits
    counts = np.zeros((n_cols, k))
    for start in range(0, n, int(block_rows)):  # pass 2: normalise, then this block's share of M.T @ T
        stop = min(start + int(block_rows), n)
        block = post[start:stop]
        block /= total[start:stop, None]
        y = block if row_weights is None else block * row_weights[start:stop, None]
        _CSC_MATVECS(n_cols, stop - start, k, *_rows(m, start, stop), y.ravel(), counts.ravel())
    np.log(total, out=total)
    total += top
    return post, total, counts


def _blockable(m: sp.csr_matrix, log_given: np.ndarray, out: np.ndarray | None) -> bool:
    return bool(
        _CSR_MATVECS is not None
        and _CSC_MATVECS is not None
        and m.format == "csr"
        and m.dtype == np.float64
        and log_given.dtype == np.float64
        and m.indptr.dtype == m.indices.dtype
        and (out is None or (out.dtype == np.float64 and out.shape == (m.shape[0], log_given.shape[1])))
        and (out is None or (out.flags.c_contiguous and out.flags.writeable))
    )


def _whole(
    m: sp.csr_matrix,
    log_given: np.ndarray,
    log_prior: np.ndarray,
    out: np.ndarray | None,
    row_weights: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The whole-array steps (a matrix or scipy the block kernels cannot take; ``out`` unused)."""
    log_joint = np.asarray(m @ log_given, dtype=np.float64)
    log_joint += log_prior
    post, log_z = log_normalize(log_joint, overwrite=True)
    y = post if row_weights is None else post * row_weights[:, None]
    return post, log_z, np.asarray(m.T @ y)


def _rows(m: sp.csr_matrix, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows ``start:stop`` of ``m`` as (indptr from 0, indices, data) views (no copy of the entries)."""
    indptr = m.indptr[start : stop + 1]
    lo, hi = int(indptr[0]), int(indptr[-1])
    return indptr - indptr[0], m.indices[lo:hi], m.data[lo:hi]


def _shift_exp(block: np.ndarray, top: np.ndarray) -> None:
    """``log_normalize``'s shift and ``exp`` on one block: ``top`` gets the row maxima (0 where not
    finite), then ``block = exp(block - top)`` in place."""
    np.copyto(top, block[:, 0])
    for j in range(1, block.shape[1]):
        np.maximum(top, block[:, j], out=top)
    bad = ~np.isfinite(top)
    if bad.any():
        top[bad] = 0.0
    block -= top[:, None]
    np.exp(block, out=block)
