"""The representation-based detectors on data held out of memory: a ``np.memmap`` or ``.npy`` path,
a Dask array, any row block size or partition count give the in-memory result.

Tolerance: scores agree to a relative 1e-9 of the class's largest score (the blocks only change the
order of the floating-point sums); flags and clusters are equal.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
import labelwise.poison._detect_passes as passes
from labelwise.errors import InvalidParameterError, ShapeMismatchError
from labelwise.poison._detect_clusters import split_1d


def two_means(Z, start, max_iter=300):
    """Reference: Lloyd's iterations for two clusters on rows held in memory (the former in-memory
    path), until no row moves."""
    assign = start
    for _ in range(max_iter):
        if np.bincount(assign, minlength=2).min() == 0:
            break
        c0, c1 = Z[assign == 0].mean(axis=0), Z[assign == 1].mean(axis=0)
        new = (Z @ (c1 - c0) > (c1 @ c1 - c0 @ c0) / 2).astype(np.int64)
        if np.array_equal(new, assign):
            break
        assign = new
    return assign


CALLS = {
    "spectral": lambda f, y, **kw: lw.poison.spectral_signatures(f, y, eps=0.1, **kw),
    "clusters-ica": lambda f, y, **kw: lw.poison.activation_clustering(f, y, n_components=3, **kw),
    "clusters-pca": lambda f, y, **kw: lw.poison.activation_clustering(f, y, reduce="pca", n_components=2, **kw),
    "clusters-distance": lambda f, y, **kw: lw.poison.activation_clustering(f, y, analysis="distance", **kw),
    "clusters-distance-reduced": lambda f, y, **kw: lw.poison.activation_clustering(
        f, y, analysis="distance-reduced", n_components=2, **kw
    ),
    "clusters-silhouette": lambda f, y, **kw: lw.poison.activation_clustering(
        f, y, analysis="silhouette", silhouette_rows=20, silhouette_threshold=-0.5, random_state=3, **kw
    ),
}


def problem(seed: int, n_classes: int = 3, d: int = 6, n: int = 90):
    """Gaussian classes (shuffled rows) with a shifted group of rows in class 0, as float32."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, size=n)
    labels[:n_classes] = np.arange(n_classes)
    features = rng.normal(size=(n, d)) + rng.normal(scale=3.0, size=(n_classes, d))[labels] + 50.0
    poisoned = np.flatnonzero(labels == 0)[:4]
    features[poisoned] += 6.0 * rng.normal(size=d)
    return features.astype(np.float32), labels


def assert_close(a, b):
    """Two detections agree: scores to 1e-9 of the largest, flags and clusters exactly."""
    scale = np.nanmax(np.abs(a.scores)) or 1.0
    np.testing.assert_allclose(b.scores, a.scores, rtol=1e-9, atol=1e-9 * scale)
    np.testing.assert_array_equal(b.is_flagged, a.is_flagged)
    if a.clusters is not None:
        np.testing.assert_array_equal(b.clusters, a.clusters)
        np.testing.assert_allclose(b.per_class["silhouette"], a.per_class["silhouette"], rtol=1e-9, atol=1e-12)


