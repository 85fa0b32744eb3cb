"""``issues.parquet``, the per-example table of an audit at scale: a folder of Parquet parts, one per
row chunk, written under a temporary name and moved into place.

Where the parts are written depends on where the audit's per-example outputs are:

- on ``distributed`` (``--scheduler local`` or an address) they are on the workers, which build and
  write their partitions themselves (Dask's ``to_parquet``);
- on Dask's local schedulers (threads, processes, synchronous) they were persisted in this process:
  each chunk's columns are taken from there and written here, one part at a time (numpy, then
  pyarrow), as Dask's ``to_parquet`` writes them. On ``processes`` Dask would send each persisted
  chunk to a worker process to build its partition, pickled there and back (the write took 18 of
  20 s of an audit of 3M rows: benchmarks/RESULTS.md, sessions 45 and 46).

Every path writes text columns (string labels) as :data:`TEXT`, so the same audit's table has one
schema, and reads back as one pandas frame, whichever scheduler wrote it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from .._chunk_floor import active_client
from .._heavy import pandas as pd
from .._stage_progress import compute, current_stage
from ..io.atomic import move_into_place

__all__ = ["write_issues"]


def write_issues(
    result: Any, out: Path, extra: dict[str, np.ndarray] | None = None, ids: tuple[str, Any] | None = None
) -> Path:
    """Per-example table as ``issues.parquet`` (a directory written part by part, then renamed),
    with the columns ``extra`` (one value a row, in row order: the text checks') after the audit's, and
    ``ids`` (``--id-column``'s name and values, numpy or dask, in row order) right after ``row``: under
    that name, or ``id`` where the table has a column of that name (``row``), as in ``issues.csv``.

    Inside a :func:`~labelwise.io.files_together` block the folder is moved into place when the
    block ends, with ``summary.json``: never a new ``issues.parquet`` beside the previous summary.
    """
    out.mkdir(parents=True, exist_ok=True)
    target = out / "issues.parquet"
    tmp = out / f".issues.parquet.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        ids = _ids_named(ids, extra)
        if not hasattr(result, "to_dask_frame"):  # in memory: one part
            tmp.mkdir()
            first = None if ids is None else {ids[0]: np.asarray(ids[1].compute() if _lazy(ids[1]) else ids[1])}
            block = _block(0, {c: getattr(result, c) for c in _COLUMNS}, extra, first)
            _texts_typed(block).to_parquet(tmp / "part.0.parquet", index=False)
        elif active_client() is not None:  # partition by partition, on the workers
            compute(_dask_frame(result, extra, ids).to_parquet(str(tmp), write_index=False, compute=False))
        else:
            _write_parts_here(result, extra, tmp, ids)
        move_into_place(tmp, target)
    except BaseException:  # Ctrl-C or a failed partition: no half-written folder is left behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


#: The audit's per-example columns, after ``row`` and before ``extra``'s.
_COLUMNS = ("given_label", "suggested_label", "label_quality", "is_issue")


def _ids_named(ids: tuple[str, Any] | None, extra: dict[str, np.ndarray] | None) -> tuple[str, Any] | None:
    """``ids`` under the name it is written with: ``id`` where the table has a column of its name already."""
    if ids is None:
        return None
    taken = {"row", *_COLUMNS, *(extra or {})}
    return (ids[0] if ids[0] not in taken else "id"), ids[1]


def _lazy(values: Any) -> bool:
    """Whether ``values`` is a dask collection."""
    return hasattr(values, "dask")


#: The dtype of every text column: the one Dask's ``dataframe.convert-string`` gives a frame's texts
#: (pandas 3's default ``str`` has NaN, not NA, as its missing value: its metadata and frame differ).
TEXT = "string[pyarrow]"


def _texts_typed(frame: Any) -> Any:
    """``frame`` (pandas or dask) with its text columns as :data:`TEXT`: a pandas column of strings
    (``str`` or ``object`` holding only strings), a dask column of a string or object dtype."""
    lazy = hasattr(frame, "dask")
    texts = {
        name: TEXT
        for name, dtype in frame.dtypes.items()
        if dtype != TEXT
        and (isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype))
        and (lazy or pd.api.types.infer_dtype(frame[name], skipna=True) == "string")
    }
    return frame.astype(texts) if texts else frame


def _block(
    start: int, columns: dict[str, Any], extra: dict[str, np.ndarray] | None, first: dict[str, Any] | None = None
) -> pd.DataFrame:
    """The table's rows from ``start`` on: ``first`` (the ids of those rows) after ``row``, ``columns``
    (the :data:`_COLUMNS` values of those rows, all of one length) and the same rows of ``extra``."""
    stop = start + len(next(iter(columns.values())))
    return pd.DataFrame(
        {
            "row": np.arange(start, stop),
            **(first or {}),
            **columns,
            **{k: v[start:stop] for k, v in (extra or {}).items()},
        }
    )


def _dask_frame(result: Any, extra: dict[str, np.ndarray] | None, ids: tuple[str, Any] | None = None) -> Any:
    """The result's dask frame (:meth:`~labelwise.audit.chunked.ChunkedLabelIssues.to_dask_frame`)
    with the ``ids`` column after ``row`` and the ``extra`` columns, chunked like it."""
    frame = _texts_typed(result.to_dask_frame())
    if not extra and ids is None:
        return frame
    import dask.array as da
    import dask.dataframe as dd

    chunks = result.label_codes.chunks
    named = {**({} if ids is None else {ids[0]: ids[1]}), **(extra or {})}
    added = [
        dd.from_dask_array(v.rechunk(chunks) if _lazy(v) else da.from_array(v, chunks=chunks), columns=k)
        for k, v in named.items()
    ]
    joined = dd.concat([frame, *added], axis=1)
    if ids is not None:  # right after row, as in issues.csv
        joined = joined[["row", ids[0], *[c for c in joined.columns if c not in ("row", ids[0])]]]
    return _texts_typed(joined)


def _write_parts_here(
    result: Any, extra: dict[str, np.ndarray] | None, tmp: Path, ids: tuple[str, Any] | None = None
) -> None:
    """One Parquet part per row chunk, each chunk's columns computed in this process (Dask's
    synchronous scheduler: the chunks are persisted here, picking them out is all that is left) and
    written with the schema and the pandas metadata Dask's ``to_parquet`` gives the same frame."""
    import dask
    import pyarrow as pa
    import pyarrow.parquet as pq
    from dask.dataframe.dispatch import pyarrow_schema_dispatch

    frame = _dask_frame(result, extra, ids)
    schema = pyarrow_schema_dispatch(frame._meta_nonempty).remove_metadata()  # as to_parquet infers it
    dtypes = frame.dtypes.to_dict()
    columns = [getattr(result, c) for c in _COLUMNS]
    sizes = result.label_codes.chunks[0]
    if ids is not None:  # the ids' chunks as the audit's (numpy: sliced here)
        ids = (ids[0], ids[1].rechunk((sizes,)) if _lazy(ids[1]) else ids[1])
    shown = current_stage()
    if shown is not None:  # the stage counts the parts, known before the first: not the tasks picking them
        shown.add(len(sizes))
    uncounted = {} if shown is None else {"callbacks": ()}
    tmp.mkdir()
    start = 0
    for i, rows in enumerate(sizes):
        lazy_ids = () if ids is None or not _lazy(ids[1]) else (ids[1].blocks[i],)
        values = dask.compute(*(c.blocks[i] for c in columns), *lazy_ids, scheduler="sync", **uncounted)
        first = None if ids is None else {ids[0]: values[-1] if lazy_ids else ids[1][start : start + rows]}
        picked = dict(zip(_COLUMNS, values[: len(_COLUMNS)], strict=True))
        block = _block(start, picked, extra, first).astype(dtypes)
        table = pa.Table.from_pandas(block, nthreads=1, preserve_index=False, schema=schema)
        pq.write_table(table, tmp / f"part.{i}.parquet", compression="snappy")
        start += rows
        if shown is not None:
            shown.advance()
