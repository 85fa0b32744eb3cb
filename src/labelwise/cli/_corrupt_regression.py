"""``labelwise corrupt --task regression``: outlying targets (:func:`labelwise.noise.corrupt_targets`).

``--noise shift``, ``decimal``, ``swap`` or ``mixed`` (the default) corrupts a share ``--rate`` of the
numeric label column as ``lw.noise.corrupt_targets(y, rate=..., kind=..., magnitude=..., random_state=seed)``
does. A corrupted cell of a CSV copy is written as Python writes the float (the shortest text that
reads back as the same number), a whole number in a column of whole numbers without ``.0``; every
other cell stays as written.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import InvalidLabelsError
from ..noise import OUTLIER_KINDS, corrupt_targets
from . import _corrupt_files as files
from ._common import renaming

#: ``--noise`` kinds of ``--task regression``; ``mixed`` when ``--noise`` is not given.
REGRESSION_KINDS = OUTLIER_KINDS
DEFAULT_REGRESSION_KIND = "mixed"


def numeric_targets(column: pd.Series, label: str) -> np.ndarray:
    """The label column as finite floats, or an error naming ``--label`` and the first bad row."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        row = int(bad[0])
        raise InvalidLabelsError(
            f"--label column {label!r} must hold a finite number on every row for --task regression, row {row} "
            f"holds {show(column.iloc[row])}"
        )
    return values


def _written(values: np.ndarray, dtype: Any) -> pd.Series:
    """Corrupted targets in the column's dtype where they fit it exactly (whole numbers in an integer
    column), else as floats."""
    series = pd.Series(values)
    if pd.api.types.is_integer_dtype(dtype) and np.all(values == np.round(values)):
        return series.astype(dtype)
    return series


def corrupt_regression(
    frame: pd.DataFrame,
    raw: files.Cells | None,
    label: str,
    *,
    kind: str,
    rate: float,
    magnitude: float,
    seed: int,
    names: dict[str, str | None],
) -> tuple[Any, Any, dict[str, Any]]:
    """The corrupted table, the truth table (id or row, ``true_label``, ``label``, ``is_corrupted``) and
    the summary's counts; ``raw`` (DATA's cells as written) or the typed ``frame``."""
    truth_values = numeric_targets(frame[label], label)
    with renaming({"rate": "--rate", "magnitude": "--magnitude", "kind": "--noise"}):
        result = corrupt_targets(truth_values, rate=rate, kind=kind, magnitude=magnitude, random_state=seed)
    changed = result.is_corrupted
    if raw is not None:
        noisy: Any = np.array(files.texts(raw[label]), dtype=object, copy=True)
        whole = pd.api.types.is_integer_dtype(frame[label].dtype)  # 7.0 in a column of whole numbers: 7
        noisy[changed] = [str(int(v)) if whole and v == int(v) else repr(float(v)) for v in result.labels[changed]]
        table: Any = {**raw, label: noisy}
        true_column: Any = files.texts(raw[label])
        marks: Any = np.where(changed, "True", "False")
        key = files.texts(raw[names["id_column"]]) if names["id_column"] else np.arange(changed.size)
    else:
        noisy = _written(result.labels, frame[label].dtype).set_axis(frame.index)
        table = frame.copy()
        table[label] = noisy
        true_column, marks = frame[label], changed
        key = frame[names["id_column"]] if names["id_column"] else np.arange(changed.size)
    if names["truth_column"] is not None:
        table[names["truth_column"]] = true_column
    truth = {
        names["id_column"] or "row": np.asarray(key),
        "true_label": np.asarray(true_column),
        "label": np.asarray(noisy),
        "is_corrupted": marks,
    }
    change = np.abs(result.labels - truth_values)[changed]
    counts = {
        "n_rows": int(changed.size),
        "n_corrupted": int(changed.sum()),
        "rate_realised": float(changed.mean()),
        "n_drawn": int(round(rate * changed.size)),
        "magnitude": magnitude,
        "target_std": float(truth_values.std()),
        "mean_abs_change": float(change.mean()) if change.size else 0.0,
        "max_abs_change": float(change.max()) if change.size else 0.0,
    }
    return table, (truth if raw is not None else pd.DataFrame(truth)), counts
