"""Shared input checks: probabilities, labels, random states, fractions.

Each check raises a :class:`~labelwise.errors.LabelwiseError` subclass whose message names the
parameter, what was expected and what was received. Checks are vectorised and, for large
probability arrays, avoid materialising a copy of the input.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._arrays import as_rows_array
from .errors import (
    InvalidLabelsError,
    InvalidParameterError,
    InvalidProbabilitiesError,
    LabelwiseWarning,
    ShapeMismatchError,
)

PROB_SUM_ATOL = 1e-4


def check_probs(
    probs: Any,
    *,
    name: str = "probs",
    atol: float = PROB_SUM_ATOL,
    check_values: bool = True,
    n_jobs: int | None = None,
) -> Any:
    """Return ``probs`` as a 2-D float array (float32 kept, no copy when already an array).

    numpy arrays and memory maps come back as numpy arrays; a dask array (whole rows per chunk),
    a zarr array and a :class:`~labelwise._rows.ComputedRows` are returned as they are, and their
    values are checked chunk by chunk.

    Parameters
    ----------
    check_values : bool, default True
        Check the values (one pass over the rows); a caller that checks them in its own pass
        (with :func:`probs_problems` and :func:`raise_probs_problems`) passes False.

    Raises
    ------
    InvalidProbabilitiesError
        If not 2-D with at least two columns, if any value is NaN, infinite or negative, or if a
        row does not sum to 1 within ``atol`` (the first such row is named).
    ShapeMismatchError
        A dask array chunked along its columns.
    """
    from ._chunks import RowChunks, align_dask_rows, is_dask
    from ._rows import ComputedRows

    lazy = is_dask(probs) or isinstance(probs, ComputedRows) or type(probs).__module__.split(".")[0] == "zarr"
    if is_dask(probs):
        arr = align_dask_rows([probs], [name])[0] if getattr(probs, "ndim", 0) == 2 else probs
    else:
        arr = probs if lazy else as_rows_array(probs, name)
    if np.dtype(arr.dtype).kind not in "fiu":
        raise InvalidProbabilitiesError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.dtype(arr.dtype).kind != "f":
        arr = arr.astype(np.float64)
    if arr.ndim != 2:
        raise InvalidProbabilitiesError(
            f"{name} must be a 2-D array of shape (n_examples, n_classes), got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise InvalidProbabilitiesError(f"{name} must have at least one row, got shape {arr.shape}")
    if arr.shape[1] < 2:
        raise InvalidProbabilitiesError(f"{name} must have at least 2 columns (classes), got {arr.shape[1]}")
    if check_values:
        chunks = RowChunks.for_arrays(arr, n_jobs=n_jobs)
        problems = chunks.run(lambda s, p: ((), probs_problems(s, p, atol)), [arr], combine=first_problem_rows)[1]
        raise_probs_problems(arr, problems, name=name, atol=atol)
    return arr


def probs_problems(start: int, probs: np.ndarray, atol: float = PROB_SUM_ATOL) -> np.ndarray:
    """First bad rows of a chunk of probabilities (global indices, -1 for none).

    Returns ``[first non-finite row, first row with a negative value, first row not summing to 1]``.
    Row sums reveal NaN/inf without an ``n x K`` temporary; blocks of rows keep the minimum in cache.
    The sums are float64 sums of the values (:func:`row_sums_checked`).
    """
    from ._chunks import row_blocks

    found = np.full(3, -1, dtype=np.int64)
    for block in row_blocks(probs.shape[0], probs.shape[1]):
        part = probs[block]
        sums = row_sums_checked(part, atol)
        if found.max() < 0 and (np.abs(sums - 1.0) <= atol).all() and not float(part.min()) < 0:
            continue  # the usual block: no problem (NaN sums fail the test above)
        finite = np.isfinite(sums)
        checks = (~finite, None, finite & (np.abs(sums - 1.0) > atol))
        for kind, bad in enumerate(checks):
            if found[kind] >= 0:
                continue
            if kind == 1:
                if not float(part.min()) < 0:
                    continue
                bad = (part < 0).any(axis=1)
            hit = np.flatnonzero(bad)
            if hit.size:
                found[kind] = start + block.start + hit[0]
    return found


def row_sums_checked(
    part: np.ndarray, atol: float, sums32: np.ndarray | None = None, out: np.ndarray | None = None
) -> np.ndarray:
    """Row sums of a block, as good as float64 sums for the tests ``finite`` and ``|sum - 1| > atol``.

    float32 rows are summed in float32 (about twice as fast as with a float64 accumulator); a row
    whose float32 sum is not finite, or lies within the float32 rounding bound of ``1 +- atol``, is
    summed again in float64, so both tests give the float64 answer for every row. The bound holds for
    non-negative values (``K`` terms in any order, ``|error| <= K * 2**-24 * sum``, doubled here);
    rows with a negative value are reported as negative before their sum is looked at
    (:func:`raise_probs_problems`). ``sums32``: the float32 row sums of ``part`` if the caller has
    them already (summed in any order). ``out``: a float64 vector, one per row, that receives the
    sums (default a new one). The steps write into the calling thread's scratch vectors
    (:func:`~labelwise._scratch.scratch`), not fresh arrays: on a Dask worker each fresh one is
    page-faulted again.
    """
    from ._scratch import scratch

    n = part.shape[0]
    sums = np.empty(n, dtype=np.float64) if out is None else out
    if part.dtype != np.float32:
        return part.sum(axis=1, dtype=np.float64, out=sums)
    bound = scratch("_validate.row_sums.bound", n, np.float64)
    near = scratch("_validate.row_sums.near", n, bool)
    odd = scratch("_validate.row_sums.odd", n, bool)
    with np.errstate(over="ignore", invalid="ignore"):  # rows that overflow are summed again below
        np.copyto(sums, part.sum(axis=1) if sums32 is None else sums32)  # float32 -> float64: exact
        np.abs(sums, out=bound)
        bound *= part.shape[1] * 2.0**-23
        gap = distance_to_one(sums, scratch("_validate.row_sums.gap", n, np.float64))
        gap -= atol
        np.abs(gap, out=gap)
        np.less_equal(gap, bound, out=near)
        np.isfinite(sums, out=odd)
        np.logical_not(odd, out=odd)
        near |= odd
    redo = np.flatnonzero(near)
    if redo.size:
        sums[redo] = part[redo].sum(axis=1, dtype=np.float64)
    return sums


def distance_to_one(values: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``|values - 1|`` written into ``out`` (returned)."""
    np.subtract(values, 1.0, out=out)
    return np.abs(out, out=out)


