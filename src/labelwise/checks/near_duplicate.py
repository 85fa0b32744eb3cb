"""``near_duplicate`` check: sets of examples closer to each other than is typical.

As in cleanlab's Datalab, two rows are near duplicates when one is among the other's ``k``
neighbours at a distance below ``threshold x`` the median distance of rows to their nearest
neighbour (``threshold=0.13``; the median at least 1e-6, Datalab's floor). The sets are the
connected components of those pairs, so the relation is symmetric and transitive; the flagged rows
are the rows in any pair, the same rows Datalab flags. Score: ``1 - exp(-d_1 / median)`` for the distance ``d_1`` to the nearest neighbour.
Option ``texts_must_match`` (default False; :mod:`._text_match`): a pair counts only when the two
rows' texts match too, and ``d_1`` is to the nearest neighbour whose texts match.

References
----------
Kuan, J., & Mueller, J. (2022). Model-agnostic label quality scoring to detect real-world label
errors. ICML DataPerf Workshop (near-duplicate issue in cleanlab's Datalab).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._options import positive_number
from ._text_match import equal_feature_pairs, neighbour_texts_match, option_info, texts_must_match
from .graph import NeighborGraph

THRESHOLD = 0.13
MAX_SETS_IN_INFO = 1000
#: Floor of the median nearest-neighbour distance (Datalab's, ``cleanlab.internal.constants.EPSILON``):
#: when over half the rows have an exact twin the median is 0, and the radius is ``threshold x`` this.
MEDIAN_FLOOR = 1e-6


def radius(graph: NeighborGraph, threshold: float = THRESHOLD) -> tuple[float, float]:
    """``(threshold x median nearest-neighbour distance, that median)``, the median at least ``MEDIAN_FLOOR``."""
    median = max(float(np.median(graph.distances[:, 0])), MEDIAN_FLOOR)
    return threshold * median, median


def near_duplicate_components(
    graph: NeighborGraph, cutoff: float, keep: np.ndarray | None = None, extra: tuple[np.ndarray, ...] = ()
) -> np.ndarray:
    """Component number of every row in a near-duplicate set, ``-1`` elsewhere (only the graph's
    pairs where ``keep``, an ``(n, k)`` mask, is True, when given; with the row pairs ``extra``)."""
    close = graph.distances < cutoff
    rows, cols = np.nonzero(close if keep is None else close & keep)
    a, b = rows, graph.indices[rows, cols]
    if extra:
        a, b = np.concatenate([a, extra[0]]), np.concatenate([b, extra[1]])
    labels = np.full(graph.n, -1, dtype=np.int64)
    members, codes = pair_components(a, b)
    labels[members] = codes
    return labels


def pair_components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows in any pair ``(a[i], b[i])`` (sorted) and their set numbers: the connected components
    of the pairs, numbered in the order of their lowest row. Memory O(pairs), whatever ``n``."""
    members, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    m = members.shape[0]
    if m == 0:
        return members.astype(np.int64), np.zeros(0, dtype=np.int64)
    adj = coo_matrix((np.ones(a.shape[0], dtype=np.int8), (ends[: a.shape[0]], ends[a.shape[0] :])), shape=(m, m))
    _, comp = connected_components(adj.tocsr(), directed=True, connection="weak")
    return members.astype(np.int64), comp.astype(np.int64)


