"""``find_data_issues``: run every data check that applies on one shared neighbour graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, cast

import numpy as np
import pandas as pd

from .._chunks import is_dask
from .._validate.arguments import check_positive_int
from .._validate.row_order import check_row_order
from ..errors import InvalidParameterError, ShapeMismatchError
from ..io.images import check_images
from ._base import CheckInputs, CheckResult, drop_shared, last_readers
from ._dask_find import local
from ._dask_text_rows import DaskTexts
from ._inputs import (
    check_features,
    check_graph,
    check_groups,
    check_labels_probs,
    check_split,
    check_texts,
    features_vary,
    neighbour_count,
)
from ._options import checked_options, did_you_mean
from ._scaling import (
    LabelScaling,
    check_scaling_options,
    choose_column_scaling,
    choose_label_scaling,
    fenced_range,
    rescaled,
)
from ._table_features import TableFeatures, needs_encoding, table_features
from .graph import METHODS, METRICS, NeighborGraph, StandardizedRows
from .image_issues import PASS_KEYS
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
    label_scaling: str = "zscore",
    scaling: str = "auto",
    images: Any = None,
    texts: Any = None,
) -> DataIssues:
    """Find label issues, outliers, duplicates, leakage and other data issues in one pass.

    A :class:`NeighborGraph` is built once from ``features`` (euclidean distance on scaled columns,
    see ``scaling``, unless ``metric="cosine"``) and shared by every check that needs one (those that
    read the labels with it: see ``label_scaling``). A check without its inputs is skipped, with a
    reason. (A long function: its many parameters are documented here.) Permuting the rows permutes
    the scores of the checks that do not read the order (all but ``non_iid``), up to neighbours
    tied in distance, which the graph takes by lower row index.

    Parameters
    ----------
    features : array-like of shape (n, d) or DataFrame, optional
        Numeric features or embeddings, or a table: a DataFrame with category, string or datetime
        columns is encoded (numbers and booleans as they are, one-hot categories with a category
        seen once grouped, five numbers per date; free text refused, to pass as ``texts``) and
        ``info["feature_encoding"]`` says how (:mod:`labelwise.checks._table_features`;
        docs/checks.md, "A table with categories"); a DataFrame of numbers is read as before. A
        row-chunked ``dask.array`` (or dask DataFrame, a table encoded as in memory partition by
        partition: :mod:`labelwise.checks._dask_table`) stays on the workers, with the
        graph and the results: a sharded graph (exact: the same result as
        ``method="exact"`` in memory; approximate: one HNSW index per shard) held there, the
        per-example checks run per partition, ``issues`` a dask DataFrame
        (:mod:`labelwise.checks._dask_run`; docs/scale.md).
    labels : array-like of shape (n,), optional
        Given labels (any hashable values); a dask collection is computed on the client (then
        spread over the features' row chunks when the features are a dask array).
    probs : array-like of shape (n, K), optional
        Out-of-fold predicted probabilities (columns in the order of ``classes``).
    checks : str or sequence of str, optional
        Checks to run (names in :data:`labelwise.checks.CHECKS`); default all but the image checks,
        which run by default when ``images`` are given.
    k : int, default 10
        Neighbours per row; on a table of ``k`` rows or fewer, ``n - 1`` with a
        :class:`~labelwise.errors.LabelwiseWarning` naming the value used (as ``labelwise audit --k``).
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
        User-given groups for ``underperforming_group`` (instead of graph clusters); the number
        ``-1`` means no group (scikit-learn's noise label), and groups under ``min_group_size``
        rows (``check_options``, default 5) are not judged.
    train_value : default "train"
        Value of ``split`` that marks training rows.
    impute : bool, default False
        Replace NaN/inf features by column medians (else an error); the ``null`` check counts them.
    method : {"auto", "exact", "approximate"}, default "auto"
        Neighbour search (see :meth:`NeighborGraph.build`).
    check_options : dict, optional
        Per-check options, e.g. ``{"near_duplicate": {"threshold": 0.2}}``; a key that is no check
        (nor ``"image"``, the image checks' shared pass), an option the check does not read, or a value
        out of its range is an :class:`~labelwise.errors.InvalidParameterError` before any work
        (:mod:`labelwise.checks._options`; each check's ``options`` lists its own).
    label_scaling : {"zscore", "auto", "fenced"}, default "zscore"
        The label-using checks' graph: ``"zscore"``, the shared graph; ``"fenced"`` or ``"auto"``, a
        graph of its own on the fenced range (:func:`label_graphs`; the shared graph is z-scored).
    scaling : {"auto", "zscore", "common"}, default "auto"
        The shared graph's columns (euclidean): z-scores; one scale common to every column (their
        relative units kept: pixels, embeddings); ``"auto"``, z-scores unless the labels' k-NN
        agreement is higher with the common scale by over 1.645 standard errors
        (:func:`labelwise.checks._scaling.choose_column_scaling`; z-scores without labels).
        The choice is ``info["scaling"]``; docs/checks.md.
    images : sequence of paths or pixel arrays, optional
        One image per row: runs the image checks (:mod:`labelwise.checks.image_issues`: cleanvision's
        dark, light, blurry, low-information, odd aspect ratio / size, grayscale, exact and near
        duplicates; with labels, ``spurious_correlations``), which are off without images.
    texts : array-like of shape (n,) or (n, m), or DataFrame, optional
        Free-text columns of the rows (strings, missing values allowed). ``exact_duplicate``: rows
        are exact duplicates when their features (if given) and their texts are identical, as
        written (case and whitespace count; a missing text equals a missing text).
        ``near_duplicate_text``: rows whose normalised texts have a Jaccard index of character
        5-shingles of at least 0.7 (:mod:`labelwise.checks.near_duplicate_text`); ``leakage`` (with
        ``split``) flags evaluation rows with such a training row too. With texts alone, a
        text-only table, these run and the checks needing features are skipped. A dask DataFrame or
        Series (alone, beside features in memory, or beside dask features) stays on the workers:
        ``near_duplicate_text``'s MinHash passes run per partition (:mod:`labelwise.checks._dask_text`;
        the same pairs) and ``exact_duplicate`` hashes each partition's rows there
        (:mod:`labelwise.checks._dask_text_rows`; the same groups); the client holds a few numbers
        a row, not the texts. Beside dask features, ``texts_must_match`` is refused.

    Returns
    -------
    DataIssues
    """
    names = _check_names(checks, with_images=images is not None)
    options = checked_options(check_options, {**{n: c.options for n, c in CHECKS.items()}, "image": PASS_KEYS})
    k = _check_search(metric, method, k, label_scaling, graph, scaling)
    selected = [CHECKS[name] for name in names]
    build = {"k": k, "metric": metric, "method": method, "random_state": random_state}
    if is_dask(features):  # the features, the graph and the per-example results stay on the workers
        if images is not None:
            raise InvalidParameterError("images are read in memory: give features in memory with images, got dask")
        if texts is not None and not is_dask(texts):
            raise InvalidParameterError(
                f"texts beside dask features must be a dask DataFrame or Series, got {type(texts).__name__}"
            )
        from ._dask_run import dask_data_issues

        given = {"labels": labels, "probs": probs, "classes": classes, "split": split}
        given.update(train_value=train_value, groups=groups, graph=graph, label_scaling=label_scaling)
        given.update(texts=None if texts is None else DaskTexts.of(texts))
        return dask_data_issues(features, given, selected, build, scaling, options, impute)
    labels, probs, split, groups = (local(v) for v in (labels, probs, split, groups))  # dask: to the client
    if isinstance(features, pd.DataFrame):
        check_row_order(
            features, "features", "the checks", labels=labels, probs=probs, split=split, groups=groups, texts=texts
        )
    X, missing, names_of_columns, table = _features(features, impute)
    image_list = check_images(images) if images is not None else None
    text_rows = None if texts is None else DaskTexts.of(texts) if is_dask(texts) else check_texts(texts, None)
    n = _n_rows(X, labels, probs, graph, image_list, text_rows)
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
        feature_names=names_of_columns,
        images=image_list,
        texts=cast(Any, text_rows),  # an (n, m) array, or a DaskTexts (texts on the workers)
        feature_keys=None if table is None else table.keys,
        random_state=random_state,
        options=_table_options(options, features, table, names),
    )
    graph, label_graph, records = _needed_graphs(selected, inputs, label_scaling, scaling, build)
    found = _run_checks(selected, _with_graph(inputs, graph), label_graph, records)
    if table is not None:
        found.info["feature_encoding"] = {**table.encoding, "line": table.line()}
        if "missing_values" in found.info.get("null", {}):  # the table's cells, not its indicators
            found.info["null"]["missing_values"] = table.stats.missing_cells
    return found


def _table_options(
    options: dict[str, Any], frame: Any, table: TableFeatures | None, names: list[str]
) -> dict[str, Any]:
    """For an encoded table, ``identifier_column`` reads the table's columns by their roles
    (:func:`labelwise.columns.infer_column_roles`; ``labelwise audit`` passes them too): a date's
    year or days since the first date, or a category's indicator, is no column of the user's."""
    if table is None:
        return options
    from ..columns import infer_column_roles

    return table_options(options, names, lambda: infer_column_roles(frame))


def table_options(options: dict[str, Any], names: list[str], roles: Callable[[], Any]) -> dict[str, Any]:
    """``options`` with ``identifier_column``'s ``table_roles`` (``roles()``, made only when the check
    runs and the user gave none): an encoded table's columns read by their roles, in memory and on dask."""
    own = options.get("identifier_column", {})
    if "identifier_column" not in names or "table_roles" in own:
        return options
    return {**options, "identifier_column": {**own, "table_roles": roles()}}


def _features(features: Any, impute: bool) -> tuple[Any, Any, tuple[str, ...] | None, TableFeatures | None]:
    """The finite features, the missing values per row, the column names and, for a DataFrame with
    columns other than numbers and booleans, its encoding (:mod:`._table_features`; else None: a
    DataFrame of numbers is read as it always was)."""
    if features is None:
        return None, None, None, None
    if not isinstance(features, pd.DataFrame):
        return (*check_features(features, impute=impute), None, None)
    if not needs_encoding(features):
        return (*check_features(features, impute=impute), tuple(map(str, features.columns)), None)
    table = table_features(features)
    if table.stats.missing_rows and not impute:
        raise table.missing_error()
    X, missing = check_features(table.X, impute=impute)  # null's score: the share of the row's features present
    return X, missing, table.names, table


def _needed_graphs(
    selected: list, inputs: CheckInputs, label_scaling: str, scaling: str, build: dict[str, Any]
) -> tuple[NeighborGraph | None, NeighborGraph | None, dict[str, LabelScaling]]:
    """The graphs the selected checks need (the one given, or built here) and the scalings' records
    (``"scaling"``: the shared graph's; ``"label_scaling"``: the label graph's)."""
    graph, X, n = inputs.graph, inputs.features, inputs.n
    if graph is not None or X is None or not any(c.needs_graph(inputs) for c in selected):
        return graph, graph, {}
    _check_graph_features(X, [c.name for c in selected if c.needs_graph(inputs)])
    build = {**build, "k": neighbour_count(build["k"], n)}  # a small table: fewer neighbours, with a warning
    plain = any(c.needs_graph(inputs) and not c.uses_label_graph(inputs) for c in selected)
    reads = any(c.uses_label_graph(inputs) for c in selected)
    if build["metric"] != "euclidean":
        graph = NeighborGraph.build(X, **build)
        return graph, graph, {}
    if label_scaling != "zscore":  # the label graph's choice is made against z-scores: the shared graph keeps them
        column = LabelScaling(scaling, "zscore", "label_scaling given" if scaling == "auto" else "requested")
        if not reads:
            graph = NeighborGraph.build(X, **build)
            return graph, graph, {"scaling": column}
        graph, label_graph, label_record = label_graphs(X, inputs.labels, plain, label_scaling, build)
        return graph, label_graph, {"scaling": column, "label_scaling": label_record}
    zscore = StandardizedRows.fit(X, metric="euclidean", standardize=True)
    column = column_scaling(zscore, inputs.labels, scaling, build)
    graph = NeighborGraph._search(rescaled(zscore, column.chosen), scaling=column.chosen, **build)
    records = {"scaling": column}
    if reads:
        records["label_scaling"] = LabelScaling("zscore", column.chosen, "the shared graph")
    return graph, graph, records


def _check_graph_features(X: np.ndarray, names: list[str]) -> None:
    """Refuse features that never vary when checks ``names`` need a graph built from them (every
    distance would be 0); the checks that read the features without a graph take them."""
    if not features_vary(X):
        refuse_constant_features(names)


def refuse_constant_features(names: list[str]) -> None:
    """The error for features that never vary when checks ``names`` need a graph from them."""
    if names:
        raise InvalidParameterError(
            f"features must vary for the checks that need a neighbour graph ({', '.join(names)}), got features "
            "whose every column is constant (missing values counted as their column's median); the checks "
            "'null', 'exact_duplicate' and 'identifier_column' take such features (checks=...)"
        )


def column_scaling(zscore: StandardizedRows, labels: Any, requested: str, build: dict[str, Any]) -> LabelScaling:
    """The shared graph's scaling (``find_data_issues(scaling=)``): as requested, or the labels'
    choice for ``"auto"`` (z-scores without labels)."""
    if requested != "auto":
        return LabelScaling(requested, requested, "requested")
    if labels is None:
        return LabelScaling("auto", "zscore", "no labels")
    return choose_column_scaling(zscore, labels, build["k"], build["random_state"])


def label_graphs(
    X: np.ndarray, labels: Any, plain: bool, requested: str, build: dict[str, Any]
) -> tuple[NeighborGraph | None, NeighborGraph, LabelScaling]:
    """The z-score graph, the label graph and the label scaling's record (``find_data_issues(label_scaling=)``
    ``"fenced"`` or ``"auto"``, euclidean, a check reading the labels with the graph).

    The checks that read the labels with the graph (``label`` without probs, ``data_valuation``,
    ``underperforming_group`` without groups) use the label graph; every other check the z-score
    graph. ``requested``: ``"fenced"``, each centred column divided by its range over the rows
    inside Tukey's far-out fence; ``"auto"``, the fenced range only where the labels' leave-one-out
    k-NN agreement, on at most 5,000 rows drawn by ``build["random_state"]``, is higher with it by
    over 1.645 standard errors (:mod:`labelwise.checks._scaling`). A second graph is built only for
    the fenced range; the z-score graph is None when no check needs it (``plain``: a check uses
    the graph without the labels).
    """
    # the columns' z-scores and fenced ranges made once, for the choice and for the graphs' searches
    zscore = StandardizedRows.fit(X, metric="euclidean", standardize=True)
    span, outside = fenced_range(zscore)
    fenced = StandardizedRows(X, zscore.mean, span)
    if requested == "fenced":
        scaling = LabelScaling("fenced", "fenced", "requested", outside_fence=outside)
    else:
        choice = choose_label_scaling(zscore, fenced, labels, build["k"], build["random_state"])
        scaling = LabelScaling(**{**choice.to_dict(), "outside_fence": outside})
    if scaling.chosen == "zscore":
        graph = NeighborGraph._search(zscore, **build)
        return graph, graph, scaling
    zscored = NeighborGraph._search(zscore, **build) if plain else None
    return zscored, NeighborGraph._search(fenced, scaling="fenced", **build), scaling


def _check_search(metric: str, method: str, k: int, label_scaling: str, graph: Any, scaling: str = "auto") -> int:
    """Check the neighbour search's options; return ``k``."""
    check_scaling_options(scaling, label_scaling, metric=metric, graph_given=graph is not None)
    if metric not in METRICS:
        raise InvalidParameterError(f"metric must be one of {list(METRICS)}, got {metric!r}")
    if method not in METHODS:
        raise InvalidParameterError(f"method must be one of {list(METHODS)}, got {method!r}")
    return check_positive_int("k", k)


def _run_checks(
    selected: list, inputs: CheckInputs, label_graph: NeighborGraph | None, records: dict[str, LabelScaling] | None
) -> DataIssues:
    """Run each selected check on the shared inputs, or record why it was skipped (:func:`run_each`);
    the checks' own arrays become the columns (no per-check frame, no concatenated copy)."""
    cols, summary, info = run_each(selected, inputs, _with_graph(inputs, label_graph), lambda c, i: c.run(i), records)
    inputs.cache.clear()  # shared intermediates are not needed any more
    issues = pd.DataFrame(cols, index=pd.RangeIndex(inputs.n), copy=False)
    return DataIssues(issues=issues, summary=summary, info=info, graph=inputs.graph, label_graph=label_graph)


def run_each(
    selected: list,
    inputs: CheckInputs,
    label_inputs: CheckInputs,
    run: Callable[[Any, CheckInputs], CheckResult],
    records: dict[str, LabelScaling] | None,
) -> tuple[dict[str, Any], pd.DataFrame, dict[str, Any]]:
    """Each selected check run by ``run(check, its inputs)``, or why it was skipped: the columns,
    the summary (one row per check) and the info.

    The checks that read the labels with the graph get ``label_inputs`` (the same cache); a cache
    entry is dropped after the last check that names it in ``shares``; ``records``, the graphs'
    scalings, go to ``info["scaling"]`` and ``info["label_scaling"]``.
    """
    cols: dict[str, Any] = {}
    rows, info = [], {}
    own = [label_inputs if check.uses_label_graph(inputs) else inputs for check in selected]
    reasons = [check.skip_reason(own[i]) for i, check in enumerate(selected)]
    last = last_readers(selected, reasons)
    for i, (check, reason) in enumerate(zip(selected, reasons, strict=True)):
        if reason is not None:
            rows.append({"check": check.name, "status": "skipped", "n_issues": None, "score": np.nan, "reason": reason})
            continue
        result = run(check, own[i])
        cols.update(result.columns)
        rows.append(result.summary)
        info[check.name] = result.info
        drop_shared(inputs.cache, last, i)  # no later check reads them: freed before the next check runs
    summary = pd.DataFrame(rows)
    summary["n_issues"] = summary["n_issues"].astype("Int64")
    for key, record in (records or {}).items():
        info[key] = record.to_dict()
    return cols, summary, info


def _check_names(checks: Sequence[str] | str | None, with_images: bool = False) -> list[str]:
    if checks is None:  # the image checks are off by default and on with images
        return [
            name for name, check in CHECKS.items() if check.default or (with_images and "images" in check.requires[0])
        ]
    wanted = [c.strip() for c in checks.split(",")] if isinstance(checks, str) else list(checks)
    unknown = [c for c in wanted if c not in CHECKS]
    if unknown or not wanted:
        hint = did_you_mean(unknown[0], CHECKS) if unknown else ""
        raise InvalidParameterError(f"checks must be names among {list(CHECKS)}, got {unknown or wanted}{hint}")
    return [name for name in CHECKS if name in wanted]


def _n_rows(X: Any, labels: Any, probs: Any, graph: Any, images: list | None = None, texts: Any = None) -> int:
    sizes = {name: len(v) for name, v in (("features", X), ("probs", probs), ("labels", labels)) if v is not None}
    for what, rows in (("images", images), ("texts", texts)):
        if rows is None:
            continue
        if sizes and len(rows) != next(iter(sizes.values())):
            name, size = next(iter(sizes.items()))
            raise ShapeMismatchError(f"{what} must have one entry per row of {name} ({size}), got {len(rows)}")
        sizes[what] = len(rows)
    if sizes:
        return next(iter(sizes.values()))
    if graph is not None:
        return check_graph(graph, None).n
    raise InvalidParameterError(
        "find_data_issues needs at least one of features, labels, probs, graph, images or texts; got none"
    )


def _with_graph(inputs: CheckInputs, graph: NeighborGraph | None) -> CheckInputs:
    return replace(inputs, graph=graph)  # the same cache dictionary
