"""The medians of ``analysis="distance-reduced"`` by radix selection over row blocks: exactly
``np.median`` of each class and cluster (bit for bit: a selection, not a sum), for any block size,
Dask partitions, ties, signs and zeros."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import labelwise as lw
from labelwise._chunks import RowChunks, chunk_bounds
from labelwise.poison._detect_medians import from_keys, medians, to_keys

FLOATS = st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False, width=64)


def expected_medians(Z: np.ndarray, codes: np.ndarray, clusters: np.ndarray, K: int) -> np.ndarray:
    """``np.median`` of each class's rows (group 0) and of its clusters 0 and 1, NaN when empty."""
    out = np.full((K, 3, Z.shape[1] - 1), np.nan)
    for k in range(K):
        for g, rows in enumerate(
            [(codes == k) & (clusters >= 0), (codes == k) & (clusters == 0), (codes == k) & (clusters == 1)]
        ):
            if rows.any():
                out[k, g] = np.median(Z[rows, 1:], axis=0)
    return out


@st.composite
def problems(draw):
    n = draw(st.integers(1, 60))
    m = draw(st.integers(1, 3))
    pool = draw(st.lists(FLOATS, min_size=1, max_size=8))  # few distinct values: many ties
    values = draw(hnp.arrays(np.float64, (n, 1 + m), elements=st.sampled_from(pool) | FLOATS))
    codes = draw(hnp.arrays(np.int64, n, elements=st.integers(0, 2)))
    clusters = draw(hnp.arrays(np.int64, n, elements=st.integers(-1, 1)))
    return values, codes, clusters


class TestMedians:
    @settings(max_examples=60, deadline=None)
    @given(problem=problems(), block_size=st.integers(1, 70))
    def test_any_block_size_gives_numpys_median_exactly(self, problem, block_size):
        """Every class's and cluster's coordinate-wise median equals np.median's, bit for bit."""
        Z, codes, clusters = problem
        chunks = RowChunks(len(Z), chunk_bounds(len(Z), block_size), use_dask=False)
        found = medians(chunks, Z, codes, clusters, 3)
        np.testing.assert_array_equal(found, expected_medians(Z, codes, clusters, 3))

    @settings(max_examples=5, deadline=None)
    @given(problem=problems(), partitions=st.integers(1, 5))
    def test_dask_partitions_give_numpys_median(self, problem, partitions):
        """The reduced rows as a Dask array (one task per partition and pass): the same medians."""
        dask = pytest.importorskip("dask")
        da = pytest.importorskip("dask.array")
        Z, codes, clusters = problem
        lazy = da.from_array(Z, chunks=(-(-len(Z) // partitions), -1))
        with dask.config.set(scheduler="threads", num_workers=2):
            found = medians(RowChunks.for_arrays(lazy), lazy, codes, clusters, 3)
        np.testing.assert_array_equal(found, expected_medians(Z, codes, clusters, 3))

    @given(values=hnp.arrays(np.float64, st.integers(1, 50), elements=FLOATS))
    def test_keys_sort_as_their_values_and_map_back(self, values):
        """The unsigned keys are in the values' order (-0.0 just below 0.0) and give them back."""
        keys = to_keys(values)
        np.testing.assert_array_equal(from_keys(keys), values)
        order = np.argsort(keys, kind="stable")
        assert np.all(np.diff(values[order]) >= 0)


def test_distance_reduced_centres_are_arts_medians_on_a_memory_map(tmp_path):
    """activation_clustering(analysis="distance-reduced") on a memory map flags what it flags on the
    rows in memory, its medians found over blocks of 13 rows."""
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, size=600)
    features = rng.normal(size=(600, 8)) + 4.0 * rng.normal(size=(3, 8))[labels]
    source = np.flatnonzero(labels == 1)[:30]
    features[np.flatnonzero(labels == 0)[:30]] = features[source] + 0.1  # class 1's rows labelled 0
    np.save(tmp_path / "f.npy", features)
    kw = {"analysis": "distance-reduced", "n_components": 8}
    whole = lw.poison.activation_clustering(features, labels, **kw)
    blocks = lw.poison.activation_clustering(np.load(tmp_path / "f.npy", mmap_mode="r"), labels, block_size=13, **kw)
    np.testing.assert_array_equal(blocks.is_flagged, whole.is_flagged)
    np.testing.assert_array_equal(blocks.clusters, whole.clusters)
