"""Activation clustering's reduced rows and its 2-means, as passes over row blocks.

The reduced rows (each row centred on its class mean and projected on its class's basis: the top
principal direction, then the ``m`` reduced dimensions) are kept where the features are: in memory
for a numpy array, in an unnamed temporary file (``tempfile.TemporaryFile``, in ``TMPDIR``) for a
memory map or a ``.npy`` path, persisted on the workers for a Dask array. Lloyd's algorithm for two
clusters then runs every class at once, one pass over the reduced rows per iteration: each block
assigns its rows to the nearer of their class's two centres and returns the sums and counts of
each (class, cluster); the sums reduce to the next centres. Only per-row integers (the clusters)
and a per-class state stay in memory. Once the classes still iterating hold fewer than half the
rows, their rows are copied out and the passes read only them.
"""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np

from .._chunks import Output, RowChunks, chunk_bounds, row_blocks

#: Lloyd iterations at most per class; two clusters started from the exact 1-D split converge in a few
#: on a poisoned class, in up to a few hundred on a class of one Gaussian blob.
MAX_ITER = 300


def reduce_rows(chunks: RowChunks, arrays: list[Any], means: np.ndarray, bases: np.ndarray) -> Any:
    """Every row centred on its class mean and projected on ``bases[k]`` (d, w), shape (n, w),
    float64: a numpy array for a numpy input, a ``np.memmap`` on an unnamed temporary file for a
    memory-mapped input, a persisted Dask array for a Dask input."""
    from ._detect_passes import project, project_chunk

    width = int(bases.shape[2])
    if chunks.use_dask:
        from .._stage_progress import persist

        def fn(start: int, block: Any, codes: Any) -> np.ndarray:
            return project_chunk(start, block, codes, means, bases, False)

        return persist(chunks.map_rows(fn, arrays, Output(np.float64, (width,))))[0]
    if not isinstance(arrays[0], np.memmap):
        return project(chunks, arrays, means, bases)
    Z = temporary((chunks.n_rows, width))

    def write(start: int, block: Any, codes: Any) -> tuple[tuple, None]:
        Z[start : start + block.shape[0]] = project_chunk(start, block, codes, means, bases, False)
        return (), None

    chunks.run(write, arrays)
    return Z


def take(Z: Any, rows: np.ndarray | None, column: int | slice = slice(None)) -> np.ndarray:
    """``Z[rows, column]`` as a numpy array (``rows`` ascending, None for all; a Dask ``Z`` computes
    only them)."""
    part = Z[:, column] if rows is None else (Z[rows][:, column] if hasattr(Z, "dask") else Z[rows, column])
    return np.array(part.compute() if hasattr(part, "dask") else part, dtype=np.float64)


def _lloyd_chunk(
    start: int, Zb: Any, codes: Any, assign: Any, active: np.ndarray, centres: np.ndarray | None
) -> tuple[tuple, tuple]:
    """One chunk of a Lloyd pass over the reduced rows ``Zb`` (first column skipped: the split's
    direction). Rows of ``active`` classes move to the nearer of their class's two ``centres``
    (K, 2, m), unless ``centres`` is None (the first pass: the start kept); returns the new clusters
    and, per class, the sums (K, 2, m) and counts (K, 2) of its clusters' rows and the rows moved."""
    K = len(active)
    m = Zb.shape[1] - 1
    new = np.array(assign, dtype=np.int8)
    sums, counts, moved = np.zeros((2 * K, m)), np.zeros(2 * K), np.zeros(K, dtype=np.int64)
    if centres is not None:
        diff = centres[:, 1] - centres[:, 0]
        half = (np.sum(centres[:, 1] ** 2, axis=1) - np.sum(centres[:, 0] ** 2, axis=1)) / 2
    for part in row_blocks(Zb.shape[0], Zb.shape[1]):
        c = np.asarray(codes[part])
        at = np.flatnonzero(active[c])
        if at.size == 0:
            continue
        c = c[at]
        z = np.asarray(Zb[part], dtype=np.float64)[at, 1:]
        piece = new[part]
        if centres is not None:
            # the row's dot product with its own class's centres' difference: the same sum per row
            # whatever the block (no matrix product, whose summation order may follow its shape)
            side = (np.sum(z * diff[c], axis=1) > half[c]).astype(np.int8)
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
    chunks: RowChunks, Z: Any, arrays: list[Any], assign: np.ndarray, active: np.ndarray, centres: Any
) -> tuple[np.ndarray, tuple]:
    """One pass of :func:`_lloyd_chunk`: the new clusters (numpy) and the reduced sums."""
    if chunks.use_dask:
        import dask.array as da

        current = da.from_array(assign, chunks=(Z.chunks[0],))
    else:
        current = assign

    def fn(start: int, Zb: Any, codes: Any, now: Any) -> tuple[tuple, tuple]:
        return _lloyd_chunk(start, Zb, codes, now, active, centres)

    rows, reduced = chunks.run(fn, [Z, arrays[1], current], outputs=[Output(np.int8)], combine=_add)
    return np.asarray(chunks.compute(rows[0])), reduced


