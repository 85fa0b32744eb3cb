"""``find_data_issues`` on dask features: the graph and the per-example results on the workers.

The features' graph is built on the workers (:func:`labelwise.checks._dask_find.dask_graphs`) and
kept there (:class:`~labelwise.checks._partitioned.PartitionedGraph`); every check with a
``partitioned`` function runs per partition, its columns held on the workers. Labels and a split
given as dask collections are checked and encoded on the workers (:mod:`._dask_labels`); given as
numpy, on the client as in memory, then spread over the features' row chunks; user groups likewise
(read only by ``underperforming_group``; as dask, coded on the workers by :mod:`._dask_groups`).
Probs stay or go to the workers. ``non_iid``'s permutation test runs per partition (the
permutations' gap counts are summed on the workers and one number per permutation comes to the
client), and ``underperforming_group`` clusters the graph on the workers
(:mod:`._dask_dbscan`). A check without a ``partitioned`` function would read the whole graph: it
runs on the graph brought to the client (``12 n k`` bytes; no registered check needs it now), and
its columns go back to the workers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from .._chunk_floor import chunks_record
from .._chunks import is_dask
from .._validate.labels import encode_labels_for_probs
from .._validate.probabilities import check_probs
from ..errors import InvalidParameterError, ShapeMismatchError
from ._base import CheckInputs, CheckResult
from ._dask_find import dask_features, dask_graphs
from ._dask_groups import dask_group_codes
from ._dask_labels import dask_label_codes, dask_split
from ._inputs import check_graph, check_groups, check_labels_probs, check_split
from ._partitioned import PartitionedGraph, as_rows, issues_frame
from .find import run_each, table_options
from .graph import NeighborGraph
from .result import DataIssues


@contextlib.contextmanager
def _stable_keys() -> Iterator[None]:
    """On ``distributed``, Dask's low-level (linear) task fusion off for the checks' computations.

    The scheduler keeps the keys of persisted results, and of their released dependencies, from one
    computation to the next. Linear fusion names a chain of tasks after its last key and leaves
    the others as aliases, and which chain it fuses depends on what each computation asks for: the
    dask labels' chunk merge (``rechunk-merge``) and the per-row lookups reached the scheduler once
    fused, once plain, under the same keys ("different run_spec", dask/dask#9888). Blockwise fusion
    (the per-chunk chains of array operations) stays on: it names its tasks after the output.
    """
    if _on_distributed():
        import dask

        with dask.config.set({"optimization.fuse.active": False}):
            yield
    else:
        yield


def _on_distributed() -> bool:
    """Whether the computations go to a ``distributed`` client (the scheduler Dask would use now)."""
    import sys

    if "distributed" not in sys.modules:
        return False
    from dask.base import get_scheduler
    from distributed import Client

    return isinstance(getattr(get_scheduler(), "__self__", None), Client)


@_stable_keys()
def dask_data_issues(
    features: Any,
    given: dict[str, Any],
    selected: list,
    build: dict[str, Any],
    scaling: str,
    options: dict[str, dict[str, Any]],
    impute: bool = False,
) -> DataIssues:
    """:func:`labelwise.checks.find_data_issues` for ``features`` a row-chunked dask array or
    DataFrame; ``given``: ``labels``, ``probs``, ``classes``, ``split``, ``train_value``, ``groups``,
    ``graph`` as the user passed them (checked by the caller: ``impute`` and ``label_scaling``). Runs
    in :func:`_stable_keys`' context (a decorator: a new context each call)."""
    given_chunks = features.npartitions if hasattr(features, "columns") else len(features.chunks[0])
    X, missing, vary, names, table = dask_features(features, impute)
    n, chunks = int(X.shape[0]), tuple(int(c) for c in X.chunks[0])
    codes, classes, probs = _labels_probs(given, n, chunks)  # codes: numpy, or dask when labels are
    split = given["split"]
    split = (
        dask_split(split, chunks, given["train_value"])
        if is_dask(split)
        else check_split(split, n, given["train_value"])
    )
    groups = given["groups"]
    groups = dask_group_codes(groups, chunks) if is_dask(groups) else check_groups(groups, n)
    graph, texts = given["graph"], given.get("texts")
    if texts is not None:
        _check_dask_texts(texts, n, options)
    inputs = CheckInputs(
        n=n,
        features=X,
        missing=missing,
        labels=None if codes is None else as_rows(codes, chunks),
        classes=classes,
        probs=probs,
        graph=_partitioned(check_graph(graph, n), chunks) if graph is not None else None,
        is_train=None if split is None else as_rows(split, chunks),
        groups=groups,
        feature_names=names,
        texts=texts,
        feature_keys=None if table is None or table.keys is None else as_rows(table.keys, chunks),
        random_state=build["random_state"],
        options=options if table is None else table_options(options, [c.name for c in selected], lambda: table.roles),
    )
    found, label_found, records = dask_graphs(
        selected, replace(inputs, labels=codes), vary, scaling, build, given["label_scaling"]
    )
    inputs, label_inputs = replace(inputs, graph=found), replace(inputs, graph=label_found)  # one cache
    gathered = _Gathered(chunks, codes, split)

    def run(check: Any, own: CheckInputs) -> CheckResult:
        return check.partitioned(own) if check.partitioned is not None else gathered.run(check, own)

    cols, summary, info = run_each(selected, inputs, label_inputs, run, records)
    issues = issues_frame(cols, chunks) if cols else None
    ran = chunks_record(chunks, given=given_chunks)  # chunks under the floor merged: what ran, and what was given
    if table is not None:  # as in memory: the encoding, and the table's missing cells
        info["feature_encoding"] = {**table.encoding, "line": table.line()}
        if "missing_values" in info.get("null", {}):
            info["null"]["missing_values"] = table.stats.missing_cells
    return DataIssues(issues=issues, summary=summary, info=info, graph=found, label_graph=label_found, row_chunks=ran)


def _check_dask_texts(texts: Any, n: int, options: dict[str, dict[str, Any]]) -> None:
    """Texts beside dask features: one row per row of the features, and no ``texts_must_match``
    (its per-partition runs in ``near_duplicate`` and ``leakage`` read no texts)."""
    if len(texts) != n:
        raise ShapeMismatchError(f"texts must have one row per row of features ({n}), got {len(texts)}")
    for check in ("near_duplicate", "leakage"):
        if options.get(check, {}).get("texts_must_match", False) is True:
            raise InvalidParameterError(
                f"check_options[{check!r}]['texts_must_match'] is True: not available on dask features, "
                "got dask features and texts; give the features in memory or leave the option out"
            )


def _labels_probs(given: dict[str, Any], n: int, chunks: tuple[int, ...]) -> tuple[Any, Any, Any]:
    """Label codes, class values, and probs as a dask array on the features' rows; dask labels are
    encoded on the workers (:mod:`._dask_labels`), others on the client as in memory."""
    labels, probs, classes = given["labels"], given["probs"], given["classes"]
    if not is_dask(labels) and not is_dask(probs):
        codes, class_values, arr = check_labels_probs(labels, probs, classes, n)
        return codes, class_values, None if arr is None else as_rows(arr, chunks)
    if probs is not None:
        probs = probs if is_dask(probs) else check_probs(probs)  # a dask array's chunks are checked as read
        if int(probs.shape[0]) != n:
            raise ShapeMismatchError(f"probs must have one row per row of features ({n}), got {int(probs.shape[0])}")
    width = None if probs is None else int(probs.shape[1])
    if labels is None:
        codes = class_values = None
    elif is_dask(labels):
        codes, class_values = dask_label_codes(labels, chunks, classes, width)
    else:  # numpy labels beside dask probs
        codes, class_values = encode_labels_for_probs(labels, int(probs.shape[1]), classes=classes)
        if len(codes) != n:
            raise ShapeMismatchError(
                f"features and labels must have the same length, got {n} rows and {len(codes)} labels"
            )
    return codes, class_values, None if probs is None else as_rows(probs, chunks)


def _partitioned(graph: NeighborGraph, chunks: tuple[int, ...]) -> PartitionedGraph:
    """A graph given in memory spread over the features' row chunks."""
    return PartitionedGraph(
        as_rows(graph.indices, chunks),
        as_rows(graph.distances, chunks),
        graph.metric,
        graph.standardized,
        graph.method,
        graph.scaling,
        graph.search,
    )


class _Gathered:
    """The inputs in this process for the checks that read a graph whole, made on first use (each
    graph brought here once)."""

    def __init__(self, chunks: tuple[int, ...], codes: Any, split: Any) -> None:
        self._chunks, self._codes, self._split = chunks, codes, split
        self._local: dict[int, CheckInputs] = {}

    def run(self, check: Any, d: CheckInputs) -> CheckResult:
        """``check.run`` on ``d`` gathered, its columns spread back over the row chunks."""
        if id(d.graph) not in self._local:
            from .._stage_progress import compute, step

            with step("graph to the client (checks that read it whole)"):
                graph = d.graph.compute() if isinstance(d.graph, PartitionedGraph) else d.graph
                probs, codes, split = (
                    None if v is None else np.asarray(compute(v)[0]) if is_dask(v) else v
                    for v in (d.probs, self._codes, self._split)
                )
            self._local[id(d.graph)] = replace(
                d, features=None, missing=None, labels=codes, probs=probs, graph=graph, is_train=split, cache={}
            )
        result = check.run(self._local[id(d.graph)])
        return CheckResult(
            {c: as_rows(v, self._chunks) for c, v in result.columns.items()}, result.summary, result.info
        )
