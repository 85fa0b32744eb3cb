"""``weak.apply`` on a Dask frame of tiny partitions: neighbouring partitions labelled together.

Each partition costs a Dask task and, per labeling function, a call and a small table; on
partitions of a few rows that is most of the time (benchmarks/RESULTS.md, scale29). When there are
more partitions than threads and the first is under ``MIN_CHUNK_BYTES`` (64 KiB,
:mod:`labelwise._chunk_floor`; a probe that reads that partition only), one pass measures every
partition (rows and memory) and reads the index; runs of neighbouring partitions under the floor
(:func:`~labelwise._chunk_floor.merged_runs`) are then concatenated in order and labelled by one
task each. The votes are those of the partitions one by one: each group's table is put back in
partition order (stable), and a frame whose partitions each carry their own ``0..len-1`` index
(``dd.read_csv``) is labelled with the rows numbered through the frame, the items :func:`apply`
gives it (the functions then see the index ``pandas.read_csv`` would give). Errors name the row and
the partition as without merging.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import _chunk_floor
from .labeling_function import LabelingFunction


def merged_apply(
    df: Any, lfs: list[LabelingFunction], declared: np.ndarray | None
) -> tuple[pd.DataFrame, pd.Index] | None:
    """The answers and the items of ``df`` labelled in merged groups of
    partitions, or None when no partition would be merged (the caller labels them one by one):
    the floor off, no more partitions than threads (:func:`~labelwise._chunk_floor.task_threads`),
    or a first partition of ``MIN_CHUNK_BYTES`` or more (such data is not read an extra time;
    only that partition is)."""
    import dask

    from .._stage_progress import compute, stage
    from .apply import _repeated_index, _row_offsets

    if _chunk_floor.ROW_CHUNK_FLOOR_BYTES <= 0 or df.npartitions <= _chunk_floor.task_threads():
        return None  # a partition per thread at most: a task each costs nothing to merge away
    (first,) = compute(df.partitions[0].map_partitions(_rows_and_bytes, meta=_SIZES_META))
    if int(first["bytes"].iloc[0]) >= _chunk_floor.MIN_CHUNK_BYTES:
        return None  # merging partitions this large gains less than the measuring pass costs (RESULTS.md, scale29)
    parts = df.to_delayed()
    measure = dask.delayed(_index_rows_and_bytes, pure=True)
    with stage("measuring partitions"):
        sizes = compute(*[measure(p) for p in parts], optimize_graph=False)  # to_delayed optimised it
    lengths = np.array([s[1] for s in sizes], dtype=np.int64)
    nbytes = np.array([s[2] for s in sizes], dtype=np.int64)
    runs = _chunk_floor.merged_runs(nbytes.tolist(), _chunk_floor.floor_bytes(int(nbytes.sum())))
    if len(runs) == df.npartitions:
        return None
    items = sizes[0][0].append([s[0] for s in sizes[1:]])
    offsets = None
    if not items.is_unique:
        offsets = _row_offsets(items, lengths)
        if offsets is None:
            raise _repeated_index(items)
    label = dask.delayed(_apply_group, pure=True)
    tasks = [
        label(parts[a:b], lfs, declared, a, lengths[a:b], None if offsets is None else int(offsets[a])) for a, b in runs
    ]
    with stage("labeling partitions"):
        tables = compute(*tasks, optimize_graph=False)
    answers = pd.concat(tables, ignore_index=True)
    return answers, (items if offsets is None else pd.RangeIndex(len(items)))


_SIZES_META = pd.DataFrame({"rows": pd.Series(dtype=np.int64), "bytes": pd.Series(dtype=np.int64)})


def _rows_and_bytes(part: pd.DataFrame) -> pd.DataFrame:
    """One partition's rows and memory (strings included), as a one-row table (the probe's)."""
    return pd.DataFrame({"rows": [len(part)], "bytes": [_nbytes(part)]}, dtype=np.int64)


def _index_rows_and_bytes(part: pd.DataFrame) -> tuple[pd.Index, int, int]:
    """One partition's index, rows and memory (read from the delayed partitions that the groups
    read too: Dask builds the frame's graph once, not once for each)."""
    return part.index, len(part), _nbytes(part)


def _nbytes(part: pd.DataFrame) -> int:
    return int(part.memory_usage(index=True, deep=True).sum())


def _apply_group(
    parts: list[pd.DataFrame],
    lfs: list[LabelingFunction],
    declared: np.ndarray | None,
    first: int,
    lengths: np.ndarray,
    start: int | None,
) -> pd.DataFrame:
    """The long table of partitions ``first, first + 1, ...`` (``parts``, of ``lengths`` rows)
    labelled as one frame, in the order of labelling them one by one;
    ``start``: the first row's number through the frame when the rows are renumbered (None keeps
    the partitions' index)."""
    from .apply import LabelingFunctionError, _apply_frame

    frame = parts[0] if len(parts) == 1 else pd.concat(parts)
    if start is not None:
        frame = frame.set_axis(pd.RangeIndex(start, start + len(frame)), axis=0)
    ends = np.cumsum(lengths)
    try:
        out = _apply_frame(frame, lfs, declared, False)
    except LabelingFunctionError as exc:
        if exc.position is not None:
            part = int(np.searchsorted(ends, exc.position, side="right"))
            exc.partition = first + part
            if start is None:  # the position in its own partition, as labelled one by one
                exc.position -= int(ends[part] - lengths[part])
            else:  # the row through the frame, as :func:`labelwise.weak.apply._numbered_through` says it
                exc.position += start
        raise
    rows = frame.index.get_indexer(out["item"])  # the group's index is unique (else renumbered or refused)
    partition = np.searchsorted(ends, rows, side="right")
    return out.iloc[np.argsort(partition, kind="stable")].reset_index(drop=True)


def labeler_major(answers: pd.DataFrame, labelers: list[str]) -> pd.DataFrame:
    """A Dask frame's answers (partition by partition, each partition's labeler by labeler) in the
    order :func:`labelwise.weak.apply` gives for a pandas frame: labeler by labeler in the order of
    ``labelers``, each labeler's votes in row order (a stable sort keeps the partitions' order)."""
    order = {name: i for i, name in enumerate(labelers)}
    codes, names = pd.factorize(answers["labeler"])  # a lookup per labeler, not per answer (Series.map is slower)
    position = np.array([order[name] for name in names], dtype=np.int64)[codes]
    return answers.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)
