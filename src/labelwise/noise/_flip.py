"""Flip labels: exact class-conditional counts from a noise matrix, or instance-dependent flips."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._validate.arguments import check_fraction, check_random_state
from .._validate.labels import _as_1d, check_same_length, encode_labels, encode_labels_for_probs
from .._validate.probabilities import check_probs
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError
from ._matrix import _check_rate_bound, check_noise_matrix, matrix_in_class_order, noise_matrix

__all__ = ["FlippedLabels", "flip_labels", "instance_dependent_flips", "flip_counts"]


@dataclass(frozen=True)
class FlippedLabels:
    """Labels after simulated noise, and which of them were flipped.

    Attributes
    ----------
    labels : ndarray, Series, Index or Categorical of shape (n,)
        The noisy labels, in the input's kind: a pandas ``Series`` (its index and name), ``Index``
        or ``Categorical`` comes back as one of the same dtype (a categorical keeps its categories
        and order), anything else as an ndarray of the input's dtype.
    true_labels : same kind as ``labels``
        The input labels (a copy).
    is_flipped : ndarray of bool, shape (n,)
        ``labels != true_labels``.
    noise_matrix : ndarray of shape (K, K)
        The matrix the flips were drawn from (``flip_labels``) or the realised one
        (``instance_dependent_flips``): ``[i, j] = P(given = i | true = j)``.
    classes : ndarray of shape (K,)
        The label values in matrix order.
    """

    labels: Any
    true_labels: Any
    is_flipped: np.ndarray
    noise_matrix: np.ndarray
    classes: np.ndarray

    @property
    def n_flipped(self) -> int:
        """How many labels were flipped."""
        return int(self.is_flipped.sum())

    @property
    def noise_rate(self) -> float:
        """The fraction of labels flipped."""
        return float(self.is_flipped.mean())

    def to_frame(self) -> pd.DataFrame:
        """One row per example: ``true_label``, ``label`` (noisy) and ``is_flipped``."""
        return pd.DataFrame({"true_label": self.true_labels, "label": self.labels, "is_flipped": self.is_flipped})


def _class_counts(class_counts: Any, k: int) -> np.ndarray:
    """``class_counts`` as int64, or an error naming it: one whole number >= 0 per class of the matrix."""
    try:
        arr = np.asarray(class_counts, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"class_counts must hold one count per class (whole numbers >= 0), got {type(class_counts).__name__} "
            "holding other values"
        ) from None
    if arr.shape != (k,):
        raise InvalidParameterError(
            f"class_counts must have shape ({k},), one count per class of the matrix, got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        j = int(np.flatnonzero(bad)[0])
        raise InvalidParameterError(f"class_counts must be whole numbers >= 0, entry {j} is {arr[j]!r}")
    return arr.astype(np.int64)


def flip_counts(class_counts: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Integer (K, K) table of how many examples of true class ``j`` get label ``i``.

    ``class_counts[j] * matrix[:, j]`` rounded by the largest-remainder method, so every column
    sums exactly to ``class_counts[j]``. The columns are first scaled to sum to 1: a matrix that
    :func:`check_noise_matrix` accepts may be off by up to its tolerance, which for a class of
    millions would otherwise hand out examples more or fewer than the class has.
    """
    matrix = check_noise_matrix(matrix, name="matrix")
    counts = _class_counts(class_counts, matrix.shape[0])
    sums = matrix.sum(axis=0, keepdims=True)
    expected = np.divide(matrix, sums, out=np.zeros_like(matrix, dtype=np.float64), where=sums > 0) * counts[None, :]
    base = np.floor(expected + 1e-9).astype(np.int64)
    short = counts - base.sum(axis=0)  # how many units each column still has to hand out
    remainder = expected - base
    # Rank entries of every column by remainder (largest first, ties by row index) and give one
    # more to the top `short[j]` of column j.
    order = np.argsort(-remainder, axis=0, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(matrix.shape[0])[:, None].repeat(matrix.shape[1], 1), axis=0)
    return base + (rank < short[None, :])


def raw_labels(labels: Any) -> np.ndarray:
    """The labels as a 1-D array in the user's own dtype (e.g. ``<U3`` stays ``<U3``)."""
    arr = labels.to_numpy() if isinstance(labels, (pd.Series, pd.Index)) else np.asarray(labels)
    return arr.reshape(-1) if arr.ndim == 1 else _as_1d(arr, "labels")


