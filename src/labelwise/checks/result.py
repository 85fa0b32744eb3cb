"""``DataIssues``: the result of :func:`~labelwise.checks.find_data_issues`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._partitioned import PartitionedGraph
from .graph import NeighborGraph


@dataclass(frozen=True)
class DataIssues:
    """Every check's columns, one summary row per check, per-check details, and the graph.

    Attributes
    ----------
    issues : DataFrame
        One row per example (in input order): ``is_<check>_issue`` and ``<check>_score`` (in
        [0, 1], low = worse) for every check that ran, plus ``given_label``/``predicted_label``
        from the label check. For features given as a dask array, a dask DataFrame with one
        partition per row chunk, computed and held on the workers (``issues.to_parquet(...)``
        writes it partition by partition; ``issues.compute()`` brings it here).
    summary : DataFrame
        One row per check: ``check``, ``status`` ("ran" or "skipped"), ``n_issues``, ``score``
        (mean), ``reason`` (why it was skipped).
    info : dict
        Per check: duplicate sets, the non-IID p-value, weak groups, thresholds used...; and, when
        the graphs were built here on euclidean features, ``scaling`` (the shared graph's column
        scaling) and ``label_scaling`` (the label graph's): what was asked, what was used, why, and
        the labels' statistic (see :class:`labelwise.checks._scaling.LabelScaling`); for features
        given as a table with categorical columns, ``feature_encoding`` (which columns were encoded
        how, and ``line``, that in one line).
    graph : NeighborGraph, PartitionedGraph or None
        The graph the checks that do not read the labels shared (None when none needed one), or
        the graph passed in; for dask features a
        :class:`~labelwise.checks._partitioned.PartitionedGraph` on the workers (``.compute()``).
        ``graph.search`` says how it was searched: the index that ran, whether the search is exact,
        its settings, and why ``"auto"`` fell back (:class:`~labelwise.checks._graph_record.GraphSearch`;
        None for a given graph saved by an earlier labelwise).
    label_graph : NeighborGraph or None
        The graph of the checks that read the labels with it (``label``, ``data_valuation``,
        ``underperforming_group``): ``graph`` itself unless ``label_scaling`` gave another scaling.
    row_chunks : dict or None
        For dask features, the row chunks the checks ran on: ``n_chunks``, ``chunk_rows`` (the rows
        of the largest) and ``n_chunks_given`` (the features' own, before chunks under about 1 MiB
        were merged: :mod:`labelwise._chunk_floor`); None in memory.
    """

    issues: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame
    info: dict[str, Any] = field(repr=False)
    graph: NeighborGraph | PartitionedGraph | None = field(default=None, repr=False)
    label_graph: NeighborGraph | PartitionedGraph | None = field(default=None, repr=False)
    row_chunks: dict[str, int] | None = field(default=None, repr=False)

    @property
    def checks_run(self) -> list[str]:
        """Names of the checks that ran."""
        return self.summary.loc[self.summary["status"] == "ran", "check"].tolist()

    def to_frame(self) -> pd.DataFrame:
        """The issues table with a ``row`` column and ``n_issue_types`` (checks flagging the row), worst first."""
        frame = self.issues.compute() if hasattr(self.issues, "dask") else self.issues.copy()
        flags = [c for c in frame.columns if c.startswith("is_") and c.endswith("_issue")]
        frame.insert(0, "row", np.arange(len(frame)))
        frame["n_issue_types"] = frame[flags].sum(axis=1).astype(np.int64) if flags else 0
        return frame.sort_values(["n_issue_types", "row"], ascending=[False, True], kind="stable").reset_index(
            drop=True
        )

    def summary_dict(self) -> dict[str, Any]:
        """JSON-ready: one section per check (its summary row and info), the graphs' settings, their
        scalings, and for dask features the row chunks the checks ran on."""
        out: dict[str, Any] = {}
        for row in self.summary.to_dict(orient="records"):
            name = row["check"]
            fields = {k: _plain(v) for k, v in row.items() if k != "check"}
            out[name] = {**{k: v for k, v in fields.items() if v is not None}, "info": self.info.get(name, {})}
        if self.graph is not None:
            out["graph"] = _settings(self.graph)
        if self.label_graph is not None and self.label_graph is not self.graph:
            out["label_graph"] = _settings(self.label_graph)
        for key in ("scaling", "label_scaling", "feature_encoding"):
            if key in self.info:
                out[key] = self.info[key]
        if self.row_chunks is not None:
            out["row_chunks"] = dict(self.row_chunks)
        return out


def _settings(graph: NeighborGraph | PartitionedGraph) -> dict[str, Any]:
    return {
        "k": graph.k,
        "metric": graph.metric,
        "standardized": graph.standardized,
        "scaling": graph.scaling,
        "method": graph.method,
        "search": None if graph.search is None else graph.search.to_dict(),
    }


def _plain(value: Any) -> Any:
    """JSON-ready scalar: numpy scalars as Python values, NaN/NA as None."""
    if value is None or (np.isscalar(value) and pd.isna(value)) or value is pd.NA:
        return None
    return value.item() if isinstance(value, np.generic) else value
