"""Approximate k nearest neighbours with an HNSW index (the ``ann`` extra: ``hnswlib``).

hnswlib was chosen by measurement among faiss-cpu (HNSW), usearch, pynndescent and hnswlib at
1,000,000 x 64 (recall@10 and build + query time; ``benchmarks/bench_checks.py --ann``, numbers in
``benchmarks/RESULTS.md``). The neighbours it returns are re-scored exactly in float64 and sorted
by (distance, index), as in the exact search.

Every row is queried in a locality order (:func:`locality_order`), cell by cell of a partition by
nearest random pivot, so that consecutive queries walk the same region of the index and find its rows in
cache; the order never changes the answer of a search on a given index. Rows are inserted in
seeded random rounds, cell by cell within a round but the first, which is taken at random
(:func:`insertion_order`): after every round the index holds a uniform random share of the rows, as
with a random insertion order, so the index
does not depend on how the user's rows are sorted (inserted cluster by cluster, as data sorted by
class or by time would be, or cell by cell from the first row, the index lost recall on dev data:
RESULTS.md, issue 11, session 6); within a round consecutive insertions search the same region of
the index, and the rows of a cell lie together in its memory (hnswlib stores the nodes in
insertion order: a node reordering in the sense of Coleman et al.), which makes the build and the
cell-by-cell search cheaper (RESULTS.md, issue 11, session 7). The first round, inserted into an
empty index, lays out the links the later rows are found through, and is inserted at random
(RESULTS.md, issue 11, session 8).

References
----------
Malkov, Y. A., & Yashunin, D. A. (2020). Efficient and robust approximate nearest neighbor search
using hierarchical navigable small world graphs. IEEE TPAMI, 42(4), 824-836.
Coleman, B., Segarra, S., Smola, A., & Shrivastava, A. (2022). Graph reordering for cache-efficient
near neighbor search. NeurIPS 35 (memory locality of graph search; they reorder the nodes,
labelwise orders the queries and the insertions).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from .._extras import require
from ..errors import InvalidParameterError
from .graph import refine_candidates

#: Index parameters: graph degree, construction and search beam widths. Chosen on dev data
#: (``benchmarks/dev_hnsw_params.py``, not the benchmark's generator): no cheaper (M, ef_construction)
#: reached recall@10 >= 0.99 there, with the insertion rounds and a random first round neither
#: (``benchmarks/dev_build_params.py``, RESULTS.md issue 11 session 8). ef = 48 also kept it on both dev sets but saved no measurable
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
#: Seeded random rounds of the insertion order (:func:`insertion_order`); chosen on dev data
#: (``benchmarks/dev_insertion_rounds.py``, not the benchmark's generator).
INSERT_ROUNDS = 16
#: Rows per cell of the query order (:func:`locality_order`) and the most cells (pivots) it uses.
ORDER_CELL_SIZE = 1024
MAX_PIVOTS = 1024
#: Elements of one ``rows x pivots`` float32 product of :func:`pivot_cells` (8 MB; at most ``ROW_BLOCK`` rows).
PIVOT_PRODUCT_ELEMENTS = 1 << 21


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
    cells = pivot_cells(Z, random_state=random_state)  # one partition for both orders
    insert = insertion_order(Z.shape[0], random_state, cells=cells)
    built = build_index(Z, random_state=random_state, n_threads=n_threads, order=insert)
    del insert
    order = np.argsort(cells, kind="stable")  # ``locality_order``: the cells in the same order
    del cells
    return search_index(built, Z, k, order=order)  # the index is freed when this returns


def _faiss_search(quantizer: str) -> Callable[[Any, int, int, int], tuple[np.ndarray, np.ndarray]]:
    def run(Z: Any, k: int, random_state: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
        from ._faiss_index import FaissQuantizedHNSW

        built = FaissQuantizedHNSW(
            Z, quantizer=quantizer, M=HNSW_M, ef_construction=EF_CONSTRUCTION, n_threads=n_threads, block=ROW_BLOCK
        )
        return search_index(built, Z, k, order=locality_order(Z, random_state=random_state))

    return run


def _spill_search(Z: Any, k: int, random_state: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    from ._spill import spill_knn

    return spill_knn(Z, k, random_state=random_state, n_threads=n_threads)


def _cells_search(Z: Any, k: int, random_state: int, n_threads: int) -> tuple[np.ndarray, np.ndarray]:
    from ._cells import cell_knn

    return cell_knn(Z, k, random_state=random_state, n_threads=n_threads)


#: The approximate searches by index name (``NeighborGraph.build(index=...)``).
SEARCHES: dict[str, Callable[[Any, int, int, int], tuple[np.ndarray, np.ndarray]]] = {
    "cells": _cells_search,
    "spill": _spill_search,
    "hnswlib": _hnswlib_search,
    "faiss-fp16": _faiss_search("fp16"),
    "faiss-sq8": _faiss_search("sq8"),
}


def _seed(random_state: Any) -> int:
    """``random_state`` as the integer seed hnswlib and the insertion order take (0 if it is not an integer)."""
    return int(random_state) if isinstance(random_state, (int, np.integer)) else 0


def insertion_order(
    n: int,
    random_state: int = 0,
    *,
    cells: np.ndarray | None = None,
    rounds: int | None = None,
    random_first: bool = True,
) -> np.ndarray:
    """The order in which :func:`_hnswlib_search` inserts ``n`` rows.

    Without ``cells``: a permutation seeded by ``random_state``, the same for any data of ``n``
    rows. With ``cells`` (each row's cell, :func:`pivot_cells`): that permutation cut into
    ``rounds`` (``INSERT_ROUNDS``) consecutive parts of ``n / rounds`` rows, each part a seeded
    random sample of the rows whatever their sort order; the parts follow one another, and within
    a part the rows are taken cell by cell (cells in increasing number, rows in the permutation's
    order). With ``random_first`` the first part is taken in the permutation's own order instead:
    it is inserted into an empty index and lays out the links every later row is found through,
    which a cell-by-cell first part builds region by region (lower recall on dev data: RESULTS.md,
    issue 11, session 8); the index is small then, so the random order costs no locality worth
    keeping. ``rounds >= n`` gives the plain permutation, ``rounds = 1`` pure cell order (or, with
    ``random_first``, the permutation).
    """
    perm = np.random.default_rng(_seed(random_state)).permutation(n)
    if cells is None:
        return perm
    cells = np.asarray(cells)
    if cells.shape != (n,):
        raise InvalidParameterError(f"cells must hold one cell number per row, shape ({n},), got {cells.shape}")
    rounds = INSERT_ROUNDS if rounds is None else rounds
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise InvalidParameterError(f"rounds must be a positive integer, got {rounds!r}")
    position = np.empty(n, dtype=np.int64)
    position[perm] = np.arange(n)
    round_of = position * min(int(rounds), max(n, 1)) // max(n, 1)
    if random_first:
        cells = np.where(round_of == 0, 0, cells)  # one cell: the first round in the permutation's order
    return np.lexsort((position, cells, round_of))


def locality_order(Z: Any, *, random_state: int = 0, cell_size: int | None = None) -> np.ndarray:
    """Every row number once, grouped by the nearest of a seeded random sample of the rows (its pivot).

    Cells (:func:`pivot_cells`) follow in pivot order, rows within a cell in increasing order.
    """
    return np.argsort(pivot_cells(Z, random_state=random_state, cell_size=cell_size), kind="stable")


def pivot_cells(Z: Any, *, random_state: int = 0, cell_size: int | None = None) -> np.ndarray:
    """The cell of every row: the number of its nearest pivot, among a seeded random sample of the rows.

    One pivot per ``cell_size`` rows (``ORDER_CELL_SIZE``), at most ``MAX_PIVOTS``: the cells are
    the Voronoi cells of a random sample, so they follow the data's density, and one ``n x
    pivots`` matrix product by row blocks finds them (O(n) time beyond ``MAX_PIVOTS * cell_size``
    rows). Fewer than two pivots: every row in cell 0.
    """
    n = Z.shape[0]
    n_cells = min(MAX_PIVOTS, n // (cell_size or ORDER_CELL_SIZE))
    nearest = np.zeros(n, dtype=np.int32)
    if n_cells <= 1:
        return nearest
    rng = np.random.default_rng(random_state)
    pivots = np.asarray(Z[np.sort(rng.choice(n, n_cells, replace=False))], dtype=np.float32)
    p_norm = np.einsum("ij,ij->i", pivots, pivots)
    minus2 = pivots * np.float32(-2.0)
    step = max(1, min(ROW_BLOCK, PIVOT_PRODUCT_ELEMENTS // n_cells))  # rows standardised at a time, too
    for s in range(0, n, step):
        prod = np.asarray(Z[s : s + step], dtype=np.float32) @ minus2.T  # the row's own norm: no change
        prod += p_norm[None, :]
        nearest[s : s + step] = prod.argmin(axis=1)
    return nearest


def build_index(
    Z: Any,
    *,
    random_state: int = 0,
    n_threads: int | None = None,
    M: int | None = None,
    ef_construction: int | None = None,
    order: np.ndarray | None = None,
) -> Any:
    """An hnswlib index of every row of ``Z`` (labels = row numbers), built with all cores.

    ``order``: the row numbers in the order they are inserted (default: ``0 .. n-1``).
    """
    hnswlib = require("hnswlib", "index='hnswlib'")
    n, d = Z.shape
    index = hnswlib.Index(space="l2", dim=d)
    index.init_index(
        max_elements=n,
        ef_construction=ef_construction or EF_CONSTRUCTION,
        M=M or HNSW_M,
        random_seed=_seed(random_state),
    )
    index.set_num_threads(n_threads or os.cpu_count() or 1)
    for s in range(0, n, ROW_BLOCK):
        rows = np.arange(s, min(n, s + ROW_BLOCK)) if order is None else order[s : s + ROW_BLOCK]
        index.add_items(Z[s : s + ROW_BLOCK] if order is None else Z[rows], rows)
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


def search_beam(n: int, k: int, ef: int | None = None) -> int:
    """The beam width of a search for the ``min(n - 1, 2k) + 1`` candidates :func:`search_index` takes
    among ``n`` rows: ``ef`` (default ``EF_SEARCH``), at least two more than the candidates wanted."""
    return max(ef or EF_SEARCH, min(n - 1, 2 * k) + 2)


def search_index(
    index: Any, Z: Any, k: int, *, ef: int | None = None, order: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Search every row of ``Z`` in ``index``: ``2k + 1`` candidates re-scored exactly, the best ``k`` kept.

    ``order``: the row numbers in the order they are queried (default ``0 .. n-1``); it does not
    change the result, only which rows are searched together (memory locality).

    Every row is in the index, so a search that returns neither the row itself nor a twin at
    distance 0 has missed its region of the graph (HNSW on clustered data): those rows are
    searched again with the wider beam ``EF_RETRY`` (at most ``RETRY_COST_SHARE * n * ef /
    EF_RETRY`` of them, evenly spread, so the second search costs at most a quarter of the first).
    """
    n = Z.shape[0]
    m = min(n - 1, 2 * k)
    ef = search_beam(n, k, ef)
    indices = np.empty((n, k), dtype=np.int32 if n < 2**31 else np.int64)
    sqdist = np.empty((n, k), dtype=np.float32)
    index.set_ef(ef)
    missed: list[np.ndarray] = []
    contiguous = order is None  # blocks of consecutive rows are read as slices (no gather)
    rank = np.arange(n) if order is None else np.asarray(order, dtype=np.int64)
    blocks = [rank[s : s + ROW_BLOCK] for s in range(0, n, ROW_BLOCK)]

    def query(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return index.knn_query(Z[rows[0] : rows[-1] + 1] if contiguous else Z[rows], k=m + 1)

    for rows, (cand, dist) in zip(blocks, ahead(query, blocks), strict=True):
        cand = cand.astype(np.int64)
        found = (cand == rows[:, None]).any(axis=1) | (dist[:, 0] <= 0)  # itself, or a twin at distance 0
        missed.append(rows[~found])
        indices[rows], sqdist[rows] = refine_candidates(Z, rows, cand, k)
    retry = np.sort(np.concatenate(missed))  # in row order, whatever the query order
    cap = max(1, int(RETRY_COST_SHARE * n * ef / search_beam(n, k, EF_RETRY)))  # bounded cost of the second search
    if retry.size > cap:  # many misses: high intrinsic dimension rather than unreachable clusters
        retry = retry[np.linspace(0, retry.size - 1, cap).astype(np.int64)]
    if retry.size:
        index.set_ef(search_beam(n, k, EF_RETRY))
        blocks = [retry[s : s + ROW_BLOCK] for s in range(0, retry.size, ROW_BLOCK)]
        for rows, (cand, _) in zip(blocks, ahead(lambda r: index.knn_query(Z[r], k=m + 1), blocks), strict=True):
            cand = cand.astype(np.int64)
            both = np.concatenate([cand, indices[rows]], axis=1)  # never worse than the first search
            both.sort(axis=1)
            both[:, 1:][both[:, 1:] == both[:, :-1]] = -1  # each candidate once
            indices[rows], sqdist[rows] = refine_candidates(Z, rows, both, k)
    return indices, sqdist
