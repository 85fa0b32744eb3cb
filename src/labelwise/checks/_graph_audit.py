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
outlier check scores) exceeds the exact one by more than ``OFF_TOLERANCE``. Every row whose
approximate mean distance is at least the cut that leaves out no more than ``LEFT_OFF`` of the
sample's off rows (:func:`redo_cut`) is searched exactly, at most :func:`exact_budget` rows:
``MAX_EXACT_SHARE`` of them and, where it is set, never more than ``MAX_EXACT_ROWS`` (the cut is raised to that
quantile, and a :class:`~labelwise.errors.LabelwiseWarning` says how many rows were estimated off,
how many keep approximate neighbours and that ``method="exact"`` gives the exact graph). The
exact search of R rows compares R x n row pairs: a share of the rows grows as n squared (at a
million rows a quarter of them cost a quarter of the exact graph), a fixed count as n, as the
index's own work does; but a count leaves far rows approximate, so none is set by default. On numbers, where the index finds nearly every neighbour, no row or few
is searched again.

References
----------
Malkov, Y. A., & Yashunin, D. A. (2020). Efficient and robust approximate nearest neighbor search
using hierarchical navigable small world graphs. IEEE TPAMI, 42(4), 824-836.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._caller import warn_at_caller
from ..errors import LabelwiseWarning
from . import graph as _graph  # its _row_step read at call time: the block size the graph uses now

#: Rows of the seeded sample searched exactly (all rows when there are fewer).
AUDIT_ROWS = 1000
#: A sampled row is off when its approximate mean distance is above the exact one by more than this share.
OFF_TOLERANCE = 0.01
#: Off rows of the sample that may stay outside the rows searched again (a share of the sample).
LEFT_OFF = 0.01
#: The largest share of the rows searched again exactly (above it: a warning instead).
MAX_EXACT_SHARE = 0.25
#: The most rows searched again exactly whatever n, or None (the default): no cap but ``MAX_EXACT_SHARE``.
#: A count caps the search's cost near the index's own (8,000 did on four dev tables,
#: ``benchmarks/dev_onehot_budget.py``) but leaves the rest of the far rows approximate, and their
#: outliers false: hnswlib's one-hot 200,000 rows flagged 21,524 instead of 5,341 (RESULTS.md, session
#: 50), so the default pays the exact search instead and sets no count.
MAX_EXACT_ROWS: int | None = None
#: Query rows searched in one block against a block of rows (a slab of ``QUERY_BLOCK`` x block rows).
QUERY_BLOCK = 64


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

    Each block of rows (as many as the graph standardises at a time) is standardised once and searched by the sharded exact
    search's own code, ``QUERY_BLOCK`` query rows at a time, so the
    memory held is a few blocks, never a copy of the features."""
    from ._dask_graph import _merge_best, _pair_best
    from ._exact_select import sq_norms32

    n, shard = Z.shape[0], _graph._row_step(Z.shape[1])
    Q = np.asarray(Z[rows], dtype=np.float32)
    spans = [(s, min(n, s + shard)) for s in range(0, n, shard)]
    top_norm = max(float(sq_norms32(np.asarray(Z[s:e], dtype=np.float32)).max()) for s, e in spans)
    want = min(n, k + 1)  # the row itself among them, or k others before it
    idx = np.full((rows.size, want), -1, dtype=np.int64)
    d2 = np.full((rows.size, want), np.inf)
    step = QUERY_BLOCK
    for s, e in spans:
        S = np.asarray(Z[s:e], dtype=np.float32)
        for a in range(0, rows.size, step):
            part = _pair_best(Q[a : a + step], S, -1, s, want, min(n, 2 * want), top_norm)
            idx[a : a + step], d2[a : a + step] = _merge_best([(idx[a : a + step], d2[a : a + step]), part])
    return drop_self(idx, d2, rows, k)


def exact_budget(n: int) -> int:
    """The most of ``n`` rows searched again exactly: ``MAX_EXACT_SHARE`` of them, at most ``MAX_EXACT_ROWS``
    where that is set."""
    share = int(MAX_EXACT_SHARE * n)
    return share if MAX_EXACT_ROWS is None else min(share, MAX_EXACT_ROWS)


def redo_cut(approx_mean_off: np.ndarray, sampled: int) -> float | None:
    """The least approximate mean distance of the rows to search again: all off sampled rows
    (their approximate mean distances ``approx_mean_off``) but ``LEFT_OFF`` of the ``sampled``
    rows have one at least as large; None when no more are off than that."""
    keep = int(np.floor(LEFT_OFF * sampled))
    if approx_mean_off.size <= keep:
        return None
    return float(np.sort(approx_mean_off)[keep])


def drop_self(idx: np.ndarray, d2: np.ndarray, rows: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of ``rows``' candidates (``idx``, squared distances ``d2``) by (distance, row), each row
    not its own neighbour, padding (``-1``) last."""
    own = (idx == rows[:, None]) | (idx < 0)
    d2 = np.where(own, np.inf, d2)
    key = np.where(own, np.iinfo(np.int64).max, idx)
    order = np.lexsort((key, d2), axis=1)[:, :k]
    return np.take_along_axis(idx, order, 1), np.take_along_axis(d2, order, 1)


