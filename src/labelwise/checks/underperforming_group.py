"""``underperforming_group`` check: clusters of the data whose labels are of low quality.

Clusters come from DBSCAN run on the neighbour graph (no new distances): with ``m = max(2, k // 2)``
(``k`` when the graph has fewer neighbours), a row is a core row when its ``m``-th neighbour lies
within ``eps``, the median of that distance over all rows; core rows within ``eps`` of each other
(as graph neighbours) form a cluster, a non-core row joins the cluster of its nearest core neighbour
within ``eps``, and clusters smaller than ``min_cluster_size`` are dissolved; a row left out then
joins the cluster of its nearest clustered neighbour (one pass), so the sparse rims of clusters are
judged with them.

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
over the data set's mean quality above chance, clipped to [0, 1], and every row of a group
scoring below ``threshold`` (0.5) is flagged.
When the data set's mean quality is not above chance (random labels, or a model no better than
chance), groups cannot be judged against it: nothing is flagged and the summary says why.

For features given as a dask array (:func:`run_partitioned`) the clusters are found on the
workers, the graph never brought to the client (:mod:`._dask_dbscan`), user groups given as a dask
array are coded there (:mod:`._dask_groups`), and the groups' means are sums per group on the
workers: the same clusters, flags and weak groups as in memory for any chunking (scores to
rounding: the sums are added in another order). The data set's mean quality is a float64 mean in
both.

References
----------
Ester, M., Kriegel, H.-P., Sander, J., & Xu, X. (1996). A density-based algorithm for
discovering clusters in large spatial databases with noise. KDD, 226-231.
Shiloach, Y., & Vishkin, U. (1982). An O(log n) parallel connectivity algorithm. Journal of
Algorithms, 3(1), 57-67 (the clusters' connected components, :func:`core_components`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate.arguments import check_positive_int
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._options import positive_int, unit_interval
from .graph import NeighborGraph
from .label import given_label_probs, given_vote_of, neighbour_vote_given

THRESHOLD = 0.5
#: User groups with fewer rows are not judged (their rows score 1): see the module docstring.
MIN_GROUP_SIZE = 5
#: ``info["group"]`` lists every row's group up to this many rows (``None`` above).
INFO_GROUP_ROWS = 10_000
#: The labels' mean quality must exceed chance by more than this to judge groups: a mean equal to
#: chance in exact arithmetic comes out a few ulps either side depending on how the sum was split
#: (memory's pairwise sum, a dask array's per-chunk sums), so it must read "not above" in every one.
ABOVE_CHANCE_TOL = 1e-9
#: Likewise a group's score equal to ``threshold`` in exact arithmetic lands a few ulps either side:
#: a score is below the threshold only when it is below by more than this (:func:`below`).
SCORE_TIE_TOL = 1e-9


#: Rows per block of the graph-DBSCAN passes (temporaries of ``ROW_BLOCK x k`` whatever ``n``).
ROW_BLOCK = 16_384


def core_neighbour(k: int) -> int:
    """DBSCAN's ``m`` on a graph of ``k`` neighbours per row: a row is a core row when its ``m``-th
    neighbour lies within ``eps`` (``max(2, k // 2)``, at most ``k``)."""
    return min(max(2, k // 2), k)


def graph_dbscan(graph: NeighborGraph, min_cluster_size: int = 5) -> np.ndarray:
    """Cluster number of every row, ``-1`` for noise (DBSCAN on the kNN graph).

    Every pass goes over row blocks; memory beyond the graph is a few arrays of ``n`` (the core
    edges are never stored: :func:`core_components` reads them from the graph block by block).
    """
    m = core_neighbour(graph.k)
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
    threshold, min_size = _settings(inputs)
    if inputs.groups is not None:
        groups, source = inputs.groups, "user groups"
    else:
        assert inputs.graph is not None  # without groups, ``requires`` guarantees the graph
        groups, source = graph_dbscan(inputs.graph, _cluster_size(inputs)), "graph DBSCAN"
    quality = inputs.cache.get("label_given_probs")  # left by the label check
    if quality is None:
        if inputs.probs is not None:
            quality = given_label_probs(inputs.probs, labels)
        else:
            assert inputs.graph is not None  # without probs, ``requires`` guarantees the graph
            quality = neighbour_vote_given(inputs.graph, labels, len(classes))
    chance = 1.0 / len(classes)
    overall = float(np.mean(quality, dtype=np.float64)) - chance
    member = groups >= 0
    sizes = np.bincount(groups[member])
    score = np.ones(inputs.n)
    weak: list[dict[str, float]] = []
    if overall > ABOVE_CHANCE_TOL and sizes.size:
        sums = np.bincount(groups[member], weights=quality[member], minlength=sizes.size)
        group_score = group_scores(sums, sizes, min_size, chance, overall)
        score[member] = group_score[groups[member]]
        ids = np.flatnonzero(below(group_score, threshold) & (sizes > 0))
        weak = _weak(ids, sizes[ids], group_score[ids])
    is_issue = below(score, threshold)
    small = int(np.count_nonzero((sizes > 0) & (sizes < min_size)))
    info = _info(source, sizes.size, weak, inputs.n - int(np.count_nonzero(member)), small)
    info["group"] = groups.tolist() if inputs.n <= INFO_GROUP_ROWS else None
    return CheckResult(
        columns("underperforming_group", is_issue, score),
        summary_row("underperforming_group", is_issue, score, **_reason(overall, chance)),
        info,
    )


def _settings(inputs: CheckInputs) -> tuple[float, int]:
    """The threshold and the least size of a judged group (``check_options``; 1 for clusters)."""
    threshold = float(inputs.option("underperforming_group", "threshold", THRESHOLD))
    min_size = 1
    if inputs.groups is not None:
        min_size = check_positive_int(
            "check_options['underperforming_group']['min_group_size']",
            inputs.option("underperforming_group", "min_group_size", MIN_GROUP_SIZE),
        )
    return threshold, min_size


def _cluster_size(inputs: CheckInputs) -> int:
    """The clusters' ``min_cluster_size`` (``check_options``; default ``max(5, k)``)."""
    assert inputs.graph is not None
    return int(inputs.option("underperforming_group", "min_cluster_size", max(5, inputs.graph.k)))


def below(score: Any, threshold: float) -> Any:
    """Scores (numpy or dask) below ``threshold`` by more than :data:`SCORE_TIE_TOL`: a tie in exact
    arithmetic is not below, however the group's sums rounded (memory and any chunking agree)."""
    return score < threshold - SCORE_TIE_TOL


def group_scores(sums: Any, sizes: Any, min_size: int, chance: float, overall: float) -> Any:
    """Every group's score (numpy or dask): its mean quality above ``chance`` over the data set's
    (``overall``), clipped to [0, 1]; 1 for a group of fewer than ``min_size`` rows (not judged)."""
    mean = sums / np.maximum(sizes, 1)
    return np.where(sizes >= min_size, np.clip((mean - chance) / overall, 0.0, 1.0), 1.0)


def _weak(ids: np.ndarray, sizes: np.ndarray, scores: np.ndarray) -> list[dict[str, float]]:
    return [{"group": int(g), "size": int(n), "score": float(s)} for g, n, s in zip(ids, sizes, scores, strict=True)]


def _reason(overall: float, chance: float) -> dict[str, str]:
    """The summary's reason when no group can be judged (the labels no better than chance overall)."""
    if overall > ABOVE_CHANCE_TOL:
        return {}
    return {"reason": f"labels' mean quality {overall + chance:.3g} is not above chance (1/K = {chance:.3g})"}


def _info(source: str, n_groups: int, weak: list, in_no_group: int, small: int) -> dict[str, Any]:
    return {
        "groups_from": source,
        "n_groups": int(n_groups),
        "weak_groups": weak,
        "rows_in_no_group": int(in_no_group),
        "small_groups": small,
    }


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition: the clusters by :func:`labelwise.checks._dask_dbscan.dask_graph_dbscan`
    (the graph stays on the workers), the groups' sums and sizes by
    :func:`labelwise._dask_take.scatter_add` into arrays of one value per group, also on the
    workers, each row's group score fetched by :func:`labelwise._dask_take.take_rows`. The client
    gets the number of groups, the weak groups and a few counts (and the groups of at most
    :data:`INFO_GROUP_ROWS` rows, as in memory)."""
    from .._stage_progress import compute, step
    from ._dask_dbscan import dask_graph_dbscan
    from ._partitioned import as_rows, dask_columns, persisted_summary

    labels, classes = inputs.labels, inputs.classes
    assert labels is not None and classes is not None  # guaranteed by ``requires``
    threshold, min_size = _settings(inputs)
    chunks = tuple(int(c) for c in labels.chunks[0])
    if inputs.groups is not None:  # codes 0..G-1 (-1: no group), given as numpy or coded on the workers
        groups, source = as_rows(inputs.groups, chunks), "user groups"
        n_groups = int(compute(inputs.groups.max())[0]) + 1 if inputs.n else 0
    else:
        assert inputs.graph is not None  # without groups, ``requires`` guarantees the graph
        with step("underperforming_group: clusters"):
            groups, n_groups = dask_graph_dbscan(inputs.graph, _cluster_size(inputs))
        source = "graph DBSCAN"
    with step("underperforming_group: group scores"):
        quality = _dask_quality(inputs)
        chance = 1.0 / len(classes)
        member, at = groups >= 0, np.maximum(groups, 0)
        overall_mean, in_group = compute(quality.astype(np.float64).mean(), member.sum())
        overall = float(overall_mean) - chance
        score, weak, small = _dask_scores(quality, member, at, n_groups, (chance, overall), min_size, threshold)
        cols = dask_columns("underperforming_group", below(score, threshold), score)
        held, row = persisted_summary("underperforming_group", cols, **_reason(overall, chance))
    info = _info(source, n_groups, weak, inputs.n - int(in_group), small)
    info["group"] = compute(groups)[0].tolist() if inputs.n <= INFO_GROUP_ROWS else None
    return CheckResult(held, row, info)


def _dask_quality(inputs: CheckInputs) -> Any:
    """Each row's label quality per partition: its probability of the given label, or without
    probs its neighbours' vote for it (the neighbours' labels shared with the label check)."""
    from ._partitioned import neighbour_labels

    labels, classes = inputs.labels, inputs.classes
    assert labels is not None and classes is not None
    if inputs.probs is not None:
        probs = inputs.probs.rechunk({1: -1})
        return probs.map_blocks(_given_block, labels[:, None], drop_axis=1, dtype=probs.dtype)
    near = neighbour_labels(inputs)
    return near.map_blocks(_vote_block, labels[:, None], len(classes), drop_axis=1, dtype=np.float64)


def _given_block(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return given_label_probs(probs, labels[:, 0])


def _vote_block(near: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    return given_vote_of(near, labels[:, 0], n_classes)


def _dask_scores(
    quality: Any, member: Any, at: Any, n_groups: int, level: tuple[float, float], min_size: int, threshold: float
) -> tuple[Any, list[dict[str, float]], int]:
    """Every row's group score (dask), the weak groups and the number of groups too small to judge;
    ``level``: chance and the data set's mean quality above it. The groups' sums, sizes and scores
    are dask arrays of ``n_groups`` values on the workers; only the weak groups come here."""
    import dask.array as da

    from .._dask_take import scatter_add, take_rows
    from .._stage_progress import compute, persist

    chance, overall = level
    if n_groups == 0:
        return da.ones_like(quality, dtype=np.float64), [], 0
    parts = max(1, min(len(quality.chunks[0]), n_groups))
    group_chunks = tuple(len(c) for c in np.array_split(np.arange(n_groups), parts))
    (sizes,) = persist(scatter_add(at, member, n_groups, group_chunks))  # read by three computations below
    (small,) = compute(((sizes > 0) & (sizes < min_size)).sum())
    if overall <= ABOVE_CHANCE_TOL:  # no better than chance overall: no group can fall below the data set's level
        return da.ones_like(quality, dtype=np.float64), [], int(small)
    sums = scatter_add(at, da.where(member, quality, 0), n_groups, group_chunks)
    (group_score,) = persist(group_scores(sums, sizes, min_size, chance, overall))
    score = da.where(member, take_rows(group_score, at), 1.0)
    (ids,) = compute(da.flatnonzero(below(group_score, threshold) & (sizes > 0)))
    weak_sizes, weak_scores = compute(sizes[ids], group_score[ids])
    return score, _weak(ids, weak_sizes, weak_scores), int(small)


CHECK = Check(
    "underperforming_group",
    requires=(("labels", "graph"), ("labels", "groups", "probs")),
    run=run,
    shares=("label_given_probs", "neighbour_labels"),
    partitioned=run_partitioned,
    options={"threshold": unit_interval, "min_group_size": positive_int, "min_cluster_size": positive_int},
)
