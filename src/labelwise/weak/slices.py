"""Apply slicing functions to a pandas or Dask DataFrame -> :class:`SliceMembership`.

The slicing functions run through the labeling functions' applier (:mod:`labelwise.weak.apply`):
one engine for both, so a slice is computed row by row or vectorised, partition by partition on
a Dask frame (tiny partitions in groups), with the same errors naming the function and the row.
The applier's long table (item, function, True) of the rows in each slice becomes a boolean
membership matrix, one column per slice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .apply import _apply_dask, _apply_frame, _check_lfs, _check_unique, _is_dask
from .labeling_function import LabelingFunction
from .slicing_function import SlicingFunction, slicing_function

__all__ = ["SliceMembership", "apply_slices", "slice_dataframe"]


@dataclass(frozen=True)
class SliceMembership:
    """Which rows are in which slice.

    Attributes
    ----------
    matrix : numpy.ndarray of bool, shape (n_items, n_slices)
        ``matrix[i, j]``: row ``i`` is in slice ``j``.
    names : tuple of str
        The slices' names (the slicing functions'), in the order given.
    items : pandas.Index
        The rows' ids (the frame's index; row numbers through the files for ``dd.read_csv``).
    """

    matrix: np.ndarray
    names: tuple[str, ...]
    items: pd.Index

    @property
    def n_items(self) -> int:
        """Number of rows."""
        return int(self.matrix.shape[0])

    @property
    def counts(self) -> pd.Series:
        """Rows in each slice, indexed by slice name."""
        return pd.Series(self.matrix.sum(axis=0).astype(np.int64), index=pd.Index(self.names, name="slice"))

    def mask(self, name: str) -> np.ndarray:
        """The boolean mask of one slice."""
        if name not in self.names:
            raise InvalidParameterError(f"name must be one of the slices {list(self.names)}, got {name!r}")
        return self.matrix[:, self.names.index(name)]

    def to_frame(self) -> pd.DataFrame:
        """One boolean column per slice, indexed by the rows' ids."""
        return pd.DataFrame(self.matrix, index=self.items.rename("item"), columns=list(self.names))


def apply_slices(
    sfs: Sequence[SlicingFunction | Callable[..., Any]],
    df: Any,
    *,
    verbose: bool | None = None,
) -> SliceMembership:
    """Apply slicing functions to every row of a DataFrame.

    Parameters
    ----------
    sfs : list of SlicingFunction (or plain functions, taken as row functions)
        Names must be unique.
    df : pandas.DataFrame or dask.dataframe.DataFrame
        The data, as for :func:`labelwise.weak.apply`: a unique index identifies the rows; a Dask
        frame is sliced partition by partition in one computation (install the ``dask`` extra).
    verbose : bool, optional
        Progress bar (default: only on a terminal).

    Returns
    -------
    SliceMembership
        ``matrix`` (n, m) of bools, ``names``, ``items``, ``counts`` and ``to_frame()``.

    Raises
    ------
    LabelingFunctionError
        A function raised (names it and the row), returned the wrong number of values, or a value
        other than True / False (1 / 0), missing values included.
    InvalidParameterError
        Two functions share a name, ``sfs`` is empty or holds a labeling function, ``df`` has no
        rows or is not a DataFrame.
    ShapeMismatchError
        The index of ``df`` is not unique.

    Examples
    --------
    >>> import pandas as pd
    >>> from labelwise import weak
    >>> @weak.slicing_function(vectorized=True)
    ... def short(df):
    ...     return df.text.str.len() < 6
    >>> weak.apply_slices([short], pd.DataFrame({"text": ["hi", "hello there"]})).counts.to_dict()
    {'short': 1}
    """
    checked = _check_lfs(sfs, make=slicing_function, cls=SlicingFunction, name="sfs")
    if verbose is not None and not isinstance(verbose, (bool, np.bool_)):
        raise InvalidParameterError(f"verbose must be True, False or None, got {verbose!r}")
    if _is_dask(df):
        answers, items = _apply_dask(df, checked, None, verbose)
    elif isinstance(df, pd.DataFrame):
        _check_unique(df.index)
        answers = _apply_frame(df, checked, None, verbose)
        items = df.index
    else:
        raise InvalidParameterError(f"df must be a pandas or dask DataFrame, got {type(df).__name__}")
    items = pd.Index(items)
    if len(items) == 0:
        raise InvalidParameterError("df must have at least one row to slice, got none")
    names = tuple(sf.name for sf in checked)
    matrix = np.zeros((len(items), len(names)), dtype=bool)
    if len(answers):
        matrix[items.get_indexer(answers["item"]), pd.Index(names).get_indexer(answers["labeler"])] = True
    return SliceMembership(matrix, names, items)


def slice_dataframe(df: Any, sf: SlicingFunction | Callable[..., Any]) -> Any:
    """The rows of ``df`` in the slice of ``sf`` (a pandas frame, or a lazy Dask frame for a Dask one).

    Parameters
    ----------
    df : pandas.DataFrame or dask.dataframe.DataFrame
        The data (a unique index, in each partition for Dask).
    sf : SlicingFunction or callable
        The slice (a plain function is a row function).

    Returns
    -------
    DataFrame
        The rows of the slice, in their order, with their index.
    """
    (checked,) = _check_lfs([sf], make=slicing_function, cls=SlicingFunction, name="sf")
    if _is_dask(df):
        return df.map_partitions(_slice_part, checked, meta=df._meta)
    if not isinstance(df, pd.DataFrame):
        raise InvalidParameterError(f"df must be a pandas or dask DataFrame, got {type(df).__name__}")
    return _slice_part(df, checked)


def _slice_part(frame: pd.DataFrame, sf: LabelingFunction) -> pd.DataFrame:
    if len(frame) == 0:
        return frame
    return frame[apply_slices([sf], frame, verbose=False).matrix[:, 0]]
