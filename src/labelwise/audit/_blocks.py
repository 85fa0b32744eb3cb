"""Row-block iteration: large probability arrays are processed in cache-sized blocks of rows.

Blocks keep every temporary small (a few MB) however large ``probs`` is, so the peak extra memory
of an audit stays far below one copy of the probability array. This is not a loop over rows: each
block is handled by vectorised numpy.
"""

from __future__ import annotations

import numpy as np

from .._chunks import BLOCK_ELEMENTS, row_blocks

__all__ = ["BLOCK_ELEMENTS", "index_dtype", "max_other", "row_blocks", "self_confidence"]


def self_confidence(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``probs[i, codes[i]]`` for every row, without an ``n x K`` temporary."""
    return probs[np.arange(codes.shape[0]), codes]


def index_dtype(n_classes: int) -> np.dtype:
    """The smallest signed integer type that holds class indices ``-1..n_classes-1``."""
    return np.dtype(np.int16) if n_classes < 2**15 else np.dtype(np.int32)


def max_other(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """For every row, the largest probability among the classes other than ``codes[i]``."""
    n, k = probs.shape
    out = np.empty(n, dtype=probs.dtype)
    for block in row_blocks(n, k):
        part = np.array(probs[block], dtype=probs.dtype, copy=True)
        part[np.arange(part.shape[0]), codes[block]] = -np.inf
        out[block] = part.max(axis=1)
    return out
