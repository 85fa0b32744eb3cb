"""Graph DBSCAN per partition: :func:`~labelwise.checks.underperforming_group.graph_dbscan` on a
:class:`~labelwise.checks._partitioned.PartitionedGraph`, the graph never leaving the workers.

The steps are the in-memory ones, each a pass over the row chunks:

1. ``eps``, the median of every row's ``m``-th neighbour distance, by an exact distributed median
   (:func:`labelwise._dask_select.exact_median`, bit for bit ``np.median``); the core flags per
   partition; the core pairs (both rows core, within ``eps``) as an ``n x k`` mask held on the
   workers, the neighbours' core flags fetched once (:func:`labelwise._dask_take.take_rows`).
2. The components of the core pairs by hooking and pointer jumping (Shiloach & Vishkin 1982), as
   :func:`~labelwise.checks.underperforming_group.core_components` does them: a round fetches
   every neighbour's parent, hooks the larger parent of each pair that differs under the smaller
   (:func:`labelwise._dask_scatter_min.scatter_min`, ``np.minimum.at`` on the workers), then jumps
   every row's parent to its parent's parent until no parent changes; rounds go on until one hooks
   nothing. Each convergence check is a round trip to the client, so a round's hook and its
   first :data:`JUMPS_PER_CHECK` jumps are one computation, and further jumps go
   :data:`JUMPS_PER_CHECK` per computation: jumping is idempotent once every parent is a root, so
   checking only the last jump of a batch stops with the parents of stopping at the first jump
   that changes nothing. Each computation brings two booleans (hooked, last jump changed), and
   each starts from the persisted parents, so the task graph does not grow round after round.
   Each component ends labelled by its smallest row, the same labels whatever the chunking.
3. A non-core row joins the component of its first core neighbour within ``eps`` (the neighbours'
   components fetched per partition), component sizes by :func:`labelwise._dask_take.scatter_add`,
   components smaller than ``min_cluster_size`` dissolved, rows left out join their first
   clustered neighbour's cluster (one pass), and clusters are numbered ``0, 1, ...`` in the order
   of their smallest row (a running count of the rows that are a cluster's label: per chunk on the
   workers, from the chunks' counts). The joins, the sizes, the dissolution and the counts are one
   computation; the numbering from the counts a second.

What comes to the client: the median's selection passes, two booleans per computation of the
components, and one count per chunk (the clusters whose smallest row it holds); the labels of
every row stay on the workers.

References
----------
Ester, M., Kriegel, H.-P., Sander, J., & Xu, X. (1996). A density-based algorithm for
discovering clusters in large spatial databases with noise. KDD, 226-231.
Shiloach, Y., & Vishkin, U. (1982). An O(log n) parallel connectivity algorithm. Journal of
Algorithms, 3(1), 57-67.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._chunks import row_starts
from .._dask_scatter_min import scatter_min
from .._dask_select import exact_median
from .._dask_take import scatter_add, take_rows
from .._stage_progress import compute, persist
from ._partitioned import PartitionedGraph, row_numbers
from .underperforming_group import core_neighbour

JUMPS_PER_CHECK = 3
"""Pointer jumps per convergence check in :func:`core_components` (each check is one round trip to
the client; the jumps past convergence change nothing). Chosen by ``benchmarks/dev_dbscan_rounds.py``."""


def dask_graph_dbscan(graph: PartitionedGraph, min_cluster_size: int = 5) -> tuple[Any, int]:
    """Cluster number of every row (``-1`` for noise) as a dask array on the graph's row chunks,
    held on the workers, and the number of clusters: the in-memory
    :func:`~labelwise.checks.underperforming_group.graph_dbscan` for any chunking (module docstring)."""
    import dask.array as da

    m = core_neighbour(graph.k)
    (reach,) = persist(graph.distances[:, m - 1])
    eps = float(exact_median(reach))
    core = reach <= eps
    within = graph.distances <= eps
    core, pairs = persist(core, within & take_rows(core, graph.indices) & core[:, None])
    del reach
    labels = core_components(graph, pairs)
    del pairs
    # The joins, the dissolution and the clusters' smallest rows: one lazy graph, one computation.
    comp = da.where(core, labels, -1)  # non-core rows: -1
    near = take_rows(comp, graph.indices)  # a core row's component: its smallest row
    labels = near.map_blocks(_join_core, within, core[:, None], comp[:, None], drop_axis=1, dtype=np.int64)
    sizes = scatter_add(np.maximum(labels, 0), labels >= 0, graph.n, graph.chunks)
    small = (labels >= 0) & (take_rows(sizes, np.maximum(labels, 0)) < min_cluster_size)
    labels = da.where(small, -1, labels)
    near = take_rows(labels, graph.indices)
    labels = near.map_blocks(_join_clustered, labels[:, None], drop_axis=1, dtype=np.int64)
    return _numbered(labels, graph)


def core_components(graph: PartitionedGraph, pairs: Any) -> Any:
    """Components of the core pairs ``pairs`` (an ``n x k`` mask of the graph's entries), each row
    labelled by its component's smallest row: hooking and pointer jumping on the workers (module
    docstring), the in-memory :func:`~labelwise.checks.underperforming_group.core_components`.

    References
    ----------
    Shiloach, Y., & Vishkin, U. (1982). An O(log n) parallel connectivity algorithm. Journal of
    Algorithms, 3(1), 57-67.
    """
    parent = row_numbers(graph.chunks)
    hooked = True
    while hooked:
        near = take_rows(parent, graph.indices)
        high = near.map_blocks(_hooks, parent[:, None], pairs, dtype=np.int64)  # the pairs' larger parents
        low = np.minimum(near, parent[:, None])
        any_hook = (high >= 0).any()
        parent, changed = _jumps(scatter_min(parent, high, low))  # the hook and the first jumps: one computation
        parent, any_hook, changed = persist(parent, any_hook, changed)
        hooked, moved = compute(any_hook, changed)
        while moved:  # pointer jumping until a jump changes nothing: every row's parent is its root
            parent, changed = persist(*_jumps(parent))
            (moved,) = compute(changed)
    return parent


def _jumps(parent: Any, times: int | None = None) -> tuple[Any, Any]:
    """Every row's parent replaced ``times`` times (default :data:`JUMPS_PER_CHECK`) by its
    parent's parent, in one lazy graph, and whether the last of these jumps changed any parent.
    Jumping is idempotent once every parent is a root, so a last jump that changes nothing means
    the pointers have converged and the jumps past convergence changed nothing: the result is the
    one of stopping at the first jump that changes nothing, with one check per ``times`` jumps."""
    changed = None
    for _ in range(JUMPS_PER_CHECK if times is None else times):
        up = take_rows(parent, parent)
        changed = (up != parent).any()
        parent = up
    return parent, changed


def _hooks(near: np.ndarray, own: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Per pair of a chunk: the larger of the two parents where the pair is a core pair and they
    differ (the row to hook), else ``-1`` (``own``: the rows' parents as a column)."""
    return np.where(pairs & (near != own), np.maximum(near, own), -1)


