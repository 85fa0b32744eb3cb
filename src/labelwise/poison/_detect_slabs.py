"""Activation clustering's reduced rows written grouped by class, and its 2-means on each class's slab.

The reduced rows of a numpy array or a memory map (each row centred on its class mean and projected
on its class's basis: the top principal direction, then the ``m`` reduced dimensions) are written
once, transposed and grouped by class, into one scratch array ``Zt`` of shape ``(1 + m, n)``: row
``j`` holds reduced column ``j``, and class ``k``'s rows sit, in row order, in the columns
``offsets[k]:offsets[k + 1]``. The scratch is in memory for a numpy input and in an unnamed
temporary file (``tempfile.TemporaryFile`` in ``TMPDIR``, removed when the map is closed) for a
memory map or a ``.npy`` path. Each class's Lloyd iterations then read its own contiguous slab by
blocks of rows, with no per-row index work: the classes are independent, so they run on threads,
each to its own convergence. A Dask array keeps its reduced rows on the workers in row order
(:class:`labelwise.poison._detect_lloyd.RowReduced`): the same rule per row, the same clusters.
"""

from __future__ import annotations

import tempfile
from typing import Any

import numpy as np

from .._chunks import RowChunks, chunk_bounds
from .._threads import thread_map

#: Lloyd iterations at most per class; two clusters started from the exact 1-D split converge in a few
#: on a poisoned class, in up to a few hundred on a class of one Gaussian blob.
MAX_ITER = 300


