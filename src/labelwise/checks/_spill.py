"""Approximate k nearest neighbours by k-means cells whose lists hold every row near them (multiple assignment).

An inverted file (Jégou, Douze & Schmid 2011) with multiple assignment on the side of the stored
rows: Lloyd's k-means on a seeded sample gives one centroid per ``CELL_SIZE`` rows (cells of more
than twice that are split, as in ``_cells``); every row is filed in the lists of its ``spill``
nearest cells, and a row's candidates are the list of its own (nearest) cell. A neighbour ``x`` of
a row ``q`` is found when ``q``'s nearest cell is among ``x``'s ``spill`` nearest: rows near a
cell's border are filed on both sides, as in spill trees (Liu, Moore, Gray & Yang 2004) and the
multiple assignment of Jégou, Douze & Schmid (2008), where a query probes several cells instead.
Because every row of a cell has the same candidates, a cell is one dense matrix product (its rows
by its list, BLAS) and one selection: no row is compared with rows it does not need, unlike
probing each row's own nearest cells, whose union over a block of rows is much larger than any
row's share (``_cells``' share rule). Each row's ``k`` nearest of the list are selected exactly,
by (distance, index), as the exact search selects them (:func:`labelwise.checks._cells.pool_best`),
also where rows are packed closer than the float32 products can order. No index is kept:
memory is the features, ``spill`` cell numbers per row, one list of row numbers per cell and, per
thread, one cell's gathered list and a ``block x list`` product. The graph is the same on every
run and for any number of threads. ``CELL_SIZE`` was chosen on dev data (``benchmarks/dev_ivf.py``,
RESULTS.md, issue 11, session 9), the spill per size against hnswlib's recall at the same size
(``SPILL_BY_ROWS``, ``benchmarks/dev_spill_scale.py``, session 10).

References
----------
Jégou, H., Douze, M., & Schmid, C. (2011). Product quantization for nearest neighbor search.
IEEE TPAMI, 33(1), 117-128 (the inverted file with a coarse k-means quantiser).
Jégou, H., Douze, M., & Schmid, C. (2008). Hamming embedding and weak geometric consistency for
large scale image search. ECCV, 304-317 (multiple assignment to the nearest cells).
Liu, T., Moore, A. W., Gray, A., & Yang, K. (2004). An investigation of practical approximate
nearest neighbor algorithms. NIPS 17 (spill trees: points near a boundary stored on both sides).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from . import _cells, graph

#: Target rows per cell (RESULTS.md, issue 11, session 9).
CELL_SIZE = 1024
#: The cells each row is filed in, by the number of rows: ``(least rows, spill)`` in increasing order,
#: the last entry whose least rows is at most n. A cell holds ``CELL_SIZE`` rows whatever n, so a
#: cluster of the data spans more cells as n grows, and a row's neighbours spread over more of them:
#: the spill grows with n. Per size, the least spill whose recall@10 was at least hnswlib's at the
#: same n (minus 0.002) on the dev sets measured there, for less CPU (``benchmarks/dev_spill_scale.py``,
#: RESULTS.md, issue 11, session 10).
SPILL_BY_ROWS: tuple[tuple[int, int], ...] = ((0, 12), (100_001, 16), (300_001, 24))
#: Elements of one ``rows x list`` product (float32, and the int64 ranks of its partition).
SLAB_ELEMENTS = 1 << 21


def default_spill(n: int) -> int:
    """The cells each of ``n`` rows is filed in by default (``SPILL_BY_ROWS``)."""
    return [spill for least, spill in SPILL_BY_ROWS if least <= n][-1]


def cell_lists(top: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows filed in each cell: row numbers cell by cell, and where each cell's run starts.

    ``top`` holds each row's cells (``n x spill``, distinct within a row). The row numbers are
    int32 (below 2**31 rows) and are placed one column of ``top`` at a time, so the temporaries
    are O(n), not O(n x spill); within a cell the rows follow by column, then by row number.
    """
    n = top.shape[0]
    starts = np.zeros(n_cells + 1, dtype=np.int64)
    for j in range(top.shape[1]):
        starts[1:] += np.bincount(top[:, j], minlength=n_cells)
    np.cumsum(starts, out=starts)
    lists = np.empty(int(starts[-1]), dtype=np.int32 if n < 2**31 else np.int64)
    fill = starts[:-1].copy()  # the next free place of each cell's run
    rank = np.arange(n, dtype=np.int64)
    for j in range(top.shape[1]):
        column = top[:, j]
        by_cell = np.argsort(column, kind="stable")  # the column's rows cell by cell, rows increasing
        count = np.bincount(column, minlength=n_cells)
        first = np.cumsum(count) - count  # where each cell's rows start in ``by_cell``
        cell = column[by_cell]
        lists[fill[cell] + rank - first[cell]] = by_cell
        fill += count
    return lists, starts


