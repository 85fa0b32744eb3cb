"""One value per row of a frame from what a vectorised function returned.

A pandas Series is matched to the frame's rows by its index, as pandas matches two Series: a
function that sorts, filters and concatenates (``pd.concat([s[mask], s[~mask]])``) returns the
frame's rows in another order, and reading it by position would give rows other rows' values
without a word. A Series indexed ``0..n-1`` beside a frame with another index (one built from an
array, or after ``reset_index(drop=True)``) and anything that is not a Series are read by position.
A Series whose index holds other keys is refused: it names rows the frame does not have.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show


def per_row(values: Any, index: pd.Index, what: str, error: Callable[[str], Exception]) -> np.ndarray:
    """``values`` as an array with one entry per entry of ``index``, in its order.

    ``what`` names the function in the error (``"labeling function 'f' (vectorized)"``); ``error``
    builds the exception from the message. The length is checked by the caller.
    """
    if not isinstance(values, pd.Series):
        return np.asarray(values.to_numpy() if isinstance(values, pd.Index) else values)
    got = values.index
    if got.equals(index) or len(got) != len(index) or _built_from_array(got):
        return np.asarray(values.to_numpy())
    if got.is_unique and index.is_unique and got.isin(index).all():
        return np.asarray(values.reindex(index).to_numpy())
    foreign = got[~got.isin(index)]
    said = (
        f"{len(foreign)} of its index keys are not rows of the frame (first: {show(foreign[0])})"
        if len(foreign)
        else f"its index repeats {show(got[got.duplicated()][0])}"
    )
    raise error(
        f"{what} returned a Series whose index is not the frame's: {said}. A Series is matched to the "
        "rows by its index (in any order); return it with the frame's index, or an array (.to_numpy()) "
        "for one value per row in the frame's order"
    )


def _built_from_array(got: pd.Index) -> bool:
    """A default ``RangeIndex`` ``0..n-1``: a Series made from an array, meant by position."""
    return isinstance(got, pd.RangeIndex) and got.start == 0 and got.step == 1
