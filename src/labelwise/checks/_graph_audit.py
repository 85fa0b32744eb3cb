"""The approximate graph checked against the exact search on a sample of rows, and its far rows searched exactly.

An approximate index finds a row's neighbours well when the row lies among other rows; it misses
them for a row far from every other row, whose distances to the rest are nearly all alike (the
query "far from the data" of Malkov & Yashunin, whose greedy search then has no gradient to
follow). Tables of one-hot columns are made of such rows: z-scored, a rare category's indicator
puts its rows far from all others, and the rows of a small group of categories have their true
neighbours spread thinly over many groups at nearly one distance. There HNSW found a third of
their neighbours, and a wider beam or a denser graph did not mend it (RESULTS.md, session 49).
Since the candidates are re-scored exactly, a miss only ever makes a row's neighbour distances
larger, and such a row looks like an outlier.

:func:`audited` measures this and mends it. A seeded sample of ``AUDIT_ROWS`` rows is searched
exactly (the exact search's own code, :func:`~labelwise.checks._dask_graph._pair_best`, over
blocks of rows). A sampled row is *off* when its approximate mean neighbour distance (what the
outlier check scores) exceeds the exact one by more than ``OFF_TOLERANCE``. Rows are ranked by
their approximate mean distance, largest first; the smallest top share of that ranking that holds
all off sampled rows but ``LEFT_OFF`` of the sample is searched exactly (at most
``MAX_EXACT_SHARE`` of the rows: beyond that share a :class:`~labelwise.errors.LabelwiseWarning`
says how many rows are estimated off and that ``method="exact"`` gives the exact graph). On
numbers, where the index finds nearly every neighbour, no row or few is searched again.

References
----------
Malkov, Y. A., & Yashunin, D. A. (2020). Efficient and robust approximate nearest neighbor search
using hierarchical navigable small world graphs. IEEE TPAMI, 42(4), 824-836.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import LabelwiseWarning

#: Rows of the seeded sample searched exactly (all rows when there are fewer).
AUDIT_ROWS = 1000
#: A sampled row is off when its approximate mean distance is above the exact one by more than this share.
OFF_TOLERANCE = 0.01
#: Off rows of the sample that may stay outside the rows searched again (a share of the sample).
LEFT_OFF = 0.01
#: The largest share of the rows searched again exactly (above it: a warning instead).
MAX_EXACT_SHARE = 0.25
#: Rows standardised at a time as one block of the rows searched (a "shard" of the exact search).
SHARD_ROWS = 1024
#: Elements of one query block x shard slab of the exact search (256 kB of float32).
SLAB_ELEMENTS = 1 << 16
#: Rows searched again exactly per pass over the shards.
QUERY_ROWS = 1024


def audit_sample(n: int, random_state: Any) -> np.ndarray:
    """The sorted row numbers of the seeded audit sample of ``n`` rows (``AUDIT_ROWS`` or all)."""
    seed = int(random_state) if isinstance(random_state, (int, np.integer)) else 0
    if n <= AUDIT_ROWS:
        return np.arange(n)
    return np.sort(np.random.default_rng([seed, 49]).choice(n, AUDIT_ROWS, replace=False))


def exact_rows(Z: Any, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The exact ``k`` nearest other rows of ``rows`` among all rows of ``Z`` (a float32 matrix or a
    :class:`~labelwise.checks.graph.StandardizedRows` view), by (float64 distance, row number), as
    :func:`~labelwise.checks.graph.exact_knn` finds them; squared distances.

    Each block of ``SHARD_ROWS`` rows is standardised once and searched by the sharded exact
    search's own code, a few query rows at a time (a slab of at most ``SLAB_ELEMENTS``), so the
    memory held is a few blocks, never a copy of the features."""
    from ._dask_graph import _merge_best, _pair_best
    from ._exact_select import sq_norms32

    n = Z.shape[0]
    Q = np.asarray(Z[rows], dtype=np.float32)
    spans = [(s, min(n, s + SHARD_ROWS)) for s in range(0, n, SHARD_ROWS)]
    top_norm = max(float(sq_norms32(np.asarray(Z[s:e], dtype=np.float32)).max()) for s, e in spans)
    want = min(n, k + 1)  # the row itself among them, or k others before it
    idx = np.full((rows.size, want), -1, dtype=np.int64)
    d2 = np.full((rows.size, want), np.inf)
    step = max(1, SLAB_ELEMENTS // SHARD_ROWS)
    for s, e in spans:
        S = np.asarray(Z[s:e], dtype=np.float32)
        for a in range(0, rows.size, step):
            part = _pair_best(Q[a : a + step], S, -1, s, want, min(n, 2 * want), top_norm)
            idx[a : a + step], d2[a : a + step] = _merge_best([(idx[a : a + step], d2[a : a + step]), part])
    own = idx == rows[:, None]
    d2[own] = np.inf
    key = np.where(own, np.iinfo(np.int64).max, idx)
    order = np.lexsort((key, d2), axis=1)[:, :k]
    return np.take_along_axis(idx, order, 1), np.take_along_axis(d2, order, 1)


def repair_share(approx_mean: np.ndarray, sample: np.ndarray, off: np.ndarray) -> float:
    """The top share of rows by ``approx_mean`` (largest first) to search again: the smallest that
    holds every off sampled row (``sample[off]``) but ``LEFT_OFF`` of the sample."""
    n = approx_mean.shape[0]
    keep = int(np.floor(LEFT_OFF * sample.size))
    if int(off.sum()) <= keep:
        return 0.0
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), -approx_mean))] = np.arange(n)  # 0: the largest mean distance
    off_ranks = np.sort(rank[sample[off]])
    return float(off_ranks[off_ranks.size - keep - 1] + 1) / n