def as_dask(features, partitions: int):
    da = pytest.importorskip("dask.array")
    rows = -(-len(features) // partitions)
    return da.from_array(features, chunks=(rows, -1))


@pytest.mark.parametrize("name", list(CALLS))
class TestOutOfMemoryInputs:
    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 2**31), block_size=st.integers(1, 100))
    def test_any_block_size_gives_the_in_memory_result(self, name, seed, block_size):
        """Blocks of any number of rows (one row to all of them) change nothing beyond rounding."""
        features, labels = problem(seed)
        assert_close(CALLS[name](features, labels), CALLS[name](features, labels, block_size=block_size))

    @settings(max_examples=5, deadline=None)
    @given(seed=st.integers(0, 2**31), partitions=st.integers(1, 7))
    def test_a_dask_array_in_any_partitions_gives_the_in_memory_result(self, name, seed, partitions):
        """A Dask array, read partition by partition on its scheduler, gives the numpy result."""
        dask = pytest.importorskip("dask")
        features, labels = problem(seed)
        with dask.config.set(scheduler="threads", num_workers=2):
            lazy = CALLS[name](as_dask(features, partitions), labels)
        assert_close(CALLS[name](features, labels), lazy)

    def test_a_npy_path_and_a_memmap_give_the_in_memory_result(self, name, tmp_path):
        """A .npy path is opened memory-mapped; it and a np.memmap give the numpy result."""
        features, labels = problem(7)
        path = tmp_path / "features.npy"
        np.save(path, features)
        whole = CALLS[name](features, labels)
        assert_close(whole, CALLS[name](str(path), labels, block_size=16))
        assert_close(whole, CALLS[name](np.load(path, mmap_mode="r"), labels, block_size=5))

    def test_classes_taken_a_group_per_pass_give_the_one_pass_result(self, name, monkeypatch):
        """Scatter matrices over the memory budget are gathered a group of classes per pass."""
        features, labels = problem(11, n_classes=5)
        whole = CALLS[name](features, labels)
        monkeypatch.setattr(passes, "SCATTER_BYTES", 2 * 8 * features.shape[1] ** 2)
        assert_close(whole, CALLS[name](features, labels, block_size=9))


def test_spectral_scores_are_the_papers_squared_projections_on_the_top_singular_direction():
    """Reference: per class, the centred rows' top right singular vector (an SVD in memory)."""
    features, labels = problem(3, d=8, n=200)
    found = lw.poison.spectral_signatures(features, labels, eps=0.05, block_size=7)
    for k in range(3):
        R = features[labels == k].astype(np.float64)
        centred = R - R.mean(axis=0)
        v = np.linalg.svd(centred, full_matrices=False)[2][0]
        expected = (centred @ v) ** 2
        np.testing.assert_allclose(found.scores[labels == k], expected, rtol=1e-9, atol=1e-9 * expected.max())


def test_activation_clusters_are_the_two_means_of_the_in_memory_pca():
    """Reference: per class, PCA by an SVD in memory, whitened, 2-means from the exact 1-D split."""
    features, labels = problem(4, d=12, n=240)
    found = lw.poison.activation_clustering(features, labels, n_components=4, block_size=11)
    for k in range(3):
        R = features[labels == k].astype(np.float64)
        centred = R - R.mean(axis=0)
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        Z = (centred @ vt[:4].T) / (s[:4] / np.sqrt(len(R)))
        assign = two_means(Z, split_1d(centred @ vt[0]))
        if assign.sum() > len(assign) / 2:
            assign = 1 - assign
        np.testing.assert_array_equal(found.clusters[labels == k], assign)
    assert found.is_flagged[np.flatnonzero(labels == 0)[:4]].all()


def test_a_non_finite_value_in_a_dask_array_is_named_by_row_and_column(dask_two_threads):
    features, labels = problem(1)
    features[37, 2] = np.nan
    with pytest.raises(InvalidParameterError, match=r"features must be finite, got nan at row 37, column 2"):
        lw.poison.spectral_signatures(as_dask(features, 4), labels)


def test_a_dask_array_chunked_by_columns_is_refused(dask_two_threads):
    da = pytest.importorskip("dask.array")
    features, labels = problem(1)
    with pytest.raises(ShapeMismatchError, match="features must not be chunked along columns"):
        lw.poison.activation_clustering(da.from_array(features, chunks=(30, 3)), labels)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10"])
def test_a_block_size_that_is_not_a_positive_integer_is_refused(bad):
    features, labels = problem(1)
    with pytest.raises(InvalidParameterError, match="block_size"):
        lw.poison.spectral_signatures(features, labels, block_size=bad)


def test_a_path_that_is_not_an_npy_file_is_refused(tmp_path):
    features, labels = problem(1)
    with pytest.raises(InvalidParameterError, match=r"features as a path must name an existing \.npy file"):
        lw.poison.spectral_signatures(str(tmp_path / "missing.npy"), labels)
