"""Whole-number float votes (``1.0``, ``0.0``) read as the integers the functions returned.

pandas turns a vectorised function's integers into floats as soon as one row abstains:
``mask.map({True: 1, False: None})`` is a float column ``[1.0, NaN]``, and a row function's ``0``
put beside it becomes ``0.0``. The classes were then ``0.0`` and ``1.0``: ``labels.csv`` wrote
``1.0`` and ``prob_1.0``, and with ``--classes 0,1`` it wrote ``1`` while ``votes.csv`` wrote
``1.0``. Such votes are integers again where the classes are not declared or are declared as
integers; other floats (``0.5``) and float classes stay as they are.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["integral_float_votes"]


def _integer(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def integral_float_votes(answers: pd.DataFrame, declared: np.ndarray | None) -> pd.DataFrame:
    """``answers`` (item, labeler, label) with a float ``label`` column of whole numbers made int64,
    when ``declared`` (the classes given, or None) holds integers only; else ``answers`` unchanged."""
    labels = answers["label"]
    if len(labels) == 0 or not pd.api.types.is_float_dtype(labels.dtype):
        return answers
    if declared is not None and not all(_integer(c) for c in declared.tolist()):
        return answers
    values = labels.to_numpy(dtype=np.float64)
    if not (np.isfinite(values).all() and (values == np.round(values)).all()):
        return answers
    return answers.assign(label=values.astype(np.int64))
