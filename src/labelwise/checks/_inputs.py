"""Validation of the inputs of :func:`~labelwise.checks.find_data_issues`.

Every function raises a :class:`~labelwise.errors.LabelwiseError` subclass naming the parameter,
what was expected and what was received.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import issparse

from .._caller import warn_at_caller
from .._validate.arguments import show
from .._validate.labels import encode_labels, encode_labels_for_probs
from .._validate.probabilities import check_probs
from ..errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError
from .graph import NeighborGraph


def _numbers_from_objects(X: np.ndarray) -> np.ndarray:
    """An object array of numbers as floats (``None`` as NaN); refused at its first value that is not a number."""
    flat = X.ravel()
    for i, v in enumerate(flat):
        if v is not None and not isinstance(v, numbers.Real):
            where = np.unravel_index(i, X.shape)
            raise InvalidParameterError(
                f"features must be a numeric matrix (floats or ints), got {show(v)} at index {tuple(map(int, where))} "
                f"of an object array; encode strings first (a pandas DataFrame's category and string columns are one-hot encoded)"
            )
    return np.array([np.nan if v is None else float(v) for v in flat], dtype=np.float64).reshape(X.shape)


def numeric_matrix(X: Any) -> Any:
    """``X`` (a numpy or dask array) checked to be a numeric matrix of at least 2 rows and 1 column,
    as floats (integers and booleans as float64)."""
    if X.dtype.kind not in "fiub":
        raise InvalidParameterError(
            f"features must be a numeric matrix (floats or ints), got dtype {X.dtype}; encode strings first "
            "(a pandas DataFrame's category and string columns are one-hot encoded)"
        )
    if X.ndim != 2:
        raise InvalidParameterError(f"features must be 2-D (n_rows, n_features), got shape {X.shape}")
    if X.shape[0] < 2 or X.shape[1] < 1:
        raise InvalidParameterError(f"features must have at least 2 rows and 1 column, got shape {X.shape}")
    return X if X.dtype.kind == "f" else X.astype(np.float64)


def check_features(features: Any, *, impute: bool) -> tuple[np.ndarray, np.ndarray]:
    """Finite float features and the count of missing (NaN or infinite) values per row.

    Without ``impute``, non-finite values are an error naming the first rows; with it, they are
    replaced by their column's median (0 for a column with no finite value). Features that never
    vary are accepted here (the ``null``, ``exact_duplicate`` and ``identifier_column`` checks read
    them as they are); the checks that need a neighbour graph refuse them
    (:func:`labelwise.checks.find._needed_graphs`).
    """
    if issparse(features):  # np.asarray made it a 0-d object array: "got <...sparse matrix...> at index ()"
        raise InvalidParameterError(
            f"features must be a dense array, got a sparse {type(features).__name__} of shape {features.shape}: "
            "pass features.toarray() (the neighbour graph and the checks read dense rows), or reduce them first "
            "(e.g. sklearn's TruncatedSVD for TF-IDF features)"
        )
    if isinstance(features, pd.DataFrame):
        bad = [
            c
            for c in features.columns
            if not (pd.api.types.is_numeric_dtype(features[c]) or pd.api.types.is_bool_dtype(features[c]))
        ]
        if bad:
            raise InvalidParameterError(
                f"features must be numeric; columns {bad[:5]} are not (encode them, e.g. one-hot or embeddings)"
            )
        features = features.to_numpy(dtype=np.float64, na_value=np.nan)
    X = np.asarray(features)
    if X.dtype.kind == "O":
        X = _numbers_from_objects(X)
    X = numeric_matrix(X)
    missing = np.zeros(X.shape[0], dtype=np.int64)
    step = max(1, (1 << 20) // X.shape[1])
    for s in range(0, X.shape[0], step):
        missing[s : s + step] = missing_counts(X[s : s + step])
    if missing.any():
        rows = np.flatnonzero(missing)
        if not impute:
            raise non_finite_features(rows.size, rows[:5].tolist())
        X = X.copy()
        for c in np.flatnonzero((~np.isfinite(X[rows])).any(axis=0)):
            col = X[:, c]
            bad = ~np.isfinite(col)
            if bad.any():
                good = col[~bad]
                col[bad] = np.median(good) if good.size else 0.0
    return X, missing


def missing_counts(block: np.ndarray) -> np.ndarray:
    """The missing (NaN or infinite) values of each row of a block of features."""
    return (~np.isfinite(block)).sum(axis=1).astype(np.int64)


def non_finite_features(n_rows: int, first: list[int]) -> InvalidParameterError:
    """The error for features with missing values in ``n_rows`` rows, the ``first`` of them named."""
    return InvalidParameterError(
        f"features must be finite (no NaN or inf); {n_rows} rows are not, e.g. rows {first} "
        f"(pass impute=True to fill them with column medians)"
    )


def features_vary(X: np.ndarray) -> bool:
    """Whether any row of ``X`` differs from the first (by row blocks of about a million values)."""
    first = X[0]
    step = max(1, (1 << 20) // X.shape[1])
    return any(bool((X[s : s + step] != first).any()) for s in range(0, X.shape[0], step))


def neighbour_count(k: int, n: int) -> int:
    """The neighbours per row a graph over ``n`` rows can have: ``k``, or ``n - 1`` when ``k`` is not
    below ``n`` (a small table), with a :class:`~labelwise.errors.LabelwiseWarning` naming the value
    used (at the user's call). ``find_data_issues`` (in memory and on dask) and
    ``labelwise audit --k`` both lower it here."""
    if k < n:
        return k
    used = n - 1
    warn_at_caller(LabelwiseWarning(f"k {k} is not below the number of rows ({n}); the data checks use k={used}"))
    return used


def check_labels_probs(labels: Any, probs: Any, classes: Any, n: int | None) -> tuple[Any, Any, Any]:
    """Label codes, class values and probabilities (each None when not given), lengths checked."""
    codes = class_values = probs_arr = None
    if probs is not None:
        probs_arr = check_probs(probs)
        if n is not None and probs_arr.shape[0] != n:
            raise ShapeMismatchError(f"probs must have one row per row of features ({n}), got {probs_arr.shape[0]}")
    if labels is not None:
        if probs_arr is not None:
            codes, class_values = encode_labels_for_probs(labels, probs_arr.shape[1], classes=classes)
            if len(codes) != probs_arr.shape[0]:
                raise ShapeMismatchError(
                    f"labels and probs must have the same length, got {len(codes)} and {probs_arr.shape[0]}"
                )
        else:
            codes, class_values = encode_labels(labels, classes=classes)
        if n is not None and len(codes) != n:
            raise ShapeMismatchError(
                f"features and labels must have the same length, got {n} rows and {len(codes)} labels"
            )
    return codes, class_values, probs_arr


def check_texts(texts: Any, n: int | None) -> np.ndarray:
    """``texts`` as an ``(n, m)`` object array of ``str``, ``None`` where missing (None, NaN, ``pd.NA``).

    A sequence or Series is one column; a DataFrame or 2-D array, one column each. A value that is
    neither a string nor missing is refused, naming its row and column.
    """
    if isinstance(texts, pd.DataFrame):
        names = [str(c) for c in texts.columns]
        arr = texts.to_numpy(dtype=object)
    else:
        arr = texts.to_numpy(dtype=object) if isinstance(texts, pd.Series) else np.asarray(texts, dtype=object)
        arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
        names = [str(c) for c in range(arr.shape[1])] if arr.ndim == 2 else []
    if arr.ndim != 2 or arr.shape[1] < 1 or arr.shape[0] < 1:
        raise InvalidParameterError(
            f"texts must be 1-D (one text per row) or 2-D (a column per text), got shape {arr.shape}"
        )
    if n is not None and arr.shape[0] != n:
        raise ShapeMismatchError(f"texts must have one row per row of the data ({n}), got {arr.shape[0]}")
    out, bad = text_cells(arr)
    if bad is not None:
        row, col = divmod(bad, arr.shape[1])
        raise InvalidParameterError(
            f"texts must hold strings (or missing values), got {show(out[row, col])} at row {row}, column {names[col]!r}"
        )
    return out


def text_cells(arr: np.ndarray) -> tuple[np.ndarray, int | None]:
    """A 2-D object array's cells with ``None`` where missing, and the flat index of the first cell
    that is neither a string nor missing (``None`` if every cell is)."""
    missing = np.asarray(pd.isna(arr), dtype=bool)
    out = arr.copy()
    out[missing] = None
    is_text = np.fromiter((isinstance(v, str) for v in out.ravel()), dtype=np.bool_, count=out.size)
    bad = np.flatnonzero(~(missing.ravel() | is_text))
    return out, (int(bad[0]) if bad.size else None)


def check_split(split: Any, n: int, train_value: Any) -> np.ndarray | None:
    """Boolean mask of training rows: ``split == train_value`` (or the mask itself when boolean)."""
    if split is None:
        return None
    arr = split.to_numpy() if isinstance(split, pd.Series) else np.asarray(split)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ShapeMismatchError(f"split must have one value per row ({n}), got shape {arr.shape}")
    check_split_complete(arr, "split")
    check_split_values(pd.unique(arr), train_value, arr.dtype == bool)
    return arr if arr.dtype == bool else np.asarray(arr == train_value, dtype=bool)


def check_split_complete(arr: np.ndarray, name: str) -> None:
    """Refuse a missing value in a split (an empty cell would otherwise count as an evaluation row)."""
    missing = split_missing_rows(arr)
    if missing.size:
        raise split_missing_error(name, int(missing[0]), arr[missing[0]], missing.size, arr.shape[0])


def split_missing_rows(arr: np.ndarray) -> np.ndarray:
    """Positions of the missing values (None, NaN, NaT) of a split."""
    return np.flatnonzero(pd.isna(arr)) if arr.dtype.kind not in "iub" else np.array([], dtype=np.int64)


def split_missing_error(name: str, row: int, value: Any, n_missing: int, n: int) -> InvalidParameterError:
    """The error of a split with ``n_missing`` missing values of ``n``, the first at ``row``."""
    return InvalidParameterError(
        f"{name} must say train or evaluation for every row, row {row} is {show(value)} "
        f"({n_missing} of {n} rows have none)"
    )


def check_split_values(values: np.ndarray, train_value: Any, is_mask: bool) -> None:
    """Refuse a split whose distinct ``values`` (in order of appearance) are fewer than two, or, unless
    it is a boolean mask, hold no ``train_value``."""
    if len(values) < 2:
        raise InvalidParameterError(
            f"split must have at least 2 values (training and evaluation rows), got only {show(values[0])}"
        )
    if not is_mask and not any(bool(v == train_value) for v in values):
        raise InvalidParameterError(
            f"split must contain the training value {show(train_value)} (train_value=), got values {', '.join(show(v) for v in values[:10])}"
        )


def check_groups(groups: Any, n: int) -> np.ndarray | None:
    """Group codes ``0..G-1`` of user-given groups; ``-1`` (a number) for rows in no group.

    ``-1`` means noise, as in scikit-learn's clusterers (DBSCAN, HDBSCAN, OPTICS) and Datalab, so
    their labels can be passed as they are; a string ``"-1"`` is an ordinary group.
    """
    if groups is None:
        return None
    arr = groups.to_numpy() if isinstance(groups, pd.Series) else np.asarray(groups)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ShapeMismatchError(f"groups must have one value per row ({n}), got shape {arr.shape}")
    noise = noise_rows(arr)
    codes = np.full(n, -1, dtype=np.int64)
    found, _ = pd.factorize(arr[~noise], sort=True)
    if (found < 0).any():
        row = int(np.flatnonzero(~noise)[np.flatnonzero(found < 0)[0]])
        raise InvalidParameterError(f"groups must not contain missing values, row {row} is missing")
    codes[~noise] = found
    return codes


def noise_rows(arr: np.ndarray) -> np.ndarray:
    """Rows whose group is the number -1 (not a bool, not a string)."""
    if arr.dtype.kind in "if":
        return np.asarray(arr == -1)
    if arr.dtype.kind == "O":
        return np.fromiter(
            (isinstance(v, numbers.Real) and not isinstance(v, bool) and v == -1 for v in arr), bool, arr.shape[0]
        )
    return np.zeros(arr.shape[0], dtype=bool)


def check_graph(graph: Any, n: int | None) -> NeighborGraph:
    """A given graph must be a NeighborGraph over the same rows."""
    if not isinstance(graph, NeighborGraph):
        raise InvalidParameterError(f"graph must be a NeighborGraph, got {type(graph).__name__}")
    if n is not None and graph.n != n:
        raise ShapeMismatchError(f"graph must have one row per row of the data ({n}), got {graph.n}")
    return graph
