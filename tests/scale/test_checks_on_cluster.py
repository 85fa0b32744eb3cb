"""find_data_issues on a dask array: the in-memory exact result, the features never gathered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import labelwise as lw
from labelwise.errors import InvalidParameterError, ShapeMismatchError

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")


def _blobs(n: int = 900, d: int = 6, seed: int = 0):
    """Blobs with flipped labels, far outliers, twins in different chunks, near twins and a split."""
    rng = np.random.default_rng(seed)
    mu = rng.normal(scale=6.0, size=(3, d))
    y = rng.integers(0, 3, n)
    X = (mu[y] + rng.normal(size=(n, d))).astype(np.float32)
    y[:15] = (y[:15] + 1) % 3
    X[20:30] += 14.0
    X[n - 10 :] = X[40:50]
    X[60:70] = X[100:110] + 1e-4
    split = np.where(rng.random(n) < 0.75, "train", "test")
    return X, y, split


def _digits():
    """scikit-learn's digits (1,797 x 64 integer pixels, constant border columns), 5% labels flipped."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(1)
    flip = rng.random(len(y)) < 0.05
    y = y.copy()
    y[flip] = (y[flip] + rng.integers(1, 10, flip.sum())) % 10
    return X, y


def assert_same_issues(ours, theirs) -> None:
    """The same flags, scores (float tolerance), summary and per-check info as in memory; ours a
    dask DataFrame of one partition per row chunk."""
    assert hasattr(ours.issues, "dask")
    ours = lw.checks.DataIssues(ours.issues.compute(), ours.summary, ours.info, ours.graph)
    assert list(ours.issues.columns) == list(theirs.issues.columns)
    for name in theirs.issues.columns:
        if name.startswith("is_"):
            np.testing.assert_array_equal(ours.issues[name], theirs.issues[name], err_msg=name)
        else:
            np.testing.assert_allclose(ours.issues[name], theirs.issues[name], rtol=1e-5, atol=1e-7, err_msg=name)
    pd.testing.assert_frame_equal(ours.summary, theirs.summary, rtol=1e-5)
    for check in ("exact_duplicate", "near_duplicate"):
        if check in theirs.info:
            assert ours.info[check]["sets"] == theirs.info[check]["sets"]
    assert ours.info.get("scaling") == theirs.info.get("scaling")


@pytest.fixture(autouse=True)
def _never_gathered(monkeypatch):
    """A test fails if anything turns the features (a dask array) into one numpy array."""

    def refuse(self, *args, **kwargs):
        raise AssertionError(f"a dask array of shape {self.shape} was gathered into one numpy array")

    monkeypatch.setattr(da.Array, "__array__", refuse)


class TestOnTheLocalCluster:
    def test_same_issues_as_in_memory_exact(self, client):
        """Every default check on blobs, labels and a split: the in-memory result (method="exact")."""
        X, y, split = _blobs()
        ours = lw.checks.find_data_issues(
            features=da.from_array(X, chunks=(200, 6)), labels=da.from_array(y, chunks=333), split=split
        )
        theirs = lw.checks.find_data_issues(features=X, labels=y, split=split, method="exact")
        assert list(ours.summary["check"]) == list(theirs.summary["check"])
        status = ours.summary.set_index("check")["status"]
        assert (status.drop("near_duplicate_text") == "ran").all()  # no texts given (dask features take none)
        assert status["near_duplicate_text"] == "skipped"
        assert list(theirs.summary["status"]) == list(ours.summary["status"])
        assert_same_issues(ours, theirs)
        assert ours.info["identifier_column"] == theirs.info["identifier_column"]
        assert theirs.summary.set_index("check").loc["exact_duplicate", "n_issues"] == 20

    def test_same_issues_on_digits_with_its_scaling_choice(self, client):
        """Real pixels (integers, constant columns): the labels' column scaling and every flag as in memory."""
        X, y = _digits()
        checks = ["label", "outlier", "exact_duplicate", "near_duplicate", "non_iid", "data_valuation", "null"]
        theirs = lw.checks.find_data_issues(features=X, labels=y, checks=checks, method="exact")
        ours = lw.checks.find_data_issues(features=da.from_array(X, chunks=(400, 64)), labels=y, checks=checks)
        assert_same_issues(ours, theirs)


