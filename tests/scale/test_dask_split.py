"""A split given as a dask array is checked on the workers with the in-memory rules."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")


@pytest.mark.parametrize("chunks", [50, 13, 200])
@pytest.mark.parametrize("missing", [None, np.nan])
def test_a_dask_split_with_missing_values_is_refused_as_in_memory(chunks, missing):
    """An empty split cell on dask gives memory's error (first row, count), for any chunking."""
    X = np.random.default_rng(3).normal(size=(200, 3))
    split = np.array(["train"] * 150 + ["test"] * 50, dtype=object)
    split[[77, 120, 181]] = missing
    with pytest.raises(lw.errors.InvalidParameterError) as memory:
        lw.checks.find_data_issues(X, split=split, checks="leakage")
    with dask.config.set(scheduler="sync"), pytest.raises(lw.errors.InvalidParameterError) as ours:
        lw.checks.find_data_issues(
            da.from_array(X, chunks=(60, 3)), split=da.from_array(split, chunks=chunks), checks="leakage"
        )
    assert "row 77 is" in str(ours.value) and "3 of 200 rows have none" in str(ours.value)
    assert str(ours.value) == str(memory.value)


def test_a_complete_dask_split_gives_memorys_leakage_flags():
    """With no missing value the dask split marks the same training rows as memory."""
    rng = np.random.default_rng(4)
    X = rng.normal(size=(120, 3))
    X[110] = X[5]
    split = np.where(np.arange(120) < 100, "train", "test").astype(object)
    memory = lw.checks.find_data_issues(X, split=split, checks="leakage")
    with dask.config.set(scheduler="sync"):
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(40, 3)), split=da.from_array(split, chunks=17), checks="leakage"
        )
    flags = np.asarray(ours.issues["is_leakage_issue"])
    assert flags.tolist() == np.asarray(memory.issues["is_leakage_issue"]).tolist()
    assert flags[110]
