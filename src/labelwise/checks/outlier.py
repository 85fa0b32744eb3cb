"""``outlier`` check: examples far from the rest of the data.

With a neighbour graph, each row's mean distance to its ``k`` neighbours ``a_i`` is compared two
ways: to the data set's median (``g_i = a_i / median(a)``, rows that lie too far out) and to its
neighbours' own mean distances (``l_i = a_i / mean_{j in N(i)} a_j``, the kNN-distance ratio of
local outlier factors, rows off a denser manifold). ``m_i = max(g_i, l_i)``; the score is
``exp(1 - m_i)`` capped at 1, and a row is flagged when ``m_i`` lies beyond Tukey's far-out fence
``Q3 + 3 IQR`` of ``m``.

With ``probs`` only, the score is one minus the normalised entropy ``H`` of the predicted
probabilities (cleanlab's ``entropy`` score without its ``adjust_pred_probs``), and a row is
flagged when its score is below ``RATIO`` times the median score: its confidence is a small
fraction of the typical row's, i.e. the model is close to knowing nothing about it (the form of
Datalab's rule; the constant was chosen on simulated data and digits with injected
out-of-distribution rows, ``benchmarks/dev_outlier_probs_rule.py``). Not a fence on ``H``: a
confident model's entropies pile up at 0 (a forest's sit on one value, the clip), the IQR there
is tiny or 0, and any fence flags a large share of ordinary rows. Entropy finds rows on which the
model hesitates; rows far from the data on which it is confidently wrong (a softmax's known
failure, Hendrycks & Gimpel 2017) need the features and the graph.

References
----------
Breunig, M. M., Kriegel, H.-P., Ng, R. T., & Sander, J. (2000). LOF: identifying density-based
local outliers. SIGMOD, 93-104.
Ramaswamy, S., Rastogi, R., & Shim, K. (2000). Efficient algorithms for mining outliers from
large data sets. SIGMOD, 427-438.
Hendrycks, D., & Gimpel, K. (2017). A baseline for detecting misclassified and
out-of-distribution examples in neural networks. ICLR.
Kuan, J., & Mueller, J. (2022). Back to the basics: Revisiting out-of-distribution detection
baselines. ICML Workshop on Principles of Distribution Shift.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ._base import Check, CheckInputs, CheckResult, columns, summary_row
from ._options import positive_number

#: Tukey's far-out fence: flagged beyond ``Q3 + FENCE * IQR``.
FENCE = 3.0
#: Without features: flagged when the score ``1 - H`` is below ``RATIO`` x its median.
RATIO = 0.08
#: Rows per block of the neighbours' mean distances.
ROW_BLOCK = 65_536
#: Floor of the distances the ratios divide by (Datalab's ``100 eps``): when over half the rows have
#: ``k`` exact twins the median is 0, and a smaller floor overflows the ratios to infinity.
MEDIAN_FLOOR = 100 * np.finfo(np.float64).eps


def distance_ratios(distances: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """``max(a_i / median(a), a_i / mean_{j in N(i)} a_j)`` for every row."""
    a = _mean_distance(distances)
    local = np.empty_like(a)
    for s in range(0, a.shape[0], ROW_BLOCK):  # temporaries of ROW_BLOCK x k
        local[s : s + ROW_BLOCK] = _row_mean(a[indices[s : s + ROW_BLOCK]])
    return _ratios(a, float(np.median(a)), local)


def _mean_distance(distances: np.ndarray) -> np.ndarray:
    return distances.mean(axis=1, dtype=np.float64)


def _row_mean(values: np.ndarray) -> np.ndarray:
    return values.mean(axis=1)


def _ratios(a: Any, median: float, local: Any) -> Any:
    """``max(a / median, a / local)`` with both floored at :data:`MEDIAN_FLOOR` (numpy or dask)."""
    return np.maximum(a / max(median, MEDIAN_FLOOR), a / np.maximum(local, MEDIAN_FLOOR))


def _fence(q1: float, q3: float, fence: float) -> float:
    return float(q3 + fence * (q3 - q1))


def run(inputs: CheckInputs) -> CheckResult:
    """Score every row; flag the far-out ones."""
    if inputs.graph is not None:
        fence = float(inputs.option("outlier", "fence", FENCE))
        m = distance_ratios(inputs.graph.distances, inputs.graph.indices)
        score = np.minimum(1.0, np.exp(1.0 - m))
        q1, q3 = np.quantile(m, [0.25, 0.75])
        cutoff = _fence(float(q1), float(q3), fence)
        is_issue = m > cutoff
        info = {"method": "knn distance ratio", "cutoff_ratio": cutoff}
    else:
        assert inputs.probs is not None  # guaranteed by ``requires``
        p = np.clip(inputs.probs, 1e-12, 1.0)
        entropy = -(p * np.log(p)).sum(axis=1) / np.log(p.shape[1])
        score = 1.0 - entropy
        cutoff = _ratio(inputs) * float(np.median(score))
        is_issue = score < cutoff
        info = {"method": "entropy of probs", "cutoff_score": cutoff}
    return CheckResult(columns("outlier", is_issue, score), summary_row("outlier", is_issue, score), info)


def _ratio(inputs: CheckInputs) -> float:
    """The user's ``check_options["outlier"]["ratio"]`` (a number in [0, 1]) or :data:`RATIO`."""
    ratio = inputs.option("outlier", "ratio", RATIO)
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or not 0 <= float(ratio) <= 1:
        raise InvalidParameterError(f"check_options['outlier']['ratio'] must be a number in [0, 1], got {ratio!r}")
    return float(ratio)


def run_partitioned(inputs: CheckInputs) -> CheckResult:
    """:func:`run` per partition (the graph branch): the mean distances' median and the ratios'
    quartiles are exact distributed quantiles; the neighbours' mean distances are fetched per
    partition (:mod:`labelwise.checks._partitioned`)."""
    from .._dask_select import exact_median, exact_quantiles
    from .._dask_take import take_rows
    from .._stage_progress import persist, step
    from ._partitioned import dask_columns, persisted_summary

    graph = inputs.graph
    assert graph is not None  # features on dask: the graph is built
    fence = float(inputs.option("outlier", "fence", FENCE))
    with step("outlier: distance ratios"):
        (a,) = persist(graph.distances.map_blocks(_mean_distance, drop_axis=1, dtype=np.float64))
        local = take_rows(a, graph.indices).map_blocks(_row_mean, drop_axis=1, dtype=np.float64)
        (m,) = persist(_ratios(a, float(exact_median(a)), local))
        q1, q3 = exact_quantiles(m, [0.25, 0.75])
        cutoff = _fence(float(q1), float(q3), fence)
        cols = dask_columns("outlier", m > cutoff, np.minimum(1.0, np.exp(1.0 - m)))
        held, row = persisted_summary("outlier", cols)
    return CheckResult(held, row, {"method": "knn distance ratio", "cutoff_ratio": cutoff})


CHECK = Check(
    "outlier",
    requires=(("graph",), ("probs",)),
    run=run,
    partitioned=run_partitioned,
    options={"fence": positive_number, "ratio": None},  # ratio: checked where it is read
)
