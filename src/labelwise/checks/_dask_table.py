"""The check features of a dask DataFrame with category, string, boolean, nullable or date columns.

Two passes over the partitions, as :mod:`labelwise.checks._table_features` does in memory:

1. each partition's statistics (:func:`~labelwise.checks._table_stats.block_stats`: its
   categories and their counts, its earliest dates, its missing cells), added up on the client
   (:func:`~labelwise.checks._table_stats.merged`: a few numbers per column, and each categorical
   column's distinct values with their counts); the encoder is fitted on them
   (:func:`~labelwise.checks._table_encoding.fit_encoding`), with the in-memory errors (free text,
   containers, an empty column, durations), their rows counted over the whole table;
2. each partition encoded by that one fitted encoder on the workers: the features, and the
   categorical columns' codes for ``exact_duplicate``. The encoder is the whole table's, so the
   features are the in-memory ones for any partitioning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._stage_progress import compute, step
from ..columns import ColumnRoles
from ._table_encoding import TableEncoding, fit_encoding
from ._table_features import check_unique_columns, encoding_line, missing_error
from ._table_roles import table_roles
from ._table_stats import TableStats, block_stats, merged


@dataclass(frozen=True)
class DaskTable:
    """A dask DataFrame's check features.

    Attributes
    ----------
    X : dask array of float64, shape (n, d)
        One chunk per partition; NaN where a cell is missing.
    keys : dask array of int64, shape (n, m), or None
        The categorical columns' codes (-1: missing), chunked like ``X``.
    names : tuple of str
    encoding : dict
        As ``info["feature_encoding"]`` in memory (without ``line``).
    stats : TableStats
        The whole table's statistics.
    roles : ColumnRoles
        The columns ``infer_column_roles`` would drop, found from ``stats`` (:mod:`._table_roles`),
        for ``identifier_column``.
    """

    X: Any
    keys: Any
    names: tuple[str, ...]
    encoding: dict[str, Any]
    stats: TableStats
    roles: ColumnRoles

    def missing_error(self) -> Any:
        return missing_error(self.stats)

    def line(self) -> str:
        return encoding_line(self.encoding)


def dask_table_features(frame: Any) -> DaskTable:
    """Encode a dask DataFrame's columns partition by partition with the whole table's encoder."""
    import dask

    check_unique_columns(frame.columns)
    parts = frame.to_delayed()
    with step("features: the table's categories and dates"):
        blocks = compute(*[dask.delayed(block_stats)(p) for p in parts])
    stats = merged(list(blocks))
    encoding = fit_encoding(stats, frame.dtypes)
    X, keys = _encoded(parts, [b.rows for b in blocks], encoding)
    roles = table_roles(stats, frame.dtypes, encoding.kinds)
    return DaskTable(X=X, keys=keys, names=encoding.names, encoding=encoding.record(), stats=stats, roles=roles)


def _encoded(parts: list[Any], sizes: list[int], encoding: TableEncoding) -> tuple[Any, Any]:
    """The features and codes of each partition, as dask arrays of one chunk per partition."""
    import dask
    import dask.array as da

    width, m = len(encoding.names), len(encoding.kinds["categorical"])
    fitted = dask.delayed(encoding, pure=True)  # in the graph once, not in every partition's task
    done = [dask.delayed(_encode, nout=2)(p, fitted) for p in parts]
    X = da.concatenate(
        [da.from_delayed(x, shape=(rows, width), dtype=np.float64) for (x, _), rows in zip(done, sizes, strict=True)]
    )
    if not m:
        return X, None
    keys = da.concatenate(
        [da.from_delayed(k, shape=(rows, m), dtype=np.int64) for (_, k), rows in zip(done, sizes, strict=True)]
    )
    return X, keys


def _encode(part: Any, encoding: TableEncoding) -> tuple[np.ndarray, np.ndarray]:
    X, keys = encoding.encode(part)
    return X, np.zeros((X.shape[0], 0), dtype=np.int64) if keys is None else keys
