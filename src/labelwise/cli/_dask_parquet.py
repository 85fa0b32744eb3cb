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
"""

from __future__ import annotations

from typing import Any

from dask.dataframe.io.parquet.arrow import ArrowDatasetEngine

from ..io.index_columns import index_as_columns

__all__ = ["IndexAsColumns"]


class IndexAsColumns(ArrowDatasetEngine):
    """``dd.read_parquet(path, engine=IndexAsColumns)``: the file's index levels as columns, as in memory."""

    @classmethod
    def _arrow_table_to_pandas(cls, arrow_table: Any, categories: Any, *args: Any, **kwargs: Any) -> Any:
        """Dask's conversion (its string types, pandas' metadata applied), then the index as columns."""
        return index_as_columns(super()._arrow_table_to_pandas(arrow_table, categories, *args, **kwargs))

    @classmethod  # Dask's ArrowDatasetEngine.read_partition already differs from its base Engine's signature
    def read_partition(cls, fs: Any, pieces: Any, columns: Any, index: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Dask's read of one partition, told that its index is the default one the conversion left (Dask's
        ``index`` is ``None`` for a file that stores no index, and it would reset that in place)."""
        return super().read_partition(fs, pieces, columns, index or [None], **kwargs)