def _join_core(near: np.ndarray, within: np.ndarray, core: np.ndarray, comp: np.ndarray) -> np.ndarray:
    """A chunk's labels after the non-core rows join the component of their first core neighbour
    within ``eps`` (``near``: the neighbours' components, ``-1`` for non-core neighbours; ``core``
    and ``comp``: the rows' own, as columns)."""
    ok = within & (near >= 0) & ~core
    has = ok.any(axis=1)
    out = comp[:, 0].copy()
    out[has] = near[has, np.argmax(ok[has], axis=1)]
    return out


def _join_clustered(near: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """A chunk's labels (``labels``, a column) after the rows left out join their first clustered
    neighbour's cluster (``near``: the neighbours' labels)."""
    clustered_nb = (near >= 0) & (labels < 0)
    has = clustered_nb.any(axis=1)
    out = labels[:, 0].copy()
    out[has] = near[has, np.argmax(clustered_nb[has], axis=1)]
    return out


def _numbered(labels: Any, graph: PartitionedGraph) -> tuple[Any, int]:
    """Clusters numbered ``0, 1, ...`` in the order of their smallest row (their label), and their
    number: the rows that are a cluster's label counted per chunk (``B`` numbers to the client),
    then each chunk's running count from its offset."""
    import dask.array as da

    member = labels >= 0
    at = np.maximum(labels, 0)
    present = scatter_add(at, member, graph.n, graph.chunks) > 0
    labels, present, counts = persist(labels, present, present.map_blocks(_count, chunks=(1,), dtype=np.int64))
    (counts,) = compute(counts)
    starts = tuple(row_starts(counts))
    code = present.map_blocks(_running_code, starts, dtype=np.int64)
    at = np.maximum(labels, 0)
    (numbered,) = persist(da.where(labels >= 0, take_rows(code, at), -1))
    return numbered, int(np.sum(counts))


def _count(block: np.ndarray) -> np.ndarray:
    return np.array([np.count_nonzero(block)], dtype=np.int64)


def _running_code(present: np.ndarray, starts: tuple[int, ...], block_id: tuple[int, ...] | None = None) -> np.ndarray:
    """A chunk's cluster numbers: the clusters before it (``starts``) plus its running count, minus one."""
    assert block_id is not None  # given by map_blocks
    return starts[block_id[0]] + np.cumsum(present, dtype=np.int64) - 1
