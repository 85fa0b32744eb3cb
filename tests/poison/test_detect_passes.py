"""The moments pass of the representation-based detectors: per-class count, mean and scatter over
row chunks, against numpy in memory; its cost per chunk; its report of the first non-finite value."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise.poison._detect_passes as passes
from labelwise.errors import InvalidParameterError


def reference(features: np.ndarray, codes: np.ndarray, n_classes: int) -> tuple:
    """Per class: count, mean and the centred rows' scatter matrix, in memory (float64)."""
    X = features.astype(np.float64)
    counts = np.bincount(codes, minlength=n_classes).astype(float)
    means = np.zeros((n_classes, X.shape[1]))
    scatters = np.zeros((n_classes, X.shape[1], X.shape[1]))
    for k in range(n_classes):
        rows = X[codes == k]
        if len(rows):
            means[k] = rows.mean(axis=0)
            centred = rows - means[k]
            scatters[k] = centred.T @ centred
    return counts, means, scatters


def run_moments(features, codes, n_classes, block_size=None):
    chunks, arrays = passes.plan(features, codes, block_size)
    return passes.moments(chunks, arrays, n_classes)


def assert_moments(found, expected):
    np.testing.assert_array_equal(found[0], expected[0])
    np.testing.assert_allclose(found[1], expected[1], rtol=1e-12, atol=1e-12 * np.abs(expected[1]).max())
    np.testing.assert_allclose(found[2], expected[2], rtol=1e-9, atol=1e-9 * np.abs(expected[2]).max())


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n=st.integers(1, 120),
    n_classes=st.integers(1, 6),
    block_size=st.integers(1, 130),
    piece=st.integers(1, 9),
)
def test_moments_in_any_chunks_and_pieces_are_the_in_memory_moments(seed, n, n_classes, block_size, piece):
    """Chunks of any size, and a class's rows read in pieces of any size (one row up), give numpy's
    per-class count, mean and scatter; a class without rows has zeros."""
    rng = np.random.default_rng(seed)
    d = 4
    codes = rng.integers(0, n_classes, size=n)
    features = rng.normal(size=(n, d)) * rng.uniform(0.1, 10.0, size=d) + rng.normal(scale=5.0, size=d)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(passes, "PIECE_ELEMENTS", piece * d)
        found = run_moments(features, codes, n_classes, block_size)
    assert_moments(found, reference(features, codes, n_classes))


def test_rows_far_from_the_origin_keep_their_scatter():
    """Rows offset by 1e8 with unit spread: the scatter matrices are those of the centred rows
    (raw sums of squares, ``X^T X - n m m^T``, would lose every digit here)."""
    rng = np.random.default_rng(5)
    n, d, n_classes = 3000, 5, 3
    codes = rng.integers(0, n_classes, size=n)
    features = rng.normal(size=(n, d)) + 1e8
    found = run_moments(features, codes, n_classes, block_size=700)
    assert_moments(found, reference(features, codes, n_classes))


def test_the_moments_pass_merges_the_scatter_matrices_once_per_chunk_not_per_cache_block(monkeypatch):
    """The (K, d, d) merge runs only to join chunks: not once per cache-sized block of rows."""
    rng = np.random.default_rng(2)
    n, d, n_classes = 12_000, 64, 10
    codes = np.arange(n) % n_classes
    features = rng.normal(size=(n, d)).astype(np.float32)
    calls = []
    merge = passes.merge
    monkeypatch.setattr(passes, "merge", lambda a, b: calls.append(1) or merge(a, b))
    chunks, arrays = passes.plan(features, codes, 6000)
    found = passes.moments(chunks, arrays, n_classes)
    assert len(calls) < len(chunks.bounds)
    assert_moments(found, reference(features, codes, n_classes))


def test_the_first_non_finite_value_in_row_order_is_named_when_classes_take_several_passes(monkeypatch):
    """With one class per pass, a NaN of a later class at an earlier row is the one named."""
    rng = np.random.default_rng(3)
    features = rng.normal(size=(60, 4))
    codes = np.arange(60) % 3
    features[11, 0] = np.nan  # class 2, whose pass is the last
    features[40, 3] = np.inf  # class 1
    monkeypatch.setattr(passes, "SCATTER_BYTES", 8 * 4 * 4)
    with pytest.raises(InvalidParameterError, match=r"got nan at row 11, column 0"):
        run_moments(features, codes, 3, block_size=25)
    features[11, 0] = 0.0
    with pytest.raises(InvalidParameterError, match=r"got inf at row 40, column 3"):
        run_moments(features, codes, 3, block_size=25)
