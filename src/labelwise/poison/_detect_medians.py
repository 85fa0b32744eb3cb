"""Exact medians of activation clustering's reduced rows per class and per cluster, over row blocks.

ART's distance analysis (``analysis="distance-reduced"``) compares the coordinate-wise medians of
each class's reduced rows and of its two clusters. A median is an order statistic, not a sum, so it
is found by radix selection (as in Knuth's radix sorting, applied to selection): every float64 is
mapped to an unsigned 64-bit key in the same order, and each pass over the row blocks counts, per
median sought, the candidates' next 8 key bits in a 256-bin histogram; the bin holding the wanted
rank fixes those bits. Eight passes fix the whole key, so the value is exact: the same as
``np.median`` on the rows held in memory, whatever the blocks. Memory: the histograms,
``K x 3 x m x 2 x 256`` counts per chunk (a window of chunks at a time), never the rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._chunks import RowChunks, row_blocks

_SIGN = np.uint64(1 << 63)
#: Key bits fixed per pass (eight passes of 8 bits for 64-bit keys).
BITS = 8


def to_keys(values: np.ndarray) -> np.ndarray:
    """Unsigned keys in the order of the float64 ``values`` (negatives' bits flipped, positives'
    sign bit set)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    return np.where(bits >= _SIGN, ~bits, bits | _SIGN)


def from_keys(keys: np.ndarray) -> np.ndarray:
    """The float64 values of :func:`to_keys`'s keys."""
    keys = np.asarray(keys, dtype=np.uint64)
    return np.where(keys >= _SIGN, keys ^ _SIGN, ~keys).view(np.float64)


def _histogram_chunk(start: int, Zb: Any, codes: Any, clusters: Any, prefix: np.ndarray, shift: int) -> tuple:
    """One chunk's histograms (K, 3, m, 2, 256) of the next key bits of the candidates: the values
    whose higher key bits equal ``prefix`` (K, 3, m, 2) of their (class, group, dimension, rank);
    group 0 is the whole class, 1 and 2 its clusters 0 and 1 (rows with a cluster below 0 are left
    out). ``shift`` is the number of key bits below those the pass fixes."""
    K, _, m, _ = prefix.shape
    bins = 1 << BITS
    hist = np.zeros(K * 3 * m * 2 * bins, dtype=np.int64)
    dims = np.arange(m)
    for part in row_blocks(Zb.shape[0], Zb.shape[1]):
        which = np.asarray(clusters[part])
        at = np.flatnonzero(which >= 0)
        if at.size == 0:
            continue
        c, g = np.asarray(codes[part])[at], 1 + which[at].astype(np.int64)
        keys = to_keys(np.asarray(Zb[part], dtype=np.float64)[at, 1:])
        digit = ((keys >> np.uint64(shift)) & np.uint64(bins - 1)).astype(np.int64)
        high = keys >> np.uint64(shift + BITS) if shift + BITS < 64 else np.zeros_like(keys)
        for group in (np.zeros_like(g), g):
            for rank in (0, 1):
                target = ((c[:, None] * 3 + group[:, None]) * m + dims) * 2 + rank
                match = high == prefix.reshape(-1)[target]
                hist += np.bincount((target * bins + digit)[match], minlength=hist.size)
    return (), hist.reshape(K, 3, m, 2, bins)


def medians(chunks: RowChunks, Z: Any, codes: np.ndarray, clusters: np.ndarray, n_classes: int) -> np.ndarray:
    """Coordinate-wise medians of the reduced rows (``Z[:, 1:]``, shape (n, m)) of each class
    (group 0) and of its clusters 0 and 1 (groups 1, 2), shape (K, 3, m), each exactly
    ``np.median`` of the group's rows (the mean of the two middle values for an even count); NaN
    for an empty group. ``clusters`` below 0 mark rows left out (skipped classes)."""
    from ._detect_passes import run_bounded

    K = n_classes
    m = int(Z.shape[1]) - 1
    used = clusters >= 0
    sizes = np.zeros((K, 3), dtype=np.int64)
    sizes[:, 0] = np.bincount(codes[used], minlength=K)
    for c in (0, 1):
        sizes[:, 1 + c] = np.bincount(codes[clusters == c], minlength=K)
    ranks = np.stack([(sizes - 1) // 2, sizes // 2], axis=-1)  # (K, 3, 2): the middle ranks
    remaining = np.broadcast_to(ranks[:, :, None, :], (K, 3, m, 2)).copy()
    prefix = np.zeros((K, 3, m, 2), dtype=np.uint64)
    arrays = [Z, codes, clusters]
    if chunks.use_dask:
        import dask.array as da

        arrays = [Z, da.from_array(codes, chunks=(Z.chunks[0],)), da.from_array(clusters, chunks=(Z.chunks[0],))]
    for shift in range(64 - BITS, -1, -BITS):

        def fn(start: int, Zb: Any, cb: Any, kb: Any, prefix: np.ndarray = prefix, shift: int = shift) -> tuple:
            return _histogram_chunk(start, Zb, cb, kb, prefix, shift)

        hist = run_bounded(chunks, fn, arrays, combine=lambda parts: np.sum(parts, axis=0))
        below = np.cumsum(hist, axis=-1)
        digit = np.sum(below <= remaining[..., None], axis=-1)  # the bin holding the wanted rank
        digit = np.minimum(digit, (1 << BITS) - 1)
        before = np.take_along_axis(below, np.maximum(digit - 1, 0)[..., None], axis=-1)[..., 0]
        remaining = remaining - np.where(digit > 0, before, 0)
        prefix = (prefix << np.uint64(BITS)) | digit.astype(np.uint64)
    values = from_keys(prefix)
    out = np.where(ranks[:, :, None, 0] == ranks[:, :, None, 1], values[..., 0], (values[..., 0] + values[..., 1]) / 2)
    return np.where(sizes[:, :, None] > 0, out, np.nan)
