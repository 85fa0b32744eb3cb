"""The approximate neighbour graph of a row-chunked ``dask.array``: one HNSW index per shard.

The issue's sharded index: every row chunk is a shard, and each shard's rows go into an hnswlib
index of their own (Malkov and Yashunin 2020, "Efficient and robust approximate nearest neighbor
search using Hierarchical Navigable Small World graphs", IEEE TPAMI 42(4)), built by one task and
kept on the worker that built it. Every query chunk then searches every shard's index (one task
per pair: ``2k + 1`` candidates, re-scored exactly in float64 by the exact search's own code), and
each query chunk's ``k`` best over all shards are merged by a tree of merge tasks, as the exact
search (:mod:`._dask_graph`) merges its shards'. Only the ``n x k`` graph reaches the client.

A row's true neighbours that lie in a shard are found as well as that shard's index finds them, so
the recall is about the recall of an HNSW index of one shard's size (higher than one index over
every row, whose graph is larger); it is not guaranteed: ``benchmarks/bench_checks_scale.py``
records it against the exact graph on a sample of rows. Rows far from every other row are where a
shard's index misses most (a table of one-hot columns: :mod:`._graph_audit`): the graph is checked
against the exact search on a seeded sample and its far rows are searched exactly
(:mod:`._dask_graph_audit`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._stage_progress import persist, step
from ._ann import EF_SEARCH, build_index
from ._dask_graph import merged_graph, shard_blocks
from ._dask_graph_audit import audited_sharded
from ._exact_select import sq_distances_between
from ._graph_record import sharded
from ._partitioned import PartitionedGraph


def sharded_approximate_graph(
    X: Any,
    mean: np.ndarray,
    scale: np.ndarray,
    *,
    k: int,
    metric: str,
    standardized: bool,
    scaling: str = "zscore",
    random_state: int = 0,
    requested: str = "approximate",
) -> PartitionedGraph:
    """The approximate ``k``-NN graph of the rows of dask array ``X`` standardised by ``mean`` and
    ``scale`` (unit rows for ``metric="cosine"``); see the module's docstring. ``requested``: the
    ``method`` asked, for the graph's search record.

    The caller checks ``k < n`` and the chunking (:func:`labelwise._chunks.align_dask_rows`).
    """
    import dask

    Z, blocks, starts, m = shard_blocks(X, mean, scale, metric, k)
    shard = dask.delayed(_shard_index, pure=True)
    with step("neighbour graph: shard indexes"):
        indexes = persist(*(shard(zs, m, random_state + s) for s, zs in enumerate(blocks)))
    pair = dask.delayed(_pair_search, pure=True)
    shards = list(zip(blocks, indexes, strict=True))
    parts = [
        [pair(zq, zs, ix, starts[q], starts[s], k, m) for s, (zs, ix) in enumerate(shards)]
        for q, zq in enumerate(blocks)
    ]
    rows = tuple(X.chunks[0])
    search = sharded(False, int(X.shape[0]), k, len(rows), random_state=random_state, requested=requested)
    with step("neighbour graph: searches"):
        graph = merged_graph(parts, rows, k, metric=metric, standardized=standardized, scaling=scaling, search=search)
    return audited_sharded(Z, blocks, starts, graph, random_state=random_state)


def _shard_index(Zs: np.ndarray, m: int, seed: int) -> Any:
    """An hnswlib index of the shard's rows (labels: their row numbers in the shard), on one thread
    (the tasks are the parallelism), searched with a beam of at least ``m + 2``."""
    index = build_index(Zs, random_state=seed, n_threads=1)
    index.set_ef(max(EF_SEARCH, m + 2))
    return index


def _pair_search(
    Zq: np.ndarray, Zs: np.ndarray, index: Any, q0: int, s0: int, k: int, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best neighbours (global row numbers, float64 squared distances) the shard's index
    finds for the query rows ``Zq`` (rows ``q0...``), sorted by (distance, row), a row never its
    own neighbour; padded with ``-1`` and ``inf`` where the shard has fewer rows."""
    nq, ns = Zq.shape[0], Zs.shape[0]
    indices = np.full((nq, k), -1, dtype=np.int64)
    sqdist = np.full((nq, k), np.inf)
    want = min(m + 1, ns)
    if nq == 0 or want == 0:
        return indices, sqdist
    cand, _ = index.knn_query(Zq, k=want, num_threads=1)
    cand = cand.astype(np.int64)
    d2 = sq_distances_between(Zq, Zs, cand)
    if q0 == s0:
        d2[cand == np.arange(nq)[:, None]] = np.inf  # the row itself
    glob = cand + s0
    glob = np.where(np.isinf(d2), -1, glob)
    key = np.where(glob < 0, np.iinfo(np.int64).max, glob)
    order = np.lexsort((key, d2), axis=1)[:, :k]
    kk = order.shape[1]
    indices[:, :kk] = np.take_along_axis(glob, order, 1)
    sqdist[:, :kk] = np.take_along_axis(d2, order, 1)
    return indices, sqdist
