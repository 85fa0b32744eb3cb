"""The exact neighbour graph of a row-chunked ``dask.array``, by a sharded index.

Every row chunk is a shard and a block of queries. Each (query block, shard) pair is one task: the
query rows' ``k`` nearest within the shard, chosen and re-scored by the in-memory search's own code
(:func:`~labelwise.checks._exact_select.exact_best`: float64 distances from the float32
standardised rows, the ``k`` best by (distance, row number), exact even where the float32 near-ties
overflow the candidates' cap, a row never its own neighbour). Each query block's ``k`` best are
then merged over all shards by a tree of merge tasks, so the graph is
:meth:`NeighborGraph.build(..., method="exact") <labelwise.checks.graph.NeighborGraph.build>`'s on
the same rows: both are the ``k`` best by the same exact distances and the same tie rule. The column scaling is
:meth:`StandardizedRows.fit <labelwise.checks.graph.StandardizedRows.fit>`'s (the column means, then
the mean squared deviations from them, in float64) by dask reductions; the rows are standardised
on the workers. Only the ``n x k`` graph comes back to the client, never the features.

Work: ``n^2 d`` multiply-adds as in memory, spread over ``B^2`` tasks for ``B`` chunks; a task
holds two chunks and a slab of at most ``BLOCK_ELEMENTS`` distances.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._binary_scale import binary_magnitude, spread
from .._chunks import row_starts, tree_reduce_delayed
from .._stage_progress import compute, persist, step
from ._exact_select import block_best, search_shift, shifted_rows, sq_norms32
from ._graph_record import GraphSearch, sharded
from ._partitioned import PartitionedGraph
from .graph import BLOCK_ELEMENTS, StandardizedRows, _to_metric


def column_fit(X: Any, *, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """The column means and scales :meth:`StandardizedRows.fit` takes, by dask reductions.

    Means from float64 column sums, then the standard deviation from the float64 sums of squared
    deviations from those means (two passes, as in memory); a column that never varies keeps the
    scale 1. Without ``standardize``: zeros and ones.
    """
    d = int(X.shape[1])
    if not standardize:
        return np.zeros(d), np.ones(d)

    n = int(X.shape[0])
    with step("column scaling"):
        total, peak = compute(X.sum(axis=0, dtype=np.float64), abs(X).max(axis=0))
        p = binary_magnitude(peak)  # the squares of the divided columns neither overflow nor underflow
        mean = np.asarray(total, dtype=np.float64) / n
        if not np.isfinite(mean).all():  # sums past the float range: the mean of the divided columns
            (total,) = compute((X / p).sum(axis=0, dtype=np.float64))
            mean = np.asarray(total, dtype=np.float64) / n * p
        (sq,) = compute(((X / p - mean / p) ** 2).sum(axis=0, dtype=np.float64))
    return mean, spread(sq, n, p)


def sharded_exact_graph(
    X: Any,
    mean: np.ndarray,
    scale: np.ndarray,
    *,
    k: int,
    metric: str,
    standardized: bool,
    scaling: str = "zscore",
    requested: str = "exact",
    fallback: str | None = None,
) -> PartitionedGraph:
    """The exact ``k``-NN graph of the rows of dask array ``X`` (one column chunk) standardised by
    ``mean`` and ``scale`` (unit rows for ``metric="cosine"``); see the module's docstring.
    ``requested`` (the ``method`` asked) and ``fallback`` (why ``"auto"`` did not take the approximate
    search) go to the graph's search record.

    The caller checks ``k < n`` and the chunking (:func:`labelwise._chunks.align_dask_rows`).
    """
    import dask

    Z, blocks, starts, m = shard_blocks(X, mean, scale, metric, k)
    top_norm = dask.delayed(float)(Z.map_blocks(sq_norms32, drop_axis=1, dtype=np.float32).max())
    pair = dask.delayed(_pair_best, pure=True)
    parts = [
        [pair(zq, zs, starts[q], starts[s], k, m, top_norm) for s, zs in enumerate(blocks)]
        for q, zq in enumerate(blocks)
    ]
    rows = tuple(X.chunks[0])
    search = sharded(True, int(X.shape[0]), k, len(rows), random_state=0, requested=requested, fallback=fallback)
    with step("neighbour graph: exact search"):
        return merged_graph(parts, rows, k, metric=metric, standardized=standardized, scaling=scaling, search=search)


def shard_blocks(
    X: Any, mean: np.ndarray, scale: np.ndarray, metric: str, k: int
) -> tuple[Any, list[Any], list[int], int]:
    """The standardised rows (a dask array), its row chunks as ``Delayed`` (each a shard and a
    block of queries), each chunk's first row, and ``m``, the candidates a search keeps per row."""
    Z = X.map_blocks(_standardize, mean, scale, metric == "cosine", dtype=np.float32)
    starts = row_starts(X.chunks[0])
    return Z, list(Z.to_delayed().ravel()), starts, min(int(X.shape[0]) - 1, 2 * k)