def first_problem_rows(parts: list[np.ndarray]) -> np.ndarray:
    """Combine :func:`probs_problems` results: the earliest bad row of each kind."""
    stacked = np.stack(parts).astype(np.float64)
    stacked[stacked < 0] = np.inf
    lowest = stacked.min(axis=0)
    return np.where(np.isfinite(lowest), lowest, -1).astype(np.int64)


def raise_probs_problems(probs: Any, problems: np.ndarray, *, name: str = "probs", atol: float = PROB_SUM_ATOL) -> None:
    """Raise :class:`InvalidProbabilitiesError` for the first problem found by :func:`probs_problems`."""
    if problems[0] >= 0:
        values = _row_values(probs, int(problems[0]))
        raise InvalidProbabilitiesError(
            f"{name} must be finite (no NaN or inf), row {problems[0]} contains {values[~np.isfinite(values)][0]}"
        )
    if problems[1] >= 0:
        values = _row_values(probs, int(problems[1]))
        raise InvalidProbabilitiesError(f"{name} must be non-negative, row {problems[1]} contains {values.min():.6g}")
    if problems[2] >= 0:
        total = float(_row_values(probs, int(problems[2])).sum(dtype=np.float64))
        raise InvalidProbabilitiesError(
            f"{name} must sum to 1 in every row (within {atol:g}); row {problems[2]} sums to {total:.6g}"
        )


def _row_values(probs: Any, row: int) -> np.ndarray:
    values = probs[row]
    return np.asarray(values.compute() if hasattr(values, "compute") else values)


