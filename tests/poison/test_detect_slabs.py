"""Activation clustering's reduced rows grouped by class (one contiguous slab per class) and its
2-means on each slab: the same clusters as the in-memory iteration and as the Dask passes, for any
block size, on threads or not, from a numpy array or a memory map.

Tolerance: a row's side is summed column by column, bit for bit the same in any block; blocks
change only the order of the centres' floating-point sums, so clusters are compared exactly (a row
would have to lie within about 1e-15 of the centres' bisector to move).
"""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise._chunks import RowChunks, chunk_bounds
from labelwise.poison import _detect_slabs
from labelwise.poison._detect_lloyd import RowReduced
from labelwise.poison._detect_slabs import GroupedRows, class_two_means, group_rows, sides
from tests.poison.test_detect_lloyd import features_problem, reduced, reference


def grouped(Z: np.ndarray, codes: np.ndarray, block: int, n_jobs: int = 1) -> GroupedRows:
    """Reduced rows ``Z`` (n, w) in the grouped layout, as :func:`group_rows` writes them."""
    order = np.argsort(codes, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(np.bincount(codes))])
    return GroupedRows(np.ascontiguousarray(Z[order].T), offsets, block, n_jobs)


def starts_of(Z: np.ndarray, codes: np.ndarray, start: np.ndarray) -> dict:
    return {k: start[codes == k] for k in np.unique(codes).tolist()}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), block=st.integers(1, 160), poisoned=st.integers(0, 30), jobs=st.integers(1, 3))
def test_each_class_on_its_slab_gives_the_in_memory_clusters_for_any_block_and_threads(seed, block, poisoned, jobs):
    """Every class's Lloyd iterations on its own slab, read by blocks of 1 to all rows, on 1-3
    threads: the in-memory iteration's clusters."""
    Z, codes, start = reduced(seed, poisoned=poisoned)
    found = grouped(Z, codes, block, jobs).two_means(starts_of(Z, codes, start))
    for k in range(3):
        np.testing.assert_array_equal(found[k], reference(Z[codes == k, 1:], start[codes == k]))


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**31), partitions=st.integers(1, 7), block=st.integers(1, 60))
def test_the_slabs_and_the_dask_passes_give_the_same_clusters(seed, partitions, block):
    """The grouped slabs (numpy, memory map) and a Dask array's passes over its partitions (all
    classes at once) give the same clusters: the same rule per row, the same stopping."""
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    Z, codes, start = reduced(seed, n=200, poisoned=10)
    rows = -(-len(Z) // partitions)
    lazy = da.from_array(Z, chunks=(rows, -1))
    class_rows = [np.flatnonzero(codes == k) for k in range(3)]
    dask_rows = RowReduced(RowChunks.for_arrays(lazy), lazy, da.from_array(codes, chunks=(rows,)), class_rows)
    with dask.config.set(scheduler="threads", num_workers=2):
        on_dask = dask_rows.two_means(starts_of(Z, codes, start))
    on_slabs = grouped(Z, codes, block).two_means(starts_of(Z, codes, start))
    for k in range(3):
        np.testing.assert_array_equal(on_slabs[k], on_dask[k])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31), n=st.integers(1, 90), m=st.integers(1, 12), cut=st.integers(0, 90))
def test_a_rows_side_is_its_left_to_right_dot_product_in_any_block(seed, n, m, cut):
    """``sides`` sums each row's products column after column: bit for bit Python's left-to-right
    sum of the same float products, whether the row is in a whole block, a split one, or given a
    per-row rule (the Dask passes' form)."""
    rng = np.random.default_rng(seed)
    zt, diff = rng.normal(size=(m, n)) * 10.0 ** rng.integers(-3, 4, size=(m, 1)), rng.normal(size=m)
    exact = np.array([sum((zt[j, i] * diff[j] for j in range(1, m)), zt[0, i] * diff[0]) for i in range(n)])
    half = float(np.median(exact))  # ties with the rule's threshold included
    expected = exact > half
    cut = min(cut, n)
    np.testing.assert_array_equal(sides(zt, diff, half), expected)
    split = np.concatenate([sides(zt[:, :cut], diff, half), sides(zt[:, cut:], diff, half)])
    np.testing.assert_array_equal(split, expected)
    per_row = sides(zt, np.repeat(diff[:, None], n, axis=1), np.full(n, half))
    np.testing.assert_array_equal(per_row, expected)


def test_a_class_stops_at_its_own_convergence(monkeypatch):
    """Each class makes the passes of its own iteration (one for its start's sums, then one per
    iteration until no row moves), not the slowest class's."""
    Z, codes, start = reduced(4, n=600, poisoned=40)
    calls = {}
    real = _detect_slabs._lloyd_step

    def counted(slab, assign, rows, diff, half):
        calls[slab.shape[1]] = calls.get(slab.shape[1], 0) + 1
        return real(slab, assign, rows, diff, half)

    monkeypatch.setattr(_detect_slabs, "_lloyd_step", counted)
    grouped(Z, codes, 50).two_means(starts_of(Z, codes, start))
    for k in range(3):
        z, assign, steps = Z[codes == k, 1:], start[codes == k].astype(np.int64), 1
        while np.bincount(assign, minlength=2).min() > 0:
            c0, c1 = z[assign == 0].mean(axis=0), z[assign == 1].mean(axis=0)
            new, steps = (z @ (c1 - c0) > (c1 @ c1 - c0 @ c0) / 2).astype(np.int64), steps + 1
            if np.array_equal(new, assign):
                break
            assign = new
        assert calls[int(np.sum(codes == k))] == steps
    assert len(set(calls.values())) > 1  # the classes did stop at different iterations


