"""``--weight COLUMN`` of ``labelwise train`` and ``pseudolabel``: per-row sample weights taken out of
the features (a column named ``weight`` was otherwise learned from as a feature, silently)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
import numpy as np

from .._heavy import pandas as pd
from .._validate.arguments import show
from ..errors import InvalidParameterError, MissingColumnError

__all__ = ["check_weighted_family", "split_weight", "takes_weights", "weight_option"]


def takes_weights(family: str) -> bool:
    """Whether the classifier of model family ``family`` (``--model``, ``--teacher``) takes ``sample_weight``."""
    from .._meta import accepts_sample_weight
    from ..models import FAMILIES

    return accepts_sample_weight(FAMILIES[family].classifier(0))


def check_weighted_family(model: str, *, needs: str) -> None:
    """``--model`` is ``auto`` or a family whose classifier takes sample weights, which ``needs`` (an option) needs.

    Raises
    ------
    InvalidParameterError
        Naming ``needs``, the family given and the families that would do (the estimator's own
        error names the pipeline's last step and ``sample_weight``, words the command line has not).
    """
    from ..models import FAMILIES

    if model == "auto" or takes_weights(model):
        return
    weighted = [name for name in FAMILIES if takes_weights(name)]
    raise InvalidParameterError(
        f"{needs} needs a --model that takes sample weights, got --model {model} (its fit takes none); "
        f"use {', '.join(weighted)} or auto"
    )


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
            f"--weight column {column!r} must hold finite non-negative numbers, row {row} is {show(raw.iloc[row])} "
            f"({int(bad.sum())} such row(s))"
        )
    if not (values > 0).any():
        raise InvalidParameterError(f"--weight column {column!r} must be positive on some row, got 0 on all of them")
    return features.drop(columns=[column]), values
