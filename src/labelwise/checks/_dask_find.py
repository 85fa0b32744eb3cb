"""``find_data_issues`` on features given as a row-chunked ``dask.array`` (or dask DataFrame: one
of numbers and booleans is read as floats, any other table encoded as in memory by :mod:`._dask_table`).

The features stay on the workers: their missing-value counts, column ranges and column scaling are
dask reductions; the neighbour graph is the sharded exact search (:mod:`._dask_graph`), held on
the workers; the checks then run per partition (:mod:`._dask_run`). The options there:

- ``method="exact"`` is the sharded exact search, so the result is
  ``find_data_issues(features.compute(), ..., method="exact")``'s; ``"approximate"`` searches one
  HNSW index per shard (:mod:`._dask_ann`, the ``ann`` extra); ``"auto"`` is exact up to
  ``AUTO_EXACT_MAX_ROWS`` rows and approximate above, as in memory (exact when hnswlib is not
  installed);
- ``identifier_column`` merges a few numbers per column and row chunk, in row order;
- ``impute=True`` fills a column's missing values with its exact distributed median;
- ``label_scaling="fenced"``/``"auto"``: the fenced range by an exact distributed quantile and dask
  reductions, the labels' choice on the same subsample of rows as in memory
  (:mod:`._dask_label_graph`);
- ``scaling="auto"`` draws the same subsample of rows as in memory and brings only those rows
  (at most ``COLUMN_CHOICE_ROWS``) to the client to choose.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .._binary_scale import root_mean_square
from .._chunk_floor import merge_small_row_chunks
from .._chunks import align_dask_rows, is_dask
from .._extras import require
from .._stage_progress import compute, persist, step
from ._base import CheckInputs
from ._dask_ann import sharded_approximate_graph
from ._dask_graph import column_fit, sharded_exact_graph
from ._index_extras import warn_fallback
from ._inputs import missing_counts, neighbour_count, non_finite_features, numeric_matrix
from ._partitioned import PartitionedGraph
from ._scaling import COLUMN_CHOICE_ROWS, LabelScaling, common_scale, labels_choice
from ._table_features import needs_encoding
from .graph import AUTO_EXACT_MAX_ROWS, StandardizedRows, _ann_available


def dask_features(features: Any, impute: bool = False) -> tuple[Any, Any, bool, tuple[str, ...] | None, Any]:
    """The features as a float dask array of whole rows, the missing (NaN or infinite) values per
    row (a dask array), whether any row differs from another, the column names of a dask
    DataFrame, and for a DataFrame with columns other than numbers and booleans its encoding (a
    :class:`~labelwise.checks._dask_table.DaskTable`, else None). Missing values are an error naming
    the first rows, or with ``impute`` replaced by their column's median of finite values (an exact
    distributed median, 0 for a column without one), as :func:`labelwise.checks._inputs.check_features`
    does."""
    from ._partitioned import first_rows

    names = tuple(map(str, features.columns)) if hasattr(features, "columns") else None
    table = None
    if hasattr(features, "columns") and needs_encoding(features):  # encoded as in memory (:mod:`._dask_table`)
        from ._dask_table import dask_table_features

        table = dask_table_features(features)
        if table.stats.missing_rows and not impute:
            raise table.missing_error()
        features, names = table.X, table.names
    elif hasattr(features, "columns"):
        features = features.map_partitions(_float_frame, meta=_float_frame(features._meta))
    X = numeric_matrix(align_dask_rows([features], ["features"])[0])
    if 0 in X.chunks[0]:  # an empty chunk has no minimum and no partition: dropped
        X = X.rechunk({0: tuple(c for c in X.chunks[0] if c)})
    (X,) = merge_small_row_chunks([X])  # every later input takes these chunks (tiny ones cost time, not answers)
    counts = X.map_blocks(missing_counts, drop_axis=1, dtype=np.int64)
    with step("features: missing values and ranges"):
        total, low, high = compute(counts.sum(), X.min(axis=0), X.max(axis=0))
        if int(total) and not impute:
            rows = first_rows(counts > 0, 5)
            (bad_rows,) = compute((counts > 0).sum())
            raise non_finite_features(int(bad_rows), rows)
    if int(total):
        with step("features: column medians"):
            X = _imputed(X)
            low, high = compute(X.min(axis=0), X.max(axis=0))
    return X, counts, bool((np.asarray(low) != np.asarray(high)).any()), names, table


def _float_frame(frame: Any) -> Any:
    """A partition's numeric columns as one float64 block, missing values (``pd.NA`` too) as NaN, as
    :func:`labelwise.checks._inputs.check_features` reads a pandas frame: columns of mixed kinds
    (floats beside booleans, nullable integers) made an object array that was refused."""
    import pandas as pd

    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.DataFrame(values, index=frame.index, columns=frame.columns)


def _imputed(X: Any) -> Any:
    """``X`` with each non-finite value replaced by its column's median of finite values (0 without any)."""
    import dask.array as da

    from .._dask_select import exact_median

    finite = da.isfinite(X)
    (bad, good) = compute((~finite).sum(axis=0), finite.sum(axis=0))
    fill = np.zeros(int(X.shape[1]), dtype=X.dtype)
    for c in np.flatnonzero(np.asarray(bad)):
        if good[c]:
            (col,) = persist(X[:, c][finite[:, c]])
            fill[c] = exact_median(col)
    return X.map_blocks(_filled, fill, dtype=X.dtype)


def _filled(block: np.ndarray, fill: np.ndarray) -> np.ndarray:
    bad = ~np.isfinite(block)
    if not bad.any():
        return block
    out = block.copy()
    out[bad] = np.broadcast_to(fill, block.shape)[bad]
    return out


