"""Properties of the poisoned-data detectors: row order, class names, repeat runs and row blocks
do not change what they find."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
import labelwise._chunks as chunks

CALLS = {
    "spectral": lambda f, y: lw.poison.spectral_signatures(f, y, eps=0.1),
    "clusters-ica": lambda f, y: lw.poison.activation_clustering(f, y, n_components=4),
    "clusters-pca": lambda f, y: lw.poison.activation_clustering(f, y, reduce="pca", analysis="smaller"),
    "clusters-silhouette": lambda f, y: lw.poison.activation_clustering(f, y, analysis="silhouette"),
    "clusters-silhouette-sampled": lambda f, y: lw.poison.activation_clustering(
        f, y, analysis="silhouette", silhouette_rows=20, random_state=3
    ),
}


def problem(seed: int, n_classes: int, d: int):
    """Gaussian classes of 12 to 40 rows with a few shifted rows in the first class."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(12, 40, size=n_classes)
    labels = np.repeat(np.arange(n_classes), sizes)
    features = rng.normal(size=(len(labels), d)) + rng.normal(scale=2.0, size=(n_classes, d))[labels]
    features[: rng.integers(1, 5)] += 5.0 * rng.normal(size=d)
    return features, labels


def assert_same(a, b, order=None):
    """Two detections agree (b's rows in ``order`` are a's rows)."""
    idx = np.arange(len(a.scores)) if order is None else order
    np.testing.assert_allclose(b.scores[idx], a.scores, rtol=1e-7, atol=1e-10)
    np.testing.assert_array_equal(b.is_flagged[idx], a.is_flagged)


PROBLEMS = dict(seed=st.integers(0, 2**31), n_classes=st.integers(2, 4), d=st.integers(2, 9))


@pytest.mark.parametrize("name", list(CALLS))
class TestDetectorProperties:
    @settings(max_examples=15, deadline=None)
    @given(**PROBLEMS, shuffle=st.integers(0, 2**31))
    def test_row_order_does_not_change_the_flags(self, name, seed, n_classes, d, shuffle):
        """Shuffling the rows shuffles the scores and flags, nothing more (a silhouette sample
        drawn by row position aside)."""
        if name.endswith("sampled"):
            pytest.skip("the silhouette's sample is drawn by row position")
        features, labels = problem(seed, n_classes, d)
        order = np.random.default_rng(shuffle).permutation(len(labels))
        before = CALLS[name](features, labels)
        after = CALLS[name](features[order], labels[order])
        inverse = np.argsort(order)
        assert_same(before, after, inverse)

    @settings(max_examples=15, deadline=None)
    @given(**PROBLEMS, names=st.permutations(["zebra", "ant", "moth", "cow"]))
    def test_class_names_do_not_change_the_flags(self, name, seed, n_classes, d, names):
        """Renaming the classes (which reorders them) changes nothing but the names."""
        features, labels = problem(seed, n_classes, d)
        renamed = np.array(names)[labels]
        before = CALLS[name](features, labels)
        after = CALLS[name](features, renamed)
        assert_same(before, after)
        np.testing.assert_array_equal(after.labels, renamed)

    @settings(max_examples=10, deadline=None)
    @given(**PROBLEMS)
    def test_two_runs_agree_exactly(self, name, seed, n_classes, d):
        """The same input (and seed) gives the same scores and flags, bit for bit."""
        features, labels = problem(seed, n_classes, d)
        a, b = CALLS[name](features, labels), CALLS[name](features, labels)
        np.testing.assert_array_equal(a.scores, b.scores)
        np.testing.assert_array_equal(a.is_flagged, b.is_flagged)

    def test_small_row_blocks_and_a_memmap_give_the_same_result(self, name, tmp_path, monkeypatch):
        """Blocks of a few rows, read from a np.memmap, give the one-block result."""
        features, labels = problem(5, 3, 6)
        whole = CALLS[name](features, labels)
        path = tmp_path / "features.npy"
        np.save(path, features.astype(np.float32))
        mapped = np.load(path, mmap_mode="r")
        monkeypatch.setattr(chunks, "BLOCK_ELEMENTS", 20)
        blocked = CALLS[name](mapped, labels)
        exact = CALLS[name](features.astype(np.float32), labels)
        monkeypatch.undo()
        assert_same(exact, blocked)
        np.testing.assert_array_equal(whole.is_flagged, blocked.is_flagged)
