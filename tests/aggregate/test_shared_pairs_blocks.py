"""Tests for the pair screen's shared-item counts by blocks of annotators
(labelwise.aggregate._pair_check.shared_pairs): equal bit for bit to the whole product for any block."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import _pair_check as pc
from labelwise.errors import InvalidParameterError


def _rows(seed: int, n_rows: int, n_ann: int, k: int = 3, max_per_row: int = 6):
    """A random item x (annotator, label) count matrix (repeated answers included) and its columns' annotators."""
    rng = np.random.default_rng(seed)
    per = rng.integers(0, max_per_row + 1, n_rows)
    rows = np.repeat(np.arange(n_rows), per)
    cols = rng.integers(0, n_ann, rows.size) * k + rng.integers(0, k, rows.size)
    m = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n_rows, n_ann * k))
    return m, np.arange(n_ann * k) // k


def _whole(m, weights, annotator_of, n_ann, min_shared):  # type: ignore[no-untyped-def]
    """The reference: the whole product (``_gram``), filtered and sorted as the screen returns it."""
    g = pc._gram(m, weights, annotator_of, n_ann, min_items=min_shared)
    keep = g.data >= min_shared
    a, b = g.row[keep].astype(np.int64), g.col[keep].astype(np.int64)
    order = np.argsort(a * n_ann + b)
    return a[order], b[order], g.data[keep][order]


def _assert_equal(got, ref) -> None:  # type: ignore[no-untyped-def]
    for x, y in zip(got, ref, strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y)


class TestSharedPairs:
    @settings(max_examples=80, deadline=None)
    @given(
        seed=st.integers(0, 10_000),
        n_rows=st.integers(0, 300),
        n_ann=st.integers(1, 40),
        block=st.integers(1, 5_000),
        min_shared=st.sampled_from([0.5, 1.0, 2.0, 3.5, 20.0]),
        weighted=st.sampled_from(["ones", "counts", "fractions"]),
    )
    def test_any_block_size_equals_the_whole_product(self, seed, n_rows, n_ann, block, min_shared, weighted):
        """Property: pairs, their order and their counts equal the whole product's for any block (weights of any kind)."""
        m, annotator_of = _rows(seed, n_rows, n_ann)
        rng = np.random.default_rng(seed + 1)
        w = {
            "ones": np.ones(n_rows),
            "counts": rng.integers(1, 5, n_rows).astype(np.float64),
            "fractions": rng.random(n_rows) * 3,
        }[weighted]
        ref = _whole(m, w, annotator_of, n_ann, min_shared)
        _assert_equal(pc.shared_pairs(m, w, annotator_of, n_ann, min_shared, block=block), ref)

    def test_annotator_order_does_not_matter(self):
        """Renaming the annotators renames the pairs (same counts)."""
        m, annotator_of = _rows(3, 200, 15)
        perm = np.random.default_rng(0).permutation(15)
        a, b, n = pc.shared_pairs(m, np.ones(200), annotator_of, 15, 2.0, block=50)
        pa, pb, pn = pc.shared_pairs(m, np.ones(200), perm[annotator_of], 15, 2.0, block=50)
        lo, hi = np.minimum(perm[a], perm[b]), np.maximum(perm[a], perm[b])
        order = np.argsort(lo * 15 + hi)
        _assert_equal((pa, pb, pn), (lo[order], hi[order], n[order]))

    def test_read_only_and_memory_mapped_inputs(self, tmp_path):
        """Read-only and memory-mapped weights and column annotators give the same pairs."""
        m, annotator_of = _rows(4, 150, 12)
        w = np.random.default_rng(1).integers(1, 4, 150).astype(np.float64)
        ref = pc.shared_pairs(m, w, annotator_of, 12, 2.0)
        np.save(tmp_path / "w.npy", w)
        np.save(tmp_path / "a.npy", annotator_of)
        mapped = (np.load(tmp_path / "w.npy", mmap_mode="r"), np.load(tmp_path / "a.npy", mmap_mode="r"))
        frozen_w, frozen_a = w.copy(), annotator_of.copy()
        frozen_w.flags.writeable = frozen_a.flags.writeable = False
        for ww, aa in (mapped, (frozen_w, frozen_a)):
            _assert_equal(pc.shared_pairs(m, ww, aa, 12, 2.0, block=7), ref)

    def test_empty_and_one_answer(self):
        """No rows, or one answer: no pair, empty int64 / float64 arrays."""
        for n_rows, per in ((0, 0), (1, 1)):
            m, annotator_of = _rows(0, n_rows, 5, max_per_row=per)
            a, b, n = pc.shared_pairs(m, np.ones(n_rows), annotator_of, 5, 1.0)
            assert a.dtype == b.dtype == np.int64 and n.dtype == np.float64 and len(a) == len(b) == len(n) == 0

    @pytest.mark.parametrize("block", [0, -1, 2.5, True, "10"])
    def test_block_is_validated(self, block):
        """A block that is not a positive integer is refused, naming the parameter."""
        m, annotator_of = _rows(0, 10, 4)
        with pytest.raises(InvalidParameterError, match="block"):
            pc.shared_pairs(m, np.ones(10), annotator_of, 4, 1.0, block=block)