def test_a_memory_maps_reduced_rows_are_written_grouped_by_class_into_a_removed_temporary_file(tmp_path, monkeypatch):
    """The reduced rows of a memory-mapped input go to a np.memmap on an unnamed file of TMPDIR (no
    name left there), transposed and grouped by class; a numpy input's stay in memory, equal."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    features, labels = features_problem(300, 16)
    np.save(tmp_path / "f.npy", features)
    rng = np.random.default_rng(1)
    means, bases = rng.normal(size=(2, 16)), rng.normal(size=(2, 16, 5))
    codes = labels.astype(np.int64)
    class_rows = [np.flatnonzero(codes == k) for k in (0, 1)]
    chunks = RowChunks(300, chunk_bounds(300, 37), use_dask=False)
    mapped = np.load(tmp_path / "f.npy", mmap_mode="r")
    on_disk = group_rows(chunks, [mapped, codes], class_rows, means, bases)
    in_memory = group_rows(chunks, [features, codes], class_rows, means, bases)
    assert isinstance(on_disk.Zt, np.memmap) and not isinstance(in_memory.Zt, np.memmap)
    assert list((tmp_path / "tmp").iterdir()) == []
    np.testing.assert_array_equal(np.asarray(on_disk.Zt), in_memory.Zt)
    for k in (0, 1):
        rows = features[class_rows[k]].astype(np.float64)
        np.testing.assert_allclose(on_disk.slab(k).T, (rows - means[k]) @ bases[k], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(on_disk.first(k), on_disk.slab(k)[0])
        np.testing.assert_array_equal(on_disk.sample(k, np.array([0, 5])), on_disk.slab(k)[1:, [0, 5]].T)


def test_activation_clustering_on_a_memory_map_equals_numpy_for_any_block_and_thread_count(tmp_path):
    """End to end on a memory map: flags and clusters of every analysis equal those of the numpy
    input, for blocks of 7 and 500 rows."""
    features, labels = features_problem(1500, 12, seed=3)
    np.save(tmp_path / "f.npy", features)
    mapped = np.load(tmp_path / "f.npy", mmap_mode="r")
    for analysis in ("relative-size", "distance-reduced", "silhouette"):
        expected = lw.poison.activation_clustering(features, labels, analysis=analysis, random_state=0)
        for block in (7, 500):
            found = lw.poison.activation_clustering(mapped, labels, analysis=analysis, random_state=0, block_size=block)
            np.testing.assert_array_equal(found.clusters, expected.clusters)
            np.testing.assert_array_equal(found.is_flagged, expected.is_flagged)


def test_a_class_whose_start_is_one_cluster_keeps_it():
    """A start with an empty cluster is not iterated (no centres): the start comes back."""
    Z, codes, _ = reduced(2)
    start = np.zeros(len(Z), dtype=np.int8)
    slab = np.ascontiguousarray(Z[codes == 0].T)
    np.testing.assert_array_equal(class_two_means(slab, start[codes == 0], 10), start[codes == 0])


def test_the_slabs_2_means_on_a_memory_map_allocates_per_row_flags_and_blocks_only(tmp_path):
    """On a memory-mapped scratch of 200,000 reduced rows (17.6 MB), the 2-means allocates the
    clusters (a byte per row) and a block's temporaries per thread, never a class's rows: its
    peak allocation stays under a tenth of the scratch, and the clusters are the in-memory ones."""
    import tracemalloc

    rng = np.random.default_rng(0)
    n, m = 200_000, 10
    codes = np.sort(rng.integers(0, 4, size=n))
    Z = rng.normal(size=(n, 1 + m))
    Z[rng.random(n) < 0.05] += 3.0
    offsets = np.concatenate([[0], np.cumsum(np.bincount(codes))])
    starts = {k: (Z[codes == k, 0] > np.median(Z[codes == k, 0])).astype(np.int8) for k in range(4)}
    Zt = np.lib.format.open_memmap(tmp_path / "zt.npy", mode="w+", dtype=np.float64, shape=(1 + m, n))
    Zt[:] = Z.T
    Zt.flush()
    mapped = np.load(tmp_path / "zt.npy", mmap_mode="r")
    expected = GroupedRows(np.ascontiguousarray(Z.T), offsets, 1000, 1).two_means(starts)
    tracemalloc.start()
    found = GroupedRows(mapped, offsets, 1000, 2).two_means(starts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < Zt.nbytes / 10, (peak, Zt.nbytes)  # 0.25 MB of 17.6 MB when written
    for k in range(4):
        np.testing.assert_array_equal(found[k], expected[k])
