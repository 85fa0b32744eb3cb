"""``weak.apply`` on Dask frames as a user meets them: the same votes and label model as in memory,
and errors that name the row as :func:`apply` numbers the items (session 24's walk)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from labelwise.weak import LabelingFunctionError, LabelModel, apply, labeling_function

dd = pytest.importorskip("dask.dataframe")
pytestmark = pytest.mark.usefixtures("dask_two_threads")


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    n = 103
    return pd.DataFrame({"x": rng.normal(size=n), "t": rng.choice(["a", "b", "c"], n)})


@labeling_function()
def by_x(row):
    return 1 if row.x > 0.5 else (0 if row.x < -0.5 else -1)


@labeling_function(vectorized=True)
def sign(df):
    return np.where(df.x > 0, 1, 0)


@labeling_function()
def is_a(row):
    return 1 if row.t == "a" else -1


@labeling_function()
def breaks_above_two(row):
    if row.x > 2:
        raise ValueError("too big")
    return 1


@labeling_function(vectorized=True)
def breaks_above_two_vectorized(df):
    if (df.x > 2).any():
        raise ValueError("too big")
    return np.ones(len(df), dtype=int)


@labeling_function()
def five_above_one(row):
    return 5 if row.x > 1 else 1


def _uneven_with_an_empty_partition(frame):
    parts = [frame.iloc[:1], frame.iloc[1:1], frame.iloc[1:90], frame.iloc[90:]]
    return dd.concat([dd.from_pandas(p, npartitions=1) for p in parts])


def _csv_parts(frame, tmp_path):
    """Three CSV files of 40, 1 and 62 rows: dd.read_csv gives each partition its own 0..len-1 index."""
    for i, (lo, hi) in enumerate([(0, 40), (40, 41), (41, len(frame))]):
        frame.iloc[lo:hi].to_csv(tmp_path / f"part{i}.csv", index=False)
    return dd.read_csv(str(tmp_path / "part*.csv"))


@pytest.mark.parametrize("shape", ["even", "uneven_and_empty", "text_index", "sparse_int_index", "read_csv"])
def test_votes_and_label_model_equal_memory(frame, tmp_path, shape):
    """Row and vectorised functions, any partitioning and index: the votes table, the matrix and the
    label model's posteriors are the in-memory ones."""
    memory = frame
    if shape == "even":
        lazy = dd.from_pandas(frame, npartitions=4)
    elif shape == "uneven_and_empty":
        lazy = _uneven_with_an_empty_partition(frame)
    elif shape == "text_index":
        memory = frame.set_index(pd.Index([f"r{i}" for i in range(len(frame))]))
        lazy = dd.from_pandas(memory, npartitions=3, sort=False)
    elif shape == "sparse_int_index":
        memory = frame.set_index(pd.Index(np.arange(len(frame)) * 7 + 1000))
        lazy = dd.from_pandas(memory, npartitions=3)
    else:
        lazy = _csv_parts(frame, tmp_path)
    lfs = [by_x, sign, is_a]
    expected, got = apply(lfs, memory), apply(lfs, lazy)
    assert list(map(str, got.items)) == list(map(str, expected.items))
    np.testing.assert_array_equal(got.matrix(), expected.matrix())
    np.testing.assert_array_equal(
        LabelModel().fit(got).predict_proba(got), LabelModel().fit(expected).predict_proba(expected)
    )


@pytest.mark.parametrize("abstain", [None, -1])
def test_abstain_values_drop_the_same_votes(frame, abstain):
    """None (under abstain=None) and -1 abstain on a Dask frame as in memory."""
    low = labeling_function(abstain=abstain, name="low")(lambda row: abstain if row.x < 0 else 1)
    high = labeling_function(abstain=abstain, name="high")(lambda row: abstain if row.x > 1 else 0)
    expected = apply([low, high], frame)
    got = apply([low, high], _uneven_with_an_empty_partition(frame))
    np.testing.assert_array_equal(got.matrix(), expected.matrix())


@pytest.mark.parametrize("lf", [breaks_above_two, breaks_above_two_vectorized])
def test_a_function_that_raises_names_the_row_through_the_files(frame, tmp_path, lf):
    """On dd.read_csv's frame the error named the partition's own row (38 of the third file) while
    apply numbers the items through the files (79): it now names row 79, as pandas.read_csv does."""
    (row,) = np.flatnonzero(frame.x > 2)
    with pytest.raises(LabelingFunctionError) as in_memory:
        apply([lf], frame)
    with pytest.raises(LabelingFunctionError) as lazy:
        apply([lf], _csv_parts(frame, tmp_path))
    assert str(lazy.value) == str(in_memory.value)
    assert f"on row {row}" in str(lazy.value) and lf.name in str(lazy.value)
    assert lazy.value.row == row and lazy.value.partition == 2


def test_a_value_outside_the_classes_names_the_row_through_the_files(frame, tmp_path):
    """A value outside ``classes`` on a read_csv frame names a row that holds it in the whole frame."""
    with pytest.raises(LabelingFunctionError, match=r"'five_above_one' returned 5 on row (\d+)") as lazy:
        apply([five_above_one], _csv_parts(frame, tmp_path), classes=[0, 1])
    assert frame.x.iloc[lazy.value.row] > 1


def test_a_unique_index_keeps_its_labels_in_the_error(frame):
    """A frame whose index is the items' ids names the row by its id, as in memory."""
    memory = frame.set_index(pd.Index(np.arange(len(frame)) * 7 + 1000))
    (row,) = memory.index[memory.x > 2]
    with pytest.raises(LabelingFunctionError, match=rf"on row {row}\b"):
        apply([breaks_above_two], dd.from_pandas(memory, npartitions=3))
