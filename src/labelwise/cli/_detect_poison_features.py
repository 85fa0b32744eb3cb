"""``labelwise detect-poison``'s features: ``--features`` memory-mapped, or DATA's numeric columns, and the
columns of DATA that are then not read (named on screen and in summary.json, never dropped in silence)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._heavy import pandas as pd
from ..errors import InvalidParameterError, ShapeMismatchError
from ._common import load_npy


def data_features(
    frame: pd.DataFrame, label: str, path: Path | None, *others: str | None
) -> tuple[object, list[str] | None]:
    """``--features`` memory-mapped (one row per row of DATA), else DATA's numeric columns (not
    ``--label``, not ``--id-column`` nor ``--source-column``)."""
    if path is not None:
        arr = load_npy(Path(path), "--features", mmap=True)
        if arr.ndim != 2 or arr.shape[0] != len(frame):
            raise ShapeMismatchError(
                f"--features must have shape (n_rows, d) = ({len(frame)}, d) to match the data, got {arr.shape}"
            )
        return arr, None
    numeric = frame.drop(columns=[c for c in (label, *others) if c is not None]).select_dtypes("number")
    if numeric.shape[1] == 0:
        unread = unread_columns(frame, label, *others)
        raise InvalidParameterError(
            f"DATA has no numeric feature columns besides --label {label!r}"
            + (f" (not numeric: {_listed(unread)})" if unread else "")
            + "; pass --features emb.npy (one row of representation values per row of DATA)"
        )
    missing = numeric.isna().to_numpy()
    if missing.any():
        row, col = np.argwhere(missing)[0]
        raise InvalidParameterError(
            f"DATA feature columns must have no missing values, got {numeric.iat[row, col]} in column "
            f"{str(numeric.columns[col])!r} at row {int(row)}; drop or fill such rows, or pass --features emb.npy"
        )
    return numeric.to_numpy(dtype=float), [str(c) for c in numeric.columns]


def unread_columns(frame: pd.DataFrame, label: str, *others: str | None) -> dict[str, str]:
    """DATA's columns that are not numbers (text, dates, true/false) and so are no feature: name -> dtype.

    ``--label``, ``--id-column`` and ``--source-column`` are read for what they are and are not listed.
    """
    named = {c for c in (label, *others) if c is not None}
    return {
        str(c): str(frame[c].dtype)
        for c in frame.columns
        if c not in named and not (pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c]))
    }


def _listed(unread: dict[str, str]) -> str:
    shown = [f"{name!r} ({dtype})" for name, dtype in list(unread.items())[:8]]
    return ", ".join(shown) + (f" and {len(unread) - 8} more" if len(unread) > 8 else "")


def unread_notice(unread: dict[str, str]) -> str | None:
    """A notice naming DATA's columns not read as features (None when every column is read)."""
    if not unread:
        return None
    return (
        f"{len(unread)} column(s) of DATA are not numbers and are not read as features: {_listed(unread)}; "
        "encode them as numbers to use them, name an id with --id-column, or pass --features emb.npy"
    )