def show(value: Any) -> str:
    """``repr`` of a value for messages, numpy scalars shown as plain Python values."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _as_1d(values: Any, name: str) -> np.ndarray:
    if isinstance(values, (pd.Series, pd.Index)):
        arr = values.to_numpy()
    else:
        arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidLabelsError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.dtype.kind in "US":  # results then hold plain Python strings, not np.str_
        arr = arr.astype(object)
    return arr


def _missing_mask(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind in "iub":
        return np.zeros(arr.shape, dtype=bool)
    return pd.isna(arr)


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
        raise InvalidLabelsError(f"{name} must not be empty")
    missing = _missing_mask(arr)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise InvalidLabelsError(f"{name} must not contain missing values, row {row} is {show(arr[row])}")
    if classes is None:
        try:
            codes, uniques = pd.factorize(arr, sort=True)
        except TypeError:  # mixed, unorderable types: keep first-seen order
            codes, uniques = pd.factorize(arr, sort=False)
        return codes.astype(np.int64, copy=False), np.asarray(uniques)
    class_arr = _as_1d(classes, "classes")
    index = pd.Index(class_arr)
    if not index.is_unique:
        raise InvalidParameterError(f"classes must be unique, got duplicates {list(index[index.duplicated()][:5])}")
    codes = index.get_indexer(arr)
    unknown = codes < 0
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise InvalidLabelsError(
            f"{name} must be one of the classes {[c.item() if isinstance(c, np.generic) else c for c in class_arr[:20]]}, row {row} is {show(arr[row])}"
        )
    return codes.astype(np.int64, copy=False), class_arr


def encode_labels_for_probs(
    labels: Any, n_classes: int, *, classes: Sequence[Any] | np.ndarray | None = None, name: str = "labels"
) -> tuple[np.ndarray, np.ndarray]:
    """Encode ``labels`` against the ``n_classes`` columns of a probability array.

    Integer labels are taken as column indices ``0..K-1``. Other labels need ``classes`` (the
    class of each column, in order) unless their sorted unique values number exactly ``K``.
    """
    if classes is not None:
        class_arr = _as_1d(classes, "classes")
        if len(class_arr) != n_classes:
            raise ShapeMismatchError(
                f"classes must have one entry per column of probs ({n_classes}), got {len(class_arr)}"
            )
        return encode_labels(labels, name=name, classes=class_arr)
    arr = _as_1d(labels, name)
    if arr.size == 0:
        raise InvalidLabelsError(f"{name} must not be empty")
    if arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and np.all(np.mod(arr, 1) == 0)):
        codes = arr.astype(np.int64, copy=False)
        lo, hi = int(codes.min()), int(codes.max())
        if lo < 0 or hi >= n_classes:
            row = int(np.flatnonzero((codes < 0) | (codes >= n_classes))[0])
            raise InvalidLabelsError(
                f"{name} must be integers in [0, {n_classes - 1}] (one per column of probs), "
                f"row {row} is {show(arr[row])}"
            )
        return codes, np.arange(n_classes)
    codes, found = encode_labels(arr, name=name)
    if len(found) != n_classes:
        raise InvalidLabelsError(
            f"{name} has {len(found)} distinct values but probs has {n_classes} columns; pass "
            f"classes= to say which class each column is"
        )
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
        warnings.warn(
            f"{name}: {absent.size} class(es) of probs have no examples (column(s) {absent[:10].tolist()}); "
            "they are never flagged and never suggested by confident counting",
            LabelwiseWarning,
            stacklevel=3,
        )
    return counts


def _is_seed(value: Any) -> bool:
    """An int that numpy and scikit-learn both take as a seed: in [0, 2**32)."""
    return isinstance(value, (numbers.Integral, np.integer)) and 0 <= int(value) < 2**32


def check_random_state(random_state: Any) -> np.random.Generator:
    """Turn ``None``, an int, a ``Generator`` or a ``RandomState`` into a ``Generator``."""
    if random_state is None or _is_seed(random_state):
        return np.random.default_rng(None if random_state is None else int(random_state))
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    raise InvalidParameterError(
        f"random_state must be None, an int in [0, 2**32) or a numpy Generator, got {show(random_state)}"
    )


def seed_from(random_state: Any) -> int | None:
    """An int seed for APIs (scikit-learn) that want one; ``None`` stays ``None``."""
    if random_state is None or _is_seed(random_state):
        return None if random_state is None else int(random_state)
    return int(check_random_state(random_state).integers(0, 2**31 - 1))


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Raise :class:`InvalidParameterError` unless ``value`` is one of ``choices``."""
    if value not in choices:
        raise InvalidParameterError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_fraction(
    name: str,
    value: Any,
    *,
    low: float = 0.0,
    high: float = 1.0,
    closed_high: bool = False,
    closed_low: bool = True,
) -> float:
    """Raise :class:`InvalidParameterError` unless ``low <= value < high``.

    ``closed_high`` makes the upper end ``<=``; ``closed_low=False`` makes the lower one ``<``.
    Booleans are not numbers here.
    """
    if isinstance(value, bool):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a number, got {value!r}") from None
    above = low <= v if closed_low else low < v
    below = v <= high if closed_high else v < high
    if not (above and below) or np.isnan(v):
        opening = "[" if closed_low else "("
        bracket = "]" if closed_high else ")"
        # "a number in (0, 1]" reads better than "in (0, 1]" when zero itself is excluded
        what = "in" if closed_low else "a number in"
        raise InvalidParameterError(f"{name} must be {what} {opening}{low:g}, {high:g}{bracket}, got {value!r}")
    return v


