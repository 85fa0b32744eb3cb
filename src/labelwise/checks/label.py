"""``label`` check: examples whose given label is probably wrong.

With ``probs``, confident learning (:func:`labelwise.find_label_issues`). Without them, the
predicted probabilities are the neighbours' votes, ``(votes + 1/K) / (k + 1)``, which are
out-of-sample because a row is never its own neighbour; confident learning then runs on those.
Option ``filter_by`` (``check_options={"label": {"filter_by": ...}}``) picks the filter of
:func:`~labelwise.find_label_issues`; the votes take only ``k + 1`` values, so confident
learning's per-class thresholds are coarse and ``"predicted_neq_given"`` flags more.

References
----------
Northcutt, C., Jiang, L., & Chuang, I. (2021). Confident learning: Estimating uncertainty in
dataset labels. Journal of Artificial Intelligence Research, 70, 1373-1411.
"""

from __future__ import annotations

import numpy as np

from ..audit import find_label_issues
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from .graph import NeighborGraph


def neighbour_vote_probs(graph: NeighborGraph, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Share of each row's neighbours in each class, smoothed by one pseudo-vote spread over classes."""
    n, k = graph.indices.shape
    flat = (np.arange(n)[:, None] * n_classes + labels[graph.indices]).ravel()
    counts = np.bincount(flat, minlength=n * n_classes).reshape(n, n_classes).astype(np.float64)
    return (counts + 1.0 / n_classes) / (k + 1.0)


def run(inputs: CheckInputs) -> CheckResult:
    """Flag label issues by confident learning on ``probs`` or on the neighbours' votes."""
    labels = inputs.labels
    assert labels is not None and inputs.classes is not None  # guaranteed by ``requires``
    n_classes = len(inputs.classes)
    if inputs.probs is not None:
        probs, source = inputs.probs, "probs"
    else:
        assert inputs.graph is not None  # the other alternative of ``requires``
        probs, source = neighbour_vote_probs(inputs.graph, labels, n_classes), "neighbour votes"
    inputs.cache["label_probs"] = probs
    result = find_label_issues(labels, probs, filter_by=inputs.option("label", "filter_by", "prune_by_noise_rate"))
    cols = columns("label", result.is_issue, result.label_quality)
    cols["given_label"] = inputs.classes[labels]
    cols["predicted_label"] = inputs.classes[result.suggested_codes]
    info = {"probs_from": source, "noise_rate": result.noise_rate, "noise_matrix": result.noise_matrix.tolist()}
    return CheckResult(cols, summary_row("label", result.is_issue, result.label_quality), info)


CHECK = Check("label", requires=(("labels", "probs"), ("labels", "graph")), run=run)
