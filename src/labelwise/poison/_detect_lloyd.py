"""Activation clustering's reduced rows on Dask workers, and its 2-means as passes over their blocks.

A Dask array's reduced rows (each row centred on its class mean and projected on its class's basis:
the top principal direction, then the ``m`` reduced dimensions) stay on the workers, persisted in
row order. Lloyd's algorithm for two clusters then runs every class at once, one pass over the
reduced rows per iteration: each partition assigns its rows to the nearer of their class's two
centres and returns the sums and counts of each (class, cluster); the sums reduce to the next
centres. Only per-row integers (the clusters) and a per-class state reach the client. A numpy array
or a memory map takes :mod:`labelwise.poison._detect_slabs` instead (the reduced rows grouped by
class): the same start, rule (:func:`~labelwise.poison._detect_slabs.sides`) and stopping, so the
same clusters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._chunks import Output, RowChunks, row_blocks
from ._detect_slabs import MAX_ITER, rule, sides

__all__ = ["MAX_ITER", "RowReduced", "reduce_rows", "take", "two_means"]


def reduce_rows(chunks: RowChunks, arrays: list[Any], means: np.ndarray, bases: np.ndarray) -> Any:
    """Every row centred on its class mean and projected on ``bases[k]`` (d, w), shape (n, w),
    float64, in row order: a persisted Dask array for a Dask input, else a numpy array."""
    from ._detect_passes import project, project_chunk

    width = int(bases.shape[2])
    if not chunks.use_dask:
        return project(chunks, arrays, means, bases)
    from .._stage_progress import persist

    def fn(start: int, block: Any, codes: Any) -> np.ndarray:
        return project_chunk(start, block, codes, means, bases, False)

    return persist(chunks.map_rows(fn, arrays, Output(np.float64, (width,))))[0]


def take(Z: Any, rows: np.ndarray | None, column: int | slice = slice(None)) -> np.ndarray:
    """``Z[rows, column]`` as a numpy array (``rows`` ascending, None for all; a Dask ``Z`` computes
    only them)."""
    part = Z[:, column] if rows is None else (Z[rows][:, column] if hasattr(Z, "dask") else Z[rows, column])
    return np.array(part.compute() if hasattr(part, "dask") else part, dtype=np.float64)


def _lloyd_chunk(
    start: int, Zb: Any, codes: Any, assign: Any, active: np.ndarray, rules: tuple | None
) -> tuple[tuple, tuple]:
    """One chunk of a Lloyd pass over the reduced rows ``Zb`` (first column skipped: the split's
    direction). Rows of ``active`` classes move to the side of their class's ``rules`` (``diff``
    (K, m), ``half`` (K,) of :func:`~labelwise.poison._detect_slabs.rule`), unless ``rules`` is
    None (the first pass: the start kept); returns the new clusters and, per class, the sums
    (K, 2, m) and counts (K, 2) of its clusters' rows and the rows moved."""
    K = len(active)
    m = Zb.shape[1] - 1
    new = np.array(assign, dtype=np.int8)
    sums, counts, moved = np.zeros((2 * K, m)), np.zeros(2 * K), np.zeros(K, dtype=np.int64)
    for part in row_blocks(Zb.shape[0], Zb.shape[1]):
        c = np.asarray(codes[part])
        at = np.flatnonzero(active[c])
        if at.size == 0:
            continue
        c = c[at]
        z = np.asarray(Zb[part], dtype=np.float64)[at, 1:]
        piece = new[part]
        if rules is not None:
            side = sides(z.T, rules[0][c].T, rules[1][c]).astype(np.int8)
            moved += np.bincount(c[side != piece[at]], minlength=K)
            piece[at] = side
        key = 2 * c + piece[at]
        counts += np.bincount(key, minlength=2 * K)
        for j in range(m):
            sums[:, j] += np.bincount(key, weights=z[:, j], minlength=2 * K)
    return (new,), (sums.reshape(K, 2, m), counts.reshape(K, 2), moved)


