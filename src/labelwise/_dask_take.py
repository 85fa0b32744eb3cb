"""Gather and scatter along a neighbour graph that stays on the workers, exactly.

A neighbour graph on dask is ``indices`` (m, k) of row numbers into an array of ``n`` rows, row
chunked; per-example checks need ``values[indices]`` (a value of every neighbour) and its transpose,
``np.bincount(indices.ravel(), weights.ravel(), minlength=n)`` (a sum over the examples that list
a row as a neighbour). Both are computed by one task per (``indices`` chunk, ``values`` or output
chunk) pair, then combined per chunk: no task holds all of ``values`` or an ``n``-long array, and
nothing comes to the client.

:func:`take_rows` is the scheme of dask's own fancy indexing with a dask integer array
(``dask.array.slicing.slice_with_int_dask_array_on_axis``), written out with ``dask.array.blockwise``
(see its Notes for why); :func:`scatter_add` is the same shape with a ``sum`` (dask's tree
reduction) to combine.

Dask's blockwise broadcasts an axis of length one: an array of one row in two chunks (``(1, 0)``)
is read as its first chunk for both, so any elementwise step on it doubles the row (dask 2026.8:
``(da.from_array(np.array([7]), chunks=((1, 0),)) + 0).compute()`` is ``[7, 7]``). An input of
one row is therefore taken as one chunk here, and so is an output of one row. The range of ``indices`` is checked lazily, in the tasks that read each chunk, so
checking costs no pass of its own: an index outside ``[0, n)`` raises
:class:`~labelwise.errors.InvalidParameterError` when the result is computed.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ._chunks import is_dask
from .errors import InvalidParameterError, ShapeMismatchError

__all__ = ["take_rows", "scatter_add"]


def _dask_array(obj: Any, name: str, ndims: tuple[int, ...], kinds: str, what: str) -> Any:
    """``obj`` as a dask array with known row chunks and whole rows, or an error naming ``name``."""
    if not is_dask(obj) or not hasattr(obj, "chunks"):
        raise InvalidParameterError(f"{name} must be a dask array of {what}, got {type(obj).__name__}")
    if obj.ndim not in ndims:
        expected = " or ".join(f"{d}-D" for d in ndims)
        raise InvalidParameterError(f"{name} must be a {expected} dask array, got shape {obj.shape}")
    if obj.dtype.kind not in kinds:
        raise InvalidParameterError(f"{name} must be a dask array of {what}, got dtype {obj.dtype}")
    if any(np.isnan(c) for c in obj.chunks[0]):
        raise ShapeMismatchError(
            f"{name} must have known chunk sizes, got unknown row chunks; call compute_chunk_sizes()"
        )
    if obj.ndim == 2 and len(obj.chunks[1]) > 1:
        obj = obj.rechunk({1: -1})  # whole rows per chunk, so that ravel keeps the row chunks
    if obj.shape[0] == 1 and len(obj.chunks[0]) > 1:
        obj = obj.rechunk({0: -1})  # blockwise would broadcast the one row to every chunk (module docstring)
    return obj


@contextlib.contextmanager
def _pairs_by_design() -> Iterator[None]:
    """Silence dask's ``PerformanceWarning`` that a blockwise call multiplies the number of chunks:
    one task per pair of chunks is the scheme here, not an accident."""
    from dask.array.core import PerformanceWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Increasing number of chunks", category=PerformanceWarning)
        yield


def _in_range(block: np.ndarray, n: int, block_info: Any = None) -> np.ndarray:
    """``block`` of ``indices`` as int64 if every entry is in ``[0, n)``; else an error naming the row."""
    bad = (block < 0) | (block >= n)
    if bad.any():
        first = tuple(np.argwhere(bad)[0])
        start = block_info[0]["array-location"][0][0] if block_info else 0
        raise InvalidParameterError(
            f"indices must be row numbers in [0, {n}) (the length of values), got {block[first]} in row {start + first[0]}"
        )
    return block.astype(np.int64, copy=False)  # in range, so exact; uint64 would turn float in arithmetic


def _checked(indices: Any, n: int) -> Any:
    """``indices`` as int64, whose chunks check their range when computed (no pass of their own)."""
    if n == 0 and indices.size:
        raise InvalidParameterError("indices must be row numbers in [0, 0): values is empty, so indices must be too")
    return indices.map_blocks(_in_range, n=n, dtype=np.int64, meta=np.empty((0,) * indices.ndim, np.int64))


def _flat(a: Any) -> Any:
    """A 2-D dask array raveled chunk by chunk: chunk ``i`` of ``m_i`` rows becomes ``m_i * k`` entries.

    (``ravel`` / ``reshape`` of dask 2026.8 can build a graph with a missing key when a row chunk
    is empty; a per-chunk ``np.ravel`` cannot.)"""
    if a.ndim == 1:
        return a
    k = a.shape[1]
    return a.map_blocks(np.ravel, drop_axis=1, chunks=(tuple(c * k for c in a.chunks[0]),), dtype=a.dtype)


def _unflat(a: Any, like: Any) -> Any:
    """The inverse of :func:`_flat`: entries back into ``like``'s rows and row chunks."""
    if like.ndim == 1:
        return a
    k = like.shape[1]
    return a.map_blocks(lambda b: b.reshape(b.size // k, k), new_axis=1, chunks=(like.chunks[0], (k,)), dtype=a.dtype)


def _take_pair(idx: np.ndarray, chunk: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The values of one ``values`` chunk (rows from ``start[0]``) for the entries of ``idx`` in it, in order."""
    local = idx - start[0]
    return chunk[local[(local >= 0) & (local < chunk.shape[0])]]


def _take_merge(
    idx: np.ndarray, pieces: list[np.ndarray], starts: list[np.ndarray], stops: list[np.ndarray]
) -> np.ndarray:
    """An ``indices`` chunk's values from its pieces, one per ``values`` chunk: each fills its entries."""
    out = np.empty(idx.shape, dtype=pieces[0].dtype)
    for piece, start, stop in zip(pieces, starts, stops, strict=True):
        out[(idx >= start[0]) & (idx < stop[0])] = piece
    return out


def _per_chunk(bounds: np.ndarray, chunks: tuple[int, ...]) -> Any:
    """A dask array of one number per chunk of ``chunks``, declared with ``chunks`` so that blockwise pairs
    it with that array's chunks (dask's own ``slice_with_int_dask_array_on_axis`` does the same)."""
    import dask.array as da
    from dask.array.core import Array

    small = da.from_array(bounds, chunks=1)
    return Array(small.dask, small.name, (chunks,), small.dtype, meta=np.empty(0, bounds.dtype))


def take_rows(values: Any, indices: Any) -> Any:
    """``values[indices]`` for dask arrays, computed on the workers: a value per neighbour.

    Parameters
    ----------
    values : dask.array.Array, shape (n,)
        Any dtype, row chunked (known chunk sizes; empty chunks are fine).
    indices : dask.array.Array of int, shape (m, k) or (m,)
        Row numbers into ``values``, each in ``[0, n)``, row chunked independently of ``values``.

    Returns
    -------
    dask.array.Array, shape of ``indices``
        ``values.compute()[indices.compute()]``, with ``indices``' row chunks and ``values``' dtype.
        One task per (``indices`` chunk, ``values`` chunk) pair takes the entries that fall in that
        chunk of ``values``; one task per ``indices`` chunk puts them in place. (Indices of one row
        in several chunks come back as one chunk: see the module docstring.)

    Raises
    ------
    InvalidParameterError
        ``values`` is not a 1-D dask array, ``indices`` not a 1-D or 2-D dask array of ints, or
        ``values`` is empty while ``indices`` is not; when the result is computed, an entry of
        ``indices`` outside ``[0, n)`` (the message names its row).
    ShapeMismatchError
        Unknown chunk sizes.

    Notes
    -----
    Dask's fancy indexing with a dask integer array (``values[idx.ravel()]``) has this very scheme
    and is exact, but its merge step walks every ``values`` chunk with a cumulative sum over the
    whole ``indices`` chunk; the merge here assigns by masks and took about half the time on the
    benchmark of ``benchmarks/RESULTS.md`` (session 20, dq20).
    """
    import dask.array as da

    values = _dask_array(values, "values", (1,), "biufcmMOSUV", "values")
    indices = _dask_array(indices, "indices", (1, 2), "iu", "ints (row numbers)")
    n = values.shape[0]
    if indices.size == 0:
        return da.zeros(indices.shape, dtype=values.dtype, chunks=indices.chunks)
    flat = _flat(_checked(indices, n))
    starts = np.cumsum((0, *values.chunks[0][:-1]), dtype=np.int64)
    first, last = _per_chunk(starts, values.chunks[0]), _per_chunk(starts + values.chunks[0], values.chunks[0])
    meta = np.empty(0, values.dtype)
    with _pairs_by_design():
        pieces = da.blockwise(_take_pair, "ij", flat, "i", values, "j", first, "j", dtype=values.dtype, meta=meta)
        taken = da.blockwise(
            _take_merge, "i", flat, "i", pieces, "ij", first, "j", last, "j", dtype=values.dtype, meta=meta
        )
    return _unflat(taken, indices)


def _local_bincount(idx: np.ndarray, weights: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Sums of ``weights`` per index over the output chunk ``[bounds[0, 0], bounds[0, 1])``, as a row."""
    lo, hi = int(bounds[0, 0]), int(bounds[0, 1])
    inside = (idx >= lo) & (idx < hi)
    sums = np.bincount(idx[inside] - lo, weights=weights[inside].astype(np.float64), minlength=hi - lo)
    return sums[None, :]


def _check_chunks(n: Any, chunks: Any) -> tuple[int, tuple[int, ...]]:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InvalidParameterError(f"n must be a non-negative integer (the length of the output), got {n!r}")
    try:
        sizes = tuple(int(c) for c in chunks)
        ok = all(c >= 0 and c == o for c, o in zip(sizes, chunks, strict=True)) and len(sizes) > 0
    except (TypeError, ValueError):
        ok = False
    if not ok or sum(sizes) != n:
        raise InvalidParameterError(
            f"chunks must be a non-empty tuple of non-negative row counts summing to n={n}, got {chunks!r}"
        )
    return int(n), sizes


def scatter_add(indices: Any, weights: Any, n: int, chunks: Sequence[int]) -> Any:
    """``np.bincount(indices.ravel(), weights.ravel(), minlength=n)`` for dask arrays, on the workers.

    Parameters
    ----------
    indices : dask.array.Array of int, shape (m, k) or (m,)
        Row numbers of the output, each in ``[0, n)``, row chunked.
    weights : dask.array.Array, shape of ``indices``
        Numbers (bool, int or float), summed as float64; rechunked to ``indices``' chunks if its
        own differ.
    n : int
        Length of the output.
    chunks : sequence of int
        Row chunks of the output, summing to ``n`` (for ``n == 1``, one chunk whatever is asked:
        see the module docstring).

    Returns
    -------
    dask.array.Array of float64, shape (n,), chunks ``chunks``
        Entry ``j`` is the sum of ``weights`` where ``indices == j``. One task per (``indices``
        chunk, output chunk) pair counts its entries with ``np.bincount``; the pieces of an output
        chunk are summed by dask's tree reduction. The summation order differs from one
        ``np.bincount`` call, so results agree to rounding, not bit for bit.

    Raises
    ------
    InvalidParameterError
        Bad ``n`` or ``chunks``, ``indices`` not ints, ``weights`` not numbers; when the result is
        computed, an entry of ``indices`` outside ``[0, n)`` (the message names its row).
    ShapeMismatchError
        ``weights`` and ``indices`` differ in shape, or unknown chunk sizes.
    """
    import dask.array as da

    n, sizes = _check_chunks(n, chunks)
    if n == 1:
        sizes = (1,)  # one row is one chunk (module docstring)
    indices = _dask_array(indices, "indices", (1, 2), "iu", "ints (row numbers)")
    weights = _dask_array(weights, "weights", (1, 2), "biuf", "numbers")
    if weights.shape != indices.shape:
        raise ShapeMismatchError(f"weights must have the shape of indices {indices.shape}, got {weights.shape}")
    if weights.chunks != indices.chunks:
        weights = weights.rechunk(indices.chunks)
    starts = np.cumsum((0, *sizes[:-1]), dtype=np.int64)
    bounds = da.from_array(np.stack([starts, starts + np.asarray(sizes, dtype=np.int64)], axis=1), chunks=(1, 2))
    with _pairs_by_design():
        pieces = da.blockwise(
            _local_bincount,
            "ij",
            _flat(_checked(indices, n)),
            "i",
            _flat(weights),
            "i",
            bounds,
            "jb",
            dtype=np.float64,
            adjust_chunks={"i": 1, "j": sizes},
            concatenate=True,
            meta=np.empty((0, 0), np.float64),
        )
    return pieces.sum(axis=0, dtype=np.float64)
