"""Multi-label noise: drop present tags more often than add absent ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate.arguments import check_fraction, check_random_state
from ..errors import InvalidLabelsError

__all__ = ["NoisyTags", "flip_tags"]


@dataclass(frozen=True, eq=False)
class NoisyTags:
    """Tags after simulated noise.

    Attributes
    ----------
    labels : ndarray of bool, shape (n, K)
        The noisy tags.
    true_labels : ndarray of bool, shape (n, K)
        The input tags (a copy).
    is_flipped : ndarray of bool, shape (n, K)
        ``labels != true_labels``.
    """

    labels: np.ndarray
    true_labels: np.ndarray
    is_flipped: np.ndarray

    @property
    def n_dropped(self) -> int:
        """Present tags removed (now missing)."""
        return int((self.is_flipped & self.true_labels).sum())

    @property
    def n_added(self) -> int:
        """Absent tags added (now spurious)."""
        return int((self.is_flipped & ~self.true_labels).sum())


def flip_tags(labels: Any, *, drop_rate: float = 0.2, add_rate: float = 0.01, random_state: Any = None) -> NoisyTags:
    """Drop each present tag with probability ``drop_rate`` and add each absent one with ``add_rate``.

    Annotators forget tags far more often than they invent them (the positive-unlabeled view of
    multi-label data), hence a high default ``drop_rate`` and a low ``add_rate``.

    Parameters
    ----------
    labels : array-like of 0/1 or bool, shape (n, K)
        True tags.
    drop_rate, add_rate : float in [0, 1]
        Per present tag / per absent tag flip probability.
    random_state : int, Generator or None

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.noise import flip_tags
    >>> noisy = flip_tags(np.ones((100, 2), bool), drop_rate=0.5, random_state=0)
    >>> 70 < noisy.n_dropped < 130, noisy.n_added
    (True, 0)
    """
    drop = check_fraction("drop_rate", drop_rate, closed_high=True)
    add = check_fraction("add_rate", add_rate, closed_high=True)
    arr = np.asarray(labels)
    if arr.ndim != 2 or not np.isin(arr, (0, 1)).all():
        raise InvalidLabelsError(f"labels must be a 2-D 0/1 matrix of shape (n, K), got shape {arr.shape}")
    truth = arr.astype(bool)
    rng = check_random_state(random_state)
    u = rng.random(truth.shape)
    flipped = np.where(truth, u < drop, u < add)
    return NoisyTags(truth ^ flipped, truth.copy(), flipped)
