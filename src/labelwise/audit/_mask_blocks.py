"""Blocks of segmentation masks and probabilities: the pixels scored (``ignore_index``), per-pixel
self-confidence, the soft minimum that scores an image, and the histogram bins of self-confidence.

Every pass of :mod:`labelwise.audit.segmentation` reads the images block by block through
:func:`read_block`, which hands back the block's probabilities and labels with the ignored pixels
made harmless (class 0, probability one-hot on class 0) and a mask of the pixels that are scored,
so that each pass masks its counts and flags with it and nothing read at an ignored pixel (even a
NaN) can reach a result.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

#: Elements of ``probs`` per block of images (about 32 MB of float64).
BLOCK_ELEMENTS = 1 << 22
#: Bins of the self-confidence histogram of the ranking filters.
N_BINS = 4096


def blocks(n: int, per_image: int, images_per_block: int | None) -> Iterator[slice]:
    """Slices of about :data:`BLOCK_ELEMENTS` probabilities (or ``images_per_block`` images)."""
    step = images_per_block or max(1, BLOCK_ELEMENTS // max(per_image, 1))
    for start in range(0, n, step):
        yield slice(start, min(start + step, n))


def ignored_mask(y: np.ndarray, ignore_index: int | None) -> np.ndarray | None:
    """Where ``y`` holds ``ignore_index`` (None when no pixel of the block does, the common case)."""
    if ignore_index is None or y.dtype.kind not in "iu":
        return None
    info = np.iinfo(y.dtype)
    if not info.min <= ignore_index <= info.max:  # e.g. -100 in a uint8 mask: never present
        return None
    ignored = y == ignore_index
    return ignored if ignored.any() else None


def read_block(lab: Any, arr: Any, b: slice, ignore_index: int | None) -> tuple[np.ndarray, np.ndarray, Any]:
    """The block's probabilities ``(n, K, H, W)``, labels ``(n, H, W)`` as ``intp`` and scored pixels.

    The third value is None when every pixel of the block is scored; otherwise a boolean
    ``(n, H, W)`` mask, and the ignored pixels have label 0 and probabilities one-hot on class 0
    (a copy of the block: the caller's arrays are never written).
    """
    p, y = np.asarray(arr[b]), np.asarray(lab[b])
    ignored = ignored_mask(y, ignore_index)
    if ignored is None:
        return p, y.astype(np.intp), None
    p = np.where(ignored[:, None], 0, p)
    p[:, 0][ignored] = 1
    return p, np.where(ignored, 0, y).astype(np.intp), ~ignored


def self_conf(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Probability of the given class at every pixel."""
    return np.take_along_axis(p, y[:, None].astype(np.intp), axis=1)[:, 0]


def image_softmin(sc: np.ndarray, keep: np.ndarray | None, temperature: float) -> np.ndarray:
    """Per image, the soft minimum of the scored pixels' self-confidence (Lad & Mueller, 2023).

    ``sum_i w_i s_i / sum_i w_i`` with ``w_i = exp((1 - s_i) / temperature)`` (shifted by the largest
    exponent for stability); an image with no scored pixel has no score (NaN).
    """
    flat = sc.reshape(sc.shape[0], -1).astype(np.float64)
    if keep is None:
        wts = np.exp((1.0 - flat - (1.0 - flat).max(axis=1, keepdims=True)) / temperature)
        return (wts * flat).sum(axis=1) / wts.sum(axis=1)
    kept = keep.reshape(flat.shape)
    worst = np.where(kept, 1.0 - flat, -np.inf).max(axis=1, keepdims=True)
    shift = np.where(np.isfinite(worst), worst, 0.0)
    wts = np.where(kept, np.exp((1.0 - flat - shift) / temperature), 0.0)
    total = wts.sum(axis=1)
    return np.divide((wts * flat).sum(axis=1), total, out=np.full(total.shape, np.nan), where=total > 0)


def bin_of(sc: np.ndarray) -> np.ndarray:
    """Histogram bin of each self-confidence in [0, 1]."""
    return np.minimum((sc * N_BINS).astype(np.int64), N_BINS - 1)


def lowest_cut(
    lab: Any, arr: Any, hist: np.ndarray, n_remove: np.ndarray, step: Any, ignore_index: int | None, *, per_class: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Per class (or over all pixels), the bin below which every pixel is among the ``n_remove`` lowest self-confidences,
    and the flat indices of the pixels chosen inside that bin (lowest first, ties by index; ignored pixels never)."""
    k = hist.shape[0]
    cum = np.cumsum(hist, axis=1)
    bins = np.array([np.searchsorted(cum[c], n_remove[c]) if n_remove[c] > 0 else -1 for c in range(k)])
    below = np.array([cum[c, bins[c] - 1] if bins[c] > 0 else 0 for c in range(k)])
    need = np.where(bins >= 0, n_remove - below, 0)
    found_idx, found_sc, found_cls = [], [], []
    for b in blocks(arr.shape[0], arr[0].size, step):
        p, y, keep = read_block(lab, arr, b, ignore_index)
        sc = self_conf(p, y).ravel()
        yf = y.ravel() if per_class else np.zeros(sc.size, dtype=np.intp)
        sel = np.flatnonzero(bin_of(sc) == bins[yf])
        if keep is not None:
            sel = sel[keep.ravel()[sel]]
        found_idx.append(sel + b.start * p[0, 0].size)
        found_sc.append(sc[sel])
        found_cls.append(yf[sel])
    idx, scs, cls = (np.concatenate(x) for x in (found_idx, found_sc, found_cls))
    order = np.lexsort((idx, scs, cls))
    idx, cls = idx[order], cls[order]
    starts = np.searchsorted(cls, np.arange(k))
    take = np.concatenate([idx[starts[c] : starts[c] + need[c]] for c in range(k)])
    return np.where(bins >= 0, bins, 0), take
