"""Graph DBSCAN per partition (labelwise.checks._dask_dbscan) is the in-memory graph_dbscan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import NeighborGraph, underperforming_group
from labelwise.checks._dask_dbscan import core_components, dask_graph_dbscan
from labelwise.checks._partitioned import PartitionedGraph

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


@pytest.fixture(autouse=True)
def _sync():
    with dask.config.set(scheduler="sync"):
        yield


def _chunks(draw, n: int) -> tuple[int, ...]:
    """Row chunks summing to ``n``: random cuts, so empty and one-row chunks occur."""
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=7)))
    return tuple(np.diff([0, *cuts, n]).tolist())


@st.composite
def random_graphs(draw, least_k: int = 1):
    """A random graph of n rows, k neighbours each (distances sorted, some ties), and a chunking."""
    n = draw(st.integers(least_k + 1, 120))
    k = min(draw(st.integers(least_k, 8)), n - 1)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    indices = np.stack([rng.choice(np.delete(np.arange(n), i), k, replace=False) for i in range(n)])
    distances = np.sort(rng.choice(np.linspace(0.1, 1.0, draw(st.integers(2, 40))), (n, k)).astype(np.float32), axis=1)
    return NeighborGraph(indices=indices, distances=distances), _chunks(draw, n)


def _spread(graph: NeighborGraph, chunks: tuple[int, ...]) -> PartitionedGraph:
    return PartitionedGraph(
        da.from_array(graph.indices, chunks=(chunks, -1)), da.from_array(graph.distances, chunks=(chunks, -1))
    )


@settings(max_examples=30, deadline=None)
@given(case=random_graphs(), size=st.integers(1, 12))
def test_the_clusters_are_the_in_memory_ones_for_any_chunking(case, size):
    """Random graphs (ties at eps included; k = 1 too), any chunking,
    any min_cluster_size: the same cluster of
    every row, numbered alike, and their number."""
    graph, chunks = case
    expected = underperforming_group.graph_dbscan(graph, size)
    got, count = dask_graph_dbscan(_spread(graph, chunks), size)
    np.testing.assert_array_equal(got.compute(), expected)
    assert count == expected.max() + 1


@settings(max_examples=30, deadline=None)
@given(case=random_graphs(), seed=st.integers(0, 2**32 - 1))
def test_core_components_are_the_in_memory_ones_for_any_chunking(case, seed):
    """Hooking and pointer jumping on the workers: each row labelled by its component's smallest row, as in memory."""
    graph, chunks = case
    rng = np.random.default_rng(seed)
    core = rng.random(graph.n) < 0.7
    eps = float(rng.uniform(0.1, 1.0))
    pairs = (graph.distances <= eps) & core[graph.indices] & core[:, None]
    got = core_components(_spread(graph, chunks), da.from_array(pairs, chunks=(chunks, -1)))
    np.testing.assert_array_equal(got.compute(), underperforming_group.core_components(graph, core, eps))


def test_a_long_chain_is_one_component():
    """A path whose rows list only their successor (so half its links are seen from one side only)
    in reverse row order: one component, labelled 0, in few rounds of the chunks."""
    n = 300
    order = np.random.default_rng(1).permutation(n)
    indices = np.empty((n, 1), dtype=np.int64)
    indices[order[:-1], 0] = order[1:]
    indices[order[-1], 0] = order[0]
    pairs = np.ones((n, 1), dtype=bool)
    pairs[order[-1]] = False  # the cycle broken: a path
    graph = NeighborGraph(indices=indices, distances=np.zeros((n, 1), dtype=np.float32))
    got = core_components(_spread(graph, (50,) * 6), da.from_array(pairs, chunks=(50, -1))).compute()
    np.testing.assert_array_equal(got, np.zeros(n, dtype=np.int64))


def _path(n: int, seed: int) -> tuple[NeighborGraph, np.ndarray]:
    """A path over the rows in a random order, each row listing only its successor."""
    order = np.random.default_rng(seed).permutation(n)
    indices = np.empty((n, 1), dtype=np.int64)
    indices[order[:-1], 0] = order[1:]
    indices[order[-1], 0] = order[0]
    pairs = np.ones((n, 1), dtype=bool)
    pairs[order[-1]] = False
    return NeighborGraph(indices=indices, distances=np.zeros((n, 1), dtype=np.float32)), pairs


@pytest.mark.parametrize("n", [300, 3000])
def test_the_components_take_a_logarithmic_number_of_computations(n, monkeypatch):
    """Hooks and several pointer jumps share a computation: on a path in random row order (the
    deepest trees) the round trips to the client stay within 2 log2(n), not one per jump."""
    import labelwise.checks._dask_dbscan as module

    calls = []
    real = module.compute
    monkeypatch.setattr(module, "compute", lambda *values: calls.append(len(values)) or real(*values))
    graph, pairs = _path(n, seed=1)
    chunks = (n // 6,) * 6
    got = core_components(_spread(graph, chunks), da.from_array(pairs, chunks=(chunks, -1))).compute()
    np.testing.assert_array_equal(got, np.zeros(n, dtype=np.int64))
    assert 0 < len(calls) <= 2 * np.ceil(np.log2(n))


def test_the_jumps_past_convergence_change_nothing():
    """Several jumps per check: jumping a converged forest (every parent a root) keeps it and says
    no parent changed; a deep tree is jumped as often as asked, and the flag is the last jump's (a
    batch whose last jump finds the roots already reached says converged)."""
    from labelwise.checks._dask_dbscan import _jumps

    roots = da.from_array(np.array([0, 0, 0, 3, 3]), chunks=2)
    up, changed = _jumps(roots, times=3)
    np.testing.assert_array_equal(up.compute(), [0, 0, 0, 3, 3])
    assert not changed.compute()
    chain = da.from_array(np.array([0, 0, 1, 2, 3, 4, 5, 6]), chunks=3)  # depth 7: three jumps
    up, changed = _jumps(chain, times=2)
    np.testing.assert_array_equal(up.compute(), [0, 0, 0, 0, 0, 1, 2, 3])
    assert changed.compute()
    up, changed = _jumps(up, times=2)
    np.testing.assert_array_equal(up.compute(), np.zeros(8))
    assert not changed.compute()  # the first of these two jumps reached the roots, the second changed nothing