def local(value: Any) -> Any:
    """A dask collection computed on the client (labels, probs, split, groups: one value per row)."""
    return value.compute() if is_dask(value) else value


def dask_graphs(
    selected: list, inputs: CheckInputs, vary: bool, scaling: str, build: dict[str, Any], label_scaling: str = "zscore"
) -> tuple[PartitionedGraph | None, PartitionedGraph | None, dict[str, LabelScaling]]:
    """:func:`labelwise.checks.find._needed_graphs` for dask features: the given graph, or the
    sharded graphs (held on the workers) on the chosen column scaling and, for ``label_scaling``
    other than ``"zscore"``, the label graph (:mod:`._dask_label_graph`); and their records."""
    from .find import refuse_constant_features

    graph, X, n = inputs.graph, inputs.features, inputs.n
    if graph is not None or X is None or not any(c.needs_graph(inputs) for c in selected):
        return graph, graph, {}
    if not vary:
        refuse_constant_features([c.name for c in selected if c.needs_graph(inputs)])
    build = {
        **build,
        "k": neighbour_count(build["k"], n),
    }  # a small table: fewer neighbours, with a warning
    k, metric = build["k"], build["metric"]
    search = _search_for(build["method"], n, build["random_state"])
    if metric != "euclidean":
        mean, scale = column_fit(X, standardize=False)
        graph = search(X, mean, scale, k=k, metric=metric, standardized=False)
        return graph, graph, {}
    mean, scale = column_fit(X, standardize=True)
    if label_scaling != "zscore":  # the label graph's choice is made against z-scores: the shared graph keeps them
        return _with_label_graph(selected, inputs, (mean, scale), scaling, label_scaling, build, search)
    column = _column_scaling(X, mean, scale, inputs.labels, scaling, build)
    if column.chosen == "common":
        scale = np.full(scale.shape[0], root_mean_square(scale))  # _scaling.common_scale
    graph = search(X, mean, scale, k=k, metric=metric, standardized=True, scaling=column.chosen)
    records = {"scaling": column}
    if any(c.uses_label_graph(inputs) for c in selected):
        records["label_scaling"] = LabelScaling("zscore", column.chosen, "the shared graph")
    return graph, graph, records


def _with_label_graph(
    selected: list,
    inputs: CheckInputs,
    fit: tuple[np.ndarray, np.ndarray],
    scaling: str,
    label_scaling: str,
    build: dict[str, Any],
    search: Callable[..., PartitionedGraph],
) -> tuple[PartitionedGraph | None, PartitionedGraph | None, dict[str, LabelScaling]]:
    """The z-score graph and the label graph for ``label_scaling`` ``"fenced"``/``"auto"``, as in memory."""
    from ._dask_label_graph import dask_label_graphs

    column = LabelScaling(scaling, "zscore", "label_scaling given" if scaling == "auto" else "requested")
    plain = any(c.needs_graph(inputs) and not c.uses_label_graph(inputs) for c in selected)
    X, (mean, scale), k = inputs.features, fit, build["k"]
    if not any(c.uses_label_graph(inputs) for c in selected):
        shared = search(X, mean, scale, k=k, metric=build["metric"], standardized=True)
        return shared, shared, {"scaling": column}
    zscored, label_graph, record = dask_label_graphs(X, mean, scale, inputs.labels, plain, label_scaling, build, search)
    return zscored, label_graph, {"scaling": column, "label_scaling": record}


def _search_for(method: str, n: int, random_state: int) -> Callable[..., PartitionedGraph]:
    """The sharded search ``method`` asks for: exact, or one HNSW index per shard (``"auto"``:
    exact up to ``AUTO_EXACT_MAX_ROWS`` rows, as in memory, and, with a warning, whenever hnswlib is
    missing; ``"approximate"`` without hnswlib is a MissingDependencyError before the search)."""
    if method == "approximate":
        require("hnswlib", "method='approximate' on dask features (one HNSW index per shard)")
    if method == "exact" or (method == "auto" and n <= AUTO_EXACT_MAX_ROWS):
        return functools.partial(sharded_exact_graph, requested=method)
    if method == "auto" and not _ann_available():
        fallback = warn_fallback("hnswlib", "the exact search of every shard", n, parameter="method")
        return functools.partial(sharded_exact_graph, requested=method, fallback=fallback)
    return functools.partial(sharded_approximate_graph, random_state=random_state, requested=method)


def _column_scaling(
    X: Any, mean: np.ndarray, scale: np.ndarray, labels: Any, requested: str, build: dict[str, Any]
) -> LabelScaling:
    """:func:`labelwise.checks.find.column_scaling` with only the choice's subsample of rows on the
    client: the rows :func:`labelwise.checks._scaling.labels_choice` draws, standardised by the
    columns' fit over all rows."""
    if requested != "auto":
        return LabelScaling(requested, requested, "requested")
    if labels is None:
        return LabelScaling("auto", "zscore", "no labels")
    n = int(X.shape[0])
    rng = np.random.default_rng(build["random_state"])
    rows = np.sort(rng.choice(n, COLUMN_CHOICE_ROWS, replace=False)) if n > COLUMN_CHOICE_ROWS else np.arange(n)
    sample = np.asarray(X[rows].compute())
    zscore = StandardizedRows(sample, mean, scale, False)
    m = rows.shape[0]
    drawn = labels[rows]
    if is_dask(drawn):  # the drawn rows' labels only
        (drawn,) = compute(drawn)
    return labels_choice(
        zscore, common_scale(zscore), "common", np.asarray(drawn), build["k"], build["random_state"], m
    )
