"""Activation clustering's 2-means as Lloyd passes over row blocks of the reduced rows, and where
those rows are kept (memory, a temporary file, the Dask workers).

Tolerance: blocks change only the order of the centres' floating-point sums, so the clusters are
compared exactly (a row would have to lie within about 1e-15 of the two centres' bisector to move);
the centres' agreement is checked to 1e-12 in :func:`test_centres_over_blocks_agree_to_rounding`.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise._chunks import RowChunks, chunk_bounds
from labelwise.poison import _detect_lloyd, _detect_slabs
from labelwise.poison._detect_clusters import split_1d
from labelwise.poison._detect_lloyd import MAX_ITER, two_means


def reference(Z: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Lloyd's iterations for two clusters on one class's rows held in memory (the former path)."""
    assign = start.astype(np.int64)
    for _ in range(MAX_ITER):
        if np.bincount(assign, minlength=2).min() == 0:
            break
        c0, c1 = Z[assign == 0].mean(axis=0), Z[assign == 1].mean(axis=0)
        new = (Z @ (c1 - c0) > (c1 @ c1 - c0 @ c0) / 2).astype(np.int64)
        if np.array_equal(new, assign):
            break
        assign = new
    return assign


def reduced(seed: int, n: int = 150, n_classes: int = 3, m: int = 3, poisoned: int = 8):
    """Reduced rows ``(n, 1 + m)`` of Gaussian classes (shuffled), a few rows of class 0 shifted,
    their codes and the exact 1-D split of each class's first column as the start."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_classes, size=n)
    codes[:n_classes] = np.arange(n_classes)
    Z = rng.normal(size=(n, 1 + m))
    Z[np.flatnonzero(codes == 0)[:poisoned]] += 4.0
    start = np.zeros(n, dtype=np.int8)
    for k in range(n_classes):
        start[codes == k] = split_1d(Z[codes == k, 0])
    return Z, codes, start


def numpy_chunks(n: int, block_size: int) -> RowChunks:
    return RowChunks(n, chunk_bounds(n, block_size), use_dask=False)


class TestTwoMeansOverBlocks:
    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 2**31), block_size=st.integers(1, 160), poisoned=st.integers(0, 30))
    def test_any_block_size_gives_the_in_memory_clusters(self, seed, block_size, poisoned):
        """Every class's clusters over blocks of 1 to all rows equal the in-memory iteration's."""
        Z, codes, start = reduced(seed, poisoned=poisoned)
        found = two_means(numpy_chunks(len(Z), block_size), Z, [None, codes], start, np.ones(3, dtype=bool))
        for k in range(3):
            np.testing.assert_array_equal(found[codes == k], reference(Z[codes == k, 1:], start[codes == k]))

    def test_a_class_not_run_keeps_its_start(self):
        """Classes outside ``run`` (skipped, or without a split) keep their start clusters."""
        Z, codes, start = reduced(3)
        found = two_means(numpy_chunks(len(Z), 7), Z, [None, codes], start, np.array([True, False, True]))
        np.testing.assert_array_equal(found[codes == 1], start[codes == 1])

    def test_the_clusters_are_scikit_learns_lloyd_from_the_same_start(self):
        """Peer: scikit-learn's KMeans (Lloyd, one run, no tolerance) started from the start's means."""
        from sklearn.cluster import KMeans

        Z, codes, start = reduced(5, n=600, poisoned=0)
        found = two_means(numpy_chunks(len(Z), 64), Z, [None, codes], start, np.ones(3, dtype=bool))
        for k in range(3):
            z, s = Z[codes == k, 1:], start[codes == k]
            init = np.stack([z[s == 0].mean(axis=0), z[s == 1].mean(axis=0)])
            peer = KMeans(2, init=init, n_init=1, algorithm="lloyd", max_iter=MAX_ITER, tol=0.0).fit(z)
            np.testing.assert_array_equal(found[codes == k], peer.labels_)

    @settings(max_examples=5, deadline=None)
    @given(seed=st.integers(0, 2**31), partitions=st.integers(1, 7))
    def test_dask_partitions_give_the_numpy_clusters(self, seed, partitions):
        """The reduced rows as a Dask array, each iteration one task per partition: numpy's clusters."""
        dask = pytest.importorskip("dask")
        da = pytest.importorskip("dask.array")
        Z, codes, start = reduced(seed)
        rows = -(-len(Z) // partitions)
        lazy = da.from_array(Z, chunks=(rows, -1))
        chunks = RowChunks.for_arrays(lazy)
        with dask.config.set(scheduler="threads", num_workers=2):
            found = two_means(chunks, lazy, [None, da.from_array(codes, chunks=(rows,))], start, np.ones(3, dtype=bool))
        expected = two_means(numpy_chunks(len(Z), 11), Z, [None, codes], start, np.ones(3, dtype=bool))
        np.testing.assert_array_equal(found, expected)


def test_centres_over_blocks_agree_to_rounding():
    """One pass's cluster sums over blocks of 1, 7 and all rows agree to 1e-12 (summation order)."""
    Z, codes, start = reduced(2, n=400)
    sums = []
    for block in (1, 7, 400):
        _, (s, counts, _) = _detect_lloyd._lloyd_pass(
            numpy_chunks(400, block), Z, [None, codes], start, np.ones(3, dtype=bool), None
        )
        sums.append(s / counts[:, :, None])
    for other in sums[1:]:
        np.testing.assert_allclose(other, sums[0], rtol=1e-12, atol=1e-12)


def features_problem(n: int = 2000, d: int = 64, seed: int = 0):
    """Two Gaussian classes (float32), a tenth of each shifted (a split found in a few iterations)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    features = rng.normal(size=(n, d)) + 3.0 * rng.normal(size=(2, d))[labels]
    features[rng.random(n) < 0.1] += 6.0
    return features.astype(np.float32), labels


def test_activation_clustering_on_a_memory_map_holds_less_than_its_reduced_rows(tmp_path):
    """On a memory map, the process's own allocations peak well below the reduced rows' size (they
    are in a temporary file, read by blocks); the clusters are those of the in-memory input."""
    features, labels = features_problem(40_000, 96)
    np.save(tmp_path / "f.npy", features)
    mapped = np.load(tmp_path / "f.npy", mmap_mode="r")
    expected = lw.poison.activation_clustering(features, labels, n_components=80, block_size=200)
    tracemalloc.start()
    found = lw.poison.activation_clustering(mapped, labels, n_components=80, block_size=200)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    reduced_bytes = len(features) * 81 * 8  # 26 MB; the passes held 4.2 MB (2 threads)
    assert peak < reduced_bytes / 2, (peak, reduced_bytes)
    np.testing.assert_array_equal(found.clusters, expected.clusters)
    np.testing.assert_array_equal(found.is_flagged, expected.is_flagged)


def test_the_silhouette_reads_back_only_its_sample(monkeypatch):
    """A class above silhouette_rows is scored on its sample: only that many reduced rows are read
    back; a class below it is scored exactly (scikit-learn's silhouette_score on all its rows)."""
    from sklearn.metrics import silhouette_score

    features, labels = features_problem(900, 12)
    read = []
    real_sample = _detect_slabs.GroupedRows.sample

    def counting(self, k, at):
        out = real_sample(self, k, at)
        read.append(len(out))
        return out

    monkeypatch.setattr(_detect_slabs.GroupedRows, "sample", counting)
    found = lw.poison.activation_clustering(
        features, labels, analysis="silhouette", silhouette_rows=50, random_state=0, block_size=64
    )
    assert read == [50, 50]  # two samples, one per class
    read.clear()
    exact = lw.poison.activation_clustering(
        features, labels, analysis="silhouette", silhouette_rows=900, random_state=0, block_size=64
    )
    assert read == [int(np.sum(labels == 0)), int(np.sum(labels == 1))]
    X = features[labels == 1].astype(np.float64)
    centred = X - X.mean(axis=0)
    vectors = np.linalg.eigh(centred.T @ centred)[1][:, ::-1][:, :10]
    whitened = centred @ vectors / centred.dot(vectors).std(axis=0)
    expected = silhouette_score(whitened, exact.clusters[labels == 1])
    assert exact.per_class["silhouette"].iloc[1] == pytest.approx(expected, rel=1e-9)
    assert found.per_class["silhouette"].notna().all()
