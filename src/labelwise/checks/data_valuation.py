"""``data_valuation`` check: kNN-Shapley value of every example, in O(n k) memory.

Every row in turn is the validation point ``t``; its ``N = k`` graph neighbours
``a_1..a_N`` (nearest first) are the training set of a ``K``-nearest-neighbour classifier whose
utility is the share of the ``K`` nearest with ``t``'s label. Jia et al. (2019, Theorem 1) give
the exact Shapley values of that game by a recursion from the farthest point:

``s_N = 1[y_{a_N} = y_t] / N``,
``s_j = s_{j+1} + (1[y_{a_j} = y_t] - 1[y_{a_{j+1}} = y_t]) / K * min(K, j) / j``,

computed for all rows at once as a reversed cumulative sum over the ``(n, k)`` neighbour array.
A row's value is the sum of what it receives over the validation points, divided by the mean
number of times a row is a neighbour (``k``); rows outside a validation point's ``k``
neighbours receive 0 from it (the truncation of Jia et al.'s Section 4 with ``N = k``). The
classifier's ``K`` defaults to ``k // 2``: with ``K = N`` every neighbour's value would be just
its label match over ``K``, never negative, so ``N > K`` is needed to see harmful rows.
Neighbours tied in distance share their values; where identical rows tie at the ``k``-th place,
the graph keeps the lower row numbers, so one twin may receive more than the other. The
score is ``(1 + K * value) / 2`` in [0, 1]; rows with a negative value (score < 0.5) lower the
classifier's accuracy and are flagged. cleanlab's Datalab uses ``K = N = k``, starts the recursion
from 0 instead of ``s_N`` (so every neighbour of ``t`` receives ``1[y_{a_N} = y_t] / k`` less)
and averages over all ``n`` rows; the tests compare the two.

References
----------
Jia, R., Dao, D., Wang, B., Hubis, F. A., Gurel, N. M., Li, B., Zhang, C., Spanos, C. J., &
Song, D. (2019). Efficient task-specific data valuation for nearest neighbor algorithms.
Proceedings of the VLDB Endowment, 12(11), 1610-1623.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._exact_sum import N_LIMBS, join_limbs, scattered_limb_sums, split_limbs
from ..errors import InvalidParameterError
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._options import positive_int

#: A value within this of 0 is 0: exact cancellations are common (the values are a few rationals),
#: and each term was rounded once to float64 before the (exact, order-free) sum.
ROUNDING = 1e-12
#: Validation rows whose values are added into the total by one weighted ``bincount`` (this fixes
#: the order of the floating-point sums, so the values do not depend on ``ROW_BLOCK``).
SUM_BLOCK = 65536
#: Validation rows per block of Theorem 1's ``(block, k)`` temporaries (about a dozen 8-byte
#: arrays): a few MB whatever ``n``.
ROW_BLOCK = 8192


def knn_shapley(indices: np.ndarray, labels: np.ndarray, K: int, distances: np.ndarray | None = None) -> np.ndarray:
    """Sum over validation rows of the exact kNN-Shapley value each row receives (Jia et al. 2019, Thm 1).

    With ``distances``, neighbours at equal distance from a validation row (whose order is
    arbitrary) share the mean of their values, so the result does not depend on row order.
    The values a row receives are summed exactly (:mod:`labelwise._exact_sum`), so the total does
    not depend on the order of the additions either: a dask run's sums per partition give the same
    bits (float sums of a hub's ``10**5`` values that cancel exactly came out ``1e-11`` either side
    of 0, flagged or not with the chunking). What is left is each term's own rounding to float64,
    within :data:`ROUNDING` for a hub of ``10**5`` terms. Validation rows are processed in blocks of
    ``ROW_BLOCK``, their values summed per ``SUM_BLOCK``; memory beyond the inputs is
    ``O(n + (SUM_BLOCK + ROW_BLOCK) * k)``.
    """
    n, N = indices.shape
    total = np.zeros((N_LIMBS, n))
    for start in range(0, n, SUM_BLOCK):
        stop = min(n, start + SUM_BLOCK)
        s = np.empty((stop - start, N))
        for a in range(start, stop, ROW_BLOCK):
            block = slice(a, min(stop, a + ROW_BLOCK))
            d = distances[block] if distances is not None else None
            s[a - start : block.stop - start] = _block_values(
                indices[block], labels[indices[block]] == labels[block, None], K, d
            )
        total += scattered_limb_sums(indices[start:stop], s, n)
    return join_limbs(total)


def _block_values(nbrs: np.ndarray, matches: np.ndarray, K: int, distances: np.ndarray | None) -> np.ndarray:
    """Theorem 1's values for a block of validation rows (``(b, N)``), tied neighbours averaged."""
    b, N = nbrs.shape
    match = matches.astype(np.float64)
    j = np.arange(1, N, dtype=np.float64)  # 1-based positions 1..N-1
    step = (match[:, :-1] - match[:, 1:]) / K * (np.minimum(K, j) / j)
    s = np.empty((b, N))
    s[:, -1] = match[:, -1] / N
    s[:, :-1] = s[:, -1:] + np.cumsum(step[:, ::-1], axis=1)[:, ::-1]
    if distances is not None:
        new_run = np.ones((b, N), dtype=bool)
        new_run[:, 1:] = distances[:, 1:] != distances[:, :-1]
        run = (np.cumsum(new_run, axis=1) - 1 + np.arange(b)[:, None] * N).ravel()
        sums = np.bincount(run, weights=s.ravel(), minlength=b * N)
        sizes = np.bincount(run, minlength=b * N)
        s = (sums / np.maximum(sizes, 1))[run].reshape(b, N)
    return s


