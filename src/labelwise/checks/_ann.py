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

import numpy as np

from ..errors import InvalidParameterError
from .graph import refine_candidates

#: Index parameters: graph degree, construction and search beam widths.
HNSW_M = 16
EF_CONSTRUCTION = 100
EF_SEARCH = 64


def approximate_knn(
    Z: np.ndarray, k: int, *, random_state: int = 0, n_threads: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and squared euclidean distances of (about) the ``k`` nearest other rows of ``Z``."""
    try:
        import hnswlib
    except ImportError:
        raise InvalidParameterError(
            "method='approximate' needs the 'ann' extra (pip install 'labelwise[ann]'), hnswlib is not installed"
        ) from None
    n, d = Z.shape
    threads = n_threads or os.cpu_count() or 1
    index = hnswlib.Index(space="l2", dim=d)
    seed = int(random_state) if isinstance(random_state, (int, np.integer)) else 0
    index.init_index(max_elements=n, ef_construction=EF_CONSTRUCTION, M=HNSW_M, random_seed=seed)
    index.set_num_threads(threads)
    index.add_items(Z, np.arange(n))
    index.set_ef(max(EF_SEARCH, 2 * k + 2))
    m = min(n - 1, 2 * k)
    indices = np.empty((n, k), dtype=np.int64)
    sqdist = np.empty((n, k), dtype=np.float64)
    step = 65536
    for s in range(0, n, step):
        e = min(n, s + step)
        cand, _ = index.knn_query(Z[s:e], k=m + 1)
        cand = cand.astype(np.int64)
        indices[s:e], sqdist[s:e] = refine_candidates(Z, np.arange(s, e), cand, k)
    return indices, sqdist