def two_means(chunks: RowChunks, Z: Any, arrays: list[Any], start: np.ndarray, run: np.ndarray) -> np.ndarray:
    """Lloyd's iterations for two clusters in every class of ``run`` at once, from the ``start``
    clusters (int8, per row), until no row of a class moves (or :data:`MAX_ITER` iterations, or a
    cluster empties), exactly as the in-memory iteration on each class's reduced rows: centres =
    the clusters' means, each row to the nearer centre (``z . (c1 - c0) > (|c1|^2 - |c0|^2) / 2``).
    One pass per iteration; the blocks change only the order of the centres' floating-point sums.
    Returns the clusters per row (0/1; other classes' rows as in ``start``).

    References
    ----------
    .. [1] S. P. Lloyd, "Least squares quantization in PCM", IEEE Transactions on Information
       Theory 28(2), 1982.
    """
    active = run.copy()
    assign, (sums, counts, _) = _lloyd_pass(chunks, Z, arrays, start, active, None)
    return _iterate(chunks, Z, arrays[1], assign, active, np.zeros(len(run), dtype=np.int64), sums, counts)


def _iterate(
    chunks: RowChunks,
    Z: Any,
    codes: Any,
    assign: np.ndarray,
    active: np.ndarray,
    steps: np.ndarray,
    sums: np.ndarray,
    counts: np.ndarray,
) -> np.ndarray:
    """:func:`two_means`' iterations from the clusters ``assign`` and their ``sums`` and ``counts``
    (``active`` and ``steps`` updated in place). On numpy-like rows, once the classes still moving
    hold fewer than half the rows, their rows are copied out (:func:`_compact`) and iterated on
    alone: a clean class can take hundreds of iterations after the others have stopped."""
    while True:
        active &= counts.min(axis=1) > 0
        if not active.any():
            return assign
        if not chunks.use_dask:
            rows = np.flatnonzero(active[codes])
            if 2 * len(rows) < len(assign):
                sub_chunks, sub_Z = _compact(chunks, Z, rows)
                assign = assign.copy()
                assign[rows] = _iterate(sub_chunks, sub_Z, codes[rows], assign[rows], active, steps, sums, counts)
                return assign
        centres = sums / np.maximum(counts, 1)[:, :, None]
        assign, (sums, counts, moved) = _lloyd_pass(chunks, Z, [None, codes], assign, active, centres)
        steps += active
        active &= (moved > 0) & (steps < MAX_ITER)


def _compact(chunks: RowChunks, Z: Any, rows: np.ndarray) -> tuple[RowChunks, np.ndarray]:
    """The reduced rows ``rows`` (ascending) copied by chunks of the same size: into memory from a
    numpy array, into another unnamed temporary file from a memory map."""
    size = max(stop - start for start, stop in chunks.bounds)
    sub = RowChunks(len(rows), chunk_bounds(len(rows), size), use_dask=False, n_jobs=chunks.n_jobs)
    if not isinstance(Z, np.memmap):
        return sub, Z[rows]
    out = temporary((len(rows), Z.shape[1]))
    for start, stop in sub.bounds:
        out[start:stop] = Z[rows[start:stop]]
    return sub, out


def temporary(shape: tuple[int, int]) -> np.memmap:
    """A float64 ``np.memmap`` of ``shape`` on an unnamed temporary file (in ``TMPDIR``), removed
    when the map is closed."""
    with tempfile.TemporaryFile() as fh:  # unlinked at once; the map keeps its own descriptor
        return np.memmap(fh, dtype=np.float64, mode="w+", shape=shape)
