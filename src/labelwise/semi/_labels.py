"""Splitting a self-training target into given labels and the unlabeled marker."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import DataConversionWarning

from .._caller import warn_at_caller
from .._validate.labels import label_values
from ..errors import InvalidLabelsError

__all__ = ["split_unlabeled"]


def split_unlabeled(y: Any, unlabeled_value: Any, *, name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """Return ``y`` as a 1-D array and the mask of unlabeled entries.

    Unlabeled entries equal ``unlabeled_value`` or are missing (``None``/``NaN``).
    """
    if isinstance(y, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        arr = label_values(y)  # Int64 with <NA>: its ints, not floats
    else:
        arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warn_at_caller(
            DataConversionWarning(
                "A column-vector y was passed when a 1d array was expected. Please change the shape of y "
                "to (n_samples,), for example using ravel()."
            )
        )
        arr = arr.ravel()
    if arr.ndim != 1:
        raise InvalidLabelsError(f"{name} must be one-dimensional (one label per example), got shape {arr.shape}")
    if arr.dtype.kind in "US":
        arr = arr.astype(object)
    missing = pd.isna(arr) if arr.dtype.kind in "fOcmM" else np.zeros(arr.shape, dtype=bool)
    if unlabeled_value is None or (isinstance(unlabeled_value, float) and np.isnan(unlabeled_value)):
        marked = np.zeros(arr.shape, dtype=bool)
    elif arr.dtype.kind == "O":  # compared where present: <NA> == -1 is <NA>, neither True nor False
        marked = np.zeros(arr.shape, dtype=bool)
        marked[~missing] = np.asarray(arr[~missing] == unlabeled_value, dtype=bool)
    elif arr.dtype.kind in "iufb" and isinstance(unlabeled_value, (numbers.Number, np.number)):
        marked = arr == unlabeled_value
    else:
        marked = np.asarray(arr.astype(object) == unlabeled_value, dtype=bool)
    return arr, np.asarray(missing, dtype=bool) | marked
