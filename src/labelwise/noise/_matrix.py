"""Class-conditional noise matrices: build them (symmetric, pair, random) and check them.

Convention (the same as :func:`labelwise.find_label_issues`): ``noise_matrix[i, j]`` is
``P(given label = i | true label = j)``, so every *column* sums to one and the diagonal holds the
probability that a class keeps its label.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_positive_int, check_random_state
from .._validate.class_columns import class_column_names, columns_in_class_order
from ..errors import InvalidParameterError, ShapeMismatchError
from ._names import KINDS

__all__ = ["noise_matrix", "check_noise_matrix", "matrix_in_class_order", "KINDS"]

_COLUMN_ATOL = 1e-6
_MAX_TRIES = 10_000


def matrix_in_class_order(matrix: Any, classes: Any, *, name: str, rows: str, columns: str) -> Any:
    """A class-by-class ``matrix`` as a DataFrame whose index and columns name the classes, put in the
    order of ``classes``; anything else (an array, a frame on pandas' default ``0..K-1``) as it is.

    ``rows`` and ``columns`` say what each axis holds (``"the given class"``), for the errors.

    Raises
    ------
    ShapeMismatchError
        The names are not exactly ``classes`` (compared as text), or only one axis is named by class
        (which class a row of the other axis is would be a guess).
    """
    if not isinstance(matrix, pd.DataFrame):
        return matrix
    ordered = columns_in_class_order(matrix, classes, name=f"{name} (columns: {columns})")
    ordered = columns_in_class_order(ordered.T, classes, name=f"{name} (index: {rows})").T
    wanted = {str(c) for c in classes}
    named = [set(names or ()) == wanted for names in (class_column_names(matrix.T), class_column_names(matrix))]
    if named[0] != named[1]:
        raise ShapeMismatchError(
            f"{name} must name the classes {[str(c) for c in classes][:20]} on both its index ({rows}) and its "
            f"columns ({columns}), or on neither (then both are in class order), got index "
            f"{[str(c) for c in matrix.index][:20]} and columns {[str(c) for c in matrix.columns][:20]}"
        )
    return ordered


def check_noise_matrix(matrix: Any, n_classes: int | None = None, *, name: str = "noise_matrix") -> np.ndarray:
    """Return ``matrix`` as a float (K, K) array whose columns are probability distributions.

    Parameters
    ----------
    matrix : array-like of shape (K, K)
        ``matrix[i, j] = P(given = i | true = j)``.
    n_classes : int, optional
        The expected ``K``; when given, a matrix of another shape is an error.
    name : str
        Parameter name used in error messages.

    Raises
    ------
    ShapeMismatchError
        If the matrix is not square, or not ``(n_classes, n_classes)``.
    InvalidParameterError
        If an entry is negative or not finite, or a column does not sum to 1 (the column is named).
    """
    try:
        arr = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a numeric (K, K) array, got {type(matrix).__name__}") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] < 2:
        raise ShapeMismatchError(f"{name} must be a square (K, K) array with K >= 2, got shape {arr.shape}")
    if n_classes is not None and arr.shape[0] != n_classes:
        raise ShapeMismatchError(
            f"{name} must have shape ({n_classes}, {n_classes}) (one row and column per class), got {arr.shape}"
        )
    if not np.isfinite(arr).all():
        raise InvalidParameterError(f"{name} must be finite, got NaN or inf")
    if (arr < 0).any():
        i, j = np.argwhere(arr < 0)[0]
        raise InvalidParameterError(f"{name} must be non-negative, entry [{i}, {j}] is {arr[i, j]:.6g}")
    sums = arr.sum(axis=0)
    bad = np.abs(sums - 1.0) > _COLUMN_ATOL
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(
            f"{name} columns must sum to 1 (column j is P(given | true = j)); column {j} sums to {sums[j]:.6g}"
        )
    return arr


def _check_rate_bound(noise_rate: float, bound: float, kind: str, n_classes: int) -> None:
    if noise_rate >= bound:
        raise InvalidParameterError(
            f"noise_rate must be < {bound:.4g} for kind={kind!r} with K={n_classes} classes (above it a class "
            f"would more often carry another label than its own, so the matrix is not a valid noise model), "
            f"got {noise_rate:g}"
        )


def _symmetric(k: int, rate: float) -> np.ndarray:
    m = np.full((k, k), rate / (k - 1))
    np.fill_diagonal(m, 1.0 - rate)
    return m


def _pair(k: int, rate: float) -> np.ndarray:
    m = np.eye(k) * (1.0 - rate)
    cols = np.arange(k)
    m[(cols + 1) % k, cols] += rate  # true class j is mislabelled as the next class j+1
    return m


def _zero_mask(k: int, n_zero: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean (K, K) mask of off-diagonal entries forced to zero; each column keeps one non-zero."""
    mask = np.zeros((k, k), dtype=bool)
    if n_zero == 0:
        return mask
    rows, cols = np.nonzero(~np.eye(k, dtype=bool))
    order = rng.permutation(rows.size)
    per_col = np.zeros(k, dtype=np.int64)
    placed = 0
    for s in order:  # K*(K-1) slots: a loop over matrix entries, not examples
        c = cols[s]
        if per_col[c] < k - 2:
            mask[rows[s], c] = True
            per_col[c] += 1
            placed += 1
            if placed == n_zero:
                break
    return mask


def _random(k: int, rate: float, frac_zero: float, rng: np.random.Generator) -> np.ndarray:
    if rate == 0.0:
        return np.eye(k)
    n_off = k * (k - 1)
    n_zero = int(round(frac_zero * n_off))
    off = ~np.eye(k, dtype=bool)
    for _ in range(_MAX_TRIES):
        # Per-class noise rates e_j with mean `rate` (so the trace is K * (1 - rate)), spread by a
        # Dirichlet; the mass e_j is split over the column's allowed off-diagonal entries.
        e = k * rate * rng.dirichlet(np.full(k, 4.0))
        if (e >= 1.0).any():
            continue
        allowed = off & ~_zero_mask(k, n_zero, rng)
        g = rng.gamma(1.0, size=(k, k)) * allowed
        m = g / g.sum(axis=0, keepdims=True) * e
        m[np.diag_indices(k)] = 1.0 - e
        diag = np.diag(m)
        if (diag > (m * off).max(axis=0)).all():
            return m
    raise InvalidParameterError(
        f"could not draw a valid random noise matrix with noise_rate={rate:g} (trace {k * (1 - rate):g}) and "
        f"frac_zero_noise_rates={frac_zero:g} for K={k} in {_MAX_TRIES} tries; lower the noise rate or the zero fraction"
    )


def noise_matrix(
    K: int,
    noise_rate: float | None = None,
    kind: str = "symmetric",
    trace: float | None = None,
    frac_zero_noise_rates: float = 0.0,
    random_state: Any = None,
) -> np.ndarray:
    """Build a class-conditional label-noise matrix.

    ``noise_matrix[i, j] = P(given = i | true = j)``; every column sums to one and the diagonal is
    the chance that a class keeps its label.

    Parameters
    ----------
    K : int
        Number of classes (>= 2).
    noise_rate : float in [0, 1)
        The average chance that a label is wrong, ``1 - trace / K``. Optional for ``kind="random"``
        when ``trace`` is given.
    kind : {"symmetric", "pair", "random"}
        ``"symmetric"``: a wrong label is any other class with equal chance. ``"pair"``: class ``j``
        is only ever mislabelled as class ``(j + 1) % K``. ``"random"``: per-class noise rates and
        off-diagonal entries drawn at random with the given trace.
    trace : float, optional
        Sum of the diagonal (``kind="random"`` only); ``K * (1 - noise_rate)`` when omitted.
    frac_zero_noise_rates : float in [0, 1)
        ``kind="random"`` only: the fraction of off-diagonal entries that are exactly zero (at most
        ``(K - 2) / (K - 1)``: every class keeps at least one class it can be mistaken for).
    random_state : int, Generator or None
        Seeds ``kind="random"``.

    Returns
    -------
    ndarray of shape (K, K)

    Raises
    ------
    InvalidParameterError
        If a parameter is out of range, or the noise rate is so high that a class would more often
        carry another label than its own (symmetric: ``noise_rate < (K-1)/K``; pair: ``< 0.5``).

    Examples
    --------
    >>> import labelwise as lw
    >>> lw.noise.noise_matrix(3, 0.3, kind="pair").round(2)
    array([[0.7, 0. , 0.3],
           [0.3, 0.7, 0. ],
           [0. , 0.3, 0.7]])
    """
    k = check_positive_int("K", K, minimum=2)
    kind = kind if isinstance(kind, str) else repr(kind)
    if kind not in KINDS:
        raise InvalidParameterError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    if trace is not None and kind != "random":
        raise InvalidParameterError(f"trace is only used with kind='random', got kind={kind!r}")
    if frac_zero_noise_rates and kind != "random":
        raise InvalidParameterError(f"frac_zero_noise_rates is only used with kind='random', got kind={kind!r}")
    if trace is not None:
        if isinstance(trace, bool) or not isinstance(trace, numbers.Real) or not (1.0 < float(trace) <= k):
            raise InvalidParameterError(f"trace must be a number in (1, {k}] for K={k}, got {trace!r}")
        from_trace = 1.0 - float(trace) / k
        if noise_rate is not None and abs(check_fraction("noise_rate", noise_rate) - from_trace) > 1e-9:
            raise InvalidParameterError(
                f"noise_rate and trace disagree: trace={trace} means noise_rate={from_trace:g}, got {noise_rate!r}"
            )
        noise_rate = from_trace
    if noise_rate is None:
        raise InvalidParameterError("noise_rate must be a number in [0, 1), got None")
    rate = check_fraction("noise_rate", noise_rate)
    rng = check_random_state(random_state)  # checked for every kind, used by "random"
    if kind == "symmetric":
        _check_rate_bound(rate, (k - 1) / k, kind, k)
        return _symmetric(k, rate)
    if kind == "pair":
        _check_rate_bound(rate, 0.5, kind, k)
        return _pair(k, rate)
    frac = check_fraction("frac_zero_noise_rates", frac_zero_noise_rates)
    max_frac = (k - 2) / (k - 1)
    if frac > max_frac + 1e-12:
        raise InvalidParameterError(
            f"frac_zero_noise_rates must be <= {max_frac:.4g} for K={k} (each class needs one class it can be "
            f"mistaken for), got {frac:g}"
        )
    _check_rate_bound(rate, (k - 1) / k if frac == 0 else 0.5, kind, k)
    return _random(k, rate, frac, rng)
