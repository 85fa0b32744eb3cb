"""The flagged rows in ranking order (lowest quality first, ties by row), sorted on several threads.

The in-memory audit's last step orders its flagged rows by quality. The flagged rows are packed
into ``uint64`` values ``quality bits << 32 | row`` (distinct, ordered as ``(quality, row)``), so one
unstable sort of them is the ranking (no stable sort, no gather of the rows by a permutation). With
many flagged rows (:data:`MIN_THREAD_ROWS`) :func:`ranked_flagged` spreads that over threads in the
two phases of a sample sort: each thread packs the flagged rows of a range of rows; splitters drawn
from a regular sample of those values cut the value range into one bucket per thread; each thread
sorts its bucket, and the buckets laid end to end are the ranking. Below that, the threads' start,
their hand-offs and the second phase cost more than they save (``benchmarks/dev_ranking.py``), and
one thread ranks. The answer is the same whatever the number of threads.

References
----------
.. [1] Frazer, W. D., & McKellar, A. C. (1970). Samplesort: A sampling approach to minimal storage
   tree sorting. Journal of the ACM, 17(3), 496-507.
.. [2] Shi, H., & Schaeffer, J. (1992). Parallel sorting by regular sampling. Journal of Parallel and
   Distributed Computing, 14(4), 361-372.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .._scratch import fresh_only
from ._packed_cut import ordered_bits
from ._select import order_by_key

#: Below this many flagged rows one thread ranks them: on synthetic qualities
#: (``benchmarks/dev_ranking.py``, 32k to 4M flagged rows) two threads were slower at most sizes and
#: never more than a few percent faster (twice the CPU), so the threshold lies above the sizes measured.
MIN_THREAD_ROWS = 1 << 23
#: Every this-many-th packed value of each range is a sample for the splitters.
SAMPLE_STEP = 64

_LOW32 = np.uint64(0xFFFFFFFF)


def _packed_range(is_issue: np.ndarray, quality: np.ndarray, lo: int, hi: int) -> np.ndarray | None:
    """``quality bits << 32 | row`` of the flagged rows in ``lo..hi-1`` (unsorted), None if a quality is NaN."""
    rows = np.flatnonzero(is_issue[lo:hi])
    rows += lo
    keys = quality[rows]
    if np.isnan(keys).any():
        return None
    packed = ordered_bits(keys).astype(np.uint64)
    packed <<= np.uint64(32)
    packed |= rows.view(np.uint64)  # rows are not negative: the same bits
    return packed


def _sorted_rows(packed: np.ndarray) -> np.ndarray:
    """The rows of packed values (sorted in place), in ``(quality, row)`` order."""
    packed.sort()
    packed &= _LOW32
    return packed.view(np.int64)


def _bucket(parts: list[np.ndarray], low: np.uint64 | None, high: np.uint64 | None) -> np.ndarray:
    """The rows of the packed values in ``[low, high)`` (None: unbounded), sorted."""
    pieces = []
    for packed in parts:
        keep = np.ones(packed.shape[0], dtype=bool) if low is None else packed >= low
        if high is not None:
            keep &= packed < high
        pieces.append(packed[keep])
    return _sorted_rows(np.concatenate(pieces))


def _ranked_by_key(is_issue: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """The ranking by :func:`order_by_key` (any dtype; NaN qualities last, in row order: numpy's rule)."""
    flagged = np.flatnonzero(is_issue)
    return order_by_key(quality[flagged], flagged)


def ranked_flagged(is_issue: np.ndarray, quality: np.ndarray, n_jobs: int = 1) -> np.ndarray:
    """Rows where ``is_issue``, lowest ``quality`` first, ties by row (NaN last, in row order).

    The same as ``order_by_key(quality[f], f)`` with ``f = flatnonzero(is_issue)``. float32 quality
    on fewer than ``2**32`` rows without NaN among the flagged: one sort of packed values, shared among
    threads by sample sort with ``n_jobs > 1`` and at least :data:`MIN_THREAD_ROWS` flagged rows
    (module docstring).
    """
    n = is_issue.shape[0]
    if n >= 2**32 or quality.dtype != np.float32:
        return _ranked_by_key(is_issue, quality)
    if n_jobs <= 1 or np.count_nonzero(is_issue) < MIN_THREAD_ROWS:
        whole = _packed_range(is_issue, quality, 0, n)
        return _ranked_by_key(is_issue, quality) if whole is None else _sorted_rows(whole)
    edges = np.linspace(0, n, n_jobs + 1).astype(np.int64)
    with ThreadPoolExecutor(n_jobs, initializer=fresh_only) as pool:
        parts = list(
            pool.map(lambda i: _packed_range(is_issue, quality, int(edges[i]), int(edges[i + 1])), range(n_jobs))
        )
        if any(p is None for p in parts):
            return _ranked_by_key(is_issue, quality)
        packed = [p for p in parts if p is not None]
        sample = np.sort(np.concatenate([p[::SAMPLE_STEP] for p in packed]))
        if sample.size < n_jobs:
            return _bucket(packed, None, None)
        cuts = [sample[(i * sample.size) // n_jobs] for i in range(1, n_jobs)]
        bounds: list[np.uint64 | None] = [None, *cuts, None]
        buckets = pool.map(lambda i: _bucket(packed, bounds[i], bounds[i + 1]), range(n_jobs))
        return np.concatenate(list(buckets))
