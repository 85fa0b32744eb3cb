"""A table's named index as columns: what a Parquet file written by pandas with ``df.set_index("id")`` holds.

``pd.read_parquet`` restores such a column as the frame's index (a named ``RangeIndex`` is kept in
pandas' metadata only, not as a column). Every reader of a data table
(:func:`labelwise.io.read_table`, :func:`labelwise.io.parquet_parts.read_parquet_folder`, ``augment``'s
batches) turns it back into a column, so that a user's ``item_id`` is a column for every command,
as it is in the CSV file written from the same frame: named by ``--id-column`` or ``--label``, copied
to the outputs, and never taken for row numbers. Every named level of a two-level index
(``df.set_index(["sample", "kind"])``) is a column too; Dask's reader (``--scheduler``) runs this
function on each partition it reads (``cli._dask_parquet``), so it gives the same columns.
"""

from __future__ import annotations

from .._heavy import pandas as pd

__all__ = ["index_as_columns"]


def index_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its named index levels as its first columns and row numbers ``0..n-1`` as index.

    What ``frame.reset_index()`` gives, but for an unnamed index: one other than ``0..n-1`` (rows
    kept by a filter before writing) is dropped, as a CSV file would not hold it (``reset_index``
    would make it a column named ``index``); a level named as one of the columns is dropped too
    (the column holds it). A frame already on ``0..n-1`` is returned as it is.
    """
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.name is None and index.start == 0 and index.step == 1:
        return frame
    named = [name for name in index.names if name is not None and name not in frame.columns]
    if named:
        frame = frame.reset_index(level=named)
    return frame.reset_index(drop=True)
