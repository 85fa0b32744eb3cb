"""Products of a few rows of the count matrix, as the pair check takes them, without sparse objects.

The pair check (:mod:`._pair_check`, :mod:`._pair_list`) takes the log joint of a few rows at a
time: ``m[rows] @ log_given``, with some answers' weights set to 0. Each such product built two
sparse matrices (the row slice, then the reweighted copy) and their checks, which cost more than
the product on the tens to hundreds of rows of one annotator. :func:`rows_times_dense` gathers the
rows' entries with numpy and calls the kernel that ``m[rows] @ x`` calls (scipy's ``csr_matvecs``,
via :func:`._observed.csr_times_dense`'s import), on the same entries in the same order: each
row's sum is the same sequence of products and additions, so the result is the same bit for bit.
It serves the posterior predictive check of a held-out pair (Gelman, Meng and Stern 1996 [1]_)
under Dawid and Skene's model [2]_.

References
----------
.. [1] A. Gelman, X.-L. Meng and H. Stern, "Posterior predictive assessment of model fitness via
   realized discrepancies", Statistica Sinica 6, 733-807, 1996.
.. [2] A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates Using
   the EM Algorithm", Applied Statistics 28(1), 20-28, 1979.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._observed import _CSR_MATVECS

__all__ = ["gather_rows", "rows_times_dense"]


def gather_rows(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CSR structure of ``rows`` (in the order given, repeats allowed): its ``indptr`` and, for
    each of its entries, the position of that entry in the whole matrix (what ``m[rows]`` copies)."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = indptr[rows].astype(np.int64)
    lengths = indptr[rows + 1].astype(np.int64) - starts
    sub = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=sub[1:])
    # entry t of row r sits at starts[r] + t: the row's start, shifted by the entry's rank in the row
    positions = np.arange(int(sub[-1]), dtype=np.int64) + np.repeat(starts - sub[:-1], lengths)
    return sub, positions


def rows_times_dense(m: sp.csr_matrix, rows: np.ndarray, x: np.ndarray, drop: np.ndarray | None = None) -> np.ndarray:
    """``m[rows] @ x`` (a dense ``(len(rows), x.shape[1])`` array), the entries in the columns where
    ``drop`` (one bool per column) is True weighted 0: the bits of building that sparse matrix (the
    row slice, its data set to 0 there) and multiplying."""
    sub, positions = gather_rows(m.indptr, rows)
    indices = m.indices[positions]
    values = m.data[positions]
    if drop is not None:
        values = np.where(drop[indices], 0.0, values)
    x = np.ascontiguousarray(x, dtype=np.float64)
    kernel = _CSR_MATVECS
    if kernel is None or values.dtype != np.float64 or x.ndim != 2:  # pragma: no cover - scipy without the kernel
        return np.asarray(sp.csr_matrix((values, indices, sub), shape=(len(sub) - 1, m.shape[1])) @ x)
    out = np.zeros((len(sub) - 1, x.shape[1]))
    kernel(len(sub) - 1, m.shape[1], x.shape[1], sub.astype(indices.dtype), indices, values, x.ravel(), out.ravel())
    return out
