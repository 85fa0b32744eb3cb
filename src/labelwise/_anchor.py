"""Anchor points of a noise transition matrix ``T[i, j] = P(noisy j | true i)`` (Patrini et al. 2017).

One implementation for :func:`labelwise.robust.estimate_transition` and the forward-corrected
logistic fit of ``auto`` (``labelwise.models._forward``), which sits below ``robust``: each class's
anchor rows are those whose probability of the class is the largest below a cut, averaged.

References
----------
.. [1] Patrini, Rozza, Menon, Nock & Qu, "Making Deep Neural Networks Robust to Label Noise: a
   Loss Correction Approach", CVPR 2017, Section 4.
"""

from __future__ import annotations

import numpy as np

__all__ = ["anchor_rows", "normalise_rows"]

#: Rows read at a time by the anchor search (bounds the temporaries to about 16 MB).
_BLOCK_ROWS = 1 << 16


def anchor_rows(probs: np.ndarray, cut: np.ndarray) -> np.ndarray:
    """Per class ``i``: the mean probability row of the examples whose ``p(i)`` is the largest below ``cut[i]``.

    One pass over row blocks finds each column's best value under its cut, a second sums the rows
    that reach it. Averaging over ties (instead of taking the first) makes the result independent
    of the order of the rows.
    """
    n, k = probs.shape
    best = np.full(k, -np.inf)
    for start in range(0, n, _BLOCK_ROWS):
        part = probs[start : start + _BLOCK_ROWS]
        best = np.maximum(best, np.where(part < cut, part, -np.inf).max(axis=0))
    sums = np.zeros((k, k))
    counts = np.zeros(k)
    for start in range(0, n, _BLOCK_ROWS):
        part = np.asarray(probs[start : start + _BLOCK_ROWS], dtype=np.float64)
        hit = (part == best).astype(np.float64)  # (rows, k): row is an anchor of class i
        sums += hit.T @ part
        counts += hit.sum(axis=0)
    return sums / counts[:, None]


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` with each row divided by its sum (a row summing to 0 left as it is)."""
    sums = matrix.sum(axis=1, keepdims=True)
    return matrix / np.where(sums > 0, sums, 1.0)
