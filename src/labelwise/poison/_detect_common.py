"""Shared pieces of the poisoned-data detectors: input checks, rows by class, per-class moments.

The detectors read a representation of every training row (a model's penultimate-layer
activations, or any embedding) and its label. Their passes over row blocks (all classes at once,
numpy, memory maps and Dask arrays) are in :mod:`labelwise.poison._detect_passes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._caller import warn_at_caller
from .._chunks import row_blocks
from ..errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError, TooFewExamplesError
from ._common import refuse_sparse


def as_array(features: Any, name: str) -> np.ndarray:
    """``features`` as a numpy array (a ``np.memmap`` stays one), refusing ragged rows and sparse matrices."""
    refuse_sparse(features, name, "the detectors read dense rows, by blocks (a np.memmap or a .npy path stays on disk)")
    try:
        return features if isinstance(features, np.ndarray) else np.asarray(features)
    except ValueError:  # rows of different lengths
        raise ShapeMismatchError(f"{name} must be a 2-D array with the same number of values in every row") from None


def check_2d_numbers(arr: Any, name: str) -> Any:
    """``arr`` (numpy or Dask) if it is 2-D, of real numbers, with at least one row and one column."""
    if arr.ndim != 2:
        raise ShapeMismatchError(
            f"{name} must be a 2-D array (one row of representation values per example), got {arr.ndim}-D "
            f"with shape {arr.shape}; flatten activations with features.reshape(len(features), -1)"
        )
    if arr.dtype.kind not in "biuf":
        raise InvalidParameterError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ShapeMismatchError(f"{name} must have at least one row and one column, got shape {arr.shape}")
    return arr


def check_features(features: Any, *, name: str = "features") -> np.ndarray:
    """A 2-D array of finite real numbers (a ``np.memmap`` stays one: it is read by blocks later)."""
    arr = check_2d_numbers(as_array(features, name), name)
    for block in row_blocks(arr.shape[0], arr.shape[1]):
        part = np.asarray(arr[block], dtype=np.float64)
        bad = ~np.isfinite(part)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise InvalidParameterError(
                f"{name} must be finite, got {part[row, col]} at row {block.start + int(row)}, column {int(col)}"
            )
    return arr


@dataclass(frozen=True)
class ClassRows:
    """Labels encoded once, and the rows of each class in ascending order."""

    codes: np.ndarray
    classes: np.ndarray
    rows: list[np.ndarray]


def skip_small_classes(groups: ClassRows, minimum: int, detector: str, why: str = "") -> np.ndarray:
    """Classes with fewer than ``minimum`` rows are skipped: none of their rows is flagged, their
    score is NaN, and a :class:`LabelwiseWarning` names them (and ``why``, when given). No class
    left is an error."""
    sizes = np.array([len(r) for r in groups.rows])
    small = np.flatnonzero(sizes < minimum)
    if small.size == len(sizes):
        raise TooFewExamplesError(
            f"labels must give at least one class {minimum} or more rows for {detector}, "
            f"got at most {int(sizes.max())} rows per class"
        )
    if small.size:
        names = [str(groups.classes[k]) for k in small[:10]]
        reason = f" ({why})" if why else ""
        warn_at_caller(
            LabelwiseWarning(
                f"labels: {small.size} class(es) have fewer than {minimum} rows ({', '.join(names)}); {detector} "
                f"skips them: their rows are not flagged and their score is NaN{reason}"
            )
        )
    return sizes >= minimum


def top_directions(scatter: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` leading eigenvalues (descending) and eigenvectors (columns) of a scatter matrix.

    Each vector's sign is fixed so that its largest-magnitude entry is positive (a convention: the
    detectors' outputs do not depend on it)."""
    values, vectors = np.linalg.eigh(scatter)
    values = values[::-1][:k]
    vectors = vectors[:, ::-1][:, :k]
    big = np.argmax(np.abs(vectors), axis=0)
    vectors = vectors * np.sign(vectors[big, np.arange(vectors.shape[1])])
    return np.maximum(values, 0.0), vectors
