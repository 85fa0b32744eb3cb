"""The approximate neighbour graph of a dask array: one HNSW index per shard, merged exactly."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw
from labelwise.checks._dask_ann import sharded_approximate_graph
from labelwise.checks._dask_graph import column_fit
from labelwise.checks.graph import AUTO_EXACT_MAX_ROWS, NeighborGraph

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
pytest.importorskip("hnswlib")


def _clusters(n: int, d: int = 12, seed: int = 0) -> np.ndarray:
    """Gaussian clusters of unequal spread (a few hundred rows each)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4.0, size=(max(2, n // 300), d))
    which = rng.integers(0, len(centers), n)
    return (centers[which] + rng.normal(size=(n, d)) * rng.uniform(0.5, 2.0, len(centers))[which, None]).astype(
        np.float32
    )


def _recall(found: NeighborGraph, exact: NeighborGraph) -> float:
    return float(np.mean([len(set(a) & set(b)) / exact.k for a, b in zip(found.indices, exact.indices, strict=True)]))


@pytest.mark.parametrize("chunks", [700, 1100, 2999])
def test_the_sharded_index_finds_the_exact_neighbours_with_high_recall(chunks):
    """Recall@10 against the in-memory exact graph on clustered rows, for several shard sizes; every
    returned distance is the exact distance of its pair, rows are sorted by distance and never their
    own neighbour."""
    X = _clusters(3000)
    exact = NeighborGraph.build(X, k=10, method="exact")
    mean, scale = column_fit(da.from_array(X, chunks=(chunks, 12)), standardize=True)
    with dask.config.set(scheduler="threads"):
        got = sharded_approximate_graph(
            da.from_array(X, chunks=(chunks, 12)), mean, scale, k=10, metric="euclidean", standardized=True
        ).compute()
    assert got.method == "approximate" and got.indices.shape == (3000, 10)
    assert _recall(got, exact) >= 0.97
    assert not (got.indices == np.arange(3000)[:, None]).any()
    assert (np.diff(got.distances, axis=1) >= 0).all()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    true = np.linalg.norm(Z[:, None, :] - Z[got.indices], axis=2)
    np.testing.assert_allclose(got.distances, true, rtol=1e-4, atol=1e-4)


def test_a_shard_smaller_than_k_pads_and_the_merge_fills_from_the_others():
    """Shards of 4 rows with k=6: every row still gets 6 real neighbours, all different."""
    X = _clusters(60, d=3, seed=2)
    mean, scale = column_fit(da.from_array(X, chunks=(4, 3)), standardize=True)
    with dask.config.set(scheduler="sync"):
        got = sharded_approximate_graph(
            da.from_array(X, chunks=(4, 3)), mean, scale, k=6, metric="euclidean", standardized=True
        ).compute()
    assert (got.indices >= 0).all() and np.isfinite(got.distances).all()
    assert all(len(set(row)) == 6 for row in got.indices)
    assert _recall(got, NeighborGraph.build(X, k=6, method="exact")) >= 0.95


def test_auto_is_exact_up_to_the_in_memory_limit_and_sharded_hnsw_above(client):
    """method="auto" on a dask array follows the in-memory rule: the exact graph up to
    AUTO_EXACT_MAX_ROWS rows, one HNSW index per shard above; the flags agree with the exact run."""
    small = _clusters(1200)
    found = lw.checks.find_data_issues(features=da.from_array(small, chunks=(400, 12)), checks=["outlier"])
    assert found.graph.method == "exact"
    big = _clusters(AUTO_EXACT_MAX_ROWS + 500, seed=3)
    found = lw.checks.find_data_issues(features=da.from_array(big, chunks=(2000, 12)), checks=["outlier"])
    assert found.graph.method == "approximate"
    exact = lw.checks.find_data_issues(features=big, checks=["outlier"], method="exact")
    assert _recall(found.graph.compute(), exact.graph) >= 0.97
    flags = found.issues["is_outlier_issue"].compute().to_numpy()
    theirs = exact.issues["is_outlier_issue"].to_numpy()
    assert (flags != theirs).sum() <= max(2, theirs.sum() // 10)
