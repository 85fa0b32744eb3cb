"""The data checks on a dask array draw one bar per step, on the threads scheduler and a LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest

import labelwise as lw

from ._bars import assert_complete, drawn

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

EXACT = [
    "features: missing values and ranges",
    "column scaling",
    "neighbour graph: exact search",
    "exact duplicates: row hashes",
    "exact duplicates: rows compared",
]


def _features(n: int = 600) -> np.ndarray:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(n, 4)).astype(np.float32)
    X[-3:] = X[:3]  # twins across the first and last chunks
    return X


@pytest.mark.parametrize("scheduler", ["threads", "cluster"])
def test_each_step_of_the_exact_checks_is_a_bar_that_reaches_its_total(scheduler, request):
    """Missing values, column scaling, the sharded search and both duplicate steps are each drawn and
    complete; the result is the one drawn without bars."""
    X = da.from_array(_features(), chunks=(150, 4))
    checks = ["outlier", "exact_duplicate"]
    if scheduler == "cluster":
        request.getfixturevalue("client")
        with drawn() as buf:
            found = lw.checks.find_data_issues(features=X, checks=checks)
        plain = lw.checks.find_data_issues(features=X, checks=checks)
    else:
        with dask.config.set(scheduler="threads"):
            with drawn() as buf:
                found = lw.checks.find_data_issues(features=X, checks=checks)
            plain = lw.checks.find_data_issues(features=X, checks=checks)
    assert_complete(buf.getvalue(), EXACT)
    assert found.issues.compute().equals(plain.issues.compute())


def test_the_approximate_search_draws_its_indexes_and_searches():
    """method="approximate": the shard indexes and the searches are two bars."""
    pytest.importorskip("hnswlib")
    X = da.from_array(_features(), chunks=(200, 4))
    with dask.config.set(scheduler="threads"), drawn() as buf:
        lw.checks.find_data_issues(features=X, checks=["outlier"], method="approximate")
    assert_complete(buf.getvalue(), ["neighbour graph: shard indexes", "neighbour graph: searches"])


def test_nothing_is_drawn_without_a_terminal(capsys):
    """stderr is not a terminal under pytest: no bar, nothing on stderr."""
    X = da.from_array(_features(), chunks=(150, 4))
    with dask.config.set(scheduler="threads"):
        lw.checks.find_data_issues(features=X, checks=["outlier", "exact_duplicate"])
    assert capsys.readouterr().err == ""
