"""A table's named index as columns: what a Parquet file written by pandas with ``df.set_index("id")`` holds.

``pd.read_parquet`` restores such a column as the frame's index, where the commands that copy DATA
(``corrupt``, ``augment``) would lose it on writing (they write tables without their index) and
``augment`` would take its values for row numbers.
"""

from __future__ import annotations

from .._heavy import pandas as pd

__all__ = ["index_as_columns"]


def index_as_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its named index levels as its first columns and row numbers ``0..n-1`` as index.

    An unnamed index other than ``0..n-1`` (rows kept by a filter before writing) is dropped, as a
    CSV file would not hold it; a level named as one of the columns is dropped too (the column
    holds it). A frame already on ``0..n-1`` is returned as it is.
    """
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.name is None and index.start == 0 and index.step == 1:
        return frame
    named = [name for name in index.names if name is not None and name not in frame.columns]
    if named:
        frame = frame.reset_index(level=named)
    return frame.reset_index(drop=True)
