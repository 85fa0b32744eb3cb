"""``leakage`` check: evaluation rows with an exact or near duplicate among the training rows.

Given a split (which rows are for training, which for evaluation), an evaluation row leaks when a
training row has identical features (row hashing, :mod:`.exact_duplicate`) or is among its ``k``
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
    train_nb = is_train[graph.indices]
    d_train = np.where(train_nb, graph.distances, np.inf).min(axis=1).astype(np.float64)
    score = np.where(np.isfinite(d_train), 1.0 - np.exp(-d_train / median), 1.0)
    score[has_train_twin] = 0.0
    is_issue = ~is_train & (has_train_twin | (d_train < cutoff))
    score[is_train] = 1.0
    info = {
        "n_train": int(is_train.sum()),
        "n_eval": int((~is_train).sum()),
        "n_exact": int((~is_train & has_train_twin).sum()),
        "radius": cutoff,
        "rows": np.flatnonzero(is_issue)[:1000].tolist(),
    }
    return CheckResult(columns("leakage", is_issue, score), summary_row("leakage", is_issue, score), info)


CHECK = Check(
    "leakage", requires=(("split", "features", "graph"),), run=run, shares=("exact_duplicate_groups",)
)  # exact twins need the features
