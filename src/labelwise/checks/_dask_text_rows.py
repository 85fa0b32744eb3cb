"""Texts given as a dask DataFrame or Series, kept on the workers: what ``exact_duplicate`` reads of them.

``find_data_issues(texts=<dask>)`` never brings the texts to the client. One pass per partition
counts its rows and finds its first value that is neither a string nor missing (refused as
:func:`~labelwise.checks._inputs.check_texts` refuses it in memory); ``exact_duplicate`` then reads
a 64-bit hash of each row's texts (:func:`~labelwise.checks.exact_duplicate.text_hashes`, the
in-memory hash: missing values as ``None``) and, to rule out hash collisions, the texts of the rows
that share their hash with another row, fetched from the partitions that hold them
(:meth:`DaskTexts.take`). ``near_duplicate_text`` runs its MinHash passes per partition
(:mod:`._dask_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from ..errors import InvalidParameterError
from ._inputs import text_cells
from .exact_duplicate import text_hashes


def object_rows(part: Any) -> tuple[np.ndarray, tuple[int, str, str] | None]:
    """A partition's texts as an ``(rows, m)`` object array, ``None`` where missing, and its first
    value neither text nor missing as ``(row in the partition, column, value)``."""
    frame = part.to_frame() if isinstance(part, pd.Series) else part
    arr = frame.to_numpy(dtype=object)
    out, bad = text_cells(arr)
    if bad is not None:
        row, col = divmod(bad, arr.shape[1])
        return out, (row, str(frame.columns[col]), show(out[row, col]))
    return out, None


def _summary(part: Any) -> tuple[int, int, Any]:
    rows, bad = object_rows(part)
    return rows.shape[0], rows.shape[1], bad


def _hashes(part: Any) -> np.ndarray:
    return text_hashes(object_rows(part)[0])


def _rows_at(part: Any, at: np.ndarray) -> np.ndarray:
    return object_rows(part)[0][at]


@dataclass(frozen=True)
class DaskTexts:
    """The rows' texts as a dask DataFrame (a column each) or Series, held on the workers.

    Attributes
    ----------
    frame : dask DataFrame or Series
    lengths : numpy.ndarray
        Rows of each partition.
    width : int
        Text columns.
    """

    frame: Any
    lengths: np.ndarray
    width: int

    @classmethod
    def of(cls, texts: Any) -> DaskTexts:
        """``texts`` checked partition by partition: a dask DataFrame or Series of strings or
        missing values (the first other value is an error naming its row and column)."""
        if not hasattr(texts, "divisions"):  # a dask array has none
            raise InvalidParameterError(
                f"texts given as dask must be a dask DataFrame or Series, got {type(texts).__name__}: "
                "make one with dask.dataframe (e.g. dd.from_dask_array)"
            )
        from dask import delayed

        from .._stage_progress import compute, step

        with step("texts: rows counted and checked"):
            found = compute(*[delayed(_summary)(p) for p in texts.to_delayed()])
        lengths = np.array([f[0] for f in found], dtype=np.int64)
        starts = np.r_[0, np.cumsum(lengths)]
        for p, (_, _, bad) in enumerate(found):
            if bad is not None:
                raise InvalidParameterError(
                    f"texts must hold strings (or missing values), got {bad[2]} at row {starts[p] + bad[0]}, "
                    f"column {bad[1]!r}"
                )
        if int(lengths.sum()) < 1:
            raise InvalidParameterError("texts must have at least one row, got an empty dask collection")
        return cls(texts, lengths, int(found[0][1]) if found else 1)

    def __len__(self) -> int:
        return int(self.lengths.sum())

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, text columns)``, as the in-memory texts' array."""
        return len(self), self.width

    def hash_blocks(self) -> list[Any]:
        """Each partition's row hashes (:func:`~labelwise.checks.exact_duplicate.text_hashes`) as a
        ``dask.delayed`` value, computed on the workers."""
        from dask import delayed

        return [delayed(_hashes, pure=True)(p) for p in self.frame.to_delayed()]

    def hashes(self) -> np.ndarray:
        """Every row's text hash, brought to the client (8 bytes a row; the texts stay)."""
        from .._stage_progress import compute, step

        with step("texts: row hashes"):
            parts = compute(*self.hash_blocks())
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)

    def hash_array(self, chunks: tuple[int, ...]) -> Any:
        """The rows' text hashes as a dask array with row chunks ``chunks`` (kept on the workers)."""
        import dask.array as da

        blocks = [
            da.from_delayed(h, shape=(int(m),), dtype=np.uint64)
            for h, m in zip(self.hash_blocks(), self.lengths, strict=True)
        ]
        return da.concatenate(blocks).rechunk({0: chunks})

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The texts of ``rows`` (sorted, unique) as an ``(len(rows), m)`` object array, fetched
        from the partitions that hold them."""
        from dask import delayed

        from .._stage_progress import compute

        rows = np.asarray(rows, dtype=np.int64)
        starts = np.r_[0, np.cumsum(self.lengths)]
        part = np.searchsorted(starts, rows, side="right") - 1
        tasks, where = [], []
        for p, block in enumerate(self.frame.to_delayed()):
            mine = np.flatnonzero(part == p)
            if mine.size:
                tasks.append(delayed(_rows_at)(block, rows[mine] - starts[p]))
                where.append(mine)
        out = np.empty((rows.shape[0], self.width), dtype=object)
        for mine, values in zip(where, compute(*tasks), strict=True):
            out[mine] = values
        return out
