"""One value per row of a frame from what a vectorised function returned.

A pandas Series is matched to the frame's rows by its index, with the rule every pandas input of
labelwise that is matched by index follows (:func:`labelwise._validate.row_alignment.unmatched`): a
function that sorts, filters and concatenates (``pd.concat([s[mask], s[~mask]])``) returns the
frame's rows in another order, and reading it by position would give rows other rows' values
without a word. A Series whose index holds other keys, or repeats one, is refused.

One case differs from :func:`~labelwise._validate.row_alignment.align_rows`, on purpose: a Series
indexed ``0..n-1`` (a ``RangeIndex``) beside a frame with another index is read by position, where
``align_rows`` refuses it for holding other keys. ``align_rows`` pairs two inputs the user gave,
each indexed by its rows, so other keys there mean other rows. Here the Series is built inside a
labeling function, and ``pd.Series(array)`` (or ``reset_index(drop=True)``) gives it ``0..n-1``
whatever the frame's index: that Series means "one value per row, in the frame's order", the reading
labelwise gave it before it matched by index and that docs/weak.md promises. Anything that is not a
Series is read by position too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .._validate.row_alignment import unmatched


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
    problem = unmatched(index, got)
    if problem is None:
        return np.asarray(values.reindex(index).to_numpy())
    if problem.repeated_in == "reference":
        said = f"the frame's index repeats {show(problem.repeated)}, so its rows cannot be matched by index"
    elif problem.repeated_in:
        said = f"its index repeats {show(problem.repeated)}"
    else:  # same length, no repeats: keys of its own stand for keys the frame has
        said = f"{len(problem.extra)} of its index keys are not rows of the frame (first: {show(problem.extra[0])})"
    raise error(
        f"{what} returned a Series whose index is not the frame's: {said}. A Series is matched to the "
        "rows by its index (in any order); return it with the frame's index, or an array (.to_numpy()) "
        "for one value per row in the frame's order"
    )


def _built_from_array(got: pd.Index) -> bool:
    """A default ``RangeIndex`` ``0..n-1``: a Series made from an array, meant by position."""
    return isinstance(got, pd.RangeIndex) and got.start == 0 and got.step == 1
