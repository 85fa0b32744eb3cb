"""A 2-D array whose rows are computed on demand, for the passes of :mod:`labelwise._chunks`.

Some inputs of the row passes are cheap functions of smaller data: the neighbour votes of the
``label`` check are an ``n x K`` table computed from the ``n x k`` neighbour graph. Materialised,
that table is ``8 n K`` bytes (8 GB at a million rows and a thousand classes); as a
:class:`ComputedRows` each chunk of rows is built when a pass reads it and freed after, so the
memory is that of one chunk per thread. The passes treat it like any in-memory source that is not
a numpy array (a zarr array): they read it by row slices only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .errors import InvalidParameterError

__all__ = ["ComputedRows"]


class ComputedRows:
    """Rows ``start:stop`` of an ``(n_rows, n_cols)`` array are ``fn(start, stop)``, computed when read.

    Parameters
    ----------
    n_rows, n_cols : int
        Shape of the array.
    dtype : numpy dtype
        Of every block ``fn`` returns.
    fn : callable ``(start, stop) -> ndarray of shape (stop - start, n_cols)``
        Must be a pure function of its arguments (the passes call it from several threads and
        may read the same rows more than once).

    Notes
    -----
    Only contiguous row slices (``a[start:stop]``, step 1), single rows (``a[i]``, to name a bad
    row in an error) and ``len`` are supported: that is all the row passes use. ``np.asarray`` of
    the whole object builds every row (avoid it on large inputs).
    """

    ndim = 2

    def __init__(self, n_rows: int, n_cols: int, dtype: Any, fn: Callable[[int, int], np.ndarray]):
        self.shape = (int(n_rows), int(n_cols))
        self.dtype = np.dtype(dtype)
        self._fn = fn

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, int | np.integer) and not isinstance(key, bool):
            i = int(key) + (self.shape[0] if key < 0 else 0)
            if not 0 <= i < self.shape[0]:
                raise IndexError(f"row {key} is out of range for {self.shape[0]} rows")
            return self[i : i + 1][0]
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise InvalidParameterError(
                f"ComputedRows supports row slices with step 1 and single rows only, got {key!r}"
            )
        start, stop, _ = key.indices(self.shape[0])
        stop = max(start, stop)
        block = np.asarray(self._fn(start, stop), dtype=self.dtype)
        if block.shape != (stop - start, self.shape[1]):
            raise InvalidParameterError(
                f"ComputedRows function returned shape {block.shape} for rows {start}:{stop}, "
                f"expected {(stop - start, self.shape[1])}"
            )
        return block

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self[:]
        return out if dtype is None else out.astype(dtype, copy=False)

    def astype(self, dtype: Any) -> ComputedRows:
        """The same rows converted to ``dtype`` as they are computed."""
        fn = self._fn
        return ComputedRows(self.shape[0], self.shape[1], dtype, lambda s, e: np.asarray(fn(s, e), dtype=dtype))
