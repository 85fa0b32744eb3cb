"""Nested sequences to numpy arrays, with the labelwise error a ragged row deserves; the rows of a feature table."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidProbabilitiesError


def as_rows_array(values: Any, name: str) -> np.ndarray:
    """``np.asarray(values)``; rows of different lengths (a list of lists, e.g. parsed model output)
    raise :class:`InvalidProbabilitiesError` naming ``name``, the first short or long row and the
    lengths, instead of numpy's "inhomogeneous shape" error."""
    try:
        return np.asarray(values)
    except ValueError:
        lengths = [len(row) if hasattr(row, "__len__") else 1 for row in values]
        first = lengths[0]
        bad = next((i for i, n in enumerate(lengths) if n != first), None)
        if bad is None:
            raise
        raise InvalidProbabilitiesError(
            f"{name} must have the same number of values in every row (one per class); row 0 has {first}, "
            f"row {bad} has {lengths[bad]}"
        ) from None


def n_rows(X: Any) -> int:
    """Rows of a feature table or array (``shape[0]``), or of a list of rows (``len``)."""
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) > 0 else len(X)