def run(inputs: CheckInputs) -> CheckResult:
    """Flag every row in a near-duplicate set."""
    threshold = float(inputs.option("near_duplicate", "threshold", THRESHOLD))
    graph = inputs.graph
    assert graph is not None  # guaranteed by ``requires``
    cutoff, median = radius(graph, threshold)
    keep = neighbour_texts_match(inputs, "near_duplicate", graph.indices)
    nearest = graph.distances[:, 0]
    if keep is None:
        comp = near_duplicate_components(graph, cutoff)
    else:
        extra = equal_feature_pairs(inputs)
        comp = near_duplicate_components(graph, cutoff, keep, extra)
        nearest = np.where(keep, graph.distances, np.inf).min(axis=1)
        nearest[np.concatenate(extra)] = 0.0
    inputs.cache["near_duplicate_cutoff"] = (cutoff, median)
    is_issue = comp >= 0
    score = 1.0 - np.exp(-nearest.astype(np.float64) / median)
    from .exact_duplicate import sets_from_groups

    info = _info(threshold, median, cutoff, sets_from_groups(comp)) | option_info(inputs, "near_duplicate")
    return CheckResult(columns("near_duplicate", is_issue, score), summary_row("near_duplicate", is_issue, score), info)


def _info(threshold: float, median: float, cutoff: float, sets: list[list[int]]) -> dict[str, Any]:
    return {
        "threshold": threshold,
        "median_nn_distance": median,
        "radius": cutoff,
        "n_sets": len(sets),
        "sets": sets[:MAX_SETS_IN_INFO],
    }


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition: the median nearest-neighbour distance by an exact distributed
    quantile, the pairs within the radius found per partition (only they come to the client, where
    their sets are formed), the flags and set numbers looked up per partition."""
    from .._stage_progress import compute, step
    from ._partitioned import dask_columns, lookup, persisted_summary, row_numbers

    threshold = float(inputs.option("near_duplicate", "threshold", THRESHOLD))
    graph = inputs.graph
    assert graph is not None  # features on dask: the graph is built
    texts_must_match(inputs, "near_duplicate")  # checked: True needs texts, which dask features refuse
    with step("near duplicates"):
        cutoff, median = partitioned_radius(graph, threshold)
        inputs.cache["near_duplicate_cutoff"] = (cutoff, median)
        rows = row_numbers(graph.chunks)
        pairs = [
            dask_pairs(r, i, d, cutoff)
            for r, i, d in zip(*(_blocks(x) for x in (rows, graph.indices, graph.distances)), strict=True)
        ]
        found = compute(*pairs)
        a = np.concatenate([p[0] for p in found]) if found else np.zeros(0, np.int64)
        b = np.concatenate([p[1] for p in found]) if found else np.zeros(0, np.int64)
        members, comp = pair_components(a, b)
        set_of = lookup(rows, members, comp, -1)
        score = 1.0 - np.exp(-graph.distances[:, 0].astype(np.float64) / median)
        held, row = persisted_summary("near_duplicate", dask_columns("near_duplicate", set_of >= 0, score))
    from .exact_duplicate import sets_from_pairs

    return CheckResult(held, row, _info(threshold, median, cutoff, sets_from_pairs(members, comp)))


def partitioned_radius(graph: Any, threshold: float) -> tuple[float, float]:
    """:func:`radius` of a :class:`~labelwise.checks._partitioned.PartitionedGraph` (an exact distributed median)."""
    from .._dask_select import exact_median

    median = max(float(exact_median(graph.distances[:, 0])), MEDIAN_FLOOR)
    return threshold * median, median


def _blocks(x: Any) -> list[Any]:
    return list(x.to_delayed().ravel())


def dask_pairs(rows: Any, indices: Any, distances: Any, cutoff: float) -> Any:
    """The pairs ``(row, neighbour)`` of one partition's rows closer than ``cutoff`` (delayed)."""
    import dask

    return dask.delayed(_pairs)(rows, indices, distances, cutoff)


def _pairs(
    rows: np.ndarray, indices: np.ndarray, distances: np.ndarray, cutoff: float
) -> tuple[np.ndarray, np.ndarray]:
    r, c = np.nonzero(distances < cutoff)
    return rows[r], indices[r, c]


CHECK = Check(
    "near_duplicate",
    requires=(("graph",),),
    run=run,
    shares=("near_duplicate_cutoff", "text_near_pairs"),
    partitioned=run_partitioned,
    options={"threshold": positive_number, "texts_must_match": None},
)