def in_input_kind(labels: Any, values: np.ndarray) -> Any:
    """``values`` (one label per row of ``labels``) in the kind and dtype of ``labels``.

    A pandas ``Categorical`` or a categorical ``Series`` keeps its categories and their order; a value
    outside them (a class passed only through ``classes=``) is added as a category at the end rather
    than becoming a missing value. A ``Series`` keeps its index and name. An extension dtype that
    cannot hold a value (an ``Int64`` column given a string class) falls back to objects.
    """
    if not isinstance(labels, (pd.Series, pd.Index, pd.Categorical)):
        return values
    dtype = labels.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        new = pd.Index(pd.unique(values)).difference(dtype.categories, sort=False)
        if len(new):
            dtype = pd.CategoricalDtype(dtype.categories.append(new), ordered=dtype.ordered)
    try:
        array: Any = pd.array(values, dtype=dtype)
    except (TypeError, ValueError):
        array = values
    if isinstance(labels, pd.Series):
        return pd.Series(array, index=labels.index, name=labels.name, copy=False)
    if isinstance(labels, pd.Index):
        return pd.Index(array, name=labels.name)
    return array if isinstance(array, pd.Categorical) else pd.Categorical(array)


def _finish(
    labels: Any, arr: np.ndarray, classes: np.ndarray, codes: np.ndarray, new_codes: np.ndarray, matrix: np.ndarray
) -> FlippedLabels:
    noisy = arr.copy()
    flipped = new_codes != codes
    noisy[flipped] = classes[new_codes[flipped]]
    return FlippedLabels(
        labels=in_input_kind(labels, noisy),
        true_labels=in_input_kind(labels, arr.copy()),
        is_flipped=flipped,
        noise_matrix=matrix,
        classes=np.asarray(classes),
    )


def flip_labels(
    labels: Any, noise_matrix_or_rate: Any, random_state: Any = None, *, classes: Any = None
) -> FlippedLabels:
    """Flip labels with class-conditional noise, exactly the counts the noise matrix implies.

    For every true class ``j`` with ``n_j`` examples, exactly ``n_j * noise_matrix[i, j]``
    (largest-remainder rounding) of them get label ``i``; which ones is drawn uniformly at random.
    This is the class-conditional noise model of confident learning; unlike a coin per example it
    reproduces the matrix without sampling error.

    Parameters
    ----------
    labels : array-like of shape (n,)
        True labels, any hashable values. A pandas ``Series``, ``Index`` or ``Categorical`` gives
        its noisy labels back in the same kind and dtype (see :class:`FlippedLabels`).
    noise_matrix_or_rate : (K, K) array, DataFrame or float
        ``[i, j] = P(given = i | true = j)`` with columns in the order of ``classes``; a DataFrame
        whose index (the given class) and columns (the true class) name the classes is matched to
        them by name, in any order. A float ``r`` means the symmetric matrix ``noise_matrix(K, r)``.
    random_state : int, Generator or None
    classes : array-like of shape (K,), optional
        The label values in matrix order (default: the sorted unique labels). Pass it when a class
        of the matrix is absent from ``labels``.

    Returns
    -------
    FlippedLabels

    References
    ----------
    .. [1] Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
       Labels", JAIR 70 (2021).

    Examples
    --------
    >>> import numpy as np, labelwise as lw
    >>> y = np.repeat(["cat", "dog"], 50)
    >>> lw.noise.flip_labels(y, 0.1, random_state=0).n_flipped
    10
    """
    arr = raw_labels(labels)
    codes, found = encode_labels(arr, name="labels", classes=classes)
    k = len(found)
    if isinstance(noise_matrix_or_rate, numbers.Real) and not isinstance(noise_matrix_or_rate, bool):
        if k < 2:
            raise InvalidParameterError(f"labels must contain at least 2 classes to flip, got {k}")
        matrix = noise_matrix(k, float(noise_matrix_or_rate), kind="symmetric")
    else:
        given = matrix_in_class_order(
            noise_matrix_or_rate, found, name="noise_matrix_or_rate", rows="the given class", columns="the true class"
        )
        matrix = check_noise_matrix(given, k, name="noise_matrix_or_rate")
    rng = check_random_state(random_state)
    counts = flip_counts(np.bincount(codes, minlength=k), matrix)
    # Shuffle, then group by true class (stable), so each class's members come in random order;
    # hand them their new labels class by class: counts[:, j] of each label for true class j.
    perm = rng.permutation(codes.size)
    small = codes.astype(np.uint16) if k <= np.iinfo(np.uint16).max else codes  # radix sort for small K
    order = perm[np.argsort(small[perm], kind="stable")]
    new_codes = np.empty_like(codes)
    new_codes[order] = np.repeat(np.tile(np.arange(k), k), counts.T.ravel())
    return _finish(labels, arr, found, codes, new_codes, matrix)


