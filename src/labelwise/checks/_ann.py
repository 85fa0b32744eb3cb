"""Approximate k nearest neighbours with an HNSW index (the ``ann`` extra: ``hnswlib``).

hnswlib was chosen by measurement among faiss-cpu (HNSW), usearch, pynndescent and hnswlib at
1,000,000 x 64 (recall@10 and build + query time; ``benchmarks/bench_checks.py --ann``, numbers in
``benchmarks/RESULTS.md``). The neighbours it returns are re-scored exactly in float64 and sorted
by (distance, index), as in the exact search.

References
----------
Malkov, Y. A., & Yashunin, D. A. (2020). Efficient and robust approximate nearest neighbor search
using hierarchical navigable small world graphs. IEEE TPAMI, 42(4), 824-836.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from .graph import refine_candidates

#: Index parameters: graph degree, construction and search beam widths. Chosen on dev data
#: (``benchmarks/dev_hnsw_params.py``, not the benchmark's generator): no cheaper (M, ef_construction)
#: reached recall@10 >= 0.99 there. ef = 48 also kept it on both dev sets but saved no measurable
#: time at 100k or 1M and lost recall on high-dimensional data, so ef stays 64 (RESULTS.md, issue 11).
HNSW_M = 16
EF_CONSTRUCTION = 100
EF_SEARCH = 64
#: Beam width of the second search for rows whose own point the first search did not find.
EF_RETRY = 1024
#: The second search may cost at most this share of the first (in beam width x rows).
RETRY_COST_SHARE = 0.25
#: Rows added to / queried from the index per call (the standardised block is computed per call).
ROW_BLOCK = 16384


def approximate_knn(
    Z: Any, k: int, *, random_state: int = 0, n_threads: int | None = None, index: str = "hnswlib"
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (int32) and squared euclidean distances (float32) of (about) the ``k`` nearest other rows of ``Z``.

    ``Z`` is a float32 matrix or a :class:`~labelwise.checks.graph.StandardizedRows` view: rows
    are standardised block by block as they are added and queried, so the index holds the only
    full copy, and it is freed before this returns. The candidates are ranked in float64 and
    stored as int32 / float32, so that the graph's arrays take 8 bytes per neighbour while the
    index is alive. ``index``: ``"cells"`` (k-means cells compared by matrix products, no index
    kept, see ``_cells``), ``"hnswlib"`` (float32 rows) or faiss's HNSW over 16- or 8-bit rows
    (``"faiss-fp16"``, ``"faiss-sq8"``: less memory, see ``_faiss_index``).
    """
    if index not in SEARCHES:
        raise InvalidParameterError(f"index must be one of {sorted(SEARCHES)}, got {index!r}")
    return SEARCHES[index](Z, k, random_state, n_threads or os.cpu_count() or 1)


