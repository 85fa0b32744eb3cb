"""The sharded approximate graph (:mod:`._dask_ann`) checked against the exact search on a sample of
rows, and its far rows searched exactly, as :mod:`._graph_audit` does in memory.

The same seeded sample of rows is searched exactly against every shard (the sharded exact search's
own :func:`~labelwise.checks._dask_graph._pair_best` and merge); its rows' exact and approximate
mean neighbour distances give the cut (:func:`~labelwise.checks._graph_audit.redo_cut`), raised
to leave at most :func:`~labelwise.checks._graph_audit.exact_budget` rows above it (an exact
distributed quantile of the approximate mean distances).
Each partition's rows at or above the cut, and its sampled rows, are then searched exactly against
every shard, one task per (partition, shard) pair, merged by a tree of tasks and written into the
partition's graph by a last task. Only the sample's rows, their neighbours and the row numbers
searched again reach the client.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from .._chunks import tree_reduce_delayed
from .._stage_progress import compute, persist, step
from ._dask_graph import _merge_best, _pair_best
from ._exact_select import sq_norms32
from ._graph_audit import OFF_TOLERANCE, _warn_left, audit_record, audit_sample, drop_self, exact_budget, redo_cut
from ._partitioned import PartitionedGraph
from .graph import _to_metric


def audited_sharded(
    Z: Any, blocks: list[Any], starts: list[int], graph: PartitionedGraph, *, random_state: Any = 0
) -> PartitionedGraph:
    """``graph`` (the sharded approximate graph of the standardised rows ``Z``, a dask array whose
    row chunks are ``blocks``, starting at rows ``starts``) with its sample and its far rows
    searched exactly; ``graph.search.audit`` says how many."""
    import dask

    n, k = int(Z.shape[0]), graph.k
    want = min(n, k + 1)  # the row itself among them, or k others before it
    top_norm = dask.delayed(float)(Z.map_blocks(sq_norms32, drop_axis=1, dtype=np.float32).max())
    pair = dask.delayed(_pair_best, pure=True)
    sample = audit_sample(n, random_state)
    a = graph.distances.mean(axis=1, dtype=np.float64)
    with step("neighbour graph: exact audit"):
        (Q,) = compute(Z[sample])
        parts = [
            pair(np.asarray(Q, np.float32), zs, -1, s0, want, min(n, 2 * want), top_norm)
            for zs, s0 in zip(blocks, starts, strict=True)
        ]
        best, a_sample = compute(tree_reduce_delayed(parts, _merge_best) if len(parts) > 1 else parts[0], a[sample])
        exact = _to_metric(drop_self(best[0], best[1], sample, k)[1], graph.metric).mean(axis=1, dtype=np.float64)
        off = np.asarray(a_sample) > exact * (1.0 + OFF_TOLERANCE)
        cut = redo_cut(np.asarray(a_sample)[off], sample.size)
        if cut is not None:
            (wanted,) = compute((a >= cut).sum())
            if int(wanted) > exact_budget(n):
                from .._dask_select import exact_quantiles

                cut = max(cut, float(exact_quantiles(a, 1.0 - exact_budget(n) / n)))
                _warn_left(n, sample.size, int(off.sum()), int(wanted), exact_budget(n))
        redo = _redo_rows(a, starts, sample, cut)
    with step("neighbour graph: exact search of the far rows"):
        indices, distances = _patched(Z, blocks, starts, graph, redo, want, top_norm)
    audit = audit_record(sample.size, int(off.sum()), sum(r.size for r in redo))
    search = replace(graph.search, audit=audit) if graph.search is not None else None
    return replace(graph, indices=indices, distances=distances, search=search)


def _redo_rows(a: Any, starts: list[int], sample: np.ndarray, cut: float | None) -> list[np.ndarray]:
    """Each partition's rows (numbers within it) to search exactly: its sampled rows, and those whose
    approximate mean distance ``a`` is at least ``cut``."""
    ends = starts[1:] + [int(a.shape[0])]
    sampled = [sample[(sample >= s) & (sample < e)] - s for s, e in zip(starts, ends, strict=True)]
    if cut is None:
        return sampled
    (far,) = compute([_at_least(block, cut) for block in a.to_delayed().ravel()])
    return [np.union1d(f, s) for f, s in zip(far, sampled, strict=True)]


def _at_least(block: np.ndarray, cut: float) -> np.ndarray:
    import dask

    return dask.delayed(np.flatnonzero)(block >= cut)


def _patched(
    Z: Any,
    blocks: list[Any],
    starts: list[int],
    graph: PartitionedGraph,
    redo: list[np.ndarray],
    want: int,
    top_norm: Any,
) -> tuple[Any, Any]:
    """The graph's arrays with the rows ``redo`` of each partition searched exactly (see the module)."""
    import dask
    import dask.array as da

    n, k = int(Z.shape[0]), graph.k
    pair = dask.delayed(_rows_best, pure=True)
    patch = dask.delayed(_patch, pure=True, nout=2)
    out_idx, out_dist = [], []
    old = zip(graph.indices.to_delayed().ravel(), graph.distances.to_delayed().ravel(), strict=True)
    for zq, q0, rows, (idx_q, dist_q), size in zip(blocks, starts, redo, old, graph.chunks, strict=True):
        if rows.size:
            parts = [
                pair(zq, rows, zs, s0, want, min(n, 2 * want), top_norm) for zs, s0 in zip(blocks, starts, strict=True)
            ]
            best = tree_reduce_delayed(parts, _merge_best) if len(parts) > 1 else parts[0]
            idx_q, dist_q = patch(idx_q, dist_q, rows, best, q0, k, graph.metric)
        out_idx.append(da.from_delayed(idx_q, (size, k), dtype=np.int64))
        out_dist.append(da.from_delayed(dist_q, (size, k), dtype=np.float32))
    return persist(da.concatenate(out_idx), da.concatenate(out_dist))


def _rows_best(
    Zq: np.ndarray, rows: np.ndarray, Zs: np.ndarray, s0: int, want: int, m: int, top_norm: float
) -> tuple[np.ndarray, np.ndarray]:
    """The ``want`` best of the shard ``Zs`` (rows ``s0...``) for the query rows ``Zq[rows]``, the rows
    themselves included (dropped by :func:`_patch`)."""
    return _pair_best(np.asarray(Zq)[rows], Zs, -1, s0, want, m, top_norm)


def _patch(
    idx: np.ndarray,
    dist: np.ndarray,
    rows: np.ndarray,
    best: tuple[np.ndarray, np.ndarray],
    q0: int,
    k: int,
    metric: str,
) -> tuple[np.ndarray, np.ndarray]:
    """The partition's graph (``idx``, metric distances ``dist``) with ``rows`` given their exact ``k`` best."""
    idx, dist = np.array(idx, dtype=np.int64), np.array(dist, dtype=np.float32)
    ex_idx, ex_d2 = drop_self(best[0], best[1], rows + q0, k)
    idx[rows], dist[rows] = ex_idx, _to_metric(ex_d2, metric)
    return idx, dist
