"""Checks of predicted probabilities: shape, finite, non-negative values and rows summing to one.

Large arrays are checked block by block without an ``n x K`` temporary; the pieces
(:func:`probs_problems`, :func:`first_problem_rows`, :func:`raise_probs_problems`) let a
caller fold the check into a pass of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._arrays import as_rows_array
from ..errors import InvalidProbabilitiesError

PROB_SUM_ATOL = 1e-4
# a row sum this close to 1 is most likely probabilities rounded when written: the error says so
ROUNDED_SUM_GAP = 0.01


def check_probs(
    probs: Any,
    *,
    name: str = "probs",
    atol: float = PROB_SUM_ATOL,
    check_values: bool = True,
    n_jobs: int | None = None,
    row_name: Callable[[int], str] | None = None,
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
    row_name : callable, optional
        The words for row ``i`` in an error (default ``row i``); a caller whose rows have keys
        of the user's names them (``row 4 of given (index 'i5')``).

    Raises
    ------
    InvalidProbabilitiesError
        If not 2-D with at least two columns, float16 (too coarse for the row sums), if any value
        is NaN, infinite or negative, or if a row does not sum to 1 within ``atol`` (the first such
        row is named).
    ShapeMismatchError
        A dask array chunked along its columns.
    """
    from .._chunks import RowChunks, align_dask_rows, is_dask
    from .._rows import ComputedRows

    lazy = is_dask(probs) or isinstance(probs, ComputedRows) or type(probs).__module__.split(".")[0] == "zarr"
    if is_dask(probs):
        arr = align_dask_rows([probs], [name])[0] if getattr(probs, "ndim", 0) == 2 else probs
    else:
        arr = probs if lazy else as_rows_array(probs, name)
    if np.dtype(arr.dtype).kind not in "fiu":
        raise InvalidProbabilitiesError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.dtype(arr.dtype).kind != "f":
        arr = arr.astype(np.float64)
    if np.dtype(arr.dtype).itemsize < 4:  # float16: about 3 digits, rows cannot be checked to sum to 1 within atol
        raise InvalidProbabilitiesError(
            f"{name} must be float32 or float64, got {arr.dtype} (too coarse for rows to sum to 1 within "
            f"{atol:g}); store them as float32"
        )
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
        raise_probs_problems(arr, problems, name=name, atol=atol, row_name=row_name)
    return arr


def probs_problems(start: int, probs: np.ndarray, atol: float = PROB_SUM_ATOL) -> np.ndarray:
    """First bad rows of a chunk of probabilities (global indices, -1 for none).

    Returns ``[first non-finite row, first row with a negative value, first row not summing to 1]``.
    Row sums reveal NaN/inf without an ``n x K`` temporary; blocks of rows keep the minimum in cache.
    The sums are float64 sums of the values (:func:`row_sums_checked`).
    """
    from .._chunks import row_blocks

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
    from .._scratch import scratch

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


def raise_probs_problems(
    probs: Any,
    problems: np.ndarray,
    *,
    name: str = "probs",
    atol: float = PROB_SUM_ATOL,
    row_name: Callable[[int], str] | None = None,
) -> None:
    """Raise :class:`InvalidProbabilitiesError` for the first problem found by :func:`probs_problems`;
    ``row_name(i)`` words row ``i`` (default ``row i``)."""
    where = row_name or default_row_name
    if problems[0] >= 0:
        values = _row_values(probs, int(problems[0]))
        raise InvalidProbabilitiesError(
            f"{name} must be finite (no NaN or inf), {where(int(problems[0]))} contains {values[~np.isfinite(values)][0]}"
        )
    if problems[1] >= 0:
        values = _row_values(probs, int(problems[1]))
        raise InvalidProbabilitiesError(
            f"{name} must be non-negative, {where(int(problems[1]))} contains {values.min():.6g}"
        )
    if problems[2] >= 0:
        total = float(_row_values(probs, int(problems[2])).sum(dtype=np.float64))
        rounded = abs(total - 1.0) <= ROUNDED_SUM_GAP  # e.g. a file written with 3 decimals
        raise InvalidProbabilitiesError(
            f"{name} must sum to 1 in every row (within {atol:g}); {where(int(problems[2]))} sums to {total:.6g}"
            + (" (rounded when written? divide each row by its sum, or write more digits)" if rounded else "")
        )


def default_row_name(row: int) -> str:
    """``row 17``: a row named by its position."""
    return f"row {row}"


def _row_values(probs: Any, row: int) -> np.ndarray:
    values = probs[row]
    return np.asarray(values.compute() if hasattr(values, "compute") else values)
