"""``leakage`` check: evaluation rows with an exact or near duplicate among the training rows.

Given a split (which rows are for training, which for evaluation), an evaluation row leaks when a
training row has identical features and texts (row hashing, :mod:`.exact_duplicate`), is among its ``k``
neighbours within the near-duplicate radius (:mod:`.near_duplicate`; with features), or has texts
that are near duplicates of its texts (:mod:`.near_duplicate_text`'s Jaccard index of character
shingles at least its threshold; with texts, so a text-only table is checked too). Score of an
evaluation row: 0 for an exact duplicate, else the least of ``1 - exp(-d / median)`` for its
nearest training neighbour in the graph (1 when none of its ``k`` neighbours is a training row)
and ``1 -`` the highest Jaccard index of its texts to a training row's; training rows score 1.
Option ``texts_must_match`` (default False; :mod:`._text_match`): a training neighbour in the graph
counts only when its texts match the evaluation row's too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._text_match import equal_feature_train_match, neighbour_texts_match, option_info, texts_must_match
from .exact_duplicate import cached_groups
from .near_duplicate import THRESHOLD, radius
from .near_duplicate_text import cached_pairs, row_best


def run(inputs: CheckInputs) -> CheckResult:
    """Flag evaluation rows duplicated (exactly or nearly) in training rows."""
    is_train = inputs.is_train
    assert is_train is not None  # guaranteed by ``requires``
    groups = cached_groups(inputs)
    has_train_twin = np.zeros(inputs.n, dtype=bool)
    dup = groups >= 0
    if dup.any():
        train_groups = np.zeros(int(groups.max()) + 1, dtype=bool)
        train_groups[groups[dup & is_train]] = True
        has_train_twin[dup] = train_groups[groups[dup]]
    is_issue = ~is_train & has_train_twin
    score = np.where(is_train, 1.0, np.where(has_train_twin, 0.0, 1.0))
    info: dict[str, Any] = {
        "n_train": int(is_train.sum()),
        "n_eval": int((~is_train).sum()),
        "n_exact": int((~is_train & has_train_twin).sum()),
    }
    if inputs.graph is not None:
        graph = inputs.graph
        threshold = float(inputs.option("near_duplicate", "threshold", THRESHOLD))
        cutoff, median = radius(graph, threshold)
        train_nb = is_train[graph.indices]
        keep = neighbour_texts_match(inputs, "leakage", graph.indices)
        d_train = _nearest_train(graph.distances, train_nb if keep is None else train_nb & keep)
        if keep is not None:
            d_train[equal_feature_train_match(inputs, is_train)] = 0.0
        score = np.minimum(score, _eval_score(d_train, has_train_twin, is_train, median))
        is_issue |= ~is_train & (d_train < cutoff)
        info["radius"] = cutoff
        info |= option_info(inputs, "leakage")
    if inputs.texts is not None:
        near_text, text_score, info["text_threshold"] = _text_leaks(inputs, is_train)
        info["n_near_text"] = int(near_text.sum())
        is_issue |= near_text
        score = np.minimum(score, text_score)
    info["rows"] = np.flatnonzero(is_issue)[:1000].tolist()
    return CheckResult(columns("leakage", is_issue, score), summary_row("leakage", is_issue, score), info)


def _text_leaks(inputs: CheckInputs, is_train: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Evaluation rows whose texts are near duplicates of a training row's (``near_duplicate_text``'s
    similarity and threshold), the text score ``1 -`` the highest Jaccard index to a training row
    (training rows 1), and the threshold."""
    pairs = cached_pairs(inputs)
    best = row_best(pairs, is_train)
    near = ~is_train & (best >= pairs.threshold)
    return near, np.where(is_train, 1.0, 1.0 - best), pairs.threshold


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
    texts_must_match(inputs, "leakage")  # checked: True needs texts, and is refused beside dask features
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
        text: dict[str, Any] = {}
        if inputs.texts is not None:  # the texts' pairs, found as in memory, spread over the row chunks
            is_issue, score, text = _partitioned_text_leaks(inputs, is_issue, score)
        held, row = persisted_summary("leakage", dask_columns("leakage", is_issue, score))
        n_train, n_exact = compute(is_train.sum(), (~is_train & has_train_twin).sum())
    info = {
        "n_train": int(n_train),
        "n_eval": inputs.n - int(n_train),
        "n_exact": int(n_exact),
        "radius": cutoff,
        **text,
        "rows": first_rows(held["is_leakage_issue"], 1000),
    }
    return CheckResult(held, row, info)


def _partitioned_text_leaks(inputs: CheckInputs, is_issue: Any, score: Any) -> tuple[Any, Any, dict[str, Any]]:
    """The feature leaks ``is_issue`` / ``score`` (dask) with the text leaks of :func:`_text_leaks`
    added (the split comes to the client: one boolean a row)."""
    import dask.array as da

    from .._stage_progress import compute
    from ._partitioned import as_rows

    (is_train,) = compute(inputs.is_train)
    near, text_score, threshold = _text_leaks(inputs, np.asarray(is_train, dtype=bool))
    chunks = tuple(int(c) for c in is_issue.chunks[0])
    info = {"text_threshold": threshold, "n_near_text": int(near.sum())}
    return is_issue | as_rows(near, chunks), da.minimum(score, as_rows(text_score, chunks)), info


def _nearest_train(distances: np.ndarray, train_nb: np.ndarray) -> np.ndarray:
    return np.where(train_nb, distances, np.inf).min(axis=1).astype(np.float64)


def _eval_score(d_train: np.ndarray, twin: np.ndarray, is_train: np.ndarray, median: float) -> np.ndarray:
    score = np.where(np.isfinite(d_train), 1.0 - np.exp(-d_train / median), 1.0)
    score[twin] = 0.0
    score[is_train] = 1.0
    return score


CHECK = Check(
    "leakage",
    requires=(("split", "features", "graph"), ("split", "texts")),
    run=run,
    shares=("exact_duplicate_groups", "text_near_pairs"),
    partitioned=run_partitioned,
    options={"texts_must_match": None},  # the radius is near_duplicate's threshold
)  # exact twins need the features or the texts
