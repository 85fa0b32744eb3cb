"""Shared pieces of the poison package: budgets, label encoding, kernels and the attack result."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .._caller import warn_at_caller
from .._validate.labels import check_same_length, encode_labels
from .._validate.row_order import check_row_order
from ..errors import InvalidLabelsError, InvalidParameterError, LabelwiseWarning, ShapeMismatchError
from ..noise._flip import in_input_kind, raw_labels
from ._names import BINARY_ONLY_ATTACKS, MULTICLASS_ATTACKS

READER = "the poison attacks and detectors"  # who pairs X and labels by position, for messages


class FlippedRows:
    """What every attack's result says of its rows, from ``labels``, ``true_labels`` and ``is_flipped``."""

    labels: Any
    true_labels: Any
    is_flipped: np.ndarray
    index: pd.Index | None

    @property
    def n_flipped(self) -> int:
        """How many rows the attack changed (flipped labels; for a backdoor, the poisoned rows)."""
        return int(self.is_flipped.sum())

    @property
    def flipped_indices(self) -> np.ndarray:
        """Indices of the changed rows, ascending."""
        return np.flatnonzero(self.is_flipped)

    def to_frame(self) -> pd.DataFrame:
        """One row per example: ``true_label``, ``label`` (poisoned) and ``is_flipped``, indexed by the
        input's pandas index (``index``) where it had one, else by row number."""
        columns = {"true_label": self.true_labels, "label": self.labels, "is_flipped": self.is_flipped}
        return pd.DataFrame(
            {k: v.array if isinstance(v, (pd.Series, pd.Index)) else v for k, v in columns.items()}, index=self.index
        )


def row_index(X: Any, labels: Any) -> pd.Index | None:
    """The rows' pandas index: the labels' (a ``Series``), else ``X``'s (a ``DataFrame``), else None.

    :func:`~labelwise._validate.row_order.check_row_order` has refused a pair that lists the rows
    in different orders, so where both have one they agree.
    """
    if isinstance(labels, pd.Series):
        return labels.index
    if isinstance(X, pd.DataFrame):
        return X.index
    return None


@dataclass(frozen=True)
class PoisonedLabels(FlippedRows):
    """Training labels after a label-flipping attack.

    Attributes
    ----------
    labels : ndarray, Series, Index or Categorical of shape (n,)
        The poisoned labels, in the input's kind, dtype and label values, as
        :func:`labelwise.noise.flip_labels` gives them: a ``Series`` keeps its index and name.
    true_labels : same kind as ``labels``
        The labels before the attack.
    is_flipped : ndarray of bool, shape (n,)
    attack : str
        Name of the attack.
    budget : int
        The number of flips the attacker was allowed (``n_flipped == budget``).
    classes : ndarray of shape (K,)
    info : dict
        Attack-specific diagnostics (e.g. ALFA's LP iterations).
    index : pandas Index or None
        The rows' index: the labels' where they were a ``Series``, else ``X``'s where it was a
        ``DataFrame``; :meth:`to_frame` is indexed by it. None for arrays.
    """

    labels: Any
    true_labels: Any
    is_flipped: np.ndarray
    attack: str
    budget: int
    classes: np.ndarray
    info: dict = field(default_factory=dict)
    index: pd.Index | None = None


def budget_count(budget: Any, n: int, *, name: str = "budget") -> int:
    """Turn a budget (a fraction in [0, 1) or an integer count <= n) into a count of flips.

    A Python/numpy integer is a count; a float is a fraction of ``n`` rounded half up.
    """
    if isinstance(budget, bool):
        raise InvalidParameterError(f"{name} must be a fraction in [0, 1) or an integer count, got {budget!r}")
    if isinstance(budget, (numbers.Integral, np.integer)):
        b = int(budget)
        if b < 0 or b > n:
            raise InvalidParameterError(
                f"{name} as a count must be between 0 and the number of examples ({n}), got {b}"
            )
        return b
    if isinstance(budget, numbers.Real):
        f = float(budget)
        if not (0.0 <= f < 1.0):
            raise InvalidParameterError(f"{name} as a fraction must be in [0, 1), got {budget!r}")
        return int(np.floor(f * n + 0.5))
    raise InvalidParameterError(f"{name} must be a fraction in [0, 1) or an integer count, got {type(budget).__name__}")


DENSE_KERNELS = "the poison attacks and defences work on dense RBF kernels (n x n)"


def refuse_sparse(X: Any, name: str = "X", why: str = DENSE_KERNELS) -> None:
    """Refuse a scipy sparse matrix by name, saying ``why`` dense rows are needed and how to get them."""
    if sp.issparse(X):
        raise InvalidParameterError(
            f"{name} must be a dense array, got a sparse {type(X).__name__} of shape {X.shape}: {why}; pass "
            f"{name}.toarray(), or reduce it first (e.g. sklearn.decomposition.TruncatedSVD)"
        )


