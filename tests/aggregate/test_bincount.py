"""The answer counts without whole-array copies (``aggregate._bincount``) equal numpy's ``bincount``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.aggregate import _bincount
from labelwise.aggregate._bincount import bincount, cell_sums, sorted_cell_counts


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(_bincount, "BLOCK_ROWS", 64)
    monkeypatch.setattr(_bincount, "CELL_BLOCK", 16)


def _read_only(a: np.ndarray) -> np.ndarray:
    view = a.view()
    view.flags.writeable = False
    return view


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint16])
@pytest.mark.parametrize("weighted", [False, True])
def test_bincount_equals_numpy_on_read_only_and_narrow_codes(small_blocks, dtype, weighted):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 50, 1000).astype(dtype)
    weights = rng.random(1000) < 0.4 if weighted else None
    for minlength in (0, 10, 80):
        want = np.bincount(codes, weights=weights, minlength=minlength)
        got = bincount(_read_only(codes), weights=weights, minlength=minlength)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_bincount_grows_with_later_blocks_and_rejects_negatives(small_blocks):
    codes = np.concatenate([np.zeros(100, np.int64), np.arange(300)])  # the first blocks are short
    np.testing.assert_array_equal(bincount(_read_only(codes)), np.bincount(codes))
    with pytest.raises(ValueError):
        bincount(_read_only(np.array([0, 1, -1] * 50)))


def test_bincount_does_not_copy_a_read_only_input():
    import tracemalloc

    codes = _read_only(np.random.default_rng(1).integers(0, 100, 4 * _bincount.BLOCK_ROWS))
    tracemalloc.start()
    try:
        np.bincount(codes)
        copied = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        bincount(codes)
        blocked = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert copied >= codes.nbytes
    assert blocked < codes.nbytes / 2


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 400),
    n_rows=st.integers(1, 30),
    k=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    weighted=st.booleans(),
)
def test_cell_sums_equal_bincount_bit_for_bit(n, n_rows, k, seed, weighted):
    rng = np.random.default_rng(seed)
    rows, labels = _read_only(rng.integers(0, n_rows, n)), rng.integers(0, k, n)
    values = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, n) if weighted else None
    want = np.bincount(rows * k + labels, weights=values, minlength=n_rows * k).reshape(n_rows, k)
    for block in (3, 16, 1 << 16):
        _bincount.CELL_BLOCK, saved = block, _bincount.CELL_BLOCK
        try:
            got = cell_sums(rows, labels, n_rows, k, values)
        finally:
            _bincount.CELL_BLOCK = saved
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, want.astype(np.float64))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 400),
    n_rows=st.integers(1, 30),
    n_other=st.integers(1, 7),
    k=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    block=st.sampled_from([4, 64, 1 << 20]),
)
def test_sorted_cell_counts_equal_counts_of_the_cells(n, n_rows, n_other, k, seed, block):
    rng = np.random.default_rng(seed)
    rows, other, labels = rng.integers(0, n_rows, n), rng.integers(0, n_other, n), rng.integers(0, k, n)
    keys = np.sort((rows * n_other + other) * k + labels)
    want = np.bincount(rows * k + labels, minlength=n_rows * k).reshape(n_rows, k).astype(np.float64)
    saved = _bincount.BLOCK_ROWS
    _bincount.BLOCK_ROWS = block
    try:
        got = sorted_cell_counts(keys, n_other * k, k, n_rows)
    finally:
        _bincount.BLOCK_ROWS = saved
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("duplicates", ["keep", "last"])
def test_vote_counts_from_the_sorted_keys_equal_the_direct_counts(duplicates):
    import dataclasses

    import pandas as pd

    from labelwise.aggregate._answers import encode_answers

    rng = np.random.default_rng(5)
    n = 5000  # sparse enough that the encoding sorts its keys
    answers = pd.DataFrame(
        {"item": rng.integers(0, 2500, n), "annotator": rng.integers(0, 900, n), "label": rng.integers(0, 4, n)}
    )
    enc = encode_answers(answers, duplicates=duplicates)
    plain = dataclasses.replace(enc, row_keys=None)
    if duplicates == "keep":
        assert enc.row_keys is not None
    np.testing.assert_array_equal(enc.item_label_counts, plain.item_label_counts)
    flat = enc.item_idx * enc.n_classes + enc.label_idx
    want = np.bincount(flat, minlength=enc.n_items * enc.n_classes).reshape(enc.n_items, -1)
    np.testing.assert_array_equal(enc.item_label_counts, want.astype(np.float64))


def test_no_answers_give_empty_counts():
    """No keys (no answers) is a zero table of the asked shape, as the direct count gives."""
    assert sorted_cell_counts(np.zeros(0, dtype=np.int64), 6, 3, 2).tolist() == [[0.0] * 3] * 2
    assert cell_sums(np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), 2, 3).shape == (2, 3)