def _hnswlib_search(Z: Any, k: int, random_state: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    built = build_index(Z, random_state=random_state, n_threads=n_threads)
    return search_index(built, Z, k)  # the index is freed when this returns


def _faiss_search(quantizer: str) -> Callable[[Any, int, int, int], tuple[np.ndarray, np.ndarray]]:
    def run(Z: Any, k: int, random_state: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
        from ._faiss_index import FaissQuantizedHNSW

        built = FaissQuantizedHNSW(
            Z, quantizer=quantizer, M=HNSW_M, ef_construction=EF_CONSTRUCTION, n_threads=n_threads, block=ROW_BLOCK
        )
        return search_index(built, Z, k)

    return run


def _cells_search(Z: Any, k: int, random_state: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    from ._cells import cell_knn

    return cell_knn(Z, k, random_state=random_state, n_threads=n_threads)


#: The approximate searches by index name (``NeighborGraph.build(index=...)``).
SEARCHES: dict[str, Callable[[Any, int, int, int], tuple[np.ndarray, np.ndarray]]] = {
    "cells": _cells_search,
    "hnswlib": _hnswlib_search,
    "faiss-fp16": _faiss_search("fp16"),
    "faiss-sq8": _faiss_search("sq8"),
}


def build_index(
    Z: Any,
    *,
    random_state: int = 0,
    n_threads: int | None = None,
    M: int | None = None,
    ef_construction: int | None = None,
) -> Any:
    """An hnswlib index of every row of ``Z`` (labels = row numbers), built with all cores."""
    try:
        import hnswlib
    except ImportError:
        raise InvalidParameterError(
            "method='approximate' needs the 'ann' extra (pip install 'labelwise[ann]'), hnswlib is not installed"
        ) from None
    n, d = Z.shape
    index = hnswlib.Index(space="l2", dim=d)
    seed = int(random_state) if isinstance(random_state, (int, np.integer)) else 0
    index.init_index(
        max_elements=n, ef_construction=ef_construction or EF_CONSTRUCTION, M=M or HNSW_M, random_seed=seed
    )
    index.set_num_threads(n_threads or os.cpu_count() or 1)
    for s in range(0, n, ROW_BLOCK):
        index.add_items(Z[s : s + ROW_BLOCK], np.arange(s, min(n, s + ROW_BLOCK)))
    return index


def ahead(fn: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
    """``fn(item)`` for each item in order, the next one computed in a worker thread meanwhile.

    The index's searches release the GIL, so while the caller re-scores one block (one core),
    the next block is searched: on few cores the exact re-scoring no longer leaves a core idle.
    At most one call runs at a time, so the index is never searched by two callers at once.
    """
    if len(items) < 2:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(fn, items[0])
        for item in items[1:]:
            done = pending.result()
            pending = pool.submit(fn, item)
            yield done
        yield pending.result()


def search_index(index: Any, Z: Any, k: int, *, ef: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Search every row of ``Z`` in ``index``: ``2k + 1`` candidates re-scored exactly, the best ``k`` kept.

    Every row is in the index, so a search that returns neither the row itself nor a twin at
    distance 0 has missed its region of the graph (HNSW on clustered data): those rows are
    searched again with the wider beam ``EF_RETRY`` (at most ``RETRY_COST_SHARE * n * ef /
    EF_RETRY`` of them, evenly spread, so the second search costs at most a quarter of the first).
    """
    n = Z.shape[0]
    m = min(n - 1, 2 * k)
    ef = max(ef or EF_SEARCH, m + 2)
    indices = np.empty((n, k), dtype=np.int32 if n < 2**31 else np.int64)
    sqdist = np.empty((n, k), dtype=np.float32)
    index.set_ef(ef)
    missed: list[np.ndarray] = []
    blocks = [np.arange(s, min(n, s + ROW_BLOCK)) for s in range(0, n, ROW_BLOCK)]
    for rows, (cand, dist) in zip(
        blocks, ahead(lambda r: index.knn_query(Z[r[0] : r[-1] + 1], k=m + 1), blocks), strict=True
    ):
        cand = cand.astype(np.int64)
        found = (cand == rows[:, None]).any(axis=1) | (dist[:, 0] <= 0)  # itself, or a twin at distance 0
        missed.append(rows[~found])
        indices[rows], sqdist[rows] = refine_candidates(Z, rows, cand, k)
    retry = np.concatenate(missed)
    cap = max(1, int(RETRY_COST_SHARE * n * ef / max(EF_RETRY, m + 2)))  # bounded cost of the second search
    if retry.size > cap:  # many misses: high intrinsic dimension rather than unreachable clusters
        retry = retry[np.linspace(0, retry.size - 1, cap).astype(np.int64)]
    if retry.size:
        index.set_ef(max(EF_RETRY, m + 2))
        blocks = [retry[s : s + ROW_BLOCK] for s in range(0, retry.size, ROW_BLOCK)]
        for rows, (cand, _) in zip(blocks, ahead(lambda r: index.knn_query(Z[r], k=m + 1), blocks), strict=True):
            cand = cand.astype(np.int64)
            both = np.concatenate([cand, indices[rows]], axis=1)  # never worse than the first search
            both.sort(axis=1)
            both[:, 1:][both[:, 1:] == both[:, :-1]] = -1  # each candidate once
            indices[rows], sqdist[rows] = refine_candidates(Z, rows, both, k)
    return indices, sqdist