def audited(
    Z: Any, indices: np.ndarray, sqdist: np.ndarray, k: int, *, random_state: Any = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The approximate graph (``indices``, squared distances ``sqdist``, changed in place) of the rows
    of ``Z`` with its sample and its far rows searched exactly (see the module's docstring), and the
    audit's record (:func:`audit_record`)."""
    n = Z.shape[0]
    sample = audit_sample(n, random_state)
    ex_idx, ex_d2 = exact_rows(Z, sample, k)
    approx_mean = _mean_distance(sqdist)
    off = approx_mean[sample] > _mean_distance(ex_d2) * (1.0 + OFF_TOLERANCE)
    indices[sample], sqdist[sample] = ex_idx, ex_d2
    cut = redo_cut(approx_mean[sample][off], sample.size)
    redo = np.empty(0, dtype=np.int64)
    if cut is not None:
        wanted, budget = int((approx_mean >= cut).sum()), exact_budget(n)
        if wanted > budget:
            cut = max(cut, float(np.quantile(approx_mean, 1.0 - budget / n)))
            _warn_left(n, sample.size, int(off.sum()), wanted, budget)
        redo = np.setdiff1d(np.flatnonzero(approx_mean >= cut), sample)
        step = _graph._row_step(Z.shape[1])  # query rows held standardised per pass over the shards
        for s in range(0, redo.size, step):
            rows = redo[s : s + step]
            indices[rows], sqdist[rows] = exact_rows(Z, rows, k)
    return indices, sqdist, audit_record(sample.size, int(off.sum()), sample.size + redo.size)


def audit_record(sampled: int, off: int, exact: int) -> dict[str, Any]:
    """The audit's record (``GraphSearch.audit``): the rows sampled, those off, the rows searched exactly."""
    return {"audit_rows": int(sampled), "audit_off": int(off), "exact_rows": int(exact)}


def _mean_distance(sqdist: np.ndarray) -> np.ndarray:
    return np.sqrt(np.maximum(np.asarray(sqdist, dtype=np.float64), 0.0)).mean(axis=1)


def _warn_left(n: int, sampled: int, off: int, wanted: int, budget: int) -> None:
    cap = "" if MAX_EXACT_ROWS is None else f", at most {MAX_EXACT_ROWS}"
    message = (
        f"the approximate neighbour search missed neighbours of {off} of {sampled} rows checked against the "
        f"exact search: an estimated {wanted} of the {n} rows need the exact search, at most {budget} are "
        f"searched again ({MAX_EXACT_SHARE:.0%} of the rows{cap}), so about "
        f"{wanted - budget} rows keep approximate neighbours whose distances, and the outliers they flag, "
        "may be too large; method='exact' gives the exact graph"
    )
    warn_at_caller(LabelwiseWarning(message))
