"""``label`` check: examples whose given label is probably wrong.

With ``probs``, confident learning (:func:`labelwise.find_label_issues`). Without them, the
predicted probabilities are the neighbours' votes, ``(votes + 1/K) / (k + 1)``, which are
out-of-sample because a row is never its own neighbour; confident learning then runs on those.
When the ``n x K`` vote table would be larger than the graph itself, its rows are computed per
chunk as confident learning reads them (:func:`vote_source`; chunks of :data:`VOTE_CHUNK_ROWS`
rows), so memory stays O(n k) at any number of classes. Its ``label_score`` is then the
self-confidence of those votes (the share of neighbours that agree, as in cleanlab's Datalab),
with ties among the ``k + 1`` possible values broken by the distance-weighted vote (weights
``1 / distance``): of two rows with as many agreeing neighbours, the one whose agreeing
neighbours are nearer scores higher. The tie-break is scaled so that it never reorders rows whose
votes differ, and it leaves the flags unchanged.
Option ``filter_by`` (``check_options={"label": {"filter_by": ...}}``) picks the filter of
:func:`~labelwise.find_label_issues`; the votes take only ``k + 1`` values, so confident
learning's per-class thresholds are coarse and ``"predicted_neq_given"`` flags more.

References
----------
Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident learning: Estimating uncertainty in
dataset labels. Journal of Artificial Intelligence Research, 70, 1373-1411.
Dudani, S. A. (1976). The distance-weighted k-nearest-neighbor rule. IEEE Transactions on
Systems, Man, and Cybernetics, SMC-6(4), 325-327.
Hechenbichler, K., & Schliep, K. (2004). Weighted k-nearest-neighbor techniques and ordinal
classification. Discussion Paper 399, SFB 386, LMU Munich (inverse-distance weights).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from .._rows import ComputedRows
from .._validate.arguments import show
from ..audit import find_label_issues
from ..errors import InvalidLabelsError
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from .graph import NeighborGraph

#: Rows per block of :func:`neighbour_vote_probs`, :func:`neighbour_vote_given` and :func:`weighted_agreement`
#: (temporaries of ``ROW_BLOCK x k`` whatever ``n``).
ROW_BLOCK = 16_384
#: Rows per chunk in which confident learning reads the computed votes (:func:`neighbour_vote_rows`):
#: each chunk's ``rows x K`` votes and their ``rows x k`` sort are a few MB per thread whatever ``n``
#: (the default chunks of :func:`~labelwise.find_label_issues` grow with ``n`` up to 2^22 values).
VOTE_CHUNK_ROWS = 8_192


def _vote_block(graph: NeighborGraph, labels: np.ndarray, n_classes: int, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of :func:`neighbour_vote_probs` (float64)."""
    return votes_of(labels[graph.indices[start:stop]], n_classes)


def votes_of(neighbour_labels: np.ndarray, n_classes: int) -> np.ndarray:
    """:func:`neighbour_vote_probs` of rows whose neighbours have labels ``neighbour_labels`` (m x k).

    Every cell is ``(count + 1/K) / (k + 1)`` for one of the ``k + 1`` possible counts: the block is
    filled with the value of count 0, then only the (row, class) pairs that have votes, at most
    ``k`` a row, are written (found by sorting each row's ``k`` neighbour labels).
    """
    m, k = neighbour_labels.shape
    values = (np.arange(k + 1, dtype=np.float64) + 1.0 / n_classes) / (k + 1.0)
    out = np.full((m, n_classes), values[0])
    if m == 0:
        return out
    votes = np.sort(neighbour_labels, axis=1)
    first = np.ones((m, k), dtype=bool)
    first[:, 1:] = votes[:, 1:] != votes[:, :-1]
    row, col = np.nonzero(first)
    # Runs of equal labels in a sorted row: each run's length is the next run's start minus its own.
    ends = np.append(col[1:], k)
    ends[np.flatnonzero(np.diff(row))] = k
    out[row, votes[row, col]] = values[ends - col]
    return out


