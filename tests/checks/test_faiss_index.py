"""faiss HNSW over 16- / 8-bit rows: same search contract as hnswlib, exact re-scoring, no clipping."""

from __future__ import annotations

import numpy as np
import pytest

from labelwise.checks import NeighborGraph
from labelwise.errors import LabelwiseError

pytest.importorskip("faiss")


def _clustered(n=4000, d=16, seed=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=6, size=(30, d))
    return centres[rng.integers(0, 30, n)] + rng.normal(size=(n, d))


def _recall(found, exact):
    return np.mean([len(set(a) & set(b)) for a, b in zip(found.tolist(), exact.tolist(), strict=True)]) / found.shape[1]


@pytest.mark.parametrize("index", ["faiss-fp16", "faiss-sq8"])
def test_quantised_index_finds_nearly_the_exact_neighbours_with_exact_distances(index):
    """Recall against brute force is high, and every returned distance is the exact one."""
    X = _clustered()
    exact = NeighborGraph.build(X, k=10, method="exact")
    approx = NeighborGraph.build(X, k=10, method="approximate", index=index)
    assert approx.indices.dtype == np.int64 and approx.distances.dtype == np.float32
    assert _recall(approx.indices, exact.indices) > 0.98
    Z = (X - X.mean(0)) / X.std(0)
    true = np.sqrt(((Z[:, None, :] - Z[approx.indices]) ** 2).sum(-1))
    np.testing.assert_allclose(approx.distances, true, rtol=1e-5, atol=1e-6)
    assert (np.diff(approx.distances, axis=1) >= 0).all()
    assert (approx.indices != np.arange(len(X))[:, None]).all()


def test_the_8_bit_range_covers_every_row_so_a_far_outlier_keeps_its_neighbours():
    """The quantiser's range comes from every row's extremes: a row 20 standard deviations out is
    not clipped onto the bulk, and its nearest neighbours are the other far rows."""
    X = _clustered(n=3000, d=8)
    far = np.arange(5)
    X[far] = X[far] * 0 + 200.0 + np.arange(5)[:, None] * 0.5  # a small far cluster
    graph = NeighborGraph.build(X, k=4, method="approximate", index="faiss-sq8")
    for r in far:
        assert set(graph.indices[r]) == set(far) - {r}


def test_auto_uses_the_chosen_index_and_an_unknown_index_is_named():
    """method='auto' builds the approximate graph with the index asked for; a bad name is an error."""
    X = _clustered(n=6000, d=8)
    graph = NeighborGraph.build(X, k=5, index="faiss-fp16")
    assert graph.method == "approximate"
    with pytest.raises(LabelwiseError, match="index"):
        NeighborGraph.build(X, k=5, index="annoy")
