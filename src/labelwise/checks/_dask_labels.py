"""Labels and a split given as dask collections, checked and encoded on the workers.

The in-memory rules (:func:`labelwise._validate.labels.encode_labels`,
:func:`~labelwise._validate.labels.encode_labels_for_probs`,
:func:`labelwise.checks._inputs.check_split`) applied per chunk: each chunk reports its first
missing row and its distinct values (at most ``K`` a chunk); the client joins those into the
classes (sorted, or in order of first appearance when the values cannot be sorted, as
``pd.factorize`` does) and each chunk encodes its rows. Only the distinct values and a few row
numbers come to the client.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._chunks import row_starts
from .._stage_progress import compute, step
from .._validate.labels import (
    _as_1d,
    _missing_mask,
    are_column_numbers,
    checked_classes,
    distinct_count_mismatch,
    empty_labels,
    label_outside_columns,
    missing_label,
    unknown_label,
)
from ..errors import InvalidLabelsError, ShapeMismatchError
from ._inputs import check_split_values, split_missing_error, split_missing_rows
from ._partitioned import as_rows


def dask_label_codes(
    labels: Any, chunks: tuple[int, ...], classes: Any, n_classes: int | None
) -> tuple[Any, np.ndarray]:
    """Codes (a dask int64 array on ``chunks``) and class values of dask ``labels``; ``n_classes``:
    the columns of probs when given (integer labels are then column numbers)."""
    import dask

    values = _rows(labels, chunks, "labels")
    blocks = values.to_delayed().ravel()
    starts = row_starts(chunks)
    with step("labels: distinct values"):
        found = compute(*[dask.delayed(_chunk_values)(b, int(s)) for b, s in zip(blocks, starts, strict=True)])
    missing = [m for m, _ in found if m >= 0]
    if missing:
        row = min(missing)
        raise missing_label("labels", row, _value(values, row))
    uniques = _joined([u for _, u in found])
    if uniques.size == 0:
        raise empty_labels("labels")
    class_values = _classes(values, uniques, classes, n_classes)
    index = pd.Index(class_values)
    codes = values.map_blocks(lambda b: index.get_indexer(_as_1d(b, "labels")).astype(np.int64), dtype=np.int64)
    return codes, class_values


def _rows(values: Any, chunks: tuple[int, ...], name: str) -> Any:
    if hasattr(values, "to_dask_array"):  # a dask Series
        values = values.to_dask_array(lengths=True)
    if values.ndim != 1:
        raise InvalidLabelsError(f"{name} must be one-dimensional, got shape {values.shape}")
    if int(values.shape[0]) != int(sum(chunks)):
        raise ShapeMismatchError(
            f"features and {name} must have the same length, got {int(sum(chunks))} rows and {int(values.shape[0])} {name}"
        )
    return as_rows(values, chunks)


def _chunk_values(block: np.ndarray, start: int) -> tuple[int, np.ndarray]:
    """The chunk's first missing row (``-1``: none) and its distinct values in order of appearance."""
    arr = _as_1d(block, "labels")
    missing = np.flatnonzero(_missing_mask(arr))
    return (start + int(missing[0]) if missing.size else -1), pd.unique(arr[~_missing_mask(arr)])


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    """The distinct values of all chunks: sorted, or by first appearance when they do not sort."""
    first_seen = pd.unique(np.concatenate([np.asarray(p, dtype=object) for p in parts])) if parts else np.zeros(0)
    try:
        return np.asarray(pd.Index(first_seen).sort_values(), dtype=_common_dtype(parts))
    except TypeError:
        return np.asarray(first_seen, dtype=object)


def _common_dtype(parts: list[np.ndarray]) -> Any:
    kinds = {np.asarray(p).dtype for p in parts if len(p)}
    return np.result_type(*kinds) if kinds and all(k.kind in "iufb" for k in kinds) else object


def _classes(values: Any, uniques: np.ndarray, classes: Any, n_classes: int | None) -> np.ndarray:
    """The class values, by the in-memory rules, an error naming the first offending row."""
    if classes is not None:
        class_arr = checked_classes(classes, n_classes)
        unknown = uniques[pd.Index(class_arr).get_indexer(uniques) < 0]
        if unknown.size:
            raise unknown_label("labels", class_arr, *_first_row(values, unknown))
        return class_arr
    if n_classes is None:
        return uniques
    if are_column_numbers(uniques):
        outside = uniques[(uniques < 0) | (uniques >= n_classes)]
        if outside.size:
            raise label_outside_columns("labels", n_classes, *_first_row(values, outside))
        return np.arange(n_classes)
    if uniques.size != n_classes:
        raise distinct_count_mismatch("labels", uniques.size, n_classes)
    return uniques


def _first_row(values: Any, offending: np.ndarray) -> tuple[int, Any]:
    """The first row holding one of the ``offending`` values, and its value (as in memory, where the
    first such row is named); row numbers of those values come to the client."""
    from ._partitioned import first_rows

    hits = values.map_blocks(
        lambda b: np.asarray(pd.Index(offending).get_indexer(_as_1d(b, "labels")) >= 0), dtype=bool
    )
    row = first_rows(hits, 1)[0]
    return row, _value(values, row)


def _split_chunk(block: np.ndarray) -> tuple[int, int, np.ndarray]:
    """A split chunk's first missing position (``-1``: none), its count of missing values and its
    distinct present values."""
    arr = np.asarray(block)
    missing = split_missing_rows(arr)
    present = np.delete(arr, missing) if missing.size else arr
    return (int(missing[0]) if missing.size else -1), int(missing.size), pd.unique(present)


def _value(values: Any, row: int) -> Any:
    (got,) = compute(values[row])
    return np.asarray(got).item()


def dask_split(split: Any, chunks: tuple[int, ...], train_value: Any) -> Any:
    """:func:`labelwise.checks._inputs.check_split` of a dask ``split``: the training-row mask on
    ``chunks`` (a dask bool array), the distinct values checked on the client."""
    import dask

    values = _rows(split, chunks, "split")
    blocks = values.to_delayed().ravel()
    parts = compute(*[dask.delayed(_split_chunk)(b) for b in blocks])
    missing = [
        (int(start) + first, count) for start, (first, count, _) in zip(row_starts(chunks), parts, strict=True) if count
    ]
    if missing:
        row = missing[0][0]
        raise split_missing_error("split", row, _value(values, row), sum(c for _, c in missing), sum(chunks))
    check_split_values(
        pd.unique(np.concatenate([np.asarray(p, dtype=object) for _, _, p in parts])), train_value, values.dtype == bool
    )
    if values.dtype == bool:
        return values
    return values.map_blocks(lambda b: np.asarray(b == train_value, dtype=bool), dtype=bool)
