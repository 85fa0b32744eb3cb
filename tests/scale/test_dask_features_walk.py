"""``find_data_issues`` on Dask features as a user gives them (session 24's walk): every issue
column, the summary and ``info`` equal the in-memory run's with exact neighbours."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelwise as lw

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pytestmark = pytest.mark.usefixtures("dask_two_threads")


def _blobs(n: int = 157, k: int = 3, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = rng.normal(size=(n, 4))
    X[:, 0] += 2 * y
    X[11] = X[10]  # a twin
    return X, y


def assert_same_as_memory(ours, theirs) -> None:
    got = ours.issues.compute().reset_index(drop=True)
    expected = theirs.issues.reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    for name in expected.columns:
        if expected[name].dtype.kind == "f":
            np.testing.assert_allclose(got[name], expected[name], rtol=0, atol=1e-12, err_msg=name)
        else:
            np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    pd.testing.assert_frame_equal(ours.summary, theirs.summary, rtol=1e-12)
    assert repr(ours.info) == repr(theirs.info)


@pytest.mark.parametrize(
    "case", ["chunks_not_dividing_n", "one_chunk", "float32", "constant_column", "two_classes", "a_class_without_rows"]
)
def test_dask_features_and_labels_give_the_in_memory_issues(case):
    X, y = _blobs(k=2 if case == "two_classes" else 3)
    chunks, options = 40, {}
    if case == "one_chunk":
        chunks = len(X)
    elif case == "float32":
        X = X.astype(np.float32)
    elif case == "constant_column":
        X[:, 2] = 3.0
    elif case == "a_class_without_rows":
        options = {"classes": [0, 1, 2, 3]}
    split = np.where(np.arange(len(X)) % 3 == 0, "test", "train")
    theirs = lw.checks.find_data_issues(X, y, split=split, method="exact", **options)
    ours = lw.checks.find_data_issues(
        da.from_array(X, chunks=(chunks, 4)),
        da.from_array(y, chunks=33),
        split=da.from_array(split, chunks=50),
        method="exact",
        **options,
    )
    assert_same_as_memory(ours, theirs)


def test_a_dask_frame_of_floats_booleans_and_nullable_integers_is_read_as_pandas_is():
    """A dask DataFrame mixing float, bool and Int64 (with <NA>) columns was refused ('got dtype object;
    encode strings first', the frame's to_dask_array being object) while the pandas frame is read as
    float64 with NaN for <NA>: the same issues now, the <NA> imputed or named as in memory."""
    X, y = _blobs()
    frame = pd.DataFrame(
        {
            "a": X[:, 0],
            "b": X[:, 1] > 0,
            "c": pd.array(np.round(X[:, 2] * 2).astype(int), dtype="Int64"),
            "id": np.arange(len(X)),
        }
    )
    frame.loc[7, "c"] = pd.NA
    lazy = dd.from_pandas(frame, npartitions=3)
    theirs = lw.checks.find_data_issues(frame, y, method="exact", impute=True)
    assert_same_as_memory(lw.checks.find_data_issues(lazy, y, method="exact", impute=True), theirs)
    with pytest.raises(lw.errors.InvalidParameterError, match=r"features must be finite.*rows \[7\]"):
        lw.checks.find_data_issues(lazy, y, method="exact")
