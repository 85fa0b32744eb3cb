"""Shared pieces of the poisoned-data detectors: input checks, rows by class, per-class moments.

The detectors read a representation of every training row (a model's penultimate-layer
activations, or any embedding) and its label. Each class is handled on its own; its statistics are
gathered in passes over row blocks (:func:`labelwise._chunks.row_blocks`), so a ``np.memmap`` of
features larger than memory is read a block at a time, never copied whole.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._chunks import row_blocks
from .._validate.labels import check_same_length, encode_labels
from ..errors import InvalidParameterError, LabelwiseWarning, ShapeMismatchError, TooFewExamplesError


def check_features(features: Any, *, name: str = "features") -> np.ndarray:
    """A 2-D array of finite real numbers (a ``np.memmap`` stays one: it is read by blocks later)."""
    try:
        arr = features if isinstance(features, np.ndarray) else np.asarray(features)
    except ValueError:  # rows of different lengths
        raise ShapeMismatchError(f"{name} must be a 2-D array with the same number of values in every row") from None
    if arr.ndim != 2:
        raise ShapeMismatchError(
            f"{name} must be a 2-D array (one row of representation values per example), got {arr.ndim}-D "
            f"with shape {arr.shape}; flatten activations with features.reshape(len(features), -1)"
        )
    if arr.dtype.kind not in "biuf":
        raise InvalidParameterError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ShapeMismatchError(f"{name} must have at least one row and one column, got shape {arr.shape}")
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


def rows_by_class(features: Any, labels: Any) -> tuple[np.ndarray, ClassRows]:
    """Check ``features`` and ``labels`` together; the rows of every class (labels sorted)."""
    X = check_features(features)
    codes, classes = encode_labels(labels, name="labels")
    check_same_length("features", X, "labels", codes)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(classes) + 1))
    rows = [order[bounds[k] : bounds[k + 1]] for k in range(len(classes))]
    return X, ClassRows(codes, classes, rows)


def skip_small_classes(groups: ClassRows, minimum: int, detector: str) -> np.ndarray:
    """Classes with fewer than ``minimum`` rows are skipped: none of their rows is flagged, their
    score is NaN, and a :class:`LabelwiseWarning` names them. No class left is an error."""
    sizes = np.array([len(r) for r in groups.rows])
    small = np.flatnonzero(sizes < minimum)
    if small.size == len(sizes):
        raise TooFewExamplesError(
            f"labels must give at least one class {minimum} or more rows for {detector}, "
            f"got at most {int(sizes.max())} rows per class"
        )
    if small.size:
        names = [str(groups.classes[k]) for k in small[:10]]
        warnings.warn(
            f"labels: {small.size} class(es) have fewer than {minimum} rows ({', '.join(names)}); {detector} "
            "skips them: their rows are not flagged and their score is NaN",
            LabelwiseWarning,
            stacklevel=3,
        )
    return sizes >= minimum


def class_blocks(X: np.ndarray, rows: np.ndarray) -> Any:
    """The class's rows of ``X`` as float64 blocks of about a megabyte: ``(slice into rows, block)``."""
    for part in row_blocks(len(rows), X.shape[1]):
        yield part, np.asarray(X[rows[part]], dtype=np.float64)


def class_moments(X: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scatter matrix (sum of centred outer products) of the class's rows in one pass.

    Blocks are merged with the pairwise update of Chan, Golub & LeVeque (1979):
    ``S = S_a + S_b + d d^T n_a n_b / n`` with ``d`` the difference of the block means, which keeps
    the scatter accurate where ``X^T X - n m m^T`` would cancel.
    """
    d = X.shape[1]
    n = 0
    mean = np.zeros(d)
    scatter = np.zeros((d, d))
    for _, block in class_blocks(X, rows):
        nb = block.shape[0]
        mb = block.mean(axis=0)
        centred = block - mb
        delta = mb - mean
        total = n + nb
        scatter += centred.T @ centred + np.outer(delta, delta) * (n * nb / total)
        mean += delta * (nb / total)
        n = total
    return mean, scatter


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
