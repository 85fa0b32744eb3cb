"""Labeling functions applied to a list of data points or to the rows of a NumPy array, as Snorkel 0.10's
``LFApplier`` does: each point is given to each function as it is (``lf(x)``: its preprocessors run first, on
a copy), and the items are the positions ``0..n-1``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._progress import track
from ..errors import InvalidParameterError
from .labeling_function import LabelingFunction

__all__ = ["apply_points", "is_point_data"]


def is_point_data(df: Any) -> bool:
    """Whether ``df`` is data points (a list or tuple, or a NumPy array whose rows are the points)."""
    return isinstance(df, (list, tuple, np.ndarray))


def _points(df: Any) -> Any:
    """``df``'s points, checked: at least one, and a list of frames is not points."""
    if isinstance(df, np.ndarray) and df.ndim == 0:
        raise InvalidParameterError(f"df as a NumPy array must hold one data point per row, got a 0-d array {df!r}")
    if len(df) == 0:
        raise InvalidParameterError("df must have at least one row to label, got none")
    if isinstance(df, (list, tuple)) and isinstance(df[0], (pd.DataFrame, pd.Series)):
        raise InvalidParameterError(
            f"df must be a DataFrame or a list of data points, got a list of {type(df[0]).__name__}s: concatenate "
            "them (pd.concat)"
        )
    return df


def _values(lf: LabelingFunction, points: Any) -> np.ndarray:
    """What ``lf`` returned on each point; an error it raises names it and the point's position."""
    from .apply import LabelingFunctionError

    out = np.empty(len(points), dtype=object)
    for position, x in enumerate(points):
        try:
            out[position] = lf(x)
        except InvalidParameterError:  # lf(x) refusing the point's type names the function already
            raise
        except Exception as exc:
            raise LabelingFunctionError(
                f"{lf.kind} {lf.name!r} raised {type(exc).__name__}: {exc} on row {position}",
                row=position,
                position=position,
            ) from exc
    return out


def apply_points(
    df: Any, lfs: list[LabelingFunction], classes: np.ndarray | None, verbose: bool | None
) -> tuple[pd.DataFrame, pd.Index]:
    """The long table (item, labeler, label) of the data points ``df`` and their items ``0..n-1``."""
    from ._augment_points import check_point_tfs
    from .apply import joined_answers, lf_answers

    points = _points(df)
    check_point_tfs(lfs, "lfs", "a list of data points or a NumPy array, labelled")
    items = pd.RangeIndex(len(points))
    parts = [
        lf_answers(lf, lf.checked(_values(lf, points), items), items, classes)
        for lf in track(lfs, total=len(lfs), description="labeling functions", verbose=verbose)
    ]
    return joined_answers(parts, items), items
