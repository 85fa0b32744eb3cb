"""Row-block iteration: large probability arrays are processed in cache-sized blocks of rows.

Blocks keep every temporary small (a few MB) however large ``probs`` is, so the peak extra memory
of an audit stays far below one copy of the probability array. This is not a loop over rows: each
block is handled by vectorised numpy.
"""

from __future__ import annotations

import numpy as np

from .._chunks import BLOCK_ELEMENTS, row_blocks

__all__ = ["BLOCK_ELEMENTS", "index_dtype", "max_other", "row_blocks", "self_confidence", "step_rows"]

#: A step's temporaries (one group of scratch or fresh vectors, one value per row of the step) take
#: at most ``1 / SCRATCH_SHARE`` of the bytes of ``probs``' rows in the chunk they serve: a few such
#: groups stay well under one copy of ``probs`` however small the chunk.
SCRATCH_SHARE = 16
#: ... but a step has at least this many rows (fewer, and numpy's cost per call is most of a step's).
MIN_STEP_ROWS = 512


def self_confidence(probs: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``probs[i, codes[i]]`` for every row, without an ``n x K`` temporary."""
    return probs[np.arange(codes.shape[0]), codes]


def step_rows(n_rows: int, row_bytes: int, temp_bytes: int, cap: int) -> int:
    """Rows per step of a loop over a chunk of ``n_rows`` rows of ``probs`` (``row_bytes`` bytes each)
    whose temporaries take ``temp_bytes`` per row of the step.

    At most ``cap`` (the step that large chunks are tuned for) and the rows present, and at most
    what keeps the temporaries within ``1 / SCRATCH_SHARE`` of the chunk's bytes, but never below
    :data:`MIN_STEP_ROWS`. Large chunks keep ``cap``; a small chunk's temporaries shrink with it,
    instead of weighing more than the chunk itself (benchmarks/RESULTS.md, session 41, mem41).
    """
    budget = n_rows * row_bytes // (SCRATCH_SHARE * max(1, temp_bytes))
    return max(1, min(n_rows, cap, max(MIN_STEP_ROWS, budget)))


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
