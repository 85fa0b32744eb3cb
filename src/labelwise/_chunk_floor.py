"""Tiny dask row chunks merged before labelwise's passes.

Users get row chunks of a few rows easily (``dd.from_pandas(df, npartitions=...)``, ``read_csv`` of
many small files, ``da.from_array(x, chunks=...)``). Every pass of labelwise costs client and
scheduler work per chunk (tasks built, persisted and reduced; the sharded neighbour search one task
per pair of chunks), which on chunks of a few rows outweighs the rows' own work by far
(benchmarks/RESULTS.md, chunks28). Merging neighbouring small chunks first runs the same passes over
the same rows in the same order, with row numbers (in errors, in outputs) unchanged: the audit's
answers are the unmerged ones bit for bit, the data checks' flags too; scores of the checks and the
aggregation's posteriors are those of another chunking (equal to the rounding of sums, as any two
chunkings are, and as they are to memory). The entry points call :func:`merge_small_row_chunks`
(dask arrays, once aligned by :func:`labelwise._chunks.align_dask_rows`) or
:func:`merge_small_partitions` (dask DataFrames).
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
#: The floor is lowered for data of less than ``ROW_CHUNK_FLOOR_BYTES`` per CPU (so that each CPU
#: keeps a chunk), but never below this: chunks smaller than it cost more than they spread.
MIN_CHUNK_BYTES = 1 << 16


def floor_bytes(total_bytes: int, cpus: int | None = None) -> int:
    """The floor for ``total_bytes`` of data: ``ROW_CHUNK_FLOOR_BYTES``, lowered to a share of the
    data per CPU (``cpus``, default :func:`task_threads`) where that is smaller, not below
    ``MIN_CHUNK_BYTES`` (with the defaults and 4 CPUs: 1 MiB for 8 MiB of data, 512 KiB for 2 MiB,
    64 KiB for 100 KB).
    """
    share = -(-int(total_bytes) // (task_threads() if cpus is None else cpus))
    return min(ROW_CHUNK_FLOOR_BYTES, max(share, MIN_CHUNK_BYTES))


def task_threads() -> int:
    """The threads that will run dask tasks computed now: the workers' threads together
    (``Client.nthreads()``) when Dask computes on a ``dask.distributed`` client (the default client,
    or ``scheduler="dask.distributed"``), else the CPUs of this process (a cluster's workers are
    not this machine's CPUs)."""
    from ._chunks import default_n_jobs

    client = active_client()
    if client is not None:
        try:
            threads = sum(int(n) for n in client.nthreads().values())
        except (OSError, TimeoutError, RuntimeError):  # a client whose scheduler is gone: Dask will say so
            threads = 0
        if threads > 0:
            return threads
    return default_n_jobs()


def active_client() -> Any:
    """The ``dask.distributed`` client Dask's ``compute`` would use now, or None (another scheduler,
    or ``distributed`` not imported: no client can be running; it is not imported here)."""
    import sys

    if "distributed" not in sys.modules:
        return None
    from dask.base import get_scheduler

    try:
        get = get_scheduler()
    except (RuntimeError, ValueError):  # "dask.distributed" asked for with no client running
        return None
    client = getattr(get, "__self__", None)  # a client's scheduler is its bound ``get``
    return client if callable(getattr(client, "nthreads", None)) else None


def chunks_record(sizes: Sequence[int], given: int | None = None) -> dict[str, Any]:
    """JSON-ready record of the row chunks a computation ran on: ``n_chunks``, ``chunk_rows`` (the
    rows of the largest) and, when ``given`` says it, ``n_chunks_given`` (those of the input, before
    chunks under the floor were merged)."""
    rows = [int(s) for s in sizes]
    record: dict[str, Any] = {"n_chunks": len(rows), "chunk_rows": max(rows, default=0)}
    if given is not None:
        record["n_chunks_given"] = int(given)
    return record


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
    """Rows of :func:`floor_bytes` bytes of ``arrays`` together (at least 1)."""
    row_bytes = max(1, sum(np.dtype(a.dtype).itemsize * int(np.prod(a.shape[1:], dtype=np.int64)) for a in arrays))
    return max(1, floor_bytes(int(arrays[0].shape[0]) * row_bytes) // row_bytes)


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
    """A dask DataFrame with runs of consecutive partitions under :func:`floor_bytes` (their
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
    runs = merged_runs(sizes.to_numpy(), floor_bytes(int(sizes.sum())))
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
