"""The data checks per partition: the neighbour graph kept on the workers, and what the checks share.

For features given as a row-chunked ``dask.array``, the neighbour graph stays on the workers as two
row-chunked dask arrays (:class:`PartitionedGraph`) and every per-example check runs per partition
(each check's ``partitioned`` function): a row's result reads its own graph row, values of its
neighbours fetched by :func:`labelwise._dask_take.take_rows`, and a few global numbers
(exact quantiles by :func:`labelwise._dask_select.exact_quantiles`, counts, sums). What comes to the
client is small: the global numbers, the summaries, and the members of duplicate sets. The
per-example columns stay on the workers and become a dask DataFrame (:func:`issues_frame`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._chunks import row_starts
from .._stage_progress import compute, persist
from ._graph_record import GraphSearch
from .graph import GraphShape, NeighborGraph


@dataclass(frozen=True)
class PartitionedGraph(GraphShape):
    """A :class:`~labelwise.checks.graph.NeighborGraph` whose arrays are dask arrays on the workers.

    Attributes
    ----------
    indices : dask array of int64, shape (n, k)
        Each row's neighbours (row numbers), nearest first; chunked by rows like the features.
    distances : dask array of float32, shape (n, k)
    metric, standardized, method, scaling, search
        As in :class:`~labelwise.checks.graph.NeighborGraph`; ``search.partitions`` is the number
        of row chunks, each searched by its own index (the same index and settings for all).
    """

    indices: Any = field(repr=False)
    distances: Any = field(repr=False)
    metric: str = "euclidean"
    standardized: bool = True
    method: str = "exact"
    scaling: str = "zscore"
    search: GraphSearch | None = None

    @property
    def chunks(self) -> tuple[int, ...]:
        """Rows per partition."""
        return tuple(int(c) for c in self.indices.chunks[0])

    def compute(self) -> NeighborGraph:
        """The graph in this process (``12 n k`` bytes): for a check that reads it whole, or to save it."""
        indices, distances = compute(self.indices, self.distances)
        return NeighborGraph(
            indices=np.asarray(indices, dtype=np.int64),
            distances=np.asarray(distances, dtype=np.float32),
            metric=self.metric,
            standardized=self.standardized,
            method=self.method,
            scaling=self.scaling,
            search=self.search,
        )


def row_numbers(chunks: tuple[int, ...]) -> Any:
    """The row number of every row as a dask array with row chunks ``chunks``."""
    import dask.array as da

    return da.arange(int(sum(chunks)), chunks=(chunks,), dtype=np.int64)


def as_rows(values: Any, chunks: tuple[int, ...]) -> Any:
    """``values`` (numpy or dask, one value per row) as a dask array with row chunks ``chunks``."""
    import dask.array as da

    if hasattr(values, "dask"):
        return values if tuple(values.chunks[0]) == tuple(chunks) else values.rechunk({0: chunks})
    arr = np.asarray(values)
    return da.from_array(arr, chunks=(chunks,) + tuple((s,) for s in arr.shape[1:]))


def lookup(rows: Any, keys: np.ndarray, values: np.ndarray, default: Any) -> Any:
    """``values[j]`` where ``rows == keys[j]`` (``keys`` sorted, unique), ``default`` elsewhere;
    per chunk, the table put in the task graph once (not copied into every chunk's task)."""
    import dask

    values = np.asarray(values)
    table = dask.delayed((np.asarray(keys), values), pure=True)
    return rows.map_blocks(_looked_up, table, default, dtype=values.dtype)


def _looked_up(rows: np.ndarray, table: tuple[np.ndarray, np.ndarray], default: Any) -> np.ndarray:
    keys, values = table
    out = np.full(rows.shape, default, dtype=values.dtype)
    if keys.size and rows.size:
        at = np.minimum(np.searchsorted(keys, rows), keys.size - 1)
        hit = keys[at] == rows
        out[hit] = values[at[hit]]
    return out


def neighbour_labels(inputs: Any) -> Any:
    """``labels[indices]`` of ``inputs``' graph, fetched once per graph and held on the workers for
    the checks that read it (``label``, ``data_valuation``: both name it in ``shares``)."""
    from .._dask_take import take_rows

    held = inputs.cache.get("neighbour_labels")
    if held is None or held[0] is not inputs.graph:
        (near,) = persist(take_rows(inputs.labels, inputs.graph.indices))
        held = inputs.cache["neighbour_labels"] = (inputs.graph, near)
    return held[1]


def dask_columns(name: str, is_issue: Any, score: Any) -> dict[str, Any]:
    """:func:`labelwise.checks._base.columns` on dask arrays (lazy)."""
    return {f"is_{name}_issue": is_issue.astype(bool), f"{name}_score": score.astype(np.float64).clip(0.0, 1.0)}


def persisted_summary(name: str, cols: dict[str, Any], **extra: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns computed and held on the workers, and :func:`labelwise.checks._base.summary_row`
    from them (issues counted and scores averaged by dask reductions)."""
    names = list(cols)
    held = dict(zip(names, persist(*cols.values()), strict=True))
    flag, score = held[f"is_{name}_issue"], held[f"{name}_score"]
    n_issues, mean = compute(flag.sum(), score.mean(dtype=np.float64))
    row = {"check": name, "status": "ran", "n_issues": int(n_issues), "score": float(mean), "reason": "", **extra}
    return held, row


def first_rows(flags: Any, limit: int) -> list[int]:
    """The first ``limit`` rows where ``flags`` is True: per-chunk counts, then the row numbers of
    the first chunks that hold them (only those rows come to the client)."""
    import dask

    (counts,) = compute(flags.map_blocks(lambda b: np.array([np.count_nonzero(b)]), chunks=(1,), dtype=np.int64))
    starts = row_starts(flags.chunks[0])
    wanted = np.flatnonzero(np.asarray(counts))
    wanted = wanted[: int(np.searchsorted(np.cumsum(np.asarray(counts)[wanted]), limit)) + 1]
    if wanted.size == 0:
        return []
    blocks = flags.to_delayed().ravel()
    rows = compute(*[dask.delayed(np.flatnonzero)(blocks[i]) for i in wanted])
    out = np.concatenate([np.asarray(r) + starts[i] for r, i in zip(rows, wanted, strict=True)])
    return out[:limit].tolist()


def issues_frame(cols: dict[str, Any], chunks: tuple[int, ...]) -> Any:
    """The per-example columns as a dask DataFrame, one partition per row chunk, indexed by row."""
    import dask
    import dask.dataframe as dd
    import pandas as pd

    names = list(cols)
    starts = [*row_starts(chunks), int(sum(chunks))]
    blocks = [cols[c].to_delayed().ravel() for c in names]

    def frame(start: int, stop: int, *values: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(dict(zip(names, values, strict=True)), index=pd.RangeIndex(start, stop), copy=False)

    meta = pd.DataFrame({c: np.empty(0, dtype=cols[c].dtype) for c in names}, index=pd.RangeIndex(0, 0))
    parts = [
        dask.delayed(frame)(int(starts[i]), int(starts[i + 1]), *[b[i] for b in blocks]) for i in range(len(chunks))
    ]
    frame = dd.from_delayed(parts, meta=meta, divisions=(*starts[:-1], starts[-1] - 1), verify_meta=False)
    (held,) = persist(frame)  # its own partitions on the workers: the columns' futures can go
    return held
