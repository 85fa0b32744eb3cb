"""Keep the ``limits[cell]`` best entries of every cell by one sort of packed keys, order untouched.

Entries are ``(cell, key, row)`` with float32 keys (:mod:`labelwise.audit._select`); the best of a
cell have the smallest keys, ties going to the lower row. Each entry's ``cell << 32 | key bits``
(the key's bits ordered as the float) is one ``uint64``; one unstable sort of those values (a
vectorised sort, several times faster than stable argsorts of the entries) gives every cell's cut,
its ``limits``-th smallest value. Entries below their cell's cut are kept, and of those equal to it
the earliest in the arrays' order, as many as the limit still allows: with the entries of a cell in
row order for equal keys (as chunk results are), that is the lower rows, as a stable sort keeps them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._scratch import scratch

#: The largest ``uint64``: the cut of a cell that keeps every entry.
_ALL = np.uint64(np.iinfo(np.uint64).max)


def ordered_bits(key: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Unsigned integers ordered as the float ``key`` (``-0.0`` and ``0.0`` equal): ``uint32`` for
    float32 keys, ``uint64`` for float64. ``out`` (optional, C-contiguous, as long as ``key`` and of
    its dtype or the unsigned type) receives them instead of a fresh array."""
    utype = np.uint32 if key.dtype.itemsize == 4 else np.uint64
    target = None if out is None else out.view(key.dtype)
    bits: Any = np.add(key, key.dtype.type(0), out=target).view(utype)  # -0.0 -> 0.0, changed in place
    # negative keys: every bit flipped; others: the sign bit set. As one XOR mask, built in place in
    # one of the thread's scratch vectors (each fresh array is page-faulted again on Dask workers).
    flip = scratch("audit._packed_cut.flip", bits.shape, utype)
    np.right_shift(bits, utype(8 * key.dtype.itemsize - 1), out=flip)
    flip *= utype(np.iinfo(utype).max)
    flip |= utype(1 << (8 * key.dtype.itemsize - 1))
    bits ^= flip
    return bits


def packed_cut_mask(cell: np.ndarray, key: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Boolean mask of the entries kept: per cell, the ``limits[cell]`` smallest keys, ties by position.

    ``key`` must be float32 and ``cell`` below ``2**32``.
    """
    counts = np.bincount(cell, minlength=limits.shape[0])
    over = np.flatnonzero(counts > limits)
    if over.size == 0:
        return np.ones(cell.shape[0], dtype=bool)
    packed = (cell.astype(np.uint64) << np.uint64(32)) | ordered_bits(key).astype(np.uint64)
    in_over = (counts > limits)[cell]
    ranked = np.sort(packed[in_over])
    starts = np.searchsorted(ranked, over.astype(np.uint64) << np.uint64(32))
    cut = np.full(limits.shape[0], _ALL, dtype=np.uint64)
    cut[over] = ranked[starts + limits[over] - 1]
    cuts = cut[cell]
    keep = packed < cuts
    if limits[over].min() <= 0:  # a limit of 0: nothing below the cut either
        keep &= limits[cell] > 0
    tied = np.flatnonzero((packed == cuts) & in_over)
    if tied.size:
        below = np.bincount(cell[keep], minlength=limits.shape[0])
        room = limits - below  # how many of a cell's tied entries still fit
        tied_cell = cell[tied]
        order = np.argsort(tied_cell, kind="stable")  # few entries: the ties at the cut
        sorted_cell = tied_cell[order]
        first = np.searchsorted(sorted_cell, sorted_cell)  # each tie's cell's first position
        rank = np.empty(tied.size, dtype=np.int64)
        rank[order] = np.arange(tied.size) - first
        keep[tied[rank < room[tied_cell]]] = True
    return keep
