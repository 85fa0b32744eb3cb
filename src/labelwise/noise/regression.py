"""Regression noise: outlying targets (shifts, decimal slips, values from another row)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate.arguments import check_choice, check_fraction, check_positive, check_random_state
from ..errors import InvalidLabelsError

__all__ = ["OUTLIER_KINDS", "NoisyTargets", "corrupt_targets"]

OUTLIER_KINDS = ("shift", "decimal", "swap", "mixed")


@dataclass(frozen=True, eq=False)
class NoisyTargets:
    """Targets after simulated corruption: ``labels``, ``true_labels`` and ``is_corrupted``."""

    labels: np.ndarray
    true_labels: np.ndarray
    is_corrupted: np.ndarray

    @property
    def n_corrupted(self) -> int:
        """Number of corrupted targets."""
        return int(self.is_corrupted.sum())


def corrupt_targets(
    y: Any, *, rate: float = 0.05, kind: str = "mixed", magnitude: float = 4.0, random_state: Any = None
) -> NoisyTargets:
    """Corrupt a share ``rate`` of the targets, chosen uniformly.

    ``shift``: add ``±U(1, 2) * magnitude * std(y)``. ``decimal``: multiply or divide by 10 (a
    misplaced decimal point; values near 0 are shifted instead). ``swap``: the target of another
    random row (unchanged only where that row holds the same value). ``mixed``: each corrupted row draws one of the three.

    Examples
    --------
    >>> import numpy as np
    >>> from labelwise.noise import corrupt_targets
    >>> corrupt_targets(np.arange(100.0), rate=0.1, random_state=0).n_corrupted
    10
    """
    rate = check_fraction("rate", rate, closed_high=True)
    check_choice("kind", kind, OUTLIER_KINDS)
    magnitude = check_positive("magnitude", magnitude)
    try:
        truth = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidLabelsError(
            f"y must be a 1-D array of finite numbers, got {type(y).__name__} holding other values"
        ) from None
    if truth.ndim != 1 or not np.isfinite(truth).all():
        raise InvalidLabelsError(f"y must be a 1-D array of finite numbers, got shape {truth.shape}")
    rng = check_random_state(random_state)
    n = truth.size
    rows = rng.choice(n, size=round(rate * n), replace=False)
    kinds = rng.integers(0, 3, rows.size) if kind == "mixed" else np.full(rows.size, OUTLIER_KINDS.index(kind))
    noisy = truth.copy()
    spread = float(truth.std()) or 1.0
    shift = rng.choice([-1.0, 1.0], rows.size) * rng.uniform(1, 2, rows.size) * magnitude * spread
    small = np.abs(truth[rows]) < 0.5 * spread
    decimal = truth[rows] * np.where(rng.random(rows.size) < 0.5, 10.0, 0.1)
    # another row, each of the n - 1 others equally likely (one table holds no other row)
    drawn = rng.integers(0, max(n - 1, 1), rows.size)
    other = truth[drawn + (drawn >= rows)] if n > 1 else truth[rows]
    new = np.select(
        [kinds == 0, (kinds == 1) & ~small, kinds == 1, kinds == 2],
        [truth[rows] + shift, decimal, truth[rows] + shift, other],
    )
    noisy[rows] = new
    return NoisyTargets(noisy, truth, noisy != truth)
