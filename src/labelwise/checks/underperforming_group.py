"""``underperforming_group`` check: clusters of the data whose labels are of low quality.

Clusters come from DBSCAN run on the neighbour graph (no new distances): with ``m = max(2, k // 2)``,
a row is a core row when its ``m``-th neighbour lies within ``eps``, the median of that distance
over all rows; core rows within ``eps`` of each other (as graph neighbours) form a cluster, a
non-core row joins the cluster of its nearest core neighbour within ``eps``, and clusters smaller
than ``min_cluster_size`` are dissolved; a row left out then joins the cluster of its nearest
clustered neighbour (one pass), so the sparse rims of clusters are judged with them.

Users may give their own ``groups`` instead. A group ``-1`` (the number) means "no group", as in
scikit-learn's clusterers and Datalab: its rows are not judged (score 1, never flagged), so
DBSCAN or HDBSCAN labels can be passed as they are. User groups of fewer than ``min_group_size``
rows (``check_options``, default 5, the floor of the clusters' ``min_cluster_size`` and
Datalab's) are not judged either: a group's score is a mean, and a group of one or two rows
scores below the threshold as soon as one of its labels is wrong (a singleton group is flagged
exactly when its label has low quality); those rows are the ``label`` check's finding, not a
group's. ``info`` counts the rows in no group and the groups left unjudged.

A row's label quality is the predicted probability of its given label (``probs``, or the
neighbours' votes without them); a group's score is its mean quality above chance (``1/K``)
over the data set's mean quality above chance, clipped to [0, 1], and every row of a group scoring below ``threshold`` (0.5) is flagged.
When the data set's mean quality is not above chance (random labels, or a model no better than
chance), groups cannot be judged against it: nothing is flagged and the summary says why.

References
----------
Ester, M., Kriegel, H.-P., Sander, J., & Xu, X. (1996). A density-based algorithm for
discovering clusters in large spatial databases with noise. KDD, 226-231.
Shiloach, Y., & Vishkin, U. (1982). An O(log n) parallel connectivity algorithm. Journal of
Algorithms, 3(1), 57-67 (the clusters' connected components, :func:`core_components`).
"""

from __future__ import annotations

import numpy as np

from .._validate.arguments import check_positive_int
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from .graph import NeighborGraph
from .label import given_label_probs, neighbour_vote_given

THRESHOLD = 0.5
#: User groups with fewer rows are not judged (their rows score 1): see the module docstring.
MIN_GROUP_SIZE = 5


#: Rows per block of the graph-DBSCAN passes (temporaries of ``ROW_BLOCK x k`` whatever ``n``).
ROW_BLOCK = 16_384


