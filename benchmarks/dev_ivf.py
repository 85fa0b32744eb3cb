"""An inverted file (faiss ``IndexIVFFlat``) instead of hnswlib for the checks' graph?

Session 8 (RESULTS.md, issue 11) found no cheaper hnswlib build that keeps recall on dev data; at
100,000 x 64 the HNSW build is about two thirds of the graph's time. An inverted file has no graph
to build (a k-means on a sample, then one pass filing every row in its nearest cell's list), and a
query compares itself exactly with the rows of its ``P`` nearest cells; its cost per row is fixed
by ``P x cell size``. ``labelwise.checks._ivf.FaissIVF`` behind ``_ann.search_index`` (queries list
by list, ``2k + 1`` candidates re-scored exactly, the second search for rows that missed
themselves), i.e. ``index="faiss-ivf"``. (The class lived in ``src/labelwise/checks/_ivf.py`` while
this script ran in session 9; it is here since no ``ivf`` variant passed the rule.)

Dev sets of ``dev_hnsw_params`` only, never the benchmark's generator: ``lowrank`` (30 clusters on
8-dimensional subspaces), ``iso`` (200 isotropic 64-d clusters) and ``wide`` (new in session 9: 12
isotropic 64-d clusters of unequal size and spread; few clusters of many rows each at high
intrinsic dimension, the geometry on which session 5's k-means cells lost: a row's neighbours lie
in many cells of its cluster). recall@10 on 2,000 rows against exact search; process CPU seconds of
the whole approximate search (build + search; the machine is shared: wall times are rough).

Variants: ``hnswlib`` (the present pipeline, ``_ann._hnswlib_search``: pivot cells, insertion
rounds, build, search) and ``ivf:C/P`` (cells of ``C`` rows, ``P`` probed; seeded by the repeat's
number: a new seed for each set and repeat) and ``spill:C/S`` (``labelwise.checks._spill``: cells of
``C`` rows, every row filed in the lists of its ``S`` nearest cells, a row compared with its own
cell's list by one matrix product per cell; added, with the same rule, after the first ``ivf``
lines had printed and before any ``spill`` variant ran: faiss's IVF scan costs about 19 ns per
distance on this machine, a BLAS product and ``argpartition`` about 8).

The rule, fixed before any variant ran:

1. At 100,000 rows, ``--repeats 2``, all three sets: a variant passes if its recall@10 is at
   least 0.99 in every repeat on every set and its mean recall is at most 0.002 below the present
   pipeline's on each set.
2. Of those that pass, the one with the least CPU (summed over the sets and repeats) is the
   candidate, if it saves at least 15% of the present pipeline's CPU (else nothing is kept).
3. At 300,000 rows (``--repeats 2``, all three sets), the candidate's mean recall must be at most
   0.002 below the present pipeline's on each set, and its CPU (summed) below the present's. If it
   fails, the next cheapest variant that passed (1) and (2) is checked the same way, once; if that
   fails too, nothing is kept.
   Amended at 19:59 UTC, before the 100,000-row grid had finished on ``wide`` and before any
   variant but ``hnswlib`` ran at 300,000 rows: the shared machine was at load average 12-15 (2
   cores), a 300,000-row hnswlib run took 300 s wall, and heavy runs must end by 20:28; so (3)
   runs with ``--repeats 1`` (one build per set and variant; the hnswlib ``lowrank`` repeat 0 that
   had finished is the baseline there).
4. A kept variant becomes ``index="auto"``'s choice up to the largest size at which it passed
   (300,000 rows: ``AUTO_IVF_MAX_ROWS``), hnswlib above. A 1,000,000-row check (``--repeats 1``,
   ``lowrank`` and ``wide``) is run if time allows and extends that limit to 1,000,000 only if the
   candidate's recall there is at most 0.002 below hnswlib's on both sets and its CPU lower.

Usage: ``python benchmarks/dev_ivf.py 100000 --sets lowrank,iso,wide --variants hnswlib,ivf:1024/8``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dev_hnsw_params as dev  # noqa: E402

K = 10
QUERIES = 2000
VARIANTS = "hnswlib,ivf:1024/4,ivf:512/8,ivf:256/16,spill:1024/4,spill:1024/8,spill:512/8"
REPEAT = {"n": 0}


#: Rows per k-means cell and the nearest cells a query compares with (defaults; the variants set both).
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
        import faiss

        faiss.omp_set_num_threads(n_threads)
        n, d = Z.shape
        cell_size, probes = cell_size or CELL_SIZE, probes or PROBES
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


def one(view, variant: str) -> tuple[np.ndarray, dict[str, tuple[float, float]]]:
    from labelwise.checks import _ann

    clock = time.perf_counter(), time.process_time()
    times = {}
    if variant in ("hnswlib", "cells"):  # the present pipeline; session 5's cells (a reference)
        idx = _ann.SEARCHES[variant](view, K, 0, 2)[0]
        times["graph"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
        return idx, times
    cell_size, probes = (int(v) for v in variant.split(":")[1].split("/"))
    if variant.startswith("spill:"):
        from labelwise.checks._spill import spill_knn

        idx = spill_knn(view, K, cell_size=cell_size, spill=probes, random_state=REPEAT["n"], n_threads=2)[0]
        REPEAT["n"] += 1
        times["graph"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
        return idx, times
    seed = REPEAT["n"] // len(_variants())
    REPEAT["n"] += 1
    built = FaissIVF(view, n_threads=2, block=_ann.ROW_BLOCK, random_state=seed, cell_size=cell_size, probes=probes)
    times["build"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    clock = time.perf_counter(), time.process_time()
    idx = _ann.search_index(built, view, K, order=built.order)[0]
    times["search"] = time.perf_counter() - clock[0], time.process_time() - clock[1]
    return idx, times


def _variants() -> list[str]:
    args = sys.argv
    text = args[args.index("--variants") + 1] if "--variants" in args else VARIANTS
    return [v for v in text.split(",") if v not in ("hnswlib", "cells")]


def main() -> None:
    dev.variants_main(one, VARIANTS, QUERIES)


if __name__ == "__main__":
    main()