def rule(sums: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nearer-centre rule of a class's two clusters from their row ``sums`` (..., 2, m) and
    ``counts`` (..., 2): a row ``z`` goes to cluster 1 when ``z . diff > half``, with the centres
    ``c = sums / counts``, ``diff = c1 - c0`` and ``half = (|c1|^2 - |c0|^2) / 2``."""
    centres = sums / np.maximum(counts, 1)[..., None]
    squares = np.sum(centres**2, axis=-1)
    return centres[..., 1, :] - centres[..., 0, :], (squares[..., 1] - squares[..., 0]) / 2


def sides(zt: Any, diff: np.ndarray, half: Any) -> np.ndarray:
    """Which rows go to cluster 1 (bool), from the rows' reduced columns ``zt`` (m, b) and the rule's
    ``diff`` ((m,) or per row (m, b)) and ``half`` (scalar or per row (b,)). The dot product is
    summed column after column in that order, one IEEE operation at a time, so a row's side never
    depends on the block it is in, nor on the layout (a matrix product's summation order may
    follow its shape)."""
    acc = np.multiply(zt[0], diff[0])
    tmp = np.empty_like(acc)
    for j in range(1, len(diff)):
        np.multiply(zt[j], diff[j], out=tmp)
        acc += tmp
    return np.asarray(acc > half)


def _sums(zt: Any, side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sums (2, m) and counts (2,) of a block's rows (``zt`` (m, b)) of cluster 0 and 1."""
    one = side.astype(np.float64)
    n_one = float(np.count_nonzero(side))
    return np.stack([zt @ (1.0 - one), zt @ one]), np.array([len(side) - n_one, n_one])


def _lloyd_step(slab: Any, assign: np.ndarray, rows: int, diff: np.ndarray | None, half: float) -> tuple:
    """One pass over a class's slab (``slab`` (1 + m, n_k), by ``rows`` columns at a time): each row
    moved to the side of the rule (``diff`` None: the clusters ``assign`` kept), ``assign`` (int8)
    updated in place; returns the clusters' sums (2, m), counts (2,) and the rows moved."""
    m = slab.shape[0] - 1
    sums, counts, moved = np.zeros((2, m)), np.zeros(2), 0
    for lo in range(0, slab.shape[1], rows):
        zt = slab[1:, lo : lo + rows]
        now = assign[lo : lo + rows].view(bool)
        if diff is None:
            side = now
        else:
            side = sides(zt, diff, half)
            moved += int(np.count_nonzero(side != now))
            now[:] = side
        s, c = _sums(zt, side)
        sums += s
        counts += c
    return sums, counts, moved


def class_two_means(slab: Any, start: np.ndarray, rows: int) -> np.ndarray:
    """Lloyd's iterations for two clusters on one class's slab (1 + m, n_k) from the ``start``
    clusters (0/1), until no row moves, :data:`MAX_ITER` iterations, or a cluster empties: centres =
    the clusters' means, each row to the nearer centre (:func:`rule`, :func:`sides`). Returns the
    clusters (int8)."""
    assign = np.asarray(start, dtype=np.int8).copy()
    sums, counts, _ = _lloyd_step(slab, assign, rows, None, 0.0)
    for _ in range(MAX_ITER):
        if counts.min() == 0:
            break
        diff, half = rule(sums, counts)
        sums, counts, moved = _lloyd_step(slab, assign, rows, diff, float(half))
        if moved == 0:
            break
    return assign


class GroupedRows:
    """The reduced rows of every class grouped by class and transposed (module docstring): ``Zt``
    (1 + m, n), class ``k`` in the columns ``offsets[k]:offsets[k + 1]``; ``rows`` the columns a
    block reads at a time; ``n_jobs`` the threads the classes run on."""

    def __init__(self, Zt: Any, offsets: np.ndarray, rows: int, n_jobs: int) -> None:
        self.Zt, self.offsets, self.rows, self.n_jobs = Zt, offsets, rows, n_jobs

    def slab(self, k: int) -> Any:
        """Class ``k``'s reduced rows, (1 + m, n_k), a view."""
        return self.Zt[:, self.offsets[k] : self.offsets[k + 1]].view(np.ndarray)  # no memmap per slice

    def first(self, k: int) -> np.ndarray:
        """Class ``k``'s projections on its top direction (the reduced column 0), in row order."""
        return np.array(self.slab(k)[0], dtype=np.float64)

    def sample(self, k: int, at: np.ndarray) -> np.ndarray:
        """The reduced dimensions (columns 1..m) of class ``k``'s rows at positions ``at``
        (ascending, within the class), shape (len(at), m); only they are read."""
        return np.array(self.Zt[1:, self.offsets[k] + np.asarray(at)].T, dtype=np.float64)

    def two_means(self, starts: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
        """:func:`class_two_means` of every class in ``starts`` (class -> start clusters), on
        threads; the classes are independent, so the result does not depend on the threads."""
        keys = list(starts)
        found = thread_map(lambda k: class_two_means(self.slab(k), starts[k], self.rows), keys, self.n_jobs)
        return dict(zip(keys, found, strict=True))

    def medians(self, clusters: np.ndarray, codes: np.ndarray, n_classes: int) -> np.ndarray:
        """:func:`labelwise.poison._detect_medians.medians` of the classes and their clusters
        (``clusters`` per row in row order, -1 for skipped classes); exact, so the grouped order
        gives the same values."""
        from ._detect_medians import medians

        order = np.argsort(codes, kind="stable")
        n = len(codes)
        chunks = RowChunks(n, chunk_bounds(n, self.rows), use_dask=False, n_jobs=self.n_jobs)
        return medians(chunks, self.Zt.T, codes[order], clusters[order], n_classes)


def group_rows(chunks: RowChunks, arrays: list[Any], class_rows: list[np.ndarray], means: Any, bases: Any) -> Any:
    """One pass over the features (``arrays`` = [X, codes]): every row centred on its class mean and
    projected on ``bases[k]`` (d, 1 + m), written into the scratch of :class:`GroupedRows` (in
    memory for a numpy ``X``, in an unnamed temporary file for a memory map). ``class_rows[k]``:
    class ``k``'s rows, ascending. Each chunk's rows of a class are a run of that class's slab."""
    from ._detect_passes import project_chunk

    n, width = chunks.n_rows, int(bases.shape[2])
    offsets = np.cumsum([0, *(len(r) for r in class_rows)])
    Zt = temporary((width, n)) if isinstance(arrays[0], np.memmap) else np.empty((width, n))

    def write(start: int, block: Any, codes: Any) -> tuple[tuple, None]:
        out = project_chunk(start, block, codes, means, bases, False)
        stop = start + block.shape[0]
        for k in np.unique(codes).tolist():
            lo, hi = np.searchsorted(class_rows[k], [start, stop])
            Zt[:, offsets[k] + lo : offsets[k] + hi] = out[class_rows[k][lo:hi] - start].T
        return (), None

    chunks.run(write, arrays)
    rows = max(stop - start for start, stop in chunks.bounds)
    return GroupedRows(Zt, offsets, rows, chunks.n_jobs)


def temporary(shape: tuple[int, int]) -> np.memmap:
    """A float64 ``np.memmap`` of ``shape`` on an unnamed temporary file (in ``TMPDIR``), removed
    when the map is closed."""
    with tempfile.TemporaryFile() as fh:  # unlinked at once; the map keeps its own descriptor
        return np.memmap(fh, dtype=np.float64, mode="w+", shape=shape)