def instance_dependent_flips(
    labels: Any,
    probs: Any,
    noise_rate: float,
    random_state: Any = None,
    *,
    classes: Any = None,
    sharpness: float = 1.0,
) -> FlippedLabels:
    """Flip ``round(noise_rate * n)`` labels, concentrated on examples a model finds confusing.

    Real annotators err on ambiguous examples, not uniformly. An example is chosen for flipping
    with probability proportional to ``(1 - probs[i, y_i]) ** sharpness`` (sampling without
    replacement by the Efraimidis-Spirakis keys ``u ** (1 / w)``), and its new label is drawn
    among the *other* classes in proportion to the model's probabilities for them, so a confusing
    "3" more likely becomes an "8" than a "1".

    Parameters
    ----------
    labels : array-like of shape (n,)
        True labels.
    probs : array-like of shape (n, K)
        A model's predicted probabilities (ideally out-of-fold), columns in class order; paired
        with ``labels`` by position (a pandas ``labels`` listing a ``probs`` DataFrame's rows in
        another order is refused: ``labels.reindex(probs.index)``).
    noise_rate : float in [0, 1)
        Fraction of labels to flip (exact count ``round(noise_rate * n)``).
    random_state : int, Generator or None
    classes : array-like of shape (K,), optional
        The class of each column of ``probs`` (default: integer labels are column indices, other
        labels their sorted unique values).
    sharpness : float > 0
        Larger concentrates the flips more strongly on the most confusing examples.

    Returns
    -------
    FlippedLabels
        ``noise_matrix`` is the realised matrix ``P(given = i | true = j)``.

    References
    ----------
    .. [1] Xia et al., "Part-dependent Label Noise: Towards Instance-dependent Label Noise",
       NeurIPS 2020 (instance-dependent noise driven by a model's confusion).
    .. [2] Efraimidis & Spirakis, "Weighted random sampling with a reservoir", Information
       Processing Letters 97(5) (2006).
    """
    check_row_order(probs, "probs", "the noise generators", labels=labels)
    arr = raw_labels(labels)
    p = check_probs(probs).astype(np.float64, copy=False)
    check_same_length("labels", arr, "probs", p)
    rate = check_fraction("noise_rate", noise_rate)
    k = p.shape[1]
    _check_rate_bound(rate, (k - 1) / k, "instance", k)
    if isinstance(sharpness, bool) or not isinstance(sharpness, numbers.Real) or not sharpness > 0:
        raise InvalidParameterError(f"sharpness must be a positive number, got {sharpness!r}")
    codes, found = encode_labels_for_probs(arr, k, classes=classes)
    rng = check_random_state(random_state)
    n = codes.size
    m = int(round(rate * n))
    own = p[np.arange(n), codes]
    # Weight of being flipped; a tiny floor keeps examples the model is sure of possible but rare.
    w = np.clip(1.0 - own, 1e-12, None) ** float(sharpness)
    keys = np.log(rng.random(n)) / w  # log of u**(1/w): the m largest are a weighted sample
    chosen = np.argpartition(-keys, m - 1)[:m] if m > 0 else np.empty(0, dtype=np.int64)
    other = p[chosen].copy()
    other[np.arange(m), codes[chosen]] = 0.0
    row_sum = other.sum(axis=1, keepdims=True)
    # When the model gives all its mass to the given class, pick another class uniformly.
    uniform = np.ones_like(other)
    uniform[np.arange(m), codes[chosen]] = 0.0
    other = np.where(row_sum > 0, other / np.where(row_sum > 0, row_sum, 1.0), uniform / (k - 1))
    cum = np.cumsum(other, axis=1)
    draw = rng.random((m, 1)) * cum[:, -1:]
    new_class = np.minimum((cum <= draw).sum(axis=1), k - 1)
    # Guard against floating-point landing on the own class (zero-width bin).
    same = new_class == codes[chosen]
    new_class[same] = (new_class[same] + 1) % k
    new_codes = codes.copy()
    new_codes[chosen] = new_class
    realised = np.zeros((k, k))
    np.add.at(realised, (new_codes, codes), 1.0)
    col = realised.sum(axis=0, keepdims=True)
    realised = np.where(col > 0, realised / np.where(col > 0, col, 1.0), np.eye(k))
    return _finish(labels, arr, np.asarray(found), codes, new_codes, realised)