def merged_graph(
    parts: list[list[Any]],
    rows: tuple[int, ...],
    k: int,
    *,
    metric: str,
    standardized: bool,
    scaling: str,
    search: GraphSearch,
) -> PartitionedGraph:
    """The graph from each query chunk's per-shard candidates (``parts[q][s]``, lazy): the ``k``
    best of each query chunk (``rows[q]`` rows) merged by a tree of merge tasks, computed and held
    on the workers as row-chunked dask arrays (nothing but the task keys reaches the client);
    ``search``, how the shards were searched."""
    import dask
    import dask.array as da

    merged = [tree_reduce_delayed(p, _merge_best) if len(p) > 1 else p[0] for p in parts]
    to_metric = dask.delayed(_metric_pair, pure=True)
    pairs = [to_metric(m, metric) for m in merged]
    indices = da.concatenate([da.from_delayed(p[0], (r, k), dtype=np.int64) for p, r in zip(pairs, rows, strict=True)])
    distances = da.concatenate(
        [da.from_delayed(p[1], (r, k), dtype=np.float32) for p, r in zip(pairs, rows, strict=True)]
    )
    indices, distances = persist(indices, distances)
    method = "exact" if search.exact else "approximate"
    return PartitionedGraph(indices, distances, metric, standardized, method, scaling, search)


def _metric_pair(best: tuple[np.ndarray, np.ndarray], metric: str) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(best[0], dtype=np.int64), _to_metric(best[1], metric)


def _standardize(block: np.ndarray, mean: np.ndarray, scale: np.ndarray, cosine: bool) -> np.ndarray:
    """The rows of ``block`` as :class:`StandardizedRows` computes them (float32)."""
    X = np.asarray(block)
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    return StandardizedRows(X, mean, scale, cosine)[:]


def _pair_best(
    Zq: np.ndarray, Zs: np.ndarray, q0: int, s0: int, k: int, m: int, top_norm: float
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best neighbours (global row numbers, float64 squared distances) of the query rows
    ``Zq`` (rows ``q0...``) among the shard ``Zs`` (rows ``s0...``), sorted by (distance, row);
    padded with ``-1`` and ``inf`` where the shard has fewer candidates.

    As :func:`~labelwise.checks.graph.exact_knn` does for the whole matrix: a float32 slab of
    ``||b||^2 - 2ab``, then :func:`~labelwise.checks._exact_select.exact_best` (``tol`` from the
    global largest squared norm): the ``k`` best by exact float64 distance and row. Above 165
    dimensions, a shard with a large common offset has both sides' products taken after
    subtracting its column mean (:func:`~labelwise.checks._exact_select.search_shift`; ``tol``
    then from the shifted shard's largest squared norm), as ``exact_knn`` does with the whole
    matrix's: any common shift gives the same exact distances.
    """
    nq, ns = Zq.shape[0], Zs.shape[0]
    shift = search_shift(Zs)
    Yq, Ys = shifted_rows(Zq, shift), shifted_rows(Zs, shift)  # the rows the products are taken of
    sq_q, sq_s = sq_norms32(Yq), sq_norms32(Ys)
    if shift is not None:
        top_norm = float(sq_s.max())
    same = q0 == s0
    width = min(m, ns)
    step = int(np.clip(BLOCK_ELEMENTS // max(ns, 1), 1, 4096))
    indices = np.full((nq, k), -1, dtype=np.int64)
    sqdist = np.full((nq, k), np.inf)
    buffer = np.empty((min(step, nq), ns), dtype=np.float32)  # one slab for every block
    for a in range(0, nq, step):
        b = min(nq, a + step)
        own = np.arange(a, b) if same else None
        norms = (sq_q[a:b], sq_s, top_norm)
        local, d2 = block_best(
            Yq[a:b], Ys, Zq[a:b], Zs, norms, k, width, own, shifted=shift is not None, out=buffer[: b - a]
        )
        indices[a:b] = np.where(local < 0, -1, local + s0)
        sqdist[a:b] = d2
    return indices, sqdist


def _merge_best(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of several shards' candidates of the same query rows, by (distance, row)."""
    k = parts[0][0].shape[1]
    idx = np.concatenate([p[0] for p in parts], axis=1)
    d2 = np.concatenate([p[1] for p in parts], axis=1)
    key = np.where(idx < 0, np.iinfo(np.int64).max, idx)  # padding after every real row at equal distance
    order = np.lexsort((key, d2), axis=1)[:, :k]
    return np.take_along_axis(idx, order, 1), np.take_along_axis(d2, order, 1)
