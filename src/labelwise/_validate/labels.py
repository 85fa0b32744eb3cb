"""Checks of labels: one-dimensional, no missing values, encoded to codes ``0..K-1``, class counts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._caller import warn_at_caller
from .._heavy import pandas as pd
from ..errors import (
    InvalidLabelsError,
    InvalidParameterError,
    LabelwiseError,
    LabelwiseWarning,
    ShapeMismatchError,
    TooFewExamplesError,
)
from .arguments import plain, show


def label_values(values: pd.Series | pd.Index | Any) -> np.ndarray:
    """A pandas column of labels as a numpy array of its own values.

    ``to_numpy`` turns a nullable integer or boolean column holding ``<NA>`` (``Int64``, ``boolean``,
    ``int64[pyarrow]``, a categorical of integers with a missing value) into floats beside ``NaN``:
    class ``2`` would come back as ``2.0``. Such a column becomes objects instead, its values keeping
    their type and ``<NA>`` marking the missing ones; any other column is ``to_numpy()``.
    """
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.array
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = np.asarray(values.codes)
        if dtype.categories.dtype.kind not in "iub" or not (codes < 0).any():
            return values.to_numpy()
        out = np.full(codes.size, pd.NA, dtype=object)
        out[codes >= 0] = dtype.categories.to_numpy()[codes[codes >= 0]].tolist()
        return out
    if getattr(dtype, "kind", "O") in "iub" and not isinstance(dtype, np.dtype) and values.isna().any():
        return values.to_numpy(dtype=object, na_value=pd.NA)
    return values.to_numpy()


def class_array(classes: Any) -> np.ndarray:
    """Declared ``classes`` as an array; a sequence mixing text with other values (``[7, "b"]``) or booleans with
    numbers in an object array, where ``np.asarray`` would make ``7`` the text ``"7"`` (or ``True`` the number 1)."""
    arr = np.asarray(classes)
    if isinstance(classes, np.ndarray) or arr.dtype == object:
        return arr
    kinds = {str if isinstance(c, str) else bool if isinstance(c, (bool, np.bool_)) else "other" for c in classes}
    return np.asarray(list(classes), dtype=object) if len(kinds) > 1 else arr


def _as_1d(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        arr = label_values(values)
    else:
        try:
            arr = np.asarray(values)
        except ValueError:  # sequences of different lengths (tuples, lists): numpy cannot make an array
            raise InvalidLabelsError(
                f"{name} must hold one label per example, got nested sequences of different lengths "
                "(several labels per example: labelwise.audit.multilabel)"
            ) from None
    if arr.ndim != 1:
        raise InvalidLabelsError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype.kind in "US":  # results then hold plain Python strings, not np.str_
        arr = arr.astype(object)
    return arr


def _missing_mask(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind in "iub":
        return np.zeros(arr.shape, dtype=bool)
    return pd.isna(arr)


def first_unhashable_row(col: pd.Series) -> int | None:
    """Position of the first value pandas cannot hash (a list or dict, e.g. from nested JSON Lines, or a
    tuple holding one: its ``__hash__`` is set, yet hashing it fails), or None."""
    if col.dtype != object:
        return None
    return next((i for i, v in enumerate(col) if not hashable(v)), None)


def hashable(value: Any) -> bool:
    """Whether ``hash(value)`` succeeds (a tuple holding a list has ``__hash__`` yet fails)."""
    try:
        hash(value)
    except TypeError:
        return False
    return True


def row_label(index: pd.Index, pos: int) -> str:
    """How a table's row is named in errors: ``row {pos}``, and its index label where that is not ``pos``."""
    idx = index[pos]
    return f"row {pos}" if (isinstance(idx, (int, np.integer)) and idx == pos) else f"row {pos} (index {show(idx)})"


def unhashable_value(
    param: str, col: pd.Series, what: str, row: Callable[[int], str], error: type[LabelwiseError]
) -> LabelwiseError | None:
    """The error for the first value of ``col`` pandas cannot hash (a list or dict, e.g. from nested
    JSON), or None: ``{param} must hold hashable {what} (text, numbers), {row(pos)} is {type} {value}``.
    ``row`` names the position ``pos`` of ``col`` as the caller's input numbers its rows."""
    pos = first_unhashable_row(col)
    if pos is None:
        return None
    value = col.iloc[pos]
    return error(
        f"{param} must hold hashable {what} (text, numbers), {row(pos)} is {type(value).__name__} {show(value)}"
    )


