"""The representation-based detectors' passes over row blocks, on any array that holds the rows.

Spectral signatures and activation clustering read a representation of every training row; on
millions of images that is a ``np.memmap`` (or a ``.npy`` opened with one) or a Dask array larger
than memory. Their statistics are gathered here in passes over row chunks
(:class:`labelwise._chunks.RowChunks`: threads over slices of numpy-like arrays, one task per
partition of a Dask array on the user's scheduler), all classes in one pass:

1. moments: per class, the row count, mean and scatter matrix (sum of centred outer products),
   merged piece by piece (a class's rows of a chunk) and chunk by chunk with the pairwise update of Chan, Golub & LeVeque
   (1979), which never forms ``X^T X - n m m^T`` (no cancellation); the same pass reports the first
   non-finite value;
2. a per-row map with the class statistics (a score, a projection), and for activation clustering's
   distance analysis one more reduce (the clusters' means).

Memory is bounded by the chunk (``block_size`` rows) and by the classes' scatter matrices
(``K d^2`` float64, taken a group of classes per pass where that would pass :data:`SCATTER_BYTES`),
never by the rows, except for the per-row outputs (a float per row). Activation clustering's
reduced rows (``n_components + 1`` floats per row) are kept where the features are, and its 2-means
and medians run as passes over them (:mod:`labelwise.poison._detect_lloyd`,
:mod:`labelwise.poison._detect_medians`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from .._chunks import BLOCK_ELEMENTS, SPLIT_EVERY, RowChunks, chunk_bounds, is_dask, row_blocks
from .._validate.arguments import check_positive_int
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError, ShapeMismatchError
from ._common import READER
from ._detect_common import as_array, check_2d_numbers

#: The scatter matrices of one pass at most (bytes); more classes take one pass per group.
SCATTER_BYTES = 1 << 28
#: Elements of one piece of a class's rows in the moments pass (a float64 copy per thread).
PIECE_ELEMENTS = BLOCK_ELEMENTS


def open_features(features: Any, *, name: str = "features") -> Any:
    """``features`` as a 2-D array of real numbers, not copied: numpy, ``np.memmap``, a ``.npy`` path
    (opened memory-mapped) or a Dask array (one column chunk). Finiteness is checked by the first
    pass (:func:`moments`), not here: no extra read of data larger than memory."""
    if isinstance(features, (str, os.PathLike)):
        path = Path(features)
        if path.suffix != ".npy" or not path.is_file():
            raise InvalidParameterError(f"{name} as a path must name an existing .npy file, got {str(path)!r}")
        try:
            features = np.load(path, mmap_mode="r", allow_pickle=False)
        except ValueError as exc:
            raise InvalidParameterError(f"{name} must be a .npy file of numbers, got {str(path)!r}: {exc}") from None
    if is_dask(features):
        from .._chunks import as_dask_rows

        arr = as_dask_rows(features, name)
    else:
        arr = as_array(features, name)
    check_2d_numbers(arr, name)
    if is_dask(arr) and len(arr.chunks[1]) != 1:
        raise ShapeMismatchError(
            f"{name} must not be chunked along columns (every chunk must hold whole rows), got column chunks "
            f"{arr.chunks[1]}; use {name}.rechunk({{1: -1}})"
        )
    return arr


def plan(X: Any, codes: np.ndarray, block_size: int | None) -> tuple[RowChunks, list[Any]]:
    """The row chunks of ``X`` (its partitions for Dask, else ``block_size`` rows) and the arrays a
    pass reads: ``[X, codes]`` (codes chunked as ``X`` for Dask)."""
    if block_size is not None:
        block_size = check_positive_int("block_size", block_size)
    if is_dask(X):
        import dask.array as da

        chunks = RowChunks.for_arrays(X)
        return chunks, [X, da.from_array(codes, chunks=(X.chunks[0],))]
    if block_size is None:
        return RowChunks.for_arrays(X), [X, codes]
    return RowChunks(X.shape[0], chunk_bounds(X.shape[0], block_size), use_dask=False), [X, codes]


def sub_blocks(block: Any, codes: np.ndarray) -> Any:
    """A chunk's rows in cache-sized float64 blocks: ``(slice, rows, codes)``."""
    for part in row_blocks(block.shape[0], block.shape[1]):
        yield part, np.asarray(block[part], dtype=np.float64), np.asarray(codes[part])