def spill_knn(
    Z: Any,
    k: int,
    *,
    cell_size: int | None = None,
    spill: int | None = None,
    random_state: int = 0,
    n_threads: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (int32) and float32 squared distances of (about) the ``k`` nearest other rows of ``Z``.

    ``Z`` is a float32 matrix or a :class:`~labelwise.checks.graph.StandardizedRows` view. Each row
    gets the exact ``k`` nearest of its cell's list (:func:`~labelwise.checks._cells.pool_best`;
    distances from the float32 rows, as the exact search's). The result does not depend on ``n_threads``.
    """
    n, _ = Z.shape
    cell_size, spill = cell_size or CELL_SIZE, spill or default_spill(n)
    n_cells = max(1, int(round(n / cell_size)))
    centroids = _cells.kmeans(Z, n_cells, random_state=random_state)
    centroids, top = _cells.split_and_assign(Z, centroids, spill, cell_size, random_state)
    n_cells = centroids.shape[0]
    own = np.argsort(top[:, 0], kind="stable").astype(np.int64)
    own_starts = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(top[:, 0], minlength=n_cells), out=own_starts[1:])
    lists, starts = cell_lists(top, n_cells)
    del top
    c_norm = np.einsum("ij,ij->i", centroids, centroids, dtype=np.float64)
    m = min(n - 1, 2 * k)
    indices = np.empty((n, k), dtype=np.int32 if n < 2**31 else np.int64)
    sqdist = np.empty((n, k), dtype=np.float32)

    def pool_of(c: int) -> np.ndarray:
        pool = np.sort(lists[starts[c] : starts[c + 1]]).astype(np.int64)  # each row once: increasing rows
        if pool.size <= m:  # too few rows: add the cells nearest this one's centroid, in order
            gap = c_norm - 2.0 * (centroids @ centroids[c]).astype(np.float64)
            by_gap = np.argsort(gap, kind="stable")
            sizes = own_starts[1:] - own_starts[:-1]
            enough = int(np.argmax(np.cumsum(sizes[by_gap]) > m))
            pool = np.union1d(
                pool, np.concatenate([own[own_starts[b] : own_starts[b + 1]] for b in by_gap[: enough + 1]])
            )
        return pool

    def one_cell(c: int) -> None:
        queries = own[own_starts[c] : own_starts[c + 1]]
        if not queries.size:
            return
        pool = pool_of(c)
        P = np.empty((pool.size, Z.shape[1]), dtype=np.float32)
        step = graph._row_step(Z.shape[1])  # the list standardised by row blocks: bounded temporaries
        for s in range(0, pool.size, step):
            P[s : s + step] = Z[pool[s : s + step]]
        step = int(np.clip(SLAB_ELEMENTS // pool.size, 1, 4096))
        for s in range(0, queries.size, step):
            rows = queries[s : s + step]
            Q = np.asarray(Z[rows], dtype=np.float32)
            indices[rows], sqdist[rows] = _cells.pool_best(Q, rows, P, pool, k, m)

    cells = np.argsort(-(own_starts[1:] - own_starts[:-1]), kind="stable")  # largest first: balanced threads
    if n_threads > 1:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=n_threads) as ex:
            list(ex.map(one_cell, cells))
    else:
        for c in cells:
            one_cell(int(c))
    return indices, sqdist
