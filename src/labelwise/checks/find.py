"""``find_data_issues``: run every data check that applies on one shared neighbour graph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._validate import check_positive_int
from ..errors import InvalidParameterError, TooFewExamplesError
from ._base import CheckInputs
from ._inputs import (
    check_features,
    check_graph,
    check_groups,
    check_labels_probs,
    check_split,
)
from .graph import METHODS, METRICS, NeighborGraph
from .registry import CHECKS
from .result import DataIssues


def find_data_issues(
    features: Any = None,
    labels: Any = None,
    probs: Any = None,
    checks: Sequence[str] | str | None = None,
    k: int = 10,
    split: Any = None,
    metric: str = "euclidean",
    graph: NeighborGraph | None = None,
    random_state: int = 0,
    *,
    classes: Any = None,
    groups: Any = None,
    train_value: Any = "train",
    impute: bool = False,
    method: str = "auto",
    check_options: dict[str, dict[str, Any]] | None = None,
) -> DataIssues:
    """Find label issues, outliers, duplicates, leakage and other data issues in one pass.

    A :class:`NeighborGraph` is built once from ``features`` (euclidean distance on standardised
    features unless ``metric="cosine"``) and shared by every check that needs one. A check
    whose inputs are missing is skipped with a one-line reason in ``summary``.

    Parameters
    ----------
    features : array-like of shape (n, d), optional
        Numeric features or embeddings.
    labels : array-like of shape (n,), optional
        Given labels (any hashable values).
    probs : array-like of shape (n, K), optional
        Out-of-fold predicted probabilities (columns in the order of ``classes``).
    checks : str or sequence of str, optional
        Checks to run (names in :data:`labelwise.checks.CHECKS`); default all.
    k : int, default 10
        Neighbours per row.
    split : array-like of shape (n,), optional
        Which rows are for training (``train_value``, or True in a boolean mask); the others
        are evaluation rows for the ``leakage`` check.
    metric : {"euclidean", "cosine"}, default "euclidean"
    graph : NeighborGraph, optional
        A graph built before (e.g. loaded with :meth:`NeighborGraph.load`); skips the search.
    random_state : int, default 0
        Seed of the permutation test and the approximate index.
    classes : array-like, optional
        Class of each column of ``probs``.
    groups : array-like of shape (n,), optional
        User-given groups for ``underperforming_group`` (instead of graph clusters).
    train_value : default "train"
        Value of ``split`` that marks training rows.
    impute : bool, default False
        Replace NaN/inf features by column medians (else an error); the ``null`` check counts them.
    method : {"auto", "exact", "approximate"}, default "auto"
        Neighbour search (see :meth:`NeighborGraph.build`).
    check_options : dict, optional
        Per-check options, e.g. ``{"near_duplicate": {"threshold": 0.2}}``.

    Returns
    -------
    DataIssues
    """
    names = _check_names(checks)
    k = _check_search(metric, method, k)
    X = missing = None
    if features is not None:
        X, missing = check_features(features, impute=impute)
    n = _n_rows(X, labels, probs, graph)
    codes, class_values, probs_arr = check_labels_probs(labels, probs, classes, n)
    graph = check_graph(graph, n) if graph is not None else None
    inputs = CheckInputs(
        n=n,
        features=X,
        missing=missing,
        labels=codes,
        classes=class_values,
        probs=probs_arr,
        graph=graph,
        is_train=check_split(split, n, train_value),
        groups=check_groups(groups, n),
        feature_names=tuple(map(str, features.columns)) if isinstance(features, pd.DataFrame) else None,
        random_state=random_state,
        options=dict(check_options or {}),
    )
    selected = [CHECKS[name] for name in names]
    if graph is None and X is not None and any(c.needs_graph(inputs) for c in selected):
        if k >= n:
            raise TooFewExamplesError(f"k must be less than the number of rows ({n}), got k={k}")
        graph = NeighborGraph.build(X, k=k, metric=metric, method=method, random_state=random_state)
        inputs = _with_graph(inputs, graph)
    return _run_checks(selected, inputs, n, graph)


def _check_search(metric: str, method: str, k: int) -> int:
    """Check the neighbour search's options; return ``k``."""
    if metric not in METRICS:
        raise InvalidParameterError(f"metric must be one of {list(METRICS)}, got {metric!r}")
    if method not in METHODS:
        raise InvalidParameterError(f"method must be one of {list(METHODS)}, got {method!r}")
    return check_positive_int("k", k)


def _run_checks(selected: list, inputs: CheckInputs, n: int, graph: NeighborGraph | None) -> DataIssues:
    """Run each selected check on the shared inputs, or record why it was skipped."""
    cols: dict[str, np.ndarray] = {}
    rows, info = [], {}
    reasons = [check.skip_reason(inputs) for check in selected]
    last_user = {key: i for i, check in enumerate(selected) if reasons[i] is None for key in check.shares}
    for i, (check, reason) in enumerate(zip(selected, reasons, strict=True)):
        if reason is not None:
            rows.append({"check": check.name, "status": "skipped", "n_issues": None, "score": np.nan, "reason": reason})
            continue
        result = check.run(inputs)
        cols.update(result.columns)
        rows.append(result.summary)
        info[check.name] = result.info
        for key in [key for key, last in last_user.items() if last == i]:
            inputs.cache.pop(key, None)  # no later check reads it: freed before the next check runs
    inputs.cache.clear()  # shared intermediates are not needed any more
    # the checks' own arrays become the columns (no per-check frame, no concatenated copy)
    issues = pd.DataFrame(cols, index=pd.RangeIndex(n), copy=False)
    summary = pd.DataFrame(rows)
    summary["n_issues"] = summary["n_issues"].astype("Int64")
    return DataIssues(issues=issues, summary=summary, info=info, graph=graph)


def _check_names(checks: Sequence[str] | str | None) -> list[str]:
    if checks is None:
        return [name for name, check in CHECKS.items() if check.default]
    wanted = [c.strip() for c in checks.split(",")] if isinstance(checks, str) else list(checks)
    unknown = [c for c in wanted if c not in CHECKS]
    if unknown or not wanted:
        raise InvalidParameterError(f"checks must be names among {list(CHECKS)}, got {unknown or wanted}")
    return [name for name in CHECKS if name in wanted]


def _n_rows(X: Any, labels: Any, probs: Any, graph: Any) -> int:
    for value in (X, probs, labels):
        if value is not None:
            return len(value)
    if graph is not None:
        return check_graph(graph, None).n
    raise InvalidParameterError("find_data_issues needs at least one of features, labels, probs or graph; got none")


def _with_graph(inputs: CheckInputs, graph: NeighborGraph) -> CheckInputs:
    from dataclasses import replace

    return replace(inputs, graph=graph)
