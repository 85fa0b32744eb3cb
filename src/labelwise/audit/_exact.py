"""Exact, order-independent per-class means: the same thresholds however the rows are chunked.

A float sum depends on the order of its terms, so a sum over chunks differs in its last bits from
one over all rows, and a threshold one ulp away can change a flag. Self-confidences are instead
split into integer limbs (fixed point, ``2**-90``) whose sums are exact integers; the mean is then
rounded once, correctly, from the exact total.
"""

from __future__ import annotations

import numpy as np

from .._scratch import scratch
from ._blocks import step_rows

#: Self-confidences are summed exactly as integers in units of ``2**-(_LIMB_BITS * _N_LIMBS)``.
_LIMB_BITS = 30
_N_LIMBS = 3
#: Rows per bincount call (integer limbs below 2**31 sum exactly in float64 up to 2**22 rows). The
#: limbs of a block are computed in place in one buffer per call (1 MB), not in fresh temporaries
#: as long as the chunk, each of which is page-faulted where the allocator maps every large block
#: afresh (Dask workers).
_SUM_ROWS = 1 << 15


def fixed_point_limbs(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Split values in [0, 2) into ``_N_LIMBS`` integer limbs of ``_LIMB_BITS`` bits (truncated).

    ``value ~= sum_i limb_i * 2**(-_LIMB_BITS * (i + 1))``, exact up to ``2**-90``. Sums of limbs are
    integers, hence exact and independent of the order (and chunking) of the summation. ``out``
    (float64, shape ``(_N_LIMBS + 1, n)`` or more columns) receives the limbs in its first rows; its
    last row is scratch.
    """
    n = values.shape[0]
    buf = np.empty((_N_LIMBS + 1, n), dtype=np.float64) if out is None else out[:, :n]
    limbs, rest = buf[:_N_LIMBS], buf[_N_LIMBS]
    np.clip(values, 0.0, 2.0, out=rest)
    for i in range(_N_LIMBS):
        rest *= float(1 << _LIMB_BITS)
        np.floor(rest, out=limbs[i])
        rest -= limbs[i]
    return limbs


def class_limb_sums(codes: np.ndarray, values: np.ndarray, n_classes: int, row_bytes: int = 0) -> np.ndarray:
    """Per-class sums of the fixed-point limbs of ``values``, int64 of shape ``(_N_LIMBS, K)``.

    ``row_bytes``: the bytes of ``probs`` per row of the chunk, with which the limbs' buffer (32
    bytes per row of a step) shrinks for small chunks (:func:`~labelwise.audit._blocks.step_rows`);
    0: steps of ``_SUM_ROWS``. The sums are exact integers, so the steps change nothing.
    """
    out = np.zeros((_N_LIMBS, n_classes), dtype=np.int64)
    n = codes.shape[0]
    rows = step_rows(n, row_bytes, (_N_LIMBS + 1) * 8, _SUM_ROWS) if row_bytes else min(n, _SUM_ROWS)
    buf = scratch("audit._exact.limbs", (_N_LIMBS + 1, rows), np.float64)
    for lo in range(0, n, max(1, rows)):
        block = slice(lo, lo + rows)
        limbs = fixed_point_limbs(values[block], buf)
        for i in range(_N_LIMBS):
            out[i] += np.bincount(codes[block], weights=limbs[i], minlength=n_classes).astype(np.int64)
    return out


def exact_means(limb_sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Correctly rounded means ``sum / count`` from per-class limb sums (NaN where ``count == 0``)."""
    out = np.full(counts.shape[0], np.nan)
    for k in np.flatnonzero(counts):
        total = 0
        for i in range(_N_LIMBS):
            total = (total << _LIMB_BITS) + int(limb_sums[i, k])
        # int / int is correctly rounded in Python (as float(Fraction(...)) is, without the Fraction)
        out[k] = total / (int(counts[k]) << (_LIMB_BITS * _N_LIMBS))
    return out
