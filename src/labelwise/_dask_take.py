"""Gather and scatter along a neighbour graph that stays on the workers, exactly.

A neighbour graph on dask is ``indices`` (m, k) of row numbers into an array of ``n`` rows, row
chunked; per-example checks need ``values[indices]`` (a value of every neighbour) and its transpose,
``np.bincount(indices.ravel(), weights.ravel(), minlength=n)`` (a sum over the examples that list
a row as a neighbour). Both run in three steps of tasks:

1. one task per ``indices`` chunk checks its range, ravels it and groups its entries by the
   ``values`` (or output) chunk they fall in: a stable counting sort (:func:`_group`), so each
   group is a contiguous slice that keeps the entries' order;
2. one task per (``indices`` chunk, ``values`` or output chunk) pair reads only its slice: the
   values of its entries, or their ``np.bincount`` over the output chunk;
3. :func:`take_rows` puts each ``indices`` chunk's slices back in place by the sort's permutation
   (one task per ``indices`` chunk); :func:`scatter_add` sums an output chunk's pieces with dask's
   tree reduction (``sum``).

Every entry is thus grouped once and read once, whatever the number of chunks. No task holds all of
``values`` or an ``n``-long array, and nothing comes to the client. The tasks are built with dask's
task spec (``dask._task_spec``, as in :mod:`labelwise._dask_rows`), not with ``blockwise``: the
grouping of step 1 is a tuple of arrays, read by the tasks of steps 2 and 3.

Dask's blockwise broadcasts an axis of length one: an array of one row in two chunks (``(1, 0)``)
is read as its first chunk for both, so any elementwise step on it doubles the row (dask 2026.8:
``(da.from_array(np.array([7]), chunks=((1, 0),)) + 0).compute()`` is ``[7, 7]``). An input of
one row is therefore taken as one chunk here, and so is an output of one row. The range of
``indices`` is checked lazily, in the tasks that group each chunk, so checking costs no pass of its
own: an index outside ``[0, n)`` raises :class:`~labelwise.errors.InvalidParameterError` when the
result is computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._chunks import is_dask, row_starts
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


def _in_range(block: np.ndarray, n: int, start: int) -> np.ndarray:
    """``block`` of ``indices`` (rows from ``start``) as int64 if every entry is in ``[0, n)``; else
    an error naming the row."""
    if block.size and (block.min() < 0 or block.max() >= n):  # two reductions; the mask only to name the row
        bad = (block < 0) | (block >= n)
        first = tuple(np.argwhere(bad)[0])
        raise InvalidParameterError(
            f"indices must be row numbers in [0, {n}) (the length of values), got {block[first]} in row {start + first[0]}"
        )
    return block.astype(np.int64, copy=False)  # in range, so exact; uint64 would turn float in arithmetic


def _beside_indices(values: Any, name: str, indices: Any) -> Any:
    """``values`` (one per entry of ``indices``, checked to have its shape) in ``indices``' chunks."""
    if values.shape != indices.shape:
        raise ShapeMismatchError(f"{name} must have the shape of indices {indices.shape}, got {values.shape}")
    return values if values.chunks == indices.chunks else values.rechunk(indices.chunks)


def _refuse_empty_range(indices: Any, n: int) -> None:
    """No index can be in ``[0, 0)``: refused at once, not when computed."""
    if n == 0 and indices.size:
        raise InvalidParameterError("indices must be row numbers in [0, 0): values is empty, so indices must be too")


