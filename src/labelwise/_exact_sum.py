"""Signed sums of floats that do not depend on the order of the terms: the same bits in memory and on dask.

A float sum rounds after every addition, so the same terms added in another order (one
``np.bincount`` in memory, a sum per partition then a tree reduction on dask) differ in their last
bits, and a sum that is 0 in exact arithmetic comes out a few ulps above 0 in one order and below
in the other: a flag ``value < 0`` then flips with the chunking. Here each term is split into
:data:`N_LIMBS` fixed-point limbs of :data:`LIMB_BITS` bits (units of ``2**-(LIMB_BITS * N_LIMBS)``,
each with the sign of its term), stored as integer-valued float64. Sums
of limbs are integers below ``2**53``, hence exact in any order and in any grouping; the total is
then read from the limb sums by one fixed formula (:func:`join_limbs`), so it is the same float
whatever the order or chunking of the terms. Each term is truncated once to ``2**-88`` (about
``3e-27``), which is the only difference from an exact sum of the terms as given.

The same idea as the audit's exact class sums (:mod:`labelwise.audit._exact`), for signed terms
and scattered sums (one total per receiving row); float64 limb sums, so that
:func:`labelwise._dask_take.scatter_add` sums them on dask as ``np.bincount`` does in memory.

References
----------
Demmel, J., & Nguyen, H. D. (2013). Fast reproducible floating-point summation. IEEE 21st
Symposium on Computer Arithmetic, 163-172 (sums that do not depend on the order of the terms by
splitting each term at fixed exponents and adding the pieces exactly).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Bits per limb and limbs per term: terms are kept to ``2**-88``.
LIMB_BITS = 22
N_LIMBS = 4
#: Terms must lie in ``(-MAX_ABS, MAX_ABS)``: a first limb is then below ``2**24`` in magnitude, so
#: up to ``2**29`` terms per total add up exactly in float64 (every partial sum below ``2**53``).
MAX_ABS = 4.0
_SCALE = float(1 << LIMB_BITS)
_UNIT = 1.0 / _SCALE


def split_limbs(values: np.ndarray) -> np.ndarray:
    """The limbs of ``values`` (|values| < :data:`MAX_ABS`): float64 of shape ``(N_LIMBS, *values.shape)``.

    ``values ~= sum_i limbs[i] * 2**(-LIMB_BITS * (i + 1))``, the magnitude truncated below
    ``2**-88``; every limb has the sign of its value. Every step on the magnitude (a product by a
    power of two, ``floor``, the fractional part of a number >= 0) is exact in float64.
    """
    values = np.asarray(values, dtype=np.float64)
    rest = np.abs(values)
    out = np.empty((N_LIMBS, *rest.shape), dtype=np.float64)
    for i in range(N_LIMBS):
        rest *= _SCALE
        np.floor(rest, out=out[i])
        rest -= out[i]
    np.copysign(out, values, out=out)
    return out


def join_limbs(sums: Any) -> Any:
    """The total from limb sums (``sums[i]``: the exact sum of limb ``i``; numpy or dask arrays).

    One fixed formula (Horner's, from the last limb), so the same limb sums always give the same
    float; exact limb sums make it independent of the order of the terms.
    """
    out = sums[N_LIMBS - 1] * _UNIT
    for i in range(N_LIMBS - 2, -1, -1):
        out = (out + sums[i]) * _UNIT
    return out


def scattered_limb_sums(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact per-row sums of the limbs of ``values`` into rows ``index`` (``np.bincount``'s scatter):
    float64 of shape ``(N_LIMBS, n)``, to be added to other blocks' sums (exactly) and read by
    :func:`join_limbs`."""
    limbs = split_limbs(np.ravel(values))
    flat = np.ravel(index)
    return np.stack([np.bincount(flat, weights=limbs[i], minlength=n) for i in range(N_LIMBS)])


def exact_bincount(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``np.bincount(index, values, minlength=n)`` whose totals do not depend on the order of the terms."""
    return join_limbs(scattered_limb_sums(index, values, n))