def check_positive(name: str, value: Any) -> float:
    """Raise :class:`InvalidParameterError` unless ``value`` is a finite real number > 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not (float(value) > 0)
        or not np.isfinite(float(value))
    ):
        raise InvalidParameterError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """Raise :class:`InvalidParameterError` unless ``value`` is an int ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_estimator_method(estimator: Any, method: str, *, name: str = "estimator") -> None:
    """Raise :class:`EstimatorError` unless ``estimator`` has ``method`` (e.g. ``predict_proba``)."""
    from .errors import EstimatorError

    if not hasattr(estimator, "fit"):
        raise EstimatorError(f"{name} must be a scikit-learn estimator with fit(), got {type(estimator).__name__}")
    if not hasattr(estimator, method):
        hint = " (for SVC, pass probability=True)" if method == "predict_proba" else ""
        raise EstimatorError(f"{name} must implement {method}(){hint}, got {type(estimator).__name__} which does not")


def sample_weight_fit_params(estimator: Any, sample_weight: Any, *, name: str = "estimator") -> dict:
    """The ``fit`` keyword arguments that pass ``sample_weight`` to ``estimator``.

    A :class:`~sklearn.pipeline.Pipeline` gets ``<last step>__sample_weight``. Raises
    :class:`EstimatorError` when the estimator's ``fit`` cannot take sample weights.
    """
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import has_fit_parameter

    from .errors import EstimatorError

    if sample_weight is None:
        return {}
    if isinstance(estimator, Pipeline):
        step, last = estimator.steps[-1]
        if last not in (None, "passthrough") and has_fit_parameter(last, "sample_weight"):
            return {f"{step}__sample_weight": sample_weight}
        raise EstimatorError(
            f"{name} must accept sample_weight in fit(), but the last step of the pipeline "
            f"({type(last).__name__}) does not"
        )
    if has_fit_parameter(estimator, "sample_weight"):
        return {"sample_weight": sample_weight}
    raise EstimatorError(f"{name} must accept sample_weight in fit(), {type(estimator).__name__}.fit does not")


def check_meta_X(estimator: Any, X: Any, *, reset: bool) -> Any:
    """Validate ``X`` for a meta-estimator: arrays are checked, tables and text pass through.

    DataFrames (for column transformers) and 1-D sequences of strings (for text vectorisers) go
    to the inner estimator unchanged; only the feature names/counts are recorded (``reset``) or
    checked. Arrays are validated by scikit-learn (2-D, non-empty; NaN left to the inner model).
    """
    from sklearn.utils.validation import validate_data

    is_frame = hasattr(X, "iloc") and getattr(X, "ndim", 1) == 2
    is_text = False
    if isinstance(X, (list, tuple, pd.Series, np.ndarray)) and np.ndim(X) == 1 and len(X) > 0:
        first = X.iloc[0] if isinstance(X, pd.Series) else X[0]
        is_text = isinstance(first, str)
    if is_frame or is_text:
        validate_data(estimator, X, skip_check_array=True, reset=reset)
        return X
    return validate_data(estimator, X, accept_sparse=["csr", "csc"], ensure_all_finite=False, dtype=None, reset=reset)
