"""Properties of ``weak.apply_slices``: row order, Dask partitioning and repeated runs change nothing
but the order of the rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import apply_slices, slicing_function

SETTINGS = settings(max_examples=20, deadline=None)


@slicing_function()
def positive(row):
    return row.x > 0


@slicing_function(vectorized=True)
def is_a(df):
    return df.t == "a"


@slicing_function(vectorized=True)
def near_zero(df):
    return df.x.abs() < 0.5


SFS = [positive, is_a, near_zero]


def _frame(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n).round(2), "t": rng.choice(list("abc"), size=n)})


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40))
def test_permuting_rows_permutes_membership(seed, n):
    """Shuffling the frame's rows shuffles the membership rows with them, and the counts stay."""
    frame = _frame(seed, n)
    order = np.random.default_rng(seed + 1).permutation(n)
    base, shuffled = apply_slices(SFS, frame), apply_slices(SFS, frame.iloc[order])
    pd.testing.assert_frame_equal(shuffled.to_frame(), base.to_frame().iloc[order])
    pd.testing.assert_series_equal(shuffled.counts, base.counts)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40), parts=st.integers(1, 6))
def test_dask_partitions_give_pandas_membership(seed, n, parts):
    """Any partitioning of a Dask frame gives the membership of the pandas frame."""
    dd = pytest.importorskip("dask.dataframe")
    frame = _frame(seed, n)
    lazy = dd.from_pandas(frame, npartitions=min(parts, n))
    pd.testing.assert_frame_equal(apply_slices(SFS, lazy).to_frame(), apply_slices(SFS, frame).to_frame())


def test_repeated_runs_are_identical():
    """Applying twice gives the same matrix (the rules are deterministic; so is the applier)."""
    frame = _frame(3, 50)
    assert np.array_equal(apply_slices(SFS, frame).matrix, apply_slices(SFS, frame).matrix)
