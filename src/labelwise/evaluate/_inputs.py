"""Shared input handling of :mod:`labelwise.evaluate`: model predictions, labels and metrics."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import plain, show
from .._validate.class_columns import class_column_names, columns_in_class_order
from .._validate.labels import _as_1d
from .._validate.probabilities import check_probs, default_row_name
from .._validate.row_alignment import align_rows
from ..errors import InvalidLabelsError, InvalidParameterError, ShapeMismatchError

__all__ = [
    "align_predictions",
    "align_rows",
    "classes_named_by_columns",
    "encode_against",
    "predictions_to_codes",
    "resolve_metric",
    "rows_named_by_index",
]

Metric = Callable[[np.ndarray, np.ndarray], float]


def align_predictions(reference: Any, reference_name: str, predictions: Any) -> Any:
    """Each model's predictions (a mapping, or a DataFrame with a column per model) matched to ``reference``
    by :func:`align_rows`; anything else is returned as it is (:func:`predictions_to_codes` refuses it)."""
    if isinstance(predictions, pd.DataFrame):
        return align_rows(reference, reference_name, predictions, "predictions")
    if not isinstance(predictions, Mapping):
        return predictions
    return {
        k: align_rows(reference, reference_name, v, f"predictions of model {str(k)!r}") for k, v in predictions.items()
    }


RowName = Callable[[int], str]


def rows_named_by_index(reference: Any, reference_name: str) -> RowName | None:
    """The words for row ``i`` (in ``reference``'s order, after :func:`align_rows`) in the errors of the
    validators that take a ``row_name``: ``row 4 of given (index 'i5')``, the key that finds the row in
    every table matched by index; None (plain ``row 4``) where ``reference`` is no pandas object or its
    index is ``0..n-1``."""
    index = reference.index if isinstance(reference, (pd.Series, pd.DataFrame)) else None
    if index is None or index.equals(pd.RangeIndex(len(index))):
        return None
    return lambda pos: f"row {pos} of {reference_name} (index {show(index[pos])})"


def resolve_metric(metric: str | Metric) -> tuple[str, Metric]:
    """A metric ``f(y_true, y_pred) -> float`` from a scikit-learn name (``accuracy``, ``f1_score``...) or a callable."""
    if callable(metric):
        return getattr(metric, "__name__", "metric"), metric
    if not isinstance(metric, str):
        raise InvalidParameterError(f"metric must be a scikit-learn metric name or a callable, got {metric!r}")
    import sklearn.metrics as skm

    for name in (metric, f"{metric}_score"):
        fn = getattr(skm, name, None)
        if callable(fn) and not isinstance(fn, type):
            return metric, fn
    raise InvalidParameterError(
        f"metric must name a function of sklearn.metrics taking (y_true, y_pred) such as 'accuracy', "
        f"'balanced_accuracy' or 'matthews_corrcoef', got {metric!r}"
    )


def is_accuracy(metric: str | Metric) -> bool:
    """True for the plain accuracy metric, which has a fast path (running sums)."""
    return metric in ("accuracy", "accuracy_score")


def encode_against(
    values: Any, classes: np.ndarray, *, name: str, allow_missing: bool = False, row_name: RowName | None = None
) -> np.ndarray:
    """Codes of ``values`` in ``classes``; missing values become -1 when ``allow_missing``.

    A value that is not a class but is written like one (``"1"`` for the class ``1``) gets its code.
    ``row_name(i)`` words row ``i`` in an error (default ``row i``: :func:`rows_named_by_index`).
    """
    where = row_name or default_row_name
    arr = _as_1d(values, name)
    missing = pd.isna(arr) if arr.dtype.kind not in "iub" else np.zeros(arr.shape, bool)
    if missing.any() and not allow_missing:
        row = int(np.flatnonzero(missing)[0])
        raise InvalidLabelsError(f"{name} must not contain missing values, {where(row)} is {show(arr[row])}")
    filled = arr.astype(object)
    filled[missing] = classes[0]
    codes = pd.Index(classes).get_indexer(filled)
    bad = (codes < 0) & ~missing
    as_text = pd.Index([str(c) for c in classes])
    if bad.any() and as_text.is_unique:
        # the same label written as text ("1" from a CSV beside classes 1, 0) is that class
        codes[bad] = as_text.get_indexer([str(v) for v in filled[bad]])
        bad = (codes < 0) & ~missing
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InvalidLabelsError(
            f"{name} must hold one of the classes {[plain(c) for c in classes[:20]]}, {where(row)} is {show(arr[row])}"
        )
    codes = codes.astype(np.int64)
    codes[missing] = -1
    return codes


def classes_named_by_columns(predictions: Any, seen: np.ndarray) -> list[Any]:
    """Classes a probability DataFrame names besides the labels ``seen`` in the test set.

    A model may know classes that no test item has (given or corrected); its probability table
    names them. Extra names are read as integers when the labels are integers (a CSV header is
    text). Frames that do not name every seen label are left to :func:`predictions_to_codes`.
    """
    seen_names = {str(v) for v in seen}
    ints = len(seen) > 0 and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in seen)
    extra: dict[str, Any] = {}
    for pred in predictions.values() if isinstance(predictions, Mapping) else ():
        names = class_column_names(pred)
        if names is None or not seen_names <= set(names):
            continue
        for n in names:
            if n not in seen_names:
                extra[n] = int(n) if ints and n.lstrip("-").isdecimal() else n
    return list(extra.values())


def predictions_to_codes(
    predictions: Mapping[str, Any], classes: np.ndarray, n_items: int, *, row_name: RowName | None = None
) -> tuple[list[str], np.ndarray]:
    """Each model's predicted class codes, shape (n_models, n_items).

    A 2-D entry is a probability matrix (columns in the order of ``classes``, or a DataFrame whose
    columns are named by class in any order) and is turned into its row-wise argmax; a 1-D entry
    holds predicted labels. ``row_name(i)`` words row ``i`` in an error (default ``row i``).
    """
    if isinstance(predictions, pd.DataFrame):
        predictions = {str(c): predictions[c].to_numpy() for c in predictions.columns}
    if not isinstance(predictions, Mapping) or len(predictions) == 0:
        raise InvalidParameterError(
            f"predictions must be a non-empty mapping of model name -> predicted labels or probabilities, "
            f"got {type(predictions).__name__}"
        )
    names = [str(k) for k in predictions]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InvalidParameterError(f"predictions must name each model once, got {dup} more than once")
    out = np.empty((len(names), n_items), dtype=np.int64)
    for i, (name, pred) in enumerate(predictions.items()):
        arr = np.asarray(columns_in_class_order(pred, classes, name=f"probabilities of model {str(name)!r}"))
        if arr.ndim not in (1, 2):  # None, a number or a dict: arr.shape[0] was an IndexError
            raise ShapeMismatchError(
                f"predictions of model {name!r} must be 1-D labels or 2-D probabilities, got shape {arr.shape}"
            )
        if arr.shape[0] != n_items:
            raise ShapeMismatchError(
                f"predictions of model {name!r} must have one row per test item ({n_items}), got {arr.shape[0]}"
            )
        if arr.ndim == 2:
            probs = check_probs(arr, name=f"predictions of model {name!r}", row_name=row_name)
            if probs.shape[1] != len(classes):
                raise ShapeMismatchError(
                    f"probabilities of model {name!r} must have one column per class ({len(classes)}), "
                    f"got {probs.shape[1]}"
                    + (
                        "; for classes no test item has, pass classes= (--classes on the command line) or give the "
                        "probabilities as a table "
                        "whose header names the classes"
                        if probs.shape[1] > len(classes)
                        else f"; the classes are the given and corrected labels, sorted: {listed_classes(classes)}"
                    )
                )
            out[i] = probs.argmax(axis=1)
        else:
            out[i] = _predicted_codes(arr, classes, name, row_name)
    return names, out


def _predicted_codes(labels: np.ndarray, classes: np.ndarray, model: str, row_name: RowName | None) -> np.ndarray:
    """Codes of a model's predicted labels; a label that is no class says how to name it (a model may
    predict a class that no test item has, given or corrected)."""
    try:
        return encode_against(labels, classes, name=f"predictions of model {model!r}", row_name=row_name)
    except InvalidLabelsError as exc:
        if pd.isna(labels).any():
            raise
        raise InvalidLabelsError(
            f"{exc}; for a class no test item has (given or corrected), pass classes= (--classes on the command "
            "line) naming every class"
        ) from None


def listed_classes(classes: np.ndarray) -> str:
    """The first 20 classes for a message (numpy scalars as plain values), and how many more."""
    values = [plain(c) for c in classes[:20]]
    return f"{values}" + (f" and {len(classes) - 20} more" if len(classes) > 20 else "")
