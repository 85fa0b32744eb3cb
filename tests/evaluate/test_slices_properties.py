"""Properties of ``evaluate.slice_scores``: row order, class names and repeated runs change nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.evaluate import slice_scores

SETTINGS = settings(max_examples=12, deadline=None)


def _data(seed: int, n: int):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    pred = np.where(rng.random(n) < 0.6, y, rng.integers(0, 3, n))
    slices = {"s": rng.random(n) < 0.5, "t": rng.random(n) < 0.2}
    return y, pred, slices, rng.random(n) < 0.3


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60))
def test_row_permutation_changes_nothing(seed, n):
    """Shuffling every per-row input the same way gives the same table (bootstrap included)."""
    y, pred, slices, flagged = _data(seed, n)
    order = np.random.default_rng(seed).permutation(n)
    kw = {"metrics": ["accuracy", "balanced_accuracy"], "n_bootstrap": 10, "random_state": seed}
    base = slice_scores(y, pred, slices, issues=flagged, **kw).table
    moved = slice_scores(
        y[order], pred[order], {k: v[order] for k, v in slices.items()}, issues=flagged[order], **kw
    ).table
    pd.testing.assert_frame_equal(base, moved)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60))
def test_renaming_classes_keeps_accuracy(seed, n):
    """Class names (ints or words) do not change accuracy, its Wilson interval or the sizes."""
    y, pred, slices, _ = _data(seed, n)
    names = np.array(["zebra", "ant", "moth"])
    base = slice_scores(y, pred, slices).table
    renamed = slice_scores(names[y], names[pred], slices).table
    pd.testing.assert_frame_equal(base, renamed)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60))
def test_slice_interval_does_not_depend_on_other_slices(seed, n):
    """A slice's bootstrap interval is the same whether other slices are given or not."""
    y, pred, slices, _ = _data(seed, n)
    kw = {"metrics": ["balanced_accuracy"], "n_bootstrap": 10, "random_state": 1}
    both = slice_scores(y, pred, slices, **kw).table
    alone = slice_scores(y, pred, {"s": slices["s"]}, **kw).table
    pd.testing.assert_frame_equal(both.loc[["overall", "s"]], alone)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(2, 60), block=st.integers(1, 50))
def test_row_blocks_do_not_change_the_table(seed, n, block):
    """Counting the confusion cells in blocks of any size gives the table of one block."""
    import labelwise._chunks as chunks

    y, pred, slices, _ = _data(seed, n)
    kw = {"metrics": ["accuracy", "balanced_accuracy"], "n_bootstrap": 10}
    whole = slice_scores(y, pred, slices, **kw).table
    saved = chunks.BLOCK_ELEMENTS
    chunks.BLOCK_ELEMENTS = block
    try:
        blocked = slice_scores(y, pred, slices, **kw).table
    finally:
        chunks.BLOCK_ELEMENTS = saved
    pd.testing.assert_frame_equal(whole, blocked)
