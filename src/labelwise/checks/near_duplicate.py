"""``near_duplicate`` check: sets of examples closer to each other than is typical.

As in cleanlab's Datalab, two rows are near duplicates when one is among the other's ``k``
neighbours at a distance below ``threshold x`` the median distance of rows to their nearest
neighbour (``threshold=0.13``; the median at least 1e-6, Datalab's floor). The sets are the
connected components of those pairs, so the relation is symmetric and transitive; the flagged rows
are the rows in any pair, the same rows Datalab flags. Score: ``1 - exp(-d_1 / median)`` for the distance ``d_1`` to the nearest neighbour.

References
----------
Kuan, J., & Mueller, J. (2022). Model-agnostic label quality scoring to detect real-world label
errors. ICML DataPerf Workshop (near-duplicate issue in cleanlab's Datalab).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ._base import Check, CheckInputs, CheckResult, columns, summary_row
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


def near_duplicate_components(graph: NeighborGraph, cutoff: float) -> np.ndarray:
    """Component number of every row in a near-duplicate set, ``-1`` elsewhere."""
    rows, cols = np.nonzero(graph.distances < cutoff)
    n = graph.n
    labels = np.full(n, -1, dtype=np.int64)
    if rows.size == 0:
        return labels
    adj = coo_matrix((np.ones(rows.size, dtype=np.int8), (rows, graph.indices[rows, cols])), shape=(n, n)).tocsr()
    _, comp = connected_components(adj, directed=True, connection="weak")
    member = np.zeros(n, dtype=bool)
    member[rows] = True
    member[graph.indices[rows, cols]] = True
    _, codes = np.unique(comp[member], return_inverse=True)
    labels[member] = codes
    return labels


def run(inputs: CheckInputs) -> CheckResult:
    """Flag every row in a near-duplicate set."""
    threshold = float(inputs.option("near_duplicate", "threshold", THRESHOLD))
    graph = inputs.graph
    assert graph is not None  # guaranteed by ``requires``
    cutoff, median = radius(graph, threshold)
    comp = near_duplicate_components(graph, cutoff)
    inputs.cache["near_duplicate_cutoff"] = (cutoff, median)
    is_issue = comp >= 0
    score = 1.0 - np.exp(-graph.distances[:, 0].astype(np.float64) / median)
    from .exact_duplicate import sets_from_groups

    sets = sets_from_groups(comp)
    info = {
        "threshold": threshold,
        "median_nn_distance": median,
        "radius": cutoff,
        "n_sets": len(sets),
        "sets": sets[:MAX_SETS_IN_INFO],
    }
    return CheckResult(columns("near_duplicate", is_issue, score), summary_row("near_duplicate", is_issue, score), info)


CHECK = Check("near_duplicate", requires=(("graph",),), run=run, shares=("near_duplicate_cutoff",))
