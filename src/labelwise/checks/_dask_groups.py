"""User ``groups`` given as a dask collection, checked and coded on the workers.

:func:`labelwise.checks._inputs.check_groups` per chunk: each chunk reports its first missing row
and its distinct groups (the number ``-1``, "no group", left out); the client joins them into the
sorted group values, a distributed unique that brings ``O(number of groups)`` values to the
client and never one per row; each chunk then codes its rows ``0..G-1`` in that order (``-1`` for
no group), the codes ``pd.factorize(sort=True)`` gives in memory. Groups of types that do not sort
together (mixed strings and numbers in an object array) are coded on the client as in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._chunks import row_starts
from .._stage_progress import compute, step
from ..errors import InvalidParameterError, ShapeMismatchError
from ._inputs import check_groups, noise_rows
from ._partitioned import as_rows


def dask_group_codes(groups: Any, chunks: tuple[int, ...]) -> Any:
    """Group codes of dask ``groups`` (an array or series of one value per row) as a dask int64
    array on the row chunks ``chunks``: ``0..G-1`` in sorted order of the group values, ``-1`` for
    the rows in no group; errors as :func:`~labelwise.checks._inputs.check_groups`'."""
    import dask

    values = _rows(groups, int(sum(chunks)))
    values = as_rows(values, chunks)
    blocks = values.to_delayed().ravel()
    with step("groups: distinct values"):
        found = compute(*[dask.delayed(_chunk_groups)(b, s) for b, s in zip(blocks, row_starts(chunks), strict=True)])
    missing = [m for m, _ in found if m >= 0]
    if missing:
        raise InvalidParameterError(f"groups must not contain missing values, row {min(missing)} is missing")
    uniques = _sorted(np.concatenate([np.asarray(u) for _, u in found]))
    if uniques is None:  # values that do not sort together: memory's rules on the client
        return as_rows(check_groups(compute(values)[0], int(sum(chunks))), chunks)
    table = dask.delayed(uniques, pure=True)
    return values.map_blocks(_chunk_codes, table, dtype=np.int64, meta=np.empty(0, np.int64))


def _rows(groups: Any, n: int) -> Any:
    """``groups`` as a one-dimensional dask array of ``n`` values (the shape error of memory)."""
    if hasattr(groups, "to_dask_array"):  # a dask Series
        groups = groups.to_dask_array(lengths=True)
    if groups.ndim != 1 or int(groups.shape[0]) != n:
        raise ShapeMismatchError(f"groups must have one value per row ({n}), got shape {tuple(groups.shape)}")
    return groups


def _chunk_groups(block: np.ndarray, start: int) -> tuple[int, np.ndarray]:
    """The chunk's first missing row (``-1``: none) and its distinct groups, no-group rows left out."""
    arr = np.asarray(block)
    kept = arr[~noise_rows(arr)]
    missing = np.flatnonzero(pd.isna(kept))
    if missing.size:
        return start + int(np.flatnonzero(~noise_rows(arr))[missing[0]]), kept[:0]
    return -1, pd.unique(kept)


def _sorted(values: np.ndarray) -> pd.Index | None:
    """The distinct ``values`` sorted (as ``pd.factorize(sort=True)`` orders them), ``None`` when
    they do not sort."""
    try:
        return pd.Index(pd.unique(values)).sort_values().infer_objects()
    except TypeError:
        return None


def _chunk_codes(block: np.ndarray, uniques: pd.Index) -> np.ndarray:
    """The chunk's group codes: the position among ``uniques``, ``-1`` for no group."""
    arr = np.asarray(block)
    codes = uniques.get_indexer(arr).astype(np.int64)
    codes[noise_rows(arr)] = -1
    return codes
