"""Approximate k nearest neighbours by k-means cells and exact matrix products between nearby cells.

An inverted file (Jégou, Douze & Schmid 2011): Lloyd's k-means on a seeded sample of the rows gives
one centroid per ``CELL_SIZE`` rows (a cell with more than twice that is split by k-means on its
own rows), and every row's candidates are the rows of the cells of its nearest centroids. Rows
are searched in groups that share their two nearest cells: one matrix product per block of a
group against the rows of those two cells plus every further cell that at least ``SHARE`` of the
group has among its ``PROBES`` nearest. Each row's ``k`` nearest among those rows are then
selected as the exact search selects them (:func:`pool_best`,
:func:`~labelwise.checks._exact_select.exact_best`): the float32 products' smallest, re-scored in
float64 from the float32 rows' differences, and where rows are packed closer than the products'
error bound every row of the pool that may be nearer too, so the ``k`` best of the pool by
(distance, index) exactly. No index
is kept: memory is the features, the centroids, ``PROBES`` cell numbers per row and one
``block x pool`` product (and its selection's temporaries) per thread. The grouping and the share rule are labelwise's (the paper
probes cells per query); both were chosen on dev data (``benchmarks/dev_cells.py``).

References
----------
Jégou, H., Douze, M., & Schmid, C. (2011). Product quantization for nearest neighbor search.
IEEE TPAMI, 33(1), 117-128 (the inverted file with a coarse k-means quantiser, several cells
probed per query).
Lloyd, S. (1982). Least squares quantization in PCM. IEEE Transactions on Information Theory,
28(2), 129-137.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ._exact_select import exact_best, float32_product_tol, search_shift, shifted_rows, sq_norms, sq_norms32

#: Target rows per cell and the nearest cells each row considers (chosen on dev data, RESULTS.md, issue 11).
CELL_SIZE = 1024
PROBES = 4
#: A cell beyond a group's two nearest is searched when at least this share of the group's rows has
#: it among their ``PROBES`` nearest.
SHARE = 0.05
#: k-means: sampled rows per centroid and Lloyd iterations.
SAMPLE_PER_CELL = 32
KMEANS_ITER = 10
#: Rows assigned to centroids at a time (a ``ASSIGN_ROWS x cells`` product and its ranks).
ASSIGN_ROWS = 2048
#: Elements of one ``rows x pool`` product (float32, and the int64 ranks of its partition).
SLAB_ELEMENTS = 1 << 21


def kmeans(Z: Any, n_cells: int, *, random_state: int = 0) -> np.ndarray:
    """Centroids (float32, ``n_cells x d``) of Lloyd's k-means on a seeded sample of the rows of ``Z``."""
    n = Z.shape[0]
    rng = np.random.default_rng(random_state)
    size = min(n, n_cells * SAMPLE_PER_CELL)
    sample = Z[np.sort(rng.choice(n, size, replace=False))]
    centroids = sample[np.sort(rng.choice(size, n_cells, replace=False))].copy()
    for _ in range(KMEANS_ITER):
        label = _nearest_cells(sample, centroids, 1)[:, 0]
        counts = np.bincount(label, minlength=n_cells)
        sums = np.zeros((n_cells, sample.shape[1]), dtype=np.float64)
        np.add.at(sums, label, sample)
        filled = counts > 0  # an empty cell keeps its centroid
        centroids[filled] = (sums[filled] / counts[filled, None]).astype(np.float32)
    return centroids


