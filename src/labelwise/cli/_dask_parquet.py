"""Dask's Parquet reader with every pandas index read as columns, as labelwise's in-memory readers read it.

Dask's pyarrow engine (``dask.dataframe.io.parquet.arrow.ArrowDatasetEngine``) turns the index pandas
stored in a file back into the partitions' index, and then, to read it as columns, resets it in place.
Three things go wrong there with pandas 3.1, each on files users write every day:

- a ``MultiIndex`` with an unnamed level (``KeyError: None of [None] are in the columns``) or a level
  named as a data column (``cannot insert x, already exists``) does not read at all;
- a file that stores no index (``df.to_parquet(path, index=False)``, or written by pyarrow, Spark or
  polars without pandas' metadata) reads, but every partition's read calls
  ``df.reset_index(drop=True, inplace=True)`` (``arrow.py``'s ``read_partition``), which pandas 3.1
  deprecates with a ``Pandas4Warning`` at each compute;
- a named index gives the same warning when Dask's meta is made (``meta.reset_index(inplace=True)``).

:class:`IndexAsColumns` is that engine (Dask's extension point for engines, as ``dask_cudf``'s is) with
the pandas conversion of each table followed by :func:`labelwise.io.index_columns.index_as_columns`:
each partition and Dask's meta are already the in-memory readers' columns (named levels first, unnamed
levels and levels a column holds dropped) on a ``RangeIndex``. Dask is then told the partitions' index
is that unnamed default (``[None]``, what it is told for a file with pandas' default ``RangeIndex``), so
it neither moves an index nor resets one. Nothing is silenced: no deprecated call is made.

A named ``RangeIndex`` (``df.rename_axis("row").to_parquet(...)``) is kept in pandas' metadata only, as start,
stop and step: pyarrow restores it only for a table of the file's length, so Dask's meta (an empty table) lacked
the column and a partition of some of a file's row groups would number its rows anew. The engine adds it to the
meta where the in-memory reader has it (first, as :func:`labelwise.io.index_columns.index_as_columns` puts a
named index), and gives each partition its rows' values from the footer of each file it reads
(:func:`labelwise.io.parquet_parts.range_values`): each part's own range, through the file, as in memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from dask.dataframe.io.parquet.arrow import ArrowDatasetEngine

from ..io.index_columns import index_as_columns
from ..io.parquet_parts import range_index, range_values

__all__ = ["IndexAsColumns"]


class IndexAsColumns(ArrowDatasetEngine):
    """``dd.read_parquet(path, engine=IndexAsColumns)``: the file's index levels as columns, as in memory."""

    @classmethod
    def _arrow_table_to_pandas(cls, arrow_table: Any, categories: Any, *args: Any, **kwargs: Any) -> Any:
        """Dask's conversion (its string types, pandas' metadata applied), then the index as columns."""
        return index_as_columns(super()._arrow_table_to_pandas(arrow_table, categories, *args, **kwargs))

    @classmethod
    def _create_dd_meta(cls, dataset_info: dict[str, Any]) -> Any:
        """Dask's meta, with the named ``RangeIndex`` of the dataset's pandas metadata as its first column."""
        meta = super()._create_dd_meta(dataset_info)
        index = range_index(dataset_info["schema"])
        if index is not None and index["name"] not in meta.columns:  # an empty range is restored already
            meta.insert(0, index["name"], np.empty(0, dtype=np.int64))
        return meta

    @classmethod  # Dask's ArrowDatasetEngine.read_partition already differs from its base Engine's signature
    def read_partition(cls, fs: Any, pieces: Any, columns: Any, index: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Dask's read of one partition, told that its index is the default one the conversion left (Dask's
        ``index`` is ``None`` for a file that stores no index, and it would reset that in place); a named
        ``RangeIndex`` asked for is no stored column: its values come from the footers of the files read."""
        schema = kwargs.get("schema")
        ranged = None if schema is None else range_index(schema)
        if ranged is None or ranged["name"] not in columns:
            return super().read_partition(fs, pieces, columns, index or [None], **kwargs)
        name = ranged["name"]
        frame = super().read_partition(fs, pieces, [c for c in columns if c != name], index or [None], **kwargs)
        frame.insert(list(columns).index(name), name, _range_of(fs, pieces, name))
        return frame


def _range_of(fs: Any, pieces: Any, name: str) -> np.ndarray:
    """The range ``name`` for the rows of Dask's ``pieces`` (each ``(path, row_groups, keys)``), in order."""
    import pyarrow.parquet as pq

    values = []
    for piece in pieces if isinstance(pieces, list) else [pieces]:
        path, groups = (piece, None) if isinstance(piece, str) else (piece[0], piece[1])
        groups = list(groups) if isinstance(groups, (list, tuple)) else [groups]
        path = getattr(path, "path", path)  # a pyarrow fragment
        with fs.open(path, "rb") as file:
            footer = pq.ParquetFile(file).metadata
        values.append(range_values(footer, name, None if groups == [None] else groups, f"Parquet part {str(path)!r}"))
    return np.concatenate(values)