def merge(a: tuple, b: tuple) -> tuple:
    """Two sets of per-class ``(count, mean, scatter)`` merged (Chan, Golub & LeVeque 1979):
    ``S = S_a + S_b + d d^T n_a n_b / n`` with ``d`` the difference of the means; classes without
    rows in either part take the other's."""
    na, ma, sa = a
    nb, mb, sb = b
    total = na + nb
    safe = np.maximum(total, 1.0)
    delta = mb - ma
    mean = ma + delta * (nb / safe)[:, None]
    scatter = sa + sb + (na * nb / safe)[:, None, None] * delta[:, :, None] * delta[:, None, :]
    return total, mean, scatter


def _merge_one(acc: list, n: int, mean: np.ndarray, scatter: np.ndarray) -> None:
    """One class's running ``[count, mean, scatter]`` merged in place with a part's (Chan et al.)."""
    na = acc[0]
    if na == 0:
        acc[:] = [n, mean, scatter]
        return
    total = na + n
    delta = mean - acc[1]
    acc[1] = acc[1] + delta * (n / total)
    scatter += (na * n / total) * np.outer(delta, delta)
    acc[2] += scatter
    acc[0] = total


def _first_non_finite(start: int, block: Any) -> tuple | None:
    """A chunk's first non-finite value in row order: ``(row, column, value)``, or None."""
    for part in row_blocks(block.shape[0], block.shape[1]):
        rows = np.asarray(block[part], dtype=np.float64)
        wrong = ~np.isfinite(rows)
        if wrong.any():
            r, col = np.argwhere(wrong)[0]
            return start + part.start + int(r), int(col), float(rows[r, col])
    return None


def _moments_chunk(
    start: int, block: Any, codes: Any, lo: int, hi: int, check_all: bool = False
) -> tuple[tuple, tuple]:
    """One chunk's per-class moments of classes ``lo..hi-1``, and its first non-finite value.

    Each class's rows of the chunk are read in cache-sized pieces, each piece centred on its own
    mean (one ``C^T C`` per piece; the mean taken from the piece's first row) and merged into the class's running moments; a non-finite value
    shows in a piece's mean, and only then is the chunk scanned for the first one in row order
    (every row when ``check_all``: other classes' rows too)."""
    d = block.shape[1]
    c = np.asarray(codes)
    counts, means, scatters = np.zeros(hi - lo), np.zeros((hi - lo, d)), np.zeros((hi - lo, d, d))
    order = np.flatnonzero((c >= lo) & (c < hi))
    order = order[np.argsort(c[order], kind="stable")]
    bounds = np.searchsorted(c[order], np.arange(lo, hi + 1))
    step = max(1, PIECE_ELEMENTS // max(1, d))
    finite = True
    for k in range(hi - lo):
        acc: list[Any] = [0.0, np.zeros(d), np.zeros((d, d))]
        for s in range(bounds[k], bounds[k + 1], step):
            rows = np.asarray(block[order[s : min(s + step, bounds[k + 1])]], dtype=np.float64)
            first = rows[0].copy()
            rows -= first  # the mean of rows far from 0 summed from their first: no lost digits
            shift = rows.mean(axis=0)
            finite = finite and bool(np.isfinite(shift).all())
            rows -= shift
            _merge_one(acc, len(rows), first + shift, rows.T @ rows)
        counts[k], means[k], scatters[k] = acc
    bad = _first_non_finite(start, block) if check_all or not finite else None
    return (), (counts, means, scatters, bad)


def _combine_moments(parts: list[tuple]) -> tuple:
    """Chunks' moments merged in chunk order; the first non-finite value in row order."""
    out = parts[0]
    for p in parts[1:]:
        bad = out[3] if out[3] is not None else p[3]
        out = (*merge(out[:3], p[:3]), bad)
    return out


def run_bounded(chunks: RowChunks, fn: Any, arrays: list[Any], combine: Any = None) -> Any:
    """A pass with no per-row output (the moments pass by default); on numpy-like inputs a window of
    chunks at a time, each window's result merged into the running one in chunk order, so that the
    chunks' partials held at once (``K d^2`` floats each for the moments) are bounded by the window,
    not by the rows. Dask reduces on the workers."""
    combine = _combine_moments if combine is None else combine
    if chunks.use_dask:
        return chunks.run(fn, arrays, combine=combine)[1]
    window = max(SPLIT_EVERY, 2 * chunks.n_jobs)
    out: Any = None
    for lo in range(0, len(chunks.bounds), window):
        part = RowChunks(chunks.n_rows, chunks.bounds[lo : lo + window], use_dask=False, n_jobs=chunks.n_jobs)
        result = part.run(fn, arrays, combine=combine)[1]
        out = combine([out, result]) if out is not None else result
    return out


def moments(chunks: RowChunks, arrays: list[Any], n_classes: int, *, name: str = "features") -> tuple:
    """Per-class ``(count, mean, scatter)`` over all rows, shapes (K,), (K, d), (K, d, d), in one pass
    per group of classes whose scatters fit :data:`SCATTER_BYTES`; raises on a non-finite value."""
    d = int(arrays[0].shape[1])
    group = max(1, SCATTER_BYTES // (8 * d * d))
    parts = []
    for lo in range(0, n_classes, group):
        hi = min(lo + group, n_classes)

        def fn(start: int, block: Any, codes: Any, lo: int = lo, hi: int = hi) -> tuple[tuple, tuple]:
            return _moments_chunk(start, block, codes, lo, hi, check_all=lo == 0 and hi < n_classes)

        result = run_bounded(chunks, fn, arrays)
        if result[3] is not None:
            row, col, value = result[3]
            raise InvalidParameterError(f"{name} must be finite, got {value} at row {row}, column {col}")
        parts.append(result[:3])
    return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))