@dataclass(frozen=True, eq=False)
class _Chunking:
    """Which chunk of row chunks ``sizes`` a row is in, in O(1) per row: rows fall in cells of
    ``width`` rows; ``first[c]`` is the chunk of cell ``c``'s first row and ``split[c]`` says the cell
    spans a chunk boundary (its rows are looked up with ``np.searchsorted``). Regular chunks are
    their own cells; otherwise about 64 cells per chunk, so at most one cell in 64 is split."""

    stops: np.ndarray
    width: int
    first: np.ndarray
    split: np.ndarray

    @classmethod
    def of(cls, sizes: Sequence[int]) -> _Chunking:
        stops = np.cumsum(sizes, dtype=np.int64)
        n = int(stops[-1])
        regular = len(sizes) > 1 and len(set(sizes[:-1])) == 1 and 0 < sizes[-1] <= sizes[0]
        width = int(sizes[0]) if regular else max(1, -(-n // (64 * len(sizes))))
        cells = np.arange(0, n, width, dtype=np.int64)
        small = np.min_scalar_type(len(sizes) - 1)  # uint8 or uint16 for up to 65536 chunks: a radix sort
        first = np.searchsorted(stops, cells, side="right").astype(small)
        last = np.searchsorted(stops, np.minimum(cells + width, n) - 1, side="right")
        return cls(stops, width, first, last != first)


def _group(flat: np.ndarray, chunking: _Chunking) -> tuple[np.ndarray | None, np.ndarray]:
    """A stable order of ``flat`` (row numbers) by the chunk each is in and where each chunk's
    entries start in it: chunk ``j``'s are ``order[offsets[j]:offsets[j + 1]]``, in their order in
    ``flat``. ``order`` is ``None`` for one chunk (nothing to sort)."""
    count = chunking.stops.size
    if count == 1:
        return None, np.array([0, flat.size], dtype=np.int64)
    cell = flat // chunking.width
    chunk = chunking.first[cell]
    if chunking.split.any():
        cut = np.flatnonzero(chunking.split[cell])
        chunk[cut] = np.searchsorted(chunking.stops, flat[cut], side="right")
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(chunk, minlength=count), out=offsets[1:])
    return np.argsort(chunk, kind="stable"), offsets


def _group_for_take(block: np.ndarray, n: int, start: int, chunking: _Chunking) -> tuple:
    """An ``indices`` chunk checked, raveled and grouped by ``values`` chunk: ``(sorted, order,
    offsets)``, the row numbers in their groups' order and :func:`_group`'s order and offsets."""
    flat = _in_range(block, n, start).ravel()
    order, offsets = _group(flat, chunking)
    return (flat if order is None else flat[order]), order, offsets


def _take_slice(grouped: tuple, chunk: np.ndarray, j: int, start: int) -> np.ndarray:
    """The values of ``values`` chunk ``j`` (rows from ``start``) for its group of entries, in order."""
    sorted_, _, offsets = grouped
    return chunk[sorted_[offsets[j] : offsets[j + 1]] - start]


def _take_merge(grouped: tuple, shape: tuple[int, ...], *pieces: np.ndarray) -> np.ndarray:
    """An ``indices`` chunk's values (of ``shape``) from its pieces, one per ``values`` chunk, each
    put back where its entries were before the grouping."""
    _, order, offsets = grouped
    if order is None:
        return pieces[0].reshape(shape)
    out = np.empty(order.size, dtype=pieces[0].dtype)
    for j, piece in enumerate(pieces):
        out[order[offsets[j] : offsets[j + 1]]] = piece
    return out.reshape(shape)


def _group_for_add(block: np.ndarray, weights: np.ndarray, n: int, start: int, chunking: _Chunking) -> tuple:
    """An ``indices`` chunk checked, raveled and grouped by output chunk with its ``weights`` as
    float64: ``(sorted, sorted_weights, offsets)``."""
    flat = _in_range(block, n, start).ravel()
    order, offsets = _group(flat, chunking)
    if order is None:
        return flat, np.ravel(weights).astype(np.float64), offsets
    return flat[order], np.ravel(weights)[order].astype(np.float64), offsets


def _add_slice(grouped: tuple, j: int, lo: int, hi: int) -> np.ndarray:
    """Sums of the weights of output chunk ``j`` (rows ``[lo, hi)``)'s group per row, as a row: the
    entries in their order in the ``indices`` chunk, as a masked ``np.bincount`` would add them."""
    sorted_, weights, offsets = grouped
    part = slice(offsets[j], offsets[j + 1])
    return np.bincount(sorted_[part] - lo, weights=weights[part], minlength=hi - lo)[None, :]


def _chunk_key(array: Any, i: int) -> tuple:
    """The key of row chunk ``i`` of ``array`` (whole rows: one chunk along any other axis)."""
    return (array.name, i, *((0,) * (array.ndim - 1)))


def _graph(inputs: Sequence[Any], stages: Sequence[tuple[str, dict, Sequence[str]]]) -> Any:
    """The graph of the dask arrays ``inputs`` plus ``stages`` of tasks: ``(name, tasks, needs)``,
    ``needs`` naming the stages a stage reads (the inputs' layers are read by any)."""
    from dask.highlevelgraph import HighLevelGraph, MaterializedLayer

    merged = HighLevelGraph.merge(*(a.__dask_graph__() for a in inputs))
    layers, dependencies = dict(merged.layers), dict(merged.dependencies)
    own = {layer for a in inputs for layer in a.__dask_layers__()}
    for name, tasks, needs in stages:
        layers[name], dependencies[name] = MaterializedLayer(tasks), own | set(needs)
    return HighLevelGraph(layers, dependencies)


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
        One task per ``indices`` chunk groups its entries by ``values`` chunk, one per (``indices``
        chunk, ``values`` chunk) pair takes the values of its group, one per ``indices`` chunk puts
        them in place (module docstring). (Indices of one row in several chunks come back as one
        chunk: see the module docstring.)

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
    Dask's fancy indexing with a dask integer array (``values[idx.ravel()]``) pairs the chunks in the
    same way, but every pair task scans the whole ``indices`` chunk and its merge walks every
    ``values`` chunk with a cumulative sum over the whole ``indices`` chunk, so each entry is read
    once per ``values`` chunk; here each entry is grouped once and each pair reads only its group
    (``benchmarks/RESULTS.md``, sessions 20 and 21).
    """
    import dask.array as da
    from dask._task_spec import Task, TaskRef
    from dask.base import tokenize

    values = _dask_array(values, "values", (1,), "biufcmMOSUV", "values")
    indices = _dask_array(indices, "indices", (1, 2), "iu", "ints (row numbers)")
    n = values.shape[0]
    if indices.size == 0:
        return da.zeros(indices.shape, dtype=values.dtype, chunks=indices.chunks)
    _refuse_empty_range(indices, n)
    token = tokenize(values.name, indices.name, values.chunks, indices.chunks)
    name, groups, pairs = f"take-rows-{token}", f"take-rows-group-{token}", f"take-rows-pair-{token}"
    chunking = _Chunking.of(values.chunks[0])
    value_starts, tail = row_starts(values.chunks[0]), indices.shape[1:]
    group_tasks: dict[Any, Any] = {}
    pair_tasks: dict[Any, Any] = {}
    merge_tasks: dict[Any, Any] = {}
    for i, (start, rows) in enumerate(zip(row_starts(indices.chunks[0]), indices.chunks[0], strict=True)):
        group = group_tasks[(groups, i)] = Task(
            (groups, i), _group_for_take, TaskRef(_chunk_key(indices, i)), n, start, chunking
        )
        for j, value_start in enumerate(value_starts):
            key = (pairs, i, j)
            pair_tasks[key] = Task(key, _take_slice, group.ref(), TaskRef((values.name, j)), j, value_start)
        out = (name, i, *((0,) * len(tail)))
        pieces = [TaskRef((pairs, i, j)) for j in range(len(value_starts))]
        merge_tasks[out] = Task(out, _take_merge, group.ref(), (rows, *tail), *pieces)
    stages = [(groups, group_tasks, ()), (pairs, pair_tasks, (groups,)), (name, merge_tasks, (groups, pairs))]
    graph = _graph((values, indices), stages)
    return da.Array(graph, name, indices.chunks, dtype=values.dtype, meta=np.empty((0,) * indices.ndim, values.dtype))


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
        chunk, output chunk) pair counts its group of entries (module docstring) with ``np.bincount``, adding
        them in their order in the ``indices`` chunk; the pieces of an output chunk are summed by
        dask's tree reduction. With more than one ``indices`` chunk that order differs from one
        ``np.bincount`` call's, so results agree to rounding, not bit for bit.

    Raises
    ------
    InvalidParameterError
        Bad ``n`` or ``chunks``, ``indices`` not ints, ``weights`` not numbers; when the result is
        computed, an entry of ``indices`` outside ``[0, n)`` (the message names its row).
    ShapeMismatchError
        ``weights`` and ``indices`` differ in shape, or unknown chunk sizes.
    """
    import dask.array as da
    from dask._task_spec import Task, TaskRef
    from dask.base import tokenize

    n, sizes = _check_chunks(n, chunks)
    if n == 1:
        sizes = (1,)  # one row is one chunk (module docstring)
    indices = _dask_array(indices, "indices", (1, 2), "iu", "ints (row numbers)")
    weights = _beside_indices(_dask_array(weights, "weights", (1, 2), "biuf", "numbers"), "weights", indices)
    _refuse_empty_range(indices, n)
    token = tokenize(indices.name, weights.name, indices.chunks, sizes)
    groups, pairs = f"scatter-add-group-{token}", f"scatter-add-pair-{token}"
    chunking = _Chunking.of(sizes)
    out_starts = row_starts(sizes)
    group_tasks: dict[Any, Any] = {}
    pair_tasks: dict[Any, Any] = {}
    for i, start in enumerate(row_starts(indices.chunks[0])):
        block, block_weights = TaskRef(_chunk_key(indices, i)), TaskRef(_chunk_key(weights, i))
        group = group_tasks[(groups, i)] = Task((groups, i), _group_for_add, block, block_weights, n, start, chunking)
        for j, (lo, size) in enumerate(zip(out_starts, sizes, strict=True)):
            pair_tasks[(pairs, i, j)] = Task((pairs, i, j), _add_slice, group.ref(), j, lo, lo + size)
    graph = _graph((indices, weights), [(groups, group_tasks, ()), (pairs, pair_tasks, (groups,))])
    pieces = da.Array(
        graph, pairs, ((1,) * len(indices.chunks[0]), sizes), dtype=np.float64, meta=np.empty((0, 0), np.float64)
    )
    return pieces.sum(axis=0, dtype=np.float64)
