"""Row-wise operations on tall items x classes arrays, column by column where the classes are few."""

from __future__ import annotations

import numpy as np

__all__ = ["FEW_COLUMNS", "columnwise"]

#: Most columns for which :func:`columnwise` works column by column.
FEW_COLUMNS = 5


def columnwise(ufunc: np.ufunc, out: np.ndarray, operand: np.ndarray) -> None:
    """``ufunc(out, operand, out=out)`` for an (n, K) ``out`` and an ``operand`` of shape (n, 1) (one value per row)
    or (K,) (one per column): column by column when K is at most :data:`FEW_COLUMNS` (numpy's broadcast runs one
    inner loop of K entries per row, several times slower on tall items x classes arrays), the same operations."""
    k = out.shape[1]
    if k > FEW_COLUMNS:
        ufunc(out, operand, out=out)
        return
    for j in range(k):
        column = out[:, j]
        ufunc(column, operand[:, 0] if operand.ndim == 2 else operand[j], out=column)