def project_chunk(
    start: int, block: Any, codes: Any, means: np.ndarray, bases: np.ndarray, squared: bool
) -> np.ndarray:
    """Each row of a chunk centred on its class's mean and projected on its class's basis
    (``bases[k]`` of shape (d, m)); squared and summed when ``squared`` (one score per row)."""
    m = bases.shape[2]
    out = np.empty((block.shape[0], m))
    for part, rows, c in sub_blocks(block, codes):
        piece = out[part]
        for k in np.unique(c):
            at = np.flatnonzero(c == k)
            piece[at] = (rows[at] - means[k]) @ bases[k]
    return (out[:, 0] ** 2) if squared else out


def project(
    chunks: RowChunks, arrays: list[Any], means: np.ndarray, bases: np.ndarray, *, squared: bool = False
) -> np.ndarray:
    """Every row centred on its class mean and projected on its class's basis, shape (n, m); with
    ``squared``, the squared projection on the first column, shape (n,). A numpy array (Dask:
    computed from the partitions' results)."""
    from .._chunks import Output

    tail: tuple[int, ...] = () if squared else (int(bases.shape[2]),)

    def fn(start: int, block: Any, codes: Any) -> np.ndarray:
        return project_chunk(start, block, codes, means, bases, squared)

    out = chunks.map_rows(fn, arrays, Output(np.float64, tail))
    return np.asarray(chunks.compute(out))


def _cluster_sums_chunk(start: int, block: Any, codes: Any, clusters: Any, n_classes: int) -> tuple:
    """One chunk's sums of the rows of each (class, cluster), shape (2K, d)."""
    sums = np.zeros((2 * n_classes, block.shape[1]))
    for part, rows, c in sub_blocks(block, codes):
        which = np.asarray(clusters[part])
        used = which >= 0
        np.add.at(sums, c[used] * 2 + which[used], rows[used])
    return (), sums


def cluster_sums(chunks: RowChunks, arrays: list[Any], clusters: np.ndarray, n_classes: int) -> np.ndarray:
    """Sums of the feature rows of each class's two clusters, shape (K, 2, d), in one pass
    (``clusters`` -1 for rows of skipped classes)."""
    if chunks.use_dask:
        import dask.array as da

        clusters = da.from_array(clusters, chunks=(arrays[0].chunks[0],))

    def fn(start: int, block: Any, codes: Any, which: Any) -> tuple:
        return _cluster_sums_chunk(start, block, codes, which, n_classes)

    _, sums = chunks.run(fn, [*arrays, clusters], combine=lambda parts: np.sum(parts, axis=0))
    return np.asarray(sums).reshape(n_classes, 2, -1)


def prepare(features: Any, labels: Any, block_size: int | None) -> tuple[Any, Any, RowChunks, list[Any], tuple]:
    """Open ``features``, encode ``labels`` (a Dask collection of labels is computed: one value per
    row), check their lengths, and run the moments pass: ``(X, groups, chunks, arrays, moments)``."""
    from .._validate.labels import check_same_length, encode_labels
    from ._detect_common import ClassRows

    check_row_order(features, "features", READER, labels=labels)
    X = open_features(features)
    if is_dask(labels):
        labels = np.asarray(labels.compute())
    codes, classes = encode_labels(labels, name="labels")
    check_same_length("features", X, "labels", codes)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(classes) + 1))
    groups = ClassRows(codes, classes, [order[bounds[k] : bounds[k + 1]] for k in range(len(classes))])
    chunks, arrays = plan(X, codes, block_size)
    return X, groups, chunks, arrays, moments(chunks, arrays, len(classes))