class TestOnTheThreadsScheduler:
    @pytest.mark.parametrize("chunks", [(1, 299, 300), (450, 1, 149), 97])
    def test_one_row_chunks_and_uneven_chunks(self, chunks):
        """A chunk of one row and uneven chunks change nothing."""
        X, y, _ = _blobs(600)
        checks = ["outlier", "exact_duplicate", "near_duplicate", "label"]
        theirs = lw.checks.find_data_issues(features=X, labels=y, checks=checks, method="exact")
        with dask.config.set(scheduler="threads"):
            ours = lw.checks.find_data_issues(features=da.from_array(X, chunks=(chunks, 6)), labels=y, checks=checks)
        assert_same_issues(ours, theirs)

    def test_cosine_and_a_dask_dataframe_with_labels_in_other_chunks(self):
        """Features as a dask DataFrame (column names kept), labels as a dask array chunked otherwise."""
        X, y, _ = _blobs(300)
        frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
        checks = ["outlier", "near_duplicate", "exact_duplicate"]
        theirs = lw.checks.find_data_issues(features=frame, checks=checks, metric="cosine", method="exact")
        with dask.config.set(scheduler="threads"):
            ours = lw.checks.find_data_issues(
                features=dd.from_pandas(frame, npartitions=4),
                labels=da.from_array(y, chunks=7),
                checks=checks,
                metric="cosine",
            )
        assert_same_issues(ours, theirs)

    def test_columns_split_over_chunks_is_a_clear_error(self):
        """A chunking that splits columns names the fix (rechunk)."""
        X, _, _ = _blobs(200)
        with pytest.raises(ShapeMismatchError, match=r"features must not be chunked along columns.*rechunk"):
            lw.checks.find_data_issues(features=da.from_array(X, chunks=(50, 3)))

    def test_missing_values_are_an_error_naming_the_rows(self):
        """NaN in a chunk: the error names the row, as in memory."""
        X, _, _ = _blobs(200)
        X[73, 2] = np.nan
        with pytest.raises(InvalidParameterError, match=r"features must be finite.*rows \[73\]"):
            lw.checks.find_data_issues(features=da.from_array(X, chunks=(30, 6)))

    def test_constant_features_refused_for_the_graph_checks_only(self):
        """Features that never vary: the graph checks refuse them; exact duplicates take them."""
        X = np.ones((40, 3))
        with pytest.raises(InvalidParameterError, match="features must vary"):
            lw.checks.find_data_issues(features=da.from_array(X, chunks=(9, 3)), checks=["outlier"])
        found = lw.checks.find_data_issues(features=da.from_array(X, chunks=(9, 3)), checks=["exact_duplicate"])
        assert found.issues["is_exact_duplicate_issue"].compute().all()


class TestAWorkerLost:
    def test_the_graph_and_duplicates_with_a_worker_lost_mid_search_are_identical(self):
        """A worker closes after its 20th finished task of the sharded search (6 chunks, 36 pair
        tasks): Dask recomputes what it held; the graph and duplicate groups are the in-memory ones."""
        from labelwise.checks._dask_duplicates import partitioned_duplicate_groups
        from labelwise.checks._dask_graph import column_fit, sharded_exact_graph
        from labelwise.checks.exact_duplicate import duplicate_groups
        from labelwise.checks.graph import NeighborGraph

        from .test_worker_lost import _cluster_losing_a_worker

        X, _, _ = _blobs(600)
        Xd = da.from_array(X, chunks=(100, 6))
        mean, scale = column_fit(Xd, standardize=True)  # on the threads scheduler, before the cluster
        with _cluster_losing_a_worker(after=20) as (_, done):
            graph = sharded_exact_graph(Xd, mean, scale, k=5, metric="euclidean", standardized=True).compute()
            assert done, "the worker was not lost during the search"
            groups = partitioned_duplicate_groups(Xd).groups.compute()
        theirs = NeighborGraph.build(X, k=5, method="exact")
        np.testing.assert_array_equal(graph.indices, theirs.indices)
        np.testing.assert_allclose(graph.distances, theirs.distances, rtol=1e-6)
        np.testing.assert_array_equal(groups, duplicate_groups(X))