def _centroid_products(Z: Any, centroids: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(start, ||c||^2 - 2 z.c)`` for blocks of ``ASSIGN_ROWS`` rows: each row's squared distance to
    every centroid less its own norm, which ranks the centroids as the distance does."""
    c_norm = np.einsum("ij,ij->i", centroids, centroids)
    minus2 = centroids * -2.0
    for s in range(0, Z.shape[0], ASSIGN_ROWS):
        prod = Z[s : s + ASSIGN_ROWS] @ minus2.T
        prod += c_norm[None, :]
        yield s, prod


def _nearest_cells(Z: Any, centroids: np.ndarray, probes: int) -> np.ndarray:
    """The ``probes`` nearest centroids of every row (int32, nearest first; ties by lower centroid)."""
    top = np.empty((Z.shape[0], probes), dtype=np.int32)
    for s, prod in _centroid_products(Z, centroids):
        if probes < prod.shape[1]:
            part = np.argpartition(prod, probes - 1, axis=1)[:, :probes]
        else:
            part = np.broadcast_to(np.arange(prod.shape[1]), prod.shape).copy()
        near = np.take_along_axis(prod, part, 1)
        order = np.lexsort((part, near), axis=1)
        top[s : s + ASSIGN_ROWS] = np.take_along_axis(part, order, 1)
    return top


def _nearest_cell(Z: Any, centroids: np.ndarray) -> np.ndarray:
    """Every row's nearest centroid (int32; ties by lower centroid): ``_nearest_cells(.., probes)[:, 0]``
    for any ``probes`` at most the tied centroids' count, by the same products, without their partition."""
    nearest = np.empty(Z.shape[0], dtype=np.int32)
    for s, prod in _centroid_products(Z, centroids):
        nearest[s : s + ASSIGN_ROWS] = np.argmin(prod, axis=1)
    return nearest


def split_and_assign(
    Z: Any, centroids: np.ndarray, probes: int, cell_size: int, random_state: int
) -> tuple[np.ndarray, np.ndarray]:
    """The centroids after the large cells are split (:func:`_split_large_cells`, which needs only
    each row's nearest cell) and every row's ``probes`` nearest of them (at most their count): the
    rows are assigned to ``probes`` cells once, in the final cells."""
    centroids = _split_large_cells(Z, centroids, _nearest_cell(Z, centroids), cell_size, random_state)
    return centroids, _nearest_cells(Z, centroids, min(probes, centroids.shape[0]))


def _split_large_cells(
    Z: Any, centroids: np.ndarray, cell: np.ndarray, cell_size: int, random_state: int
) -> np.ndarray:
    """Centroids with every cell of more than ``2 * cell_size`` rows split by k-means on its own rows.

    k-means leaves several tight clusters in one cell when other clusters are wider; such a cell
    would make every row near it compare with all its rows.
    """
    sizes = np.bincount(cell, minlength=centroids.shape[0])
    extra = []
    for c in np.flatnonzero(sizes > 2 * cell_size):
        rows = np.flatnonzero(cell == c)
        parts = kmeans(Z[rows], int(np.ceil(rows.size / cell_size)), random_state=random_state)
        centroids[c] = parts[0]
        extra.append(parts[1:])
    return np.vstack([centroids, *extra]) if extra else centroids


def pool_best(
    Q: np.ndarray, rows: np.ndarray, P: np.ndarray, pool: np.ndarray, k: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest other rows of the pool to each query row, exactly: row numbers and squared distances.

    ``Q`` holds the rows ``rows`` (float32, each among ``pool``: increasing row numbers, their
    float32 rows ``P``). One float32 product ``||b||^2 - 2 a.b`` (the row's own ``||a||^2`` does
    not change its ranking), the row's own column ``inf``, and the exact search's selection on it
    (:func:`~labelwise.checks._exact_select.exact_best`, ``tol`` its float32 error bound over the
    pool): the ``k`` best by (float64 distance from the float32 rows, row number). Ordinary rows are
    settled by their ``m`` smallest products re-scored in float64; only rows packed closer than the
    products can order go on to the near-ties at the cut and, if need be, their band. Above 165
    dimensions a pool with a large common offset has its products taken after subtracting its
    column mean (:func:`~labelwise.checks._exact_select.search_shift`).
    """
    shift = search_shift(P)
    Qs, Ps = shifted_rows(Q, shift), shifted_rows(P, shift)  # the rows the products are taken of
    p_norm = sq_norms32(Ps)
    slab = (Qs * np.float32(-2.0)) @ Ps.T  # scaling by -2 is exact: the products of -2 P
    slab += p_norm[None, :]
    at = np.searchsorted(pool, rows)
    slab[np.arange(rows.size), at] = np.inf  # no self-matches
    q_norm = sq_norms(Qs)
    tol = float32_product_tol(q_norm, p_norm.max(), Q.shape[1], shifted=shift is not None)
    local, best = exact_best(slab, Q, P, k, m, tol[:, None], self_cols=at, q_norm=q_norm)
    del slab
    return np.where(local >= 0, pool[local], -1), best


def cell_knn(
    Z: Any,
    k: int,
    *,
    cell_size: int | None = None,
    probes: int | None = None,
    random_state: int = 0,
    n_threads: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (int32) and float32 squared distances of (about) the ``k`` nearest other rows of ``Z``.

    ``Z`` is a float32 matrix or a :class:`~labelwise.checks.graph.StandardizedRows` view. Every
    row's candidates are the rows of its ``probes`` nearest cells; the rows that probe the same
    cells are searched together (one matrix product per block of them), and each gets the exact
    ``k`` nearest of those rows (:func:`pool_best`; distances from the float32 rows, as the exact
    search's). The result does not depend on ``n_threads``.
    """
    n, _ = Z.shape
    cell_size, probes = cell_size or CELL_SIZE, probes or PROBES
    n_cells = max(1, int(round(n / cell_size)))
    probes = min(probes, n_cells)
    centroids = kmeans(Z, n_cells, random_state=random_state)
    centroids, top = split_and_assign(Z, centroids, probes, cell_size, random_state)
    n_cells = centroids.shape[0]
    members = np.argsort(top[:, 0], kind="stable").astype(np.int64)  # rows of each cell, increasing
    starts = np.zeros(n_cells + 1, dtype=np.int64)
    np.cumsum(np.bincount(top[:, 0], minlength=n_cells), out=starts[1:])
    sizes = np.diff(starts)
    key = top[:, 0].astype(np.int64) * n_cells + (top[:, 1] if probes > 1 else 0)
    grouped = np.argsort(key, kind="stable")  # rows with the same two nearest cells, together
    groups = np.split(grouped, np.flatnonzero(np.diff(key[grouped])) + 1)
    del key, grouped
    c_norm = np.einsum("ij,ij->i", centroids, centroids, dtype=np.float64)
    m = min(n - 1, 2 * k)
    indices = np.empty((n, k), dtype=np.int32 if n < 2**31 else np.int64)
    sqdist = np.empty((n, k), dtype=np.float32)

    def pool_of(queries: np.ndarray) -> np.ndarray:
        cells, seen = np.unique(top[queries, 2:], return_counts=True)
        cells = np.union1d(top[queries[0], :2], cells[seen >= SHARE * queries.size])
        if sizes[cells].sum() <= m:  # too few rows: add the cells nearest the first row's, in order
            gap = c_norm - 2.0 * (centroids @ centroids[top[queries[0], 0]]).astype(np.float64)
            by_gap = np.argsort(gap, kind="stable")
            enough = np.cumsum(sizes[by_gap]) > m
            cells = np.union1d(cells, by_gap[: int(np.argmax(enough)) + 1])
        return np.sort(np.concatenate([members[starts[c] : starts[c + 1]] for c in cells]))

    def one_group(queries: np.ndarray) -> None:
        pool = pool_of(queries)
        P = np.asarray(Z[pool], dtype=np.float32)
        step = int(np.clip(SLAB_ELEMENTS // pool.size, 1, 4096))
        for s in range(0, queries.size, step):
            rows = np.sort(queries[s : s + step])
            indices[rows], sqdist[rows] = pool_best(np.asarray(Z[rows], dtype=np.float32), rows, P, pool, k, m)

    if n_threads > 1:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max_workers=n_threads) as ex:
            list(ex.map(one_group, groups))
    else:
        for g in groups:
            one_group(g)
    return indices, sqdist
