"""A faiss HNSW index over scalar-quantised rows, behind the two methods of hnswlib's index that
:func:`labelwise.checks._ann.search_index` uses (``set_ef``, ``knn_query``).

It stores each row in 8 bits (``"sq8"``) or 16 bits (``"fp16"``) per feature instead of hnswlib's
32, so the index of 1,000,000 x 64 rows takes about 64 / 128 MB of vectors instead of 256 MB; the
candidates it returns are re-scored exactly from the features, so quantisation only changes which
``2k + 1`` candidates are seen. The 8-bit quantiser's range per feature is the exact minimum and
maximum of the standardised rows (found in one pass over row blocks), so no row is clipped. With
few features and many rows, many rows can share one 8-bit code, and the candidates among them are
arbitrary: prefer ``"fp16"`` or hnswlib there.

References
----------
Malkov, Y. A., & Yashunin, D. A. (2020). Efficient and robust approximate nearest neighbor search
using hierarchical navigable small world graphs. IEEE TPAMI, 42(4), 824-836.
Douze, M., et al. (2024). The Faiss library. arXiv:2401.08281.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._extras import require

QUANTIZERS = {"sq8": "QT_8bit", "fp16": "QT_fp16"}


class FaissQuantizedHNSW:
    """``faiss.IndexHNSWSQ`` of every row of ``Z`` (ids = row numbers), built with ``n_threads``."""

    def __init__(self, Z: Any, *, quantizer: str, M: int, ef_construction: int, n_threads: int, block: int) -> None:
        faiss = require("faiss", f"index='faiss-{quantizer}'")
        faiss.omp_set_num_threads(n_threads)
        n, d = Z.shape
        self.index = faiss.IndexHNSWSQ(d, getattr(faiss.ScalarQuantizer, QUANTIZERS[quantizer]), M)
        self.index.hnsw.efConstruction = ef_construction
        self.index.train(_range_rows(Z, block))
        for s in range(0, n, block):
            self.index.add(np.ascontiguousarray(Z[s : s + block], dtype=np.float32))

    def set_ef(self, ef: int) -> None:
        """Beam width of the searches that follow."""
        self.index.hnsw.efSearch = int(ef)

    def knn_query(self, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Ids and squared distances (in the quantised space) of the ``k`` nearest indexed rows."""
        sq, ids = self.index.search(np.ascontiguousarray(rows, dtype=np.float32), k)
        return ids, sq


def _range_rows(Z: Any, block: int) -> np.ndarray:
    """The rows holding every feature's minimum and maximum (at most ``2 d`` rows), as float32."""
    n = Z.shape[0]
    picked = []
    for s in range(0, n, block):
        part = Z[s : s + block]
        picked += [s + part.argmin(axis=0), s + part.argmax(axis=0)]
    rows = np.unique(np.concatenate(picked))
    return np.ascontiguousarray(Z[rows], dtype=np.float32)
