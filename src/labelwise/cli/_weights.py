"""``--weight COLUMN`` of ``labelwise train`` and ``pseudolabel``: per-row sample weights taken out of
the features (a column named ``weight`` was otherwise learned from as a feature, silently)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, MissingColumnError

__all__ = ["split_weight", "weight_option"]


def weight_option() -> Callable[[Any], Any]:
    """The ``--weight`` option (stored as ``weight_column``)."""
    return click.option(
        "--weight",
        "weight_column",
        default=None,
        help="Column of per-row sample weights (non-negative numbers; not a feature). Needs a model "
        "that takes sample_weight (not knn).",
    )


def split_weight(features: pd.DataFrame, column: str | None, *, label: str) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The features without ``column`` and its values as float weights (``None`` when not given).

    Raises
    ------
    MissingColumnError
        If ``column`` is not a column of the data (or is the label column).
    InvalidParameterError
        If a weight is missing, not a number, infinite or negative, or every weight is 0; the
        message names the first such row (0-based, as in the data's row order).
    """
    if column is None:
        return features, None
    if column == label:
        raise InvalidParameterError(f"--weight column {column!r} must differ from the --label column, got the same")
    if column not in features.columns:
        raise MissingColumnError(
            f"--weight column {column!r} is not in the data; columns are {[str(c) for c in features.columns]}"
        )
    raw = features[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"--weight column {column!r} must hold finite non-negative numbers, row {row} is {_shown(raw.iloc[row])} "
            f"({int(bad.sum())} such row(s))"
        )
    if not (values > 0).any():
        raise InvalidParameterError(f"--weight column {column!r} must be positive on some row, got 0 on all of them")
    return features.drop(columns=[column]), values


def _shown(value: Any) -> str:
    """A cell as the user wrote it: ``-1.0``, ``'abc'``, ``nan`` (not ``np.float64(-1.0)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)