def neighbour_vote_probs(graph: NeighborGraph, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Share of each row's neighbours in each class, smoothed by one pseudo-vote spread over classes.

    The whole ``n x K`` table (``8 n K`` bytes); :func:`neighbour_vote_rows` gives the same rows
    computed by chunk when read.
    """
    out = np.empty((graph.n, n_classes), dtype=np.float64)
    for s in range(0, graph.n, ROW_BLOCK):
        e = min(graph.n, s + ROW_BLOCK)
        out[s:e] = _vote_block(graph, labels, n_classes, s, e)
    return out


def neighbour_vote_rows(graph: NeighborGraph, labels: np.ndarray, n_classes: int) -> ComputedRows:
    """:func:`neighbour_vote_probs` as rows computed when a pass reads them (memory O(chunk x K)).

    Confident learning reads its probabilities in a few passes over row chunks; the votes of a chunk
    come from one sort of its ``chunk x k`` neighbour labels, so recomputing them per pass is
    cheaper in memory than holding ``n x K`` floats (8 GB at a million rows and a thousand classes).
    """
    return ComputedRows(graph.n, n_classes, np.float64, partial(_vote_block, graph, labels, n_classes))


def vote_source(graph: NeighborGraph, labels: np.ndarray, n_classes: int) -> np.ndarray | ComputedRows:
    """The votes for confident learning: the whole table while it is no larger than the graph
    (``8 K <= 12 k`` bytes a row: int64 indices and float32 distances), else rows computed per
    chunk (:func:`neighbour_vote_rows`), so that the check's memory stays O(n k) at any number of
    classes. The flags and scores are the same either way (tested); the whole table is faster to
    audit (the in-memory selection instead of the chunked one)."""
    if 8 * n_classes <= 12 * graph.k:
        return neighbour_vote_probs(graph, labels, n_classes)
    return neighbour_vote_rows(graph, labels, n_classes)


def given_label_probs(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each row's probability of its own given label, ``probs[i, labels[i]]`` (in the dtype of ``probs``)."""
    return np.asarray(probs[np.arange(labels.shape[0]), labels])


def neighbour_vote_given(graph: NeighborGraph, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The given label's column of :func:`neighbour_vote_probs` (the same numbers), without the n x K array."""
    n = graph.n
    out = np.empty(n, dtype=np.float64)
    for s in range(0, n, ROW_BLOCK):
        e = min(n, s + ROW_BLOCK)
        out[s:e] = given_vote_of(labels[graph.indices[s:e]], labels[s:e], n_classes)
    return out


def given_vote_of(neighbour_labels: np.ndarray, own: np.ndarray, n_classes: int) -> np.ndarray:
    """:func:`neighbour_vote_given` of rows with labels ``own`` whose neighbours have ``neighbour_labels``."""
    out = np.count_nonzero(neighbour_labels == own[:, None], axis=1).astype(np.float64)
    out += 1.0 / n_classes
    out /= neighbour_labels.shape[1] + 1.0
    return out


#: Weight of the distance-weighted vote in the feature-only score, in units of one vote ``1 / (k + 1)``:
#: below one, so it only orders rows with the same number of agreeing neighbours.
TIE_BREAK = 1e-3


def weighted_agreement(graph: NeighborGraph, labels: np.ndarray) -> np.ndarray:
    """Share of each row's neighbours that have its label, weighted by ``1 / distance``, in [0, 1].

    Distances get a floor of ``1e-3`` times their mean positive value, so that a twin at distance
    0 weighs much more than the other neighbours but not infinitely. Computed by row blocks
    (temporaries of constant size).
    """
    d = graph.distances
    positive = d > 0
    floor = distance_floor(float(d.sum(dtype=np.float64)), int(positive.sum()))
    del positive
    n = graph.n
    out = np.empty(n, dtype=np.float64)
    for s in range(0, n, ROW_BLOCK):
        e = min(n, s + ROW_BLOCK)
        out[s:e] = agreement_of(d[s:e], labels[graph.indices[s:e]], labels[s:e], floor)
    return out


def distance_floor(total: float, n_positive: int) -> float:
    """:func:`weighted_agreement`'s floor: ``1e-3`` times the mean positive distance (1e-3 without any)."""
    return 1e-3 * (total / n_positive if n_positive else 1.0)


def agreement_of(distances: np.ndarray, neighbour_labels: np.ndarray, own: np.ndarray, floor: float) -> np.ndarray:
    """:func:`weighted_agreement` of rows with labels ``own``, their neighbours' distances and labels."""
    w = 1.0 / (distances.astype(np.float64) + floor)
    agree = neighbour_labels == own[:, None]
    return (w * agree).sum(axis=1) / w.sum(axis=1)


def neighbour_vote_score(self_confidence: np.ndarray, graph: NeighborGraph, labels: np.ndarray) -> np.ndarray:
    """Self-confidence of the votes, ties broken by :func:`weighted_agreement` (stays in [0, 1])."""
    return self_confidence + TIE_BREAK / (graph.k + 1.0) * weighted_agreement(graph, labels)


def run(inputs: CheckInputs) -> CheckResult:
    """Flag label issues by confident learning on ``probs`` or on the neighbours' votes."""
    labels = inputs.labels
    assert labels is not None and inputs.classes is not None  # guaranteed by ``requires``
    n_classes = len(inputs.classes)
    filter_by = inputs.option("label", "filter_by", "prune_by_noise_rate")
    if inputs.probs is not None:
        source = "probs"
        inputs.cache["label_given_probs"] = given_label_probs(inputs.probs, labels)  # for the group check
        result = find_label_issues(labels, inputs.probs, filter_by=filter_by)
    else:
        assert inputs.graph is not None  # the other alternative of ``requires``
        if n_classes < 2:  # the votes would have one column: say so about the labels, not about probs
            raise InvalidLabelsError(
                f"labels must contain at least 2 classes for the label check, got 1 ({show(inputs.classes[0])}); "
                "leave 'label' out of checks= to run the other checks"
            )
        source = "neighbour votes"
        inputs.cache["label_given_probs"] = neighbour_vote_given(inputs.graph, labels, n_classes)
        votes = vote_source(inputs.graph, labels, n_classes)
        chunk_rows = None if isinstance(votes, np.ndarray) else VOTE_CHUNK_ROWS
        result = find_label_issues(labels, votes, filter_by=filter_by, chunk_rows=chunk_rows)
        del votes
    quality = result.label_quality
    if source == "neighbour votes":
        assert inputs.graph is not None
        quality = neighbour_vote_score(np.asarray(quality, dtype=np.float64), inputs.graph, labels)
    cols = columns("label", result.is_issue, quality)
    cols["given_label"] = inputs.classes[labels]
    cols["predicted_label"] = inputs.classes[result.suggested_codes]
    info = {"probs_from": source, "noise_rate": result.noise_rate, "noise_matrix": result.noise_matrix.tolist()}
    return CheckResult(cols, summary_row("label", result.is_issue, quality), info)


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition: the neighbours' labels fetched per partition, their votes computed
    per chunk as confident learning's map-reduce passes read them (:func:`labelwise.find_label_issues`
    on dask arrays: the same flags as in memory), the tie-break's floor from two dask sums."""
    from .._stage_progress import compute, step
    from ._partitioned import dask_columns, neighbour_labels, persisted_summary

    labels, classes = inputs.labels, inputs.classes
    assert labels is not None and classes is not None  # guaranteed by ``requires``
    n_classes, filter_by = len(classes), inputs.option("label", "filter_by", "prune_by_noise_rate")
    codes = np.arange(n_classes)
    if inputs.probs is not None:
        source, graph = "probs", None
        result = find_label_issues(labels, inputs.probs, filter_by=filter_by, classes=codes)
        quality = result.label_quality
    else:
        graph, source = inputs.graph, "neighbour votes"
        assert graph is not None  # the other alternative of ``requires``
        with step("label: neighbours' labels"):
            near = neighbour_labels(inputs)
            total, positive = compute(graph.distances.sum(dtype=np.float64), (graph.distances > 0).sum())
        votes = near.map_blocks(votes_of, n_classes, chunks=(near.chunks[0], (n_classes,)), dtype=np.float64)
        result = find_label_issues(labels, votes, filter_by=filter_by, classes=codes)
        floor = distance_floor(float(total), int(positive))
        agree = graph.distances.map_blocks(
            _agreement_block, near, labels[:, None], floor, drop_axis=1, dtype=np.float64
        )
        quality = result.label_quality.astype(np.float64) + TIE_BREAK / (graph.k + 1.0) * agree
    cols = dask_columns("label", result.is_issue, quality)
    cols["given_label"] = labels.map_blocks(classes.__getitem__, dtype=classes.dtype)
    suggested: Any = result.suggested_codes
    cols["predicted_label"] = suggested.map_blocks(classes.__getitem__, dtype=classes.dtype)
    held, row = persisted_summary("label", cols)
    info = {"probs_from": source, "noise_rate": result.noise_rate, "noise_matrix": result.noise_matrix.tolist()}
    return CheckResult(held, row, info)


def _agreement_block(distances: np.ndarray, near: np.ndarray, own: np.ndarray, floor: float) -> np.ndarray:
    return agreement_of(distances, near, own[:, 0], floor)


CHECK = Check(
    "label",
    requires=(("labels", "probs"), ("labels", "graph")),
    run=run,
    shares=("label_given_probs", "neighbour_labels"),
    partitioned=run_partitioned,
    options={"filter_by": None},  # one of find_label_issues' filters: checked there
)
