"""Probabilistic labels as a weighted training set: rows repeated per class with the probability as weight.

Below the algorithm packages: :mod:`labelwise.weak` (which exports it) and :mod:`labelwise.robust` use it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._validate.arguments import check_fraction
from ._validate.probabilities import check_probs
from ._validate.row_alignment import align_rows
from .errors import ShapeMismatchError

__all__ = ["expand_soft_labels"]


def _take(X: Any, rows: np.ndarray) -> Any:
    if isinstance(X, (pd.DataFrame, pd.Series)):
        return X.iloc[rows]
    if hasattr(X, "tocsr") and hasattr(X, "shape"):
        return X.tocsr()[rows]
    return np.asarray(X)[rows]


def expand_soft_labels(X: Any, probas: Any, *, min_weight: float = 0.0) -> tuple[Any, np.ndarray, np.ndarray]:
    """Turn probabilistic labels into a weighted training set any ``fit(X, y, sample_weight=...)`` accepts.

    Row ``i`` of ``X`` appears once per class ``k`` with label ``k`` and weight ``probas[i, k]``;
    the weighted log-loss of that set equals the cross-entropy with the soft labels (the "noise-
    aware" loss of Ratner et al. 2016), so a weighted classifier learns the expected label.

    Parameters
    ----------
    X : array, sparse matrix or DataFrame of shape (n, ...)
    probas : DataFrame or array of shape (n, K)
        E.g. ``LabelModel().fit(votes).probas_`` (a DataFrame: its columns are the labels). Beside a
        DataFrame or Series ``X`` it is matched to ``X``'s rows by index, as pandas matches two
        frames (keys that differ are an error; give ``.to_numpy()`` to pair rows by position).
    min_weight : float in [0, 1), default 0
        Drop repeated rows whose weight is not above this (0 drops only zero weights).

    Returns
    -------
    X_expanded, y, sample_weight

    References
    ----------
    .. [1] A. Ratner, C. De Sa, S. Wu, D. Selsam and C. Ré, "Data Programming: Creating Large Training
       Sets, Quickly", NeurIPS 2016.
    """
    probas = align_rows(X, "X", probas, "probas")
    classes = np.asarray(probas.columns) if isinstance(probas, pd.DataFrame) else None
    p = check_probs(probas.to_numpy() if isinstance(probas, pd.DataFrame) else probas, name="probas")
    check_fraction("min_weight", min_weight)
    n = X.shape[0] if hasattr(X, "shape") else len(X)
    if n != p.shape[0]:
        raise ShapeMismatchError(f"X and probas must have the same number of rows, got {n} and {p.shape[0]}")
    k = p.shape[1]
    rows = np.repeat(np.arange(n), k)
    codes = np.tile(np.arange(k), n)
    weight = p.ravel()
    keep = weight > min_weight
    y = codes[keep] if classes is None else classes[codes[keep]]
    return _take(X, rows[keep]), y, weight[keep]