def audited(
    Z: Any, indices: np.ndarray, sqdist: np.ndarray, k: int, *, random_state: Any = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The approximate graph (``indices``, squared distances ``sqdist``, changed in place) of the rows
    of ``Z`` with its sample and its far rows searched exactly (see the module's docstring), and the audit's record:
    ``audit_rows``, ``audit_off`` (off sampled rows), ``exact_rows`` (rows searched again)."""
    n = Z.shape[0]
    sample = audit_sample(n, random_state)
    ex_idx, ex_d2 = exact_rows(Z, sample, k)
    approx_mean = _mean_distance(sqdist)
    off = approx_mean[sample] > _mean_distance(ex_d2) * (1.0 + OFF_TOLERANCE)
    share = repair_share(approx_mean, sample, off)
    record: dict[str, Any] = {"audit_rows": int(sample.size), "audit_off": int(off.sum()), "exact_rows": 0}
    indices[sample], sqdist[sample] = ex_idx, ex_d2
    if share > 0:
        count = int(np.ceil(min(share, MAX_EXACT_SHARE) * n))
        order = np.lexsort((np.arange(n), -approx_mean))
        redo = np.setdiff1d(np.sort(order[:count]), sample)
        for s in range(0, redo.size, QUERY_ROWS):
            rows = redo[s : s + QUERY_ROWS]
            indices[rows], sqdist[rows] = exact_rows(Z, rows, k)
        record["exact_rows"] = int(redo.size + sample.size)
        if share > MAX_EXACT_SHARE:
            _warn_left(n, sample.size, int(off.sum()), share)
    return indices, sqdist, record


def _mean_distance(sqdist: np.ndarray) -> np.ndarray:
    return np.sqrt(np.maximum(np.asarray(sqdist, dtype=np.float64), 0.0)).mean(axis=1)


def _warn_left(n: int, sampled: int, off: int, share: float) -> None:
    message = (
        f"the approximate neighbour search missed neighbours of {off} of {sampled} rows checked against the "
        f"exact search (estimated {share:.0%} of the {n} rows to search again, above the "
        f"{MAX_EXACT_SHARE:.0%} searched exactly): distances and the outliers they flag may be too large; "
        "method='exact' gives the exact graph"
    )
    warnings.warn(message, LabelwiseWarning, stacklevel=5)
