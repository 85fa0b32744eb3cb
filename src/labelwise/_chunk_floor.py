"""Tiny dask row chunks merged before labelwise's passes.

Users get row chunks of a few rows easily (``dd.from_pandas(df, npartitions=...)``, ``read_csv`` of
many small files, ``da.from_array(x, chunks=...)``). Every pass of labelwise costs client and
scheduler work per chunk (tasks built, persisted and reduced; the sharded neighbour search one task
per pair of chunks), which on chunks of a few rows outweighs the rows' own work by far
(benchmarks/RESULTS.md, chunks28: a 2,000-row audit in 1-row chunks took over a minute against
0.3 s). Merging neighbouring small chunks first gives the same computation over the same rows in the
same order, with row numbers (in errors, in outputs) unchanged; the entry points on dask arrays call
:func:`merge_small_row_chunks` once their inputs are aligned (:func:`labelwise._chunks.align_dask_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: Bytes of a row (summed over the aligned inputs) times rows: a dask row chunk below this is merged
#: with its neighbours (:func:`merge_small_row_chunks`); 0 merges nothing (the private switch the
#: tests and benchmarks/bench_dask_tiny_chunks.py use for the unmerged computation). Chosen by
#: timing the dask audit and data checks against chunk size (benchmarks/RESULTS.md, chunks28).
ROW_CHUNK_FLOOR_BYTES = 1 << 20


def merged_runs(sizes: Sequence[int], floor: int) -> list[tuple[int, int]]:
    """``(first, stop)`` indices of the chunks each merged chunk is made of: consecutive chunks of
    size under ``floor`` merged, left to right, each run closed once it reaches ``floor``; a chunk of
    ``floor`` or more is a run of its own (kept whole), so no run of several chunks reaches
    ``2 * floor - 1``. Empty chunks join a run (a trailing run of empty chunks too)."""
    runs: list[tuple[int, int]] = []
    first, total = 0, 0
    for i, size in enumerate(map(int, sizes)):
        if size >= floor:
            if i > first:
                runs.append((first, i))
            runs.append((i, i + 1))
            first, total = i + 1, 0
            continue
        total += size
        if total >= floor:
            runs.append((first, i + 1))
            first, total = i + 1, 0
    if first < len(sizes):
        runs.append((first, len(sizes)))
    return runs


def merged_row_sizes(sizes: Sequence[int], floor_rows: int) -> tuple[int, ...]:
    """Row chunk sizes with consecutive chunks of fewer than ``floor_rows`` rows merged
    (:func:`merged_runs`): no chunk is split, none grows past ``2 * floor_rows - 2`` rows by merging,
    and empty chunks disappear.

    Examples
    --------
    >>> merged_row_sizes((1, 1, 1, 5, 2, 2), 3)
    (3, 5, 4)
    """
    rows = [int(s) for s in sizes]
    merged = (sum(rows[a:b]) for a, b in merged_runs(rows, floor_rows))
    return tuple(m for m in merged if m)


def floor_rows(arrays: Sequence[Any]) -> int:
    """Rows of ``ROW_CHUNK_FLOOR_BYTES`` bytes of ``arrays`` together (at least 1)."""
    row_bytes = sum(np.dtype(a.dtype).itemsize * int(np.prod(a.shape[1:], dtype=np.int64)) for a in arrays)
    return max(1, ROW_CHUNK_FLOOR_BYTES // max(1, row_bytes))


def merge_small_row_chunks(arrays: Sequence[Any]) -> list[Any]:
    """Dask arrays of the same row chunks (whole rows each) with their chunks of fewer than
    :func:`floor_rows` rows merged with their neighbours (:func:`merged_row_sizes`).

    Returned as they are when no chunk is merged (``ROW_CHUNK_FLOOR_BYTES`` 0 included); otherwise
    each is rechunked along rows only, lazily.
    """
    arrays = list(arrays)
    if ROW_CHUNK_FLOOR_BYTES <= 0 or not arrays:
        return arrays
    sizes = tuple(int(c) for c in arrays[0].chunks[0])
    merged = merged_row_sizes(sizes, floor_rows(arrays))
    if merged == sizes or not merged:
        return arrays
    return [a.rechunk({0: merged}) for a in arrays]


def merge_small_partitions(frame: Any) -> Any:
    """A dask DataFrame with runs of consecutive partitions under ``ROW_CHUNK_FLOOR_BYTES`` (their
    memory, strings included) concatenated in order (:func:`merged_runs`); the frame itself when
    none is merged. Costs one pass that measures each partition; each merged partition's index is
    its parts' indexes one after the other (divisions unknown)."""
    if ROW_CHUNK_FLOOR_BYTES <= 0 or frame.npartitions < 2:
        return frame
    import dask
    import dask.dataframe as dd
    import pandas as pd

    from ._stage_progress import compute

    (sizes,) = compute(frame.map_partitions(_partition_bytes, meta=pd.Series(dtype=np.int64)))
    runs = merged_runs(sizes.to_numpy(), ROW_CHUNK_FLOOR_BYTES)
    if len(runs) == frame.npartitions:
        return frame
    parts = frame.to_delayed()
    concat = dask.delayed(_concat, pure=True)
    return dd.from_delayed([concat(parts[a:b]) for a, b in runs], meta=frame._meta, verify_meta=False)


def _partition_bytes(part: Any) -> Any:
    """One partition's memory as a one-value series (what ``map_partitions`` gathers per partition)."""
    import pandas as pd

    return pd.Series([int(part.memory_usage(index=True, deep=True).sum())], dtype=np.int64)


def _concat(parts: list[Any]) -> Any:
    import pandas as pd

    return parts[0] if len(parts) == 1 else pd.concat(parts)
