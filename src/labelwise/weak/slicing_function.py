"""Slicing functions: a rule that says whether a row belongs to a slice of the data that matters.

A slicing function (SF) marks a subset of rows ("short messages", "night-time images") on which a
model or the labels are judged on their own (Chen et al. 2019). It is written as a labeling
function is (:mod:`labelwise.weak.labeling_function`): a row function takes one row (a named tuple,
``row.text``) and returns True or False; a vectorised one (``vectorized=True``) takes the whole
DataFrame (or a partition of it) and returns one boolean per row. Both are applied by the labeling
functions' applier (:func:`labelwise.weak.apply_slices`), which names the function and the row of
any error.

References
----------
.. [1] Chen, V. S., Wu, S., Weng, Z., Ratner, A., & Ré, C. (2019). Slice-based learning: A
   programming model for residual learning in critical data slices. NeurIPS 32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .._validate.arguments import show
from .labeling_function import LabelingFunction, check_resources, decorate
from .preprocessor import check_pre

__all__ = ["SlicingFunction", "slicing_function"]


@dataclass(frozen=True)
class SlicingFunction(LabelingFunction):
    """A named rule returning True for the rows of its slice.

    Attributes
    ----------
    name : str
        The slice's name (unique among the SFs applied together).
    func : callable
        ``func(row) -> bool`` or, when ``vectorized``, ``func(frame) -> array of bools``.
    abstain : bool
        Always False: a row outside the slice is the function's "no vote".
    vectorized : bool
        Whether ``func`` takes the whole DataFrame.
    """

    abstain: Any = False
    kind: ClassVar[str] = "slicing function"

    def checked(self, values: np.ndarray, index: pd.Index) -> np.ndarray:
        """``values`` as booleans; a value other than True/False (or 1/0) is an error naming the row."""
        from .apply import LabelingFunctionError

        values = np.asarray(values)
        if values.dtype == bool:
            return values
        if values.dtype.kind in "iuf":
            ok = (values == 0) | (values == 1)
        else:
            ok = np.fromiter((_is_bool(v) for v in values.reshape(-1)), dtype=bool, count=values.size)
        if not ok.all():
            row = int(np.flatnonzero(~ok)[0])
            raise LabelingFunctionError(
                f"slicing function {self.name!r} returned {show(values[row])} on row {show(index[row])}, expected "
                "True or False (whether the row is in the slice)",
                row=index[row],
                position=row,
            )
        return values.astype(bool)


def _is_bool(value: Any) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    return isinstance(value, (int, np.integer)) and value in (0, 1)


def slicing_function(
    func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    vectorized: bool = False,
    pre: Any = None,
    resources: Any = None,
) -> Any:
    """Turn a function into a :class:`SlicingFunction` (usable as ``@slicing_function`` or with options).

    Parameters
    ----------
    func : callable, optional
        The rule; given when the decorator is used without parentheses.
    name : str, optional
        The slice's name (default: the function's ``__name__``).
    vectorized : bool, default False
        ``True`` when the function takes the DataFrame and returns one boolean per row.
    pre : list of Preprocessor, optional
        Preprocessors whose fields the function reads, run once per frame
        (:func:`labelwise.weak.preprocessor`).
    resources : dict, optional
        Keyword arguments for every call, ``func(row, **resources)``.

    Returns
    -------
    SlicingFunction, or a decorator that makes one.

    Examples
    --------
    >>> from labelwise import weak
    >>> @weak.slicing_function()
    ... def has_link(row):
    ...     return "http" in row.text
    >>> @weak.slicing_function(vectorized=True)
    ... def short(df):
    ...     return df.text.str.len() < 10
    >>> has_link.name, short.vectorized
    ('has_link', True)
    """
    before = check_pre(pre)
    return decorate(
        func,
        name,
        vectorized,
        "slicing_function",
        "sf",
        lambda n, f: SlicingFunction(n, f, False, vectorized, before, check_resources(resources, f)),
    )
