"""An inverted file of k-means cells searched by faiss (``IndexIVFFlat``), behind the two methods of
hnswlib's index that :func:`labelwise.checks._ann.search_index` uses (``set_ef``, ``knn_query``).

Lloyd's k-means on a seeded sample of the rows gives one centroid per ``CELL_SIZE`` rows; every row
is stored, as float32, in the list of its nearest centroid, and a query compares itself exactly
with every row of the lists of its ``PROBES`` nearest centroids (Jégou, Douze & Schmid 2011), in
faiss's SIMD kernels, queries spread over the threads. Unlike an HNSW index there is no graph to
build: the build is the k-means and one pass that files the rows, and the search's cost per row is
fixed by ``PROBES x CELL_SIZE`` (the rows it compares with), whatever the data. The rows are
queried list by list (the order in which faiss files them), so consecutive queries probe nearly
the same lists and find them in cache. A row always finds itself (its own list is the nearest one
probed), so the wider second search of :func:`~labelwise.checks._ann.search_index` is rarely
needed; when it is, ``set_ef`` widens the probe in proportion to the beam width asked for.

The index holds the rows (4 bytes per feature) and one 8-byte id per row, about half of hnswlib's
index at 64 features (no links). ``CELL_SIZE`` and ``PROBES`` were chosen on dev data
(``benchmarks/dev_ivf.py``, RESULTS.md, issue 11, session 9).

References
----------
Jégou, H., Douze, M., & Schmid, C. (2011). Product quantization for nearest neighbor search.
IEEE TPAMI, 33(1), 117-128 (the inverted file with a coarse k-means quantiser, several cells
probed per query).
Douze, M., et al. (2024). The Faiss library. arXiv:2401.08281.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError

#: Target rows per k-means cell and the nearest cells each query compares with (dev data).
CELL_SIZE = 1024
PROBES = 8
#: k-means: sampled rows per centroid and Lloyd iterations.
SAMPLE_PER_CELL = 32
KMEANS_ITER = 10
#: The beam width of the first search, to which ``set_ef`` relates a wider one.
BASE_EF = 64


class FaissIVF:
    """``faiss.IndexIVFFlat`` of every row of ``Z`` (ids = row numbers), searched with ``n_threads``.

    ``Z`` is a float32 matrix or a :class:`~labelwise.checks.graph.StandardizedRows` view; rows
    are read ``block`` at a time. ``order`` holds the row numbers list by list.
    """

    def __init__(
        self,
        Z: Any,
        *,
        n_threads: int,
        block: int,
        random_state: int = 0,
        cell_size: int | None = None,
        probes: int | None = None,
    ) -> None:
        try:
            import faiss
        except ImportError:
            raise InvalidParameterError(
                "index='faiss-ivf' needs faiss (pip install 'labelwise[ann-faiss]'), it is not installed"
            ) from None
        faiss.omp_set_num_threads(n_threads)
        n, d = Z.shape
        cell_size, probes = cell_size or CELL_SIZE, probes or PROBES
        if cell_size < 1 or probes < 1:
            raise InvalidParameterError(f"cell_size and probes must be positive, got {cell_size} and {probes}")
        self.n_cells = max(1, int(round(n / cell_size)))
        self.probes = min(probes, self.n_cells)
        rng = np.random.default_rng(random_state)
        sample = np.ascontiguousarray(
            Z[np.sort(rng.choice(n, min(n, self.n_cells * SAMPLE_PER_CELL), replace=False))], dtype=np.float32
        )
        quantizer = faiss.IndexFlatL2(d)
        self.index = faiss.IndexIVFFlat(quantizer, d, self.n_cells, faiss.METRIC_L2)
        self.index.cp.niter = KMEANS_ITER
        self.index.cp.seed = int(rng.integers(2**31 - 1))
        self.index.cp.min_points_per_centroid = 1  # no warning for small samples
        self.index.train(sample)
        self._quantizer = quantizer  # faiss does not own it: keep it alive with the index
        del sample
        for s in range(0, n, block):
            rows = np.ascontiguousarray(Z[s : s + block], dtype=np.float32)
            self.index.add_with_ids(rows, np.arange(s, s + rows.shape[0], dtype=np.int64))
        lists: Any = self.index.invlists
        self.order = np.concatenate(
            [
                faiss.rev_swig_ptr(lists.get_ids(c), lists.list_size(c)).copy()
                for c in range(self.n_cells)
                if lists.list_size(c)
            ]
        ).astype(np.int64)
        self.index.nprobe = self.probes

    def set_ef(self, ef: int) -> None:
        """Probe ``PROBES * ef / BASE_EF`` cells (at least ``PROBES``, at most all) in the searches that follow."""
        self.index.nprobe = int(min(self.n_cells, max(self.probes, -(-self.probes * int(ef) // BASE_EF))))

    def knn_query(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids (``-1`` where fewer were probed) and squared distances of the ``k`` nearest indexed rows."""
        sq, ids = self.index.search(np.ascontiguousarray(rows, dtype=np.float32), k)
        return ids, sq