def look_alike_classes(classes: Any, what: str) -> str | None:
    """A notice naming the classes written alike but for case or surrounding spaces (``'pos'`` and
    ``'pos '``, ``'Cat'`` and ``'cat'``), or written as one number two ways (``'0'`` and ``'0.0'``,
    ``'7'`` and ``'007'``: texts are kept as written), which are different classes; ``None`` when
    there are none. ``what`` says where the classes come from (``"the answers"``)."""
    texts = [v for v in np.asarray(classes, dtype=object).tolist() if isinstance(v, str)]
    groups: dict[str, list[str]] = {}
    numbers: dict[float, list[str]] = {}
    for value in texts:
        groups.setdefault(value.strip().casefold(), []).append(value)
    for value in texts:
        number = _as_number(value)
        if number is not None:
            numbers.setdefault(number, []).append(value)
    parts = []
    for alike, how in ((groups, "but for case or spaces"), (numbers, "as one number")):
        found = [names for names in alike.values() if len(names) > 1 and (alike is groups or _spellings(names) > 1)]
        if found:
            shown = "; ".join(" and ".join(repr(n) for n in names) for names in found[:5])
            more = "; ..." if len(found) > 5 else ""
            parts.append(f"{len(found)} class name(s) written two or more ways {how} ({shown}{more})")
    if not parts:
        return None
    return f"{what} hold {' and '.join(parts)}: each spelling is a class of its own; write them one way to merge them"


def _spellings(names: list[str]) -> int:
    """How many ways ``names`` write their number once the spaces around them are set aside (counted
    with case and spaces)."""
    return len({n.strip() for n in names})


def _as_number(text: str) -> float | None:
    """The number a class name writes (``'0.0'``, ``' 7'``, ``'1e3'``), or None (a word, nan, inf)."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def same_text_classes(classes: Any, what: str) -> str | None:
    """A notice naming the classes that are values of different types written the same (``1`` and
    ``'1'``, ``True`` and ``'True'``): different classes, each with its own votes; ``None`` when none.
    ``what`` says where the classes come from (``"answers column 'label'"``)."""
    groups: dict[str, list[Any]] = {}
    for value in np.asarray(classes, dtype=object).tolist():
        groups.setdefault(str(value), []).append(value)
    alike = [values for values in groups.values() if len({type(v) for v in values}) > 1]
    if not alike:
        return None
    shown = "; ".join(" and ".join(f"{v!r} ({type(v).__name__})" for v in values) for values in alike[:5])
    return (
        f"{what}: {len(alike)} class(es) are values of different types written alike ({shown}"
        f"{'; ...' if len(alike) > 5 else ''}): each is a class of its own; convert the column to one type "
        "(e.g. .astype(str)) to merge them"
    )


def missing_label(name: str, row: int, value: Any) -> InvalidLabelsError:
    """The error for a missing value in row ``row`` of labels called ``name``."""
    return InvalidLabelsError(f"{name} must not contain missing values, row {row} is {show(value)}")


def empty_labels(name: str) -> InvalidLabelsError:
    """The error for labels called ``name`` with no rows."""
    return InvalidLabelsError(f"{name} must not be empty")


def unknown_label(name: str, class_arr: np.ndarray, row: int, value: Any) -> InvalidLabelsError:
    """The error for a label ``value`` (in row ``row``) that is none of ``class_arr``."""
    shown = [plain(c) for c in class_arr[:20]]
    return InvalidLabelsError(f"{name} must be one of the classes {shown}, row {row} is {show(value)}")


def label_outside_columns(name: str, n_classes: int, row: int, value: Any) -> InvalidLabelsError:
    """The error for an integer label ``value`` (in row ``row``) that is no column of probs."""
    return InvalidLabelsError(
        f"{name} must be integers in [0, {n_classes - 1}] (one per column of probs), row {row} is {show(value)}"
    )


def distinct_count_mismatch(name: str, found: int, n_classes: int) -> InvalidLabelsError:
    """The error for labels whose ``found`` distinct values do not match probs' ``n_classes`` columns."""
    return InvalidLabelsError(
        f"{name} has {found} distinct values but probs has {n_classes} columns; pass "
        f"classes= to say which class each column is"
    )


def checked_classes(classes: Any, n_classes: int | None = None) -> np.ndarray:
    """``classes`` as a one-dimensional array of unique values, one per column of probs when
    ``n_classes`` is given; else an error naming ``classes``."""
    class_arr = _as_1d(classes, "classes")
    if n_classes is not None and len(class_arr) != n_classes:
        raise ShapeMismatchError(f"classes must have one entry per column of probs ({n_classes}), got {len(class_arr)}")
    index = pd.Index(class_arr)
    if not index.is_unique:
        raise InvalidParameterError(f"classes must be unique, got duplicates {list(index[index.duplicated()][:5])}")
    return class_arr


