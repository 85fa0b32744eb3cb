"""``leakage`` check: evaluation rows with an exact or near duplicate among the training rows.

Given a split (which rows are for training, which for evaluation), an evaluation row leaks when a
training row has identical features and texts (row hashing, :mod:`.exact_duplicate`) or is among its ``k``
neighbours within the near-duplicate radius (:mod:`.near_duplicate`). Score of an evaluation row:
0 for an exact duplicate, else ``1 - exp(-d / median)`` for its nearest training neighbour in the
graph (1 when none of its ``k`` neighbours is a training row); training rows score 1.
"""

from __future__ import annotations

import numpy as np

from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from .exact_duplicate import cached_groups
from .near_duplicate import THRESHOLD, radius


def run(inputs: CheckInputs) -> CheckResult:
    """Flag evaluation rows duplicated (exactly or nearly) in training rows."""
    is_train, graph = inputs.is_train, inputs.graph
    assert is_train is not None and graph is not None  # guaranteed by ``requires``
    groups = cached_groups(inputs)
    has_train_twin = np.zeros(inputs.n, dtype=bool)
    dup = groups >= 0
    if dup.any():
        train_groups = np.zeros(int(groups.max()) + 1, dtype=bool)
        train_groups[groups[dup & is_train]] = True
        has_train_twin[dup] = train_groups[groups[dup]]
    threshold = float(inputs.option("near_duplicate", "threshold", THRESHOLD))
    cutoff, median = radius(graph, threshold)
    d_train = _nearest_train(graph.distances, is_train[graph.indices])
    score = _eval_score(d_train, has_train_twin, is_train, median)
    is_issue = ~is_train & (has_train_twin | (d_train < cutoff))
    info = {
        "n_train": int(is_train.sum()),
        "n_eval": int((~is_train).sum()),
        "n_exact": int((~is_train & has_train_twin).sum()),
        "radius": cutoff,
        "rows": np.flatnonzero(is_issue)[:1000].tolist(),
    }
    return CheckResult(columns("leakage", is_issue, score), summary_row("leakage", is_issue, score), info)


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition: the duplicate groups that hold a training row come to the client
    (one number per such group), the neighbours' split is fetched per partition."""
    from .._dask_take import take_rows
    from .._stage_progress import compute, step
    from ._partitioned import dask_columns, first_rows, lookup, persisted_summary
    from .exact_duplicate import partitioned_groups
    from .near_duplicate import partitioned_radius

    is_train, graph = inputs.is_train, inputs.graph
    assert is_train is not None and graph is not None  # guaranteed by ``requires``
    groups = partitioned_groups(inputs).groups
    with step("leakage"):
        train_groups = np.unique(compute(groups[(groups >= 0) & is_train])[0])
        has_train_twin = lookup(groups, train_groups, np.ones(train_groups.size, dtype=bool), False)
        threshold = float(inputs.option("near_duplicate", "threshold", THRESHOLD))
        cutoff, median = inputs.cache.get("near_duplicate_cutoff") or partitioned_radius(graph, threshold)
        near = take_rows(is_train, graph.indices)
        d_train = graph.distances.map_blocks(_nearest_train, near, drop_axis=1, dtype=np.float64)
        score = d_train.map_blocks(_eval_score, has_train_twin, is_train, median, dtype=np.float64)
        is_issue = ~is_train & (has_train_twin | (d_train < cutoff))
        held, row = persisted_summary("leakage", dask_columns("leakage", is_issue, score))
        n_train, n_exact = compute(is_train.sum(), (~is_train & has_train_twin).sum())
    info = {
        "n_train": int(n_train),
        "n_eval": inputs.n - int(n_train),
        "n_exact": int(n_exact),
        "radius": cutoff,
        "rows": first_rows(held["is_leakage_issue"], 1000),
    }
    return CheckResult(held, row, info)


def _nearest_train(distances: np.ndarray, train_nb: np.ndarray) -> np.ndarray:
    return np.where(train_nb, distances, np.inf).min(axis=1).astype(np.float64)


def _eval_score(d_train: np.ndarray, twin: np.ndarray, is_train: np.ndarray, median: float) -> np.ndarray:
    score = np.where(np.isfinite(d_train), 1.0 - np.exp(-d_train / median), 1.0)
    score[twin] = 0.0
    score[is_train] = 1.0
    return score


CHECK = Check(
    "leakage",
    requires=(("split", "features", "graph"),),
    run=run,
    shares=("exact_duplicate_groups",),
    partitioned=run_partitioned,
)  # exact twins need the features
