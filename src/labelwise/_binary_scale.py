"""Column scales by powers of two: spreads and z-scores of columns far from 1 without overflow.

Squaring a value above about ``1.3e154`` overflows float64 to ``inf`` and squaring one below about
``1e-162`` underflows to 0, so a variance summed from raw squares is ``inf`` (or ``nan``) for a
column of ``1e200``-sized numbers and 0 for one of ``1e-200``-sized numbers. Dividing each column
first by the power of two at its largest absolute value brings it into ``(-2, 2)``; a division by a
power of two is exact in floating point (away from the subnormal range), and rounding commutes
with it, so every mean, sum of squares and z-score computed on the divided columns is, once
multiplied back, bit for bit the one computed on the raw columns wherever that one did not
overflow or underflow (Higham 2002, section 2.1: scaling by the radix is exact).

References
----------
Higham, N. J. (2002). *Accuracy and Stability of Numerical Algorithms* (2nd ed.). SIAM.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


def binary_magnitude(peak: Any) -> np.ndarray:
    """The power of two ``p`` with ``|peak| / p`` in ``[1, 2)``, per entry (1 where ``peak`` is 0 or not finite).

    ``[1, 2)`` rather than ``[0.5, 1)``: the largest float, about ``1.8e308``, then gets ``2**1023``,
    which is a float (``2**1024`` is not).
    """
    peak = np.asarray(peak, dtype=np.float64)
    finite = np.isfinite(peak) & (peak != 0)
    _, exponent = np.frexp(np.where(finite, peak, 1.0))
    return np.ldexp(1.0, exponent - 1)


def spread(squares: Any, n: int, magnitude: np.ndarray) -> np.ndarray:
    """Column standard deviations from the sums of squared deviations of the columns divided by
    ``magnitude`` (:func:`binary_magnitude`) over ``n`` rows; a column that never varies gets 1."""
    std = np.sqrt(np.asarray(squares, dtype=np.float64) / n) * magnitude
    return np.where(std > 0, std, 1.0)


def root_mean_square(values: Any) -> float:
    """``sqrt(mean(values ** 2))`` without overflow or underflow of the squares (the same number where
    they do neither)."""
    values = np.asarray(values, dtype=np.float64)
    p = binary_magnitude(np.max(np.abs(values))) if values.size else np.float64(1.0)
    return float(np.sqrt(np.mean(np.square(values / p))) * p)


class BinaryRangeScaler(TransformerMixin, BaseEstimator):
    """Divide each column by the power of two at its largest absolute value seen in ``fit``.

    Put before scikit-learn's ``StandardScaler``, whose variance squares the raw values: on a
    column of ``1e200``-sized numbers it returns ``nan`` (above about ``1e154``, ``inf``
    variances), and a column of ``1e-200``-sized numbers looks constant to it. After this step
    every column lies in ``(-2, 2)``, so the z-scores are finite and right; on other columns they
    are bit for bit the ones ``StandardScaler`` gives alone (the division is exact), except in a
    column it takes as constant, whose z-scores are rounding residues (below ``1e-15``) either way.
    """

    def fit(self, X: Any, y: Any = None) -> BinaryRangeScaler:
        values = np.asarray(X, dtype=np.float64)
        peak = np.max(np.abs(values), axis=0, initial=0.0)  # a NaN column keeps the divisor 1
        self.scale_ = binary_magnitude(peak)
        self.n_features_in_ = values.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) / self.scale_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        names = input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(names, dtype=object)