def are_column_numbers(arr: np.ndarray) -> bool:
    """Whether labels ``arr`` are taken as column numbers of probs: integers, or floats that are all whole."""
    return arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and bool(np.all(np.mod(arr, 1) == 0)))


def encode_labels(
    labels: Any, *, name: str = "labels", classes: Sequence[Any] | np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Encode arbitrary hashable labels to integer codes ``0..K-1``.

    Parameters
    ----------
    labels : array-like of shape (n,)
        Any hashable values (ints, strings). Missing values are an error.
    name : str
        Parameter name used in error messages.
    classes : sequence, optional
        The known classes in code order. When omitted, the sorted unique values of ``labels``.

    Returns
    -------
    codes : ndarray of int64, shape (n,)
    classes : ndarray of shape (K,)
    """
    arr = _as_1d(labels, name)
    if arr.size == 0:
        raise empty_labels(name)
    missing = _missing_mask(arr)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise missing_label(name, row, arr[row])
    if classes is None:
        try:
            codes, uniques = pd.factorize(arr, sort=True)
        except TypeError:  # mixed, unorderable types: keep first-seen order
            codes, uniques = pd.factorize(arr, sort=False)
        return codes.astype(np.int64, copy=False), np.asarray(uniques)
    class_arr = checked_classes(classes)
    codes = pd.Index(class_arr).get_indexer(arr)
    unknown = codes < 0
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise unknown_label(name, class_arr, row, arr[row])
    return codes.astype(np.int64, copy=False), class_arr


def encode_labels_for_probs(
    labels: Any, n_classes: int, *, classes: Sequence[Any] | np.ndarray | None = None, name: str = "labels"
) -> tuple[np.ndarray, np.ndarray]:
    """Encode ``labels`` against the ``n_classes`` columns of a probability array.

    Integer labels are taken as column indices ``0..K-1``. Other labels need ``classes`` (the
    class of each column, in order) unless their sorted unique values number exactly ``K``.
    """
    if classes is not None:
        return encode_labels(labels, name=name, classes=checked_classes(classes, n_classes))
    arr = _as_1d(labels, name)
    if arr.size == 0:
        raise empty_labels(name)
    if are_column_numbers(arr):
        codes = arr.astype(np.int64, copy=False)
        lo, hi = int(codes.min()), int(codes.max())
        if lo < 0 or hi >= n_classes:
            row = int(np.flatnonzero((codes < 0) | (codes >= n_classes))[0])
            raise label_outside_columns(name, n_classes, row, arr[row])
        return codes, np.arange(n_classes)
    codes, found = encode_labels(arr, name=name)
    if len(found) != n_classes:
        raise distinct_count_mismatch(name, len(found), n_classes)
    return codes, found


def check_same_length(name_a: str, a: Any, name_b: str, b: Any) -> None:
    """Raise :class:`ShapeMismatchError` unless ``len(a) == len(b)``."""
    if len(a) != len(b):
        raise ShapeMismatchError(f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)}")


def check_class_counts(codes: np.ndarray, n_classes: int, *, name: str = "labels") -> np.ndarray:
    """Return per-class counts; error when fewer than two classes appear, warn for absent ones."""
    counts = np.bincount(codes, minlength=n_classes)
    present = int(np.count_nonzero(counts))
    if present < 2:
        raise InvalidLabelsError(f"{name} must contain at least 2 classes, got {present}")
    absent = np.flatnonzero(counts == 0)
    if absent.size:
        warn_at_caller(
            LabelwiseWarning(
                f"{name}: {absent.size} class(es) of probs have no examples (column(s) {absent[:10].tolist()}); "
                "no row is counted toward them by confident counting, so none is flagged for them "
                "(a suggested label, the model's top class, may still name them)"
            )
        )
    return counts


def check_rows_per_class_for_folds(counts: np.ndarray, classes: np.ndarray, cv: int) -> None:
    """Raise :class:`TooFewExamplesError` when a class has fewer than ``cv`` examples for ``cv`` folds.

    The message suggests lowering ``cv`` only when that can help (the class has 2 examples or more:
    cross-validation needs at least 2 folds).
    """
    smallest = int(np.argmin(counts))
    if counts[smallest] >= cv:
        return
    fix = "lower --cv / cv, or drop or merge that class" if counts[smallest] >= 2 else "drop or merge that class"
    alike = look_alike_classes(classes, "the labels")  # 'pos ' beside 'pos': a stray space made the small class
    raise TooFewExamplesError(
        f"every class needs at least cv={cv} examples for {cv}-fold cross-validation; class "
        f"{show(classes[smallest])} has {counts[smallest]} ({fix})" + ("" if alike is None else f"; {alike}")
    )