def run(inputs: CheckInputs) -> CheckResult:
    """Value every row; flag the rows with a negative value."""
    graph = inputs.graph
    assert graph is not None and inputs.labels is not None  # guaranteed by ``requires``
    K = _shapley_k(inputs)
    value = knn_shapley(graph.indices, inputs.labels, K, graph.distances)
    value /= graph.k
    is_issue = value < -ROUNDING
    score = value  # (1 + K value) / 2 clipped to [0, 1], in place: one array of n, not three
    score *= K
    score += 1.0
    score /= 2.0
    np.clip(score, 0.0, 1.0, out=score)
    info = {"shapley_k": K, "n_negative": int(is_issue.sum())}
    return CheckResult(columns("data_valuation", is_issue, score), summary_row("data_valuation", is_issue, score), info)


def _shapley_k(inputs: CheckInputs) -> int:
    assert inputs.graph is not None
    K = int(inputs.option("data_valuation", "k", max(1, inputs.graph.k // 2)))
    if K > inputs.graph.k:  # was lowered to the graph's k without a word
        raise InvalidParameterError(
            f"check_options['data_valuation']['k'] must be at most the graph's k ({inputs.graph.k}: the "
            f"neighbours each row has), got {K}; raise k to use more neighbours"
        )
    return K


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition: each partition's validation rows compute Theorem 1's values for
    their neighbours (their labels fetched per partition), and the values are summed per receiving
    row by a distributed scatter-add of their exact limbs (:mod:`labelwise._exact_sum`): the same
    bits as in memory whatever the partitions."""
    from .._stage_progress import compute, persist, step
    from ._partitioned import dask_columns, neighbour_labels, persisted_summary

    graph, labels = inputs.graph, inputs.labels
    assert graph is not None and labels is not None  # guaranteed by ``requires``
    K = _shapley_k(inputs)
    with step("data valuation"):
        near = neighbour_labels(inputs)
        s = near.map_blocks(_partition_values, labels[:, None], graph.distances, K, dtype=np.float64)
        (value,) = persist(_scatter_exact(graph.indices, s, graph.n, graph.chunks) / graph.k)
        cols = dask_columns("data_valuation", value < -ROUNDING, (1.0 + K * value) / 2.0)
        held, row = persisted_summary("data_valuation", cols)
        (negative,) = compute(held["is_data_valuation_issue"].sum())
    return CheckResult(held, row, {"shapley_k": K, "n_negative": int(negative)})


def _scatter_exact(indices: Any, values: Any, n: int, chunks: tuple[int, ...]) -> Any:
    """:func:`~labelwise._exact_sum.exact_bincount` of dask arrays ``indices`` and ``values`` (m, k): one
    :func:`~labelwise._dask_take.scatter_add` of every limb, limb ``i`` of a term for row ``j`` sent
    to row ``j * N_LIMBS + i`` of an output ``N_LIMBS`` times as long, in as many chunks as ``chunks``
    (its limb sums are integers below ``2**53``, so the distributed float sums are exact), then the
    limbs of each row joined."""
    from .._dask_take import scatter_add

    indices, values = indices.rechunk({1: -1}), values.rechunk({1: -1})
    wide = (indices.chunks[0], (N_LIMBS * indices.shape[1],))
    at = indices.map_blocks(_limb_targets, chunks=wide, dtype=np.int64)
    limbs = values.map_blocks(_limb_columns, chunks=wide, dtype=np.float64)
    sums = scatter_add(at, limbs, N_LIMBS * n, tuple(N_LIMBS * c for c in chunks)).reshape(n, N_LIMBS)
    return join_limbs([sums[:, i] for i in range(N_LIMBS)])


def _limb_targets(indices: np.ndarray) -> np.ndarray:
    """Output rows of the limbs of :func:`_limb_columns`: limb ``i`` of a term for row ``j`` goes to
    ``j * N_LIMBS + i``."""
    first = indices.astype(np.int64) * N_LIMBS
    return np.concatenate([first + i for i in range(N_LIMBS)], axis=1)


def _limb_columns(values: np.ndarray) -> np.ndarray:
    """The limbs of a block of terms side by side, limb by limb (``(m, N_LIMBS * k)``)."""
    return np.concatenate(list(split_limbs(values)), axis=1)


def _partition_values(near: np.ndarray, own: np.ndarray, distances: np.ndarray, K: int) -> np.ndarray:
    """Theorem 1's values of one partition's validation rows (``(rows, k)``), by blocks of ``ROW_BLOCK``."""
    out = np.empty(near.shape)
    for a in range(0, near.shape[0], ROW_BLOCK):
        b = slice(a, a + ROW_BLOCK)
        out[b] = _block_values(near[b], near[b] == own[b], K, distances[b])
    return out


CHECK = Check(
    "data_valuation",
    requires=(("labels", "graph"),),
    run=run,
    shares=("neighbour_labels",),
    partitioned=run_partitioned,
    options={"k": positive_int},  # at most the graph's k: checked where it is read
)