def check_X(X: Any, n: int | None = None, *, name: str = "X") -> np.ndarray:
    """2-D finite float array; its length must be ``n`` when given."""
    refuse_sparse(X, name)
    columns = list(X.columns) if isinstance(X, pd.DataFrame) else None
    if isinstance(X, pd.DataFrame):
        X = X.to_numpy()
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{name} must be a numeric 2-D array, got {type(X).__name__}") from None
    if arr.ndim != 2:
        raise ShapeMismatchError(f"{name} must be 2-D (n_examples, n_features), got shape {arr.shape}")
    if not np.isfinite(arr).all():
        row = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        col = int(np.flatnonzero(~np.isfinite(arr[row]))[0])
        where = f"column {columns[col]!r}" if columns is not None else f"column {col}"
        raise InvalidParameterError(
            f"{name} must be finite (no NaN or inf), row {row} {where} is {arr[row, col]} "
            f"({int((~np.isfinite(arr).all(axis=1)).sum())} such row(s))"
        )
    if n is not None and arr.shape[0] != n:
        raise ShapeMismatchError(f"{name} and labels must have the same length, got {arr.shape[0]} and {n}")
    return arr


def encode(labels: Any, *, attack: str | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(raw array, codes 0..K-1, classes)``; binary-only attacks reject K != 2."""
    arr = raw_labels(labels)
    codes, classes = encode_labels(arr, name="labels")
    k = len(classes)
    if k < 2:
        raise InvalidLabelsError(f"labels must contain at least 2 classes, got {k}")
    if attack is not None and attack in BINARY_ONLY_ATTACKS and k != 2:
        raise InvalidLabelsError(
            f"the {attack!r} attack needs binary labels, got {k} classes; multi-class capable attacks: "
            f"{list(MULTICLASS_ATTACKS)}"
        )
    return arr, codes, np.asarray(classes)


def first_appearance_codes(codes: np.ndarray) -> np.ndarray:
    """Recode classes in the order of their first appearance in the rows (a name-free order).

    ``codes`` are the sorted-class codes of :func:`encode`; the result numbers the class of row 0
    as 0, the next new class met going down the rows as 1, and so on, so it depends on the rows
    and their grouping into classes only, never on the class names.
    """
    present, first = np.unique(codes, return_index=True)
    rank = np.zeros(int(present.max()) + 1 if present.size else 0, dtype=np.intp)
    rank[present[np.argsort(first)]] = np.arange(present.size)
    return rank[codes]


def warn_budget_over_bound(budget: int, n: int, k: int, attack: str) -> None:
    """Warn when a budget flips more than ``(K - 1) / K`` of the labels (half of two classes).

    The bound is the noise matrices' (:func:`labelwise.noise.noise_matrix` refuses a rate above it):
    beyond it the attacked labels are wrong more often than a uniform guess, and for two classes a
    budget ``b`` above half is the attack of ``n - b`` flips on the classes' names swapped.
    """
    if budget * k <= n * (k - 1):
        return
    warn_at_caller(
        LabelwiseWarning(
            f"the {attack!r} attack's budget flips {budget} of {n} labels ({budget / n:.0%}), more than "
            f"(K-1)/K = {(k - 1) / k:.4g} of them for K={k} classes: the attacked labels are wrong more often "
            "than a uniform guess"
            + (", and a model trained on them learns the two classes swapped" if k == 2 else "")
            + " (labelwise.noise refuses such a rate)"
        )
    )


def make_result(
    arr, classes, codes, new_codes, attack: str, budget: int, info: dict | None = None, *, X: Any = None, labels=None
) -> PoisonedLabels:
    """Build :class:`PoisonedLabels` keeping the input's kind (``labels``: a Series its index and
    name), dtype and label values, and the rows' index (:func:`row_index` of ``X`` and ``labels``)."""
    warn_budget_over_bound(int(budget), int(codes.size), int(classes.size), attack)
    flipped = new_codes != codes
    out = arr.copy()
    out[flipped] = classes[new_codes[flipped]]
    return PoisonedLabels(
        labels=in_input_kind(labels, out),
        true_labels=in_input_kind(labels, arr.copy()),
        is_flipped=flipped,
        attack=attack,
        budget=int(budget),
        classes=classes,
        info=dict(info or {}),
        index=row_index(X, labels),
    )


def resolve_gamma(gamma: Any, X: np.ndarray) -> float:
    """``"scale"`` -> ``1 / (n_features * X.var())`` as in scikit-learn; a positive number passes."""
    if isinstance(gamma, str):
        if gamma == "scale":
            var = float(X.var())
            return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
        if gamma == "auto":
            return 1.0 / X.shape[1]
        raise InvalidParameterError(f"gamma must be 'scale', 'auto' or a positive number, got {gamma!r}")
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real) or not float(gamma) > 0:
        raise InvalidParameterError(f"gamma must be 'scale', 'auto' or a positive number, got {gamma!r}")
    return float(gamma)


def rbf_kernel(A: np.ndarray, B: np.ndarray, gamma: float) -> np.ndarray:
    """``exp(-gamma * ||a - b||^2)`` for every pair of rows."""
    sq = (A * A).sum(1)[:, None] - 2.0 * (A @ B.T) + (B * B).sum(1)[None, :]
    np.maximum(sq, 0.0, out=sq)
    return np.exp(-gamma * sq)


def check_labels_X(X: Any, labels: Any, attack: str | None):
    """Validate an attack's inputs; ``X`` may be ``None`` only for ``random``."""
    check_row_order(X, "X", READER, labels=labels)
    arr, codes, classes = encode(labels, attack=attack)
    Xa = None if X is None else check_X(X)
    if Xa is not None:
        check_same_length("X", Xa, "labels", arr)
    return Xa, arr, codes, classes