def _add(parts: list[tuple]) -> tuple:
    """Chunks' sums, counts and moved rows added up."""
    return tuple(np.sum([p[j] for p in parts], axis=0) for j in range(3))


def _lloyd_pass(
    chunks: RowChunks, Z: Any, arrays: list[Any], assign: np.ndarray, active: np.ndarray, rules: Any
) -> tuple[np.ndarray, tuple]:
    """One pass of :func:`_lloyd_chunk`: the new clusters (numpy) and the reduced sums."""
    if chunks.use_dask:
        import dask.array as da

        current = da.from_array(assign, chunks=(Z.chunks[0],))
    else:
        current = assign

    def fn(start: int, Zb: Any, codes: Any, now: Any) -> tuple[tuple, tuple]:
        return _lloyd_chunk(start, Zb, codes, now, active, rules)

    rows, reduced = chunks.run(fn, [Z, arrays[1], current], outputs=[Output(np.int8)], combine=_add)
    return np.asarray(chunks.compute(rows[0])), reduced


def two_means(chunks: RowChunks, Z: Any, arrays: list[Any], start: np.ndarray, run: np.ndarray) -> np.ndarray:
    """Lloyd's iterations for two clusters in every class of ``run`` at once, from the ``start``
    clusters (int8, per row), until no row of a class moves (or :data:`MAX_ITER` iterations, or a
    cluster empties), exactly as :func:`~labelwise.poison._detect_slabs.class_two_means` on each
    class's rows: centres = the clusters' means, each row to the nearer centre. One pass per
    iteration; the blocks change only the order of the centres' floating-point sums. Returns the
    clusters per row (0/1; other classes' rows as in ``start``).

    References
    ----------
    .. [1] S. P. Lloyd, "Least squares quantization in PCM", IEEE Transactions on Information
       Theory 28(2), 1982.
    """
    active = run.copy()
    codes = arrays[1]
    assign, (sums, counts, _) = _lloyd_pass(chunks, Z, arrays, start, active, None)
    steps = np.zeros(len(run), dtype=np.int64)
    while True:
        active &= counts.min(axis=1) > 0
        if not active.any():
            return assign
        assign, (sums, counts, moved) = _lloyd_pass(chunks, Z, [None, codes], assign, active, rule(sums, counts))
        steps += active
        active &= (moved > 0) & (steps < MAX_ITER)


class RowReduced:
    """A Dask array's reduced rows in row order (:func:`reduce_rows`), with the interface of
    :class:`~labelwise.poison._detect_slabs.GroupedRows`: ``first``, ``sample``, ``two_means``,
    ``medians``."""

    def __init__(self, chunks: RowChunks, Z: Any, codes: Any, class_rows: list[np.ndarray]) -> None:
        self.chunks, self.Z, self.codes, self.class_rows = chunks, Z, codes, class_rows
        self._first: np.ndarray | None = None

    def first(self, k: int) -> np.ndarray:
        """Class ``k``'s projections on its top direction (column 0), in row order (the column of
        every row is read once, then kept)."""
        if self._first is None:
            self._first = take(self.Z, None, 0)
        return self._first[self.class_rows[k]]

    def sample(self, k: int, at: np.ndarray) -> np.ndarray:
        """Columns 1..m of class ``k``'s rows at positions ``at`` (ascending, within the class)."""
        return take(self.Z, self.class_rows[k][at], slice(1, None))

    def two_means(self, starts: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
        """:func:`two_means` of the classes in ``starts`` (class -> start clusters), all at once."""
        start = np.zeros(self.chunks.n_rows, dtype=np.int8)
        run = np.zeros(len(self.class_rows), dtype=bool)
        for k, split in starts.items():
            start[self.class_rows[k]], run[k] = split, True
        assign = two_means(self.chunks, self.Z, [None, self.codes], start, run)
        return {k: assign[self.class_rows[k]] for k in starts}

    def medians(self, clusters: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
        """:func:`labelwise.poison._detect_medians.medians` of the classes and their clusters."""
        from ._detect_medians import medians

        return medians(self.chunks, self.Z, codes, clusters, n_classes)