def graph_dbscan(graph: NeighborGraph, min_cluster_size: int = 5) -> np.ndarray:
    """Cluster number of every row, ``-1`` for noise (DBSCAN on the kNN graph).

    Every pass goes over row blocks; memory beyond the graph is a few arrays of ``n`` (the core
    edges are never stored: :func:`core_components` reads them from the graph block by block).
    """
    m = max(2, graph.k // 2)
    reach = graph.distances[:, m - 1]
    eps = float(np.median(reach))
    core = reach <= eps
    labels = core_components(graph, core, eps)  # a core row's component: its smallest row
    labels[~core] = -1
    for s, e in _blocks(graph.n):  # a non-core row joins its nearest core neighbour within eps
        ok = (graph.distances[s:e] <= eps) & core[graph.indices[s:e]] & ~core[s:e, None]
        has = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        labels[s:e][has] = labels[graph.indices[s:e][has, first[has]]]  # core rows are never written here
    del core
    sizes = np.bincount(labels + 1)[1:]  # rows per component (labels are row numbers)
    for s, e in _blocks(graph.n):
        part = labels[s:e]
        part[(part >= 0) & (sizes[np.maximum(part, 0)] < min_cluster_size)] = -1
    left_out = labels < 0  # rows left out join the cluster of their nearest clustered neighbour (one pass)
    for s, e in _blocks(graph.n):
        noise = np.flatnonzero(left_out[s:e])
        clustered_nb = ~left_out[graph.indices[s + noise]]
        has = clustered_nb.any(axis=1)
        rows = s + noise[has]
        labels[rows] = labels[
            graph.indices[rows, np.argmax(clustered_nb[has], axis=1)]
        ]  # rows not left out keep theirs
    del left_out
    # number the clusters 0, 1, ... in the order of their smallest row (as ``np.unique`` would)
    code = np.cumsum(np.bincount(labels + 1, minlength=graph.n + 1)[1:] > 0) - 1
    for s, e in _blocks(graph.n):
        part = labels[s:e]
        kept = part >= 0
        part[kept] = code[part[kept]]
    return labels


def _blocks(n: int) -> list[tuple[int, int]]:
    return [(s, min(n, s + ROW_BLOCK)) for s in range(0, n, ROW_BLOCK)]


def _core_pairs(graph: NeighborGraph, core: np.ndarray, eps: float, s: int, e: int) -> tuple[np.ndarray, np.ndarray]:
    """The neighbour pairs ``(i, j)`` of rows ``s:e`` within ``eps`` whose both rows are core."""
    keep = (graph.distances[s:e] <= eps) & core[graph.indices[s:e]] & core[s:e, None]
    rows, cols = np.nonzero(keep)
    return s + rows, graph.indices[s:e][rows, cols]


def core_components(graph: NeighborGraph, core: np.ndarray, eps: float) -> np.ndarray:
    """Connected components of the core pairs (:func:`_core_pairs`), each row labelled by its component's smallest row.

    Union-find by hooking and pointer jumping (Shiloach & Vishkin 1982): every round goes over
    the row blocks and hooks, for each pair whose two rows have different parents, the larger
    parent under the smaller one (``np.minimum.at``); then every row's parent is replaced by its
    root (pointer jumping to a fixed point). A row's parent only decreases and stays in its
    component, so a round without a hook leaves every component one tree rooted at its smallest
    row. The pairs are read from the graph in each round and never stored, so the memory is two
    arrays of ``n`` integers (the whole edge list would be up to ``n x k`` pairs). Rows without a
    core pair are their own component. Numbered this way, the components sort like
    ``scipy.sparse.csgraph.connected_components``' (which numbers them in the order of their
    smallest row); the tests compare the two.

    References
    ----------
    Shiloach, Y., & Vishkin, U. (1982). An O(log n) parallel connectivity algorithm. Journal of
    Algorithms, 3(1), 57-67.
    """
    parent = np.arange(graph.n)
    hooked = True
    while hooked:
        hooked = False
        for s, e in _blocks(graph.n):
            i, j = _core_pairs(graph, core, eps, s, e)
            pi, pj = parent[i], parent[j]
            differ = pi != pj
            if differ.any():
                hooked = True
                pi, pj = pi[differ], pj[differ]
                np.minimum.at(parent, np.maximum(pi, pj), np.minimum(pi, pj))
        while True:  # pointer jumping: every row's parent becomes its root
            up = parent[parent]
            if np.array_equal(up, parent):
                break
            parent = up
    return parent


def run(inputs: CheckInputs) -> CheckResult:
    """Flag rows of clusters (or given groups) whose mean label quality is low."""
    labels, classes = inputs.labels, inputs.classes
    assert labels is not None and classes is not None  # guaranteed by ``requires``
    threshold = float(inputs.option("underperforming_group", "threshold", THRESHOLD))
    min_size = 1
    if inputs.groups is not None:
        groups, source = inputs.groups, "user groups"
        min_size = check_positive_int(
            "check_options['underperforming_group']['min_group_size']",
            inputs.option("underperforming_group", "min_group_size", MIN_GROUP_SIZE),
        )
    else:
        assert inputs.graph is not None  # without groups, ``requires`` guarantees the graph
        size = int(inputs.option("underperforming_group", "min_cluster_size", max(5, inputs.graph.k)))
        groups, source = graph_dbscan(inputs.graph, size), "graph DBSCAN"
    quality = inputs.cache.get("label_given_probs")  # left by the label check
    if quality is None:
        if inputs.probs is not None:
            quality = given_label_probs(inputs.probs, labels)
        else:
            assert inputs.graph is not None  # without probs, ``requires`` guarantees the graph
            quality = neighbour_vote_given(inputs.graph, labels, len(classes))
    chance = 1.0 / len(classes)
    overall = float(quality.mean()) - chance
    sizes = np.bincount(groups[groups >= 0])
    score = np.ones(inputs.n)
    weak: list[dict[str, float]] = []
    extra: dict[str, str] = {}
    if overall <= 0:  # no better than chance overall: no group can fall below the data set's level
        extra["reason"] = f"labels' mean quality {overall + chance:.3g} is not above chance (1/K = {chance:.3g})"
    else:
        score, weak = _judge(groups, quality, chance, overall, sizes >= min_size, threshold)
    is_issue = score < threshold
    info = {
        "groups_from": source,
        "n_groups": int(sizes.size),
        "weak_groups": weak,
        "rows_in_no_group": int(np.count_nonzero(groups < 0)),
        "small_groups": int(np.count_nonzero((sizes > 0) & (sizes < min_size))),
        "group": groups.tolist() if inputs.n <= 10_000 else None,
    }
    return CheckResult(
        columns("underperforming_group", is_issue, score),
        summary_row("underperforming_group", is_issue, score, **extra),
        info,
    )


def _judge(
    groups: np.ndarray, quality: np.ndarray, chance: float, overall: float, judged: np.ndarray, threshold: float
) -> tuple[np.ndarray, list[dict[str, float]]]:
    """Every row's group score (1 for rows of no group or of a group not ``judged``) and the weak groups.

    A group's score is its mean quality above ``chance`` over the data set's (``overall``), clipped to [0, 1].
    """
    score = np.ones(groups.shape[0])
    member = groups >= 0
    if not member.any():
        return score, []
    sums = np.bincount(groups[member], weights=quality[member], minlength=judged.size)
    sizes = np.bincount(groups[member], minlength=judged.size)
    group_score = np.where(judged, np.clip((sums / np.maximum(sizes, 1) - chance) / overall, 0.0, 1.0), 1.0)
    score[member] = group_score[groups[member]]
    weak = np.flatnonzero((group_score < threshold) & (sizes > 0))
    return score, [{"group": int(g), "size": int(sizes[g]), "score": float(group_score[g])} for g in weak]


CHECK = Check(
    "underperforming_group",
    requires=(("labels", "graph"), ("labels", "groups", "probs")),
    run=run,
    shares=("label_given_probs",),
)
