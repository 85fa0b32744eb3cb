"""``np.minimum.at`` along a neighbour graph that stays on the workers: a scatter of minima.

:func:`labelwise._dask_take.scatter_add` sums values onto the rows a graph's entries point at;
algorithms that hook one row under another (union-find by hooking, Shiloach & Vishkin 1982) need
the least value sent to a row instead. :func:`scatter_min` runs in the three steps of
:mod:`labelwise._dask_take` and reuses its grouping (a stable counting sort of each ``indices``
chunk's entries by output chunk, :func:`labelwise._dask_take._group`):

1. one task per ``indices`` chunk drops the entries marked ``-1`` (no update), checks the range of
   the others and groups them, with their values, by the output chunk they fall in;
2. one task per (``indices`` chunk, output chunk) pair cuts out its group (row numbers made
   local to the output chunk, and their values);
3. one task per output chunk copies that chunk of ``out`` and applies every piece with
   ``np.minimum.at``.

A minimum does not depend on the order its values arrive in, so the result is exact (equal to
``np.minimum.at`` on the whole arrays) for any chunking. No task holds an ``n``-long array beyond
its own chunk, and nothing comes to the client.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._chunks import row_starts
from ._dask_take import _beside_indices, _chunk_key, _Chunking, _dask_array, _graph, _group
from .errors import InvalidParameterError

__all__ = ["scatter_min"]


def _group_for_min(block: np.ndarray, values: np.ndarray, n: int, start: int, chunking: _Chunking) -> tuple:
    """An ``indices`` chunk's kept entries (not ``-1``), checked and grouped by output chunk with
    their ``values``: ``(sorted, sorted_values, offsets)``."""
    flat, vals = block.ravel(), np.ravel(values)
    keep = flat != -1
    bad = keep & ((flat < 0) | (flat >= n))
    if bad.any():
        at = int(np.flatnonzero(bad)[0])
        row = start + at // (block.shape[1] if block.ndim == 2 else 1)
        raise InvalidParameterError(
            f"indices must be row numbers in [0, {n}) or -1 (no update), got {flat[at]} in row {row}"
        )
    flat, vals = flat[keep].astype(np.int64, copy=False), vals[keep]
    order, offsets = _group(flat, chunking)
    if order is None:
        return flat, vals, offsets
    return flat[order], vals[order], offsets


def _min_slice(grouped: tuple, j: int, lo: int) -> tuple[np.ndarray, np.ndarray]:
    """Output chunk ``j``'s group (rows from ``lo``): its local row numbers and values."""
    sorted_, vals, offsets = grouped
    part = slice(offsets[j], offsets[j + 1])
    return sorted_[part] - lo, vals[part]


def _min_merge(chunk: np.ndarray, *pieces: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Output chunk ``chunk`` lowered by every piece's values at its rows."""
    out = np.array(chunk, copy=True)
    for rows, vals in pieces:
        if rows.size:
            np.minimum.at(out, rows, vals.astype(out.dtype, copy=False))
    return out


def scatter_min(out: Any, indices: Any, values: Any) -> Any:
    """``np.minimum.at(out, indices, values)`` for dask arrays, on the workers, without the ``-1`` entries.

    Parameters
    ----------
    out : dask.array.Array, shape (n,)
        Ints or floats, row chunked (known chunk sizes): the starting value of every row.
    indices : dask.array.Array of int, shape (m, k) or (m,)
        Row numbers into ``out``, each in ``[0, n)``, or ``-1`` for an entry that updates nothing;
        row chunked independently of ``out``.
    values : dask.array.Array, shape of ``indices``
        The value each entry sends to its row (cast to ``out``'s dtype); rechunked to ``indices``'
        chunks if its own differ.

    Returns
    -------
    dask.array.Array, shape (n,), ``out``'s chunks and dtype
        Row ``j`` is the least of ``out[j]`` and the ``values`` whose entry of ``indices`` is ``j``
        (module docstring): exactly ``np.minimum.at`` on the computed arrays, for any chunking.

    Raises
    ------
    InvalidParameterError
        ``out`` is not a 1-D dask array of numbers, ``indices`` not a 1-D or 2-D dask array of
        ints, ``values`` not numbers, or ``out`` empty while ``indices`` is not; when the result is
        computed, an entry of ``indices`` outside ``[0, n)`` other than ``-1`` (the message names
        its row).
    ShapeMismatchError
        ``values`` and ``indices`` differ in shape, or unknown chunk sizes.
    """
    import dask.array as da
    from dask._task_spec import Task, TaskRef
    from dask.base import tokenize

    out = _dask_array(out, "out", (1,), "iuf", "numbers")
    indices = _dask_array(indices, "indices", (1, 2), "iu", "ints (row numbers, -1 for none)")
    values = _beside_indices(_dask_array(values, "values", (1, 2), "biuf", "numbers"), "values", indices)
    n, sizes = int(out.shape[0]), tuple(int(c) for c in out.chunks[0])
    if indices.size == 0:
        return out
    if n == 0:
        raise InvalidParameterError(
            f"out must not be empty when indices has entries, got indices of shape {indices.shape}"
        )
    token = tokenize(out.name, indices.name, values.name, indices.chunks, sizes)
    groups, pairs, name = f"scatter-min-group-{token}", f"scatter-min-pair-{token}", f"scatter-min-{token}"
    chunking = _Chunking.of(sizes)
    out_starts = row_starts(sizes)
    group_tasks: dict[Any, Any] = {}
    pair_tasks: dict[Any, Any] = {}
    merge_tasks: dict[Any, Any] = {}
    for i, start in enumerate(row_starts(indices.chunks[0])):
        block, block_values = TaskRef(_chunk_key(indices, i)), TaskRef(_chunk_key(values, i))
        group = group_tasks[(groups, i)] = Task((groups, i), _group_for_min, block, block_values, n, start, chunking)
        for j, lo in enumerate(out_starts):
            pair_tasks[(pairs, i, j)] = Task((pairs, i, j), _min_slice, group.ref(), j, lo)
    for j in range(len(sizes)):
        pieces = [TaskRef((pairs, i, j)) for i in range(len(indices.chunks[0]))]
        merge_tasks[(name, j)] = Task((name, j), _min_merge, TaskRef((out.name, j)), *pieces)
    stages = [(groups, group_tasks, ()), (pairs, pair_tasks, (groups,)), (name, merge_tasks, (pairs,))]
    graph = _graph((out, indices, values), stages)
    return da.Array(graph, name, out.chunks, dtype=out.dtype, meta=np.empty((0,), out.dtype))
