"""``label_scaling="fenced"``/``"auto"`` for dask features: the label graph on the fenced range.

:func:`labelwise.checks.find.label_graphs` on the workers: the row statistic ``t`` of
:func:`labelwise.checks._scaling.fenced_range` per chunk, its quartiles by exact distributed
quantiles, each column's range over the rows inside the fence by dask reductions (the same
numbers as in memory); for ``"auto"``, the labels' choice on the same subsample of rows as in memory
(only those rows come to the client); then a second sharded search on the fenced range when it is
chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._chunks import is_dask
from .._stage_progress import compute, persist, step
from ._partitioned import PartitionedGraph
from ._scaling import CHOICE_ROWS, FENCE, LabelScaling, fence_statistic, fenced_divisors, labels_choice
from .graph import StandardizedRows


def dask_label_graphs(
    X: Any,
    mean: np.ndarray,
    scale: np.ndarray,
    labels: Any,
    plain: bool,
    requested: str,
    build: dict[str, Any],
    search: Callable[..., PartitionedGraph],
) -> tuple[PartitionedGraph | None, PartitionedGraph, LabelScaling]:
    """The z-score graph (None unless ``plain``: a check uses the graph without the labels), the
    label graph and the label scaling's record, as :func:`labelwise.checks.find.label_graphs`."""
    k, metric = build["k"], build["metric"]
    span, outside = dask_fenced_range(X, mean, scale)
    if requested == "fenced":
        record = LabelScaling("fenced", "fenced", "requested", outside_fence=outside)
    else:
        choice = _choice(X, mean, scale, span, labels, build)
        record = LabelScaling(**{**choice.to_dict(), "outside_fence": outside})
    zscored = (
        search(X, mean, scale, k=k, metric=metric, standardized=True) if plain or record.chosen == "zscore" else None
    )
    if record.chosen == "zscore":
        assert zscored is not None
        return zscored, zscored, record
    return zscored, search(X, mean, span, k=k, metric=metric, standardized=True, scaling="fenced"), record


def dask_fenced_range(X: Any, mean: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, float]:
    """:func:`labelwise.checks._scaling.fenced_range` of dask ``X`` with z-score ``mean`` and ``scale``."""
    import dask.array as da

    from .._dask_select import exact_quantiles

    with step("fenced range"):
        (t,) = persist(X.map_blocks(fence_statistic, mean, scale, drop_axis=1, dtype=np.float64))
        q1, q3 = exact_quantiles(t, [0.25, 0.75])
        inside = t <= q3 + FENCE * (q3 - q1)
        kept = inside[:, None]
        low, high, low_in, high_in, n_inside = compute(
            X.min(axis=0),
            X.max(axis=0),
            da.where(kept, X, np.inf).min(axis=0),
            da.where(kept, X, -np.inf).max(axis=0),
            inside.sum(),
        )
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    low_in, high_in = np.asarray(low_in, dtype=np.float64), np.asarray(high_in, dtype=np.float64)
    return fenced_divisors(low, high, low_in, high_in), float(1.0 - int(n_inside) / int(X.shape[0]))


def _choice(
    X: Any, mean: np.ndarray, scale: np.ndarray, span: np.ndarray, labels: Any, build: dict[str, Any]
) -> LabelScaling:
    """:func:`labelwise.checks._scaling.choose_label_scaling` on the rows it draws, brought here."""
    n = int(X.shape[0])
    rng = np.random.default_rng(build["random_state"])
    rows = np.sort(rng.choice(n, CHOICE_ROWS, replace=False)) if n > CHOICE_ROWS else np.arange(n)
    sample, drawn = compute(X[rows], labels[rows] if is_dask(labels) else np.asarray(labels)[rows])
    sample = np.asarray(sample)
    zscore, fenced = StandardizedRows(sample, mean, scale, False), StandardizedRows(sample, mean, span, False)
    return labels_choice(zscore, fenced, "fenced", np.asarray(drawn), build["k"], build["random_state"], rows.shape[0])
