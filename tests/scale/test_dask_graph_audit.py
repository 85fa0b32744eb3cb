"""The sharded approximate graph checked against the exact search on a sample and its far rows searched
exactly on the workers (``checks/_dask_graph_audit.py``): one-hot tables on 1 and 3 partitions."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from labelwise.checks import find_data_issues
from labelwise.checks._dask_ann import sharded_approximate_graph
from labelwise.checks._dask_graph import column_fit
from labelwise.checks._graph_audit import audit_sample
from labelwise.checks.graph import NeighborGraph
from labelwise.errors import LabelwiseWarning
from tests.checks.test_graph_audit import onehot_table

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
pytest.importorskip("hnswlib")


@pytest.mark.parametrize("partitions", [1, 3])
def test_outliers_on_partitions_agree_with_the_exact_graph_in_memory(partitions):
    """3,000 one-hot rows in 1 or 3 partitions, method='approximate': the outlier flags differ from
    the in-memory exact graph's on at most 5% as many rows as it flags (one index per shard alone:
    on several times as many)."""
    X = onehot_table(3000, 5)
    exact = find_data_issues(features=X, checks=["outlier"], method="exact").issues["is_outlier_issue"].to_numpy()
    features = da.from_array(X, chunks=(-(-3000 // partitions), X.shape[1]))
    with dask.config.set(scheduler="threads"), warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        found = find_data_issues(features=features, checks=["outlier"], method="approximate", random_state=0)
        got = np.asarray(found.issues["is_outlier_issue"].compute())
    assert exact.sum() > 100
    assert (got ^ exact).sum() <= 0.05 * exact.sum()


@pytest.mark.parametrize("partitions", [1, 3])
def test_the_sampled_rows_have_the_exact_neighbours_and_the_record_says_so(partitions):
    """The audit's sample (the in-memory one for the seed) gets the exact graph's neighbours on the
    workers; the search record holds the audit and the partitions; two runs give the same graph."""
    X = onehot_table(2000, 6)
    exact = NeighborGraph.build(X, method="exact")
    chunks = (-(-2000 // partitions), X.shape[1])

    def build():
        with dask.config.set(scheduler="sync"), warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            return sharded(X, chunks, random_state=2)

    got, again = build(), build()
    sample = audit_sample(2000, 2)
    np.testing.assert_array_equal(got.indices[sample], exact.indices[sample])
    np.testing.assert_allclose(got.distances[sample], exact.distances[sample], rtol=1e-6)
    assert got.search.partitions == partitions
    assert got.search.audit["audit_rows"] == 1000 and got.search.audit["exact_rows"] >= 1000
    assert (got.indices == exact.indices).all(axis=1).sum() >= got.search.audit["exact_rows"]
    np.testing.assert_array_equal(got.indices, again.indices)
    np.testing.assert_array_equal(got.distances, again.distances)


def test_past_the_row_count_the_warning_names_the_rows_left_approximate(monkeypatch):
    """With MAX_EXACT_ROWS at 40, 3 partitions search at most 40 rows again besides the sample, and
    the warning says how many keep approximate neighbours, as in memory."""
    from labelwise.checks import _graph_audit

    monkeypatch.setattr(_graph_audit, "MAX_EXACT_ROWS", 40, raising=False)  # main: no cap, 25% searched
    X = onehot_table(3000, 5)
    with dask.config.set(scheduler="sync"):
        with pytest.warns(LabelwiseWarning, match=r"at most 40 are searched again.*about \d+ rows keep approximate"):
            graph = sharded(X, (1000, X.shape[1]), random_state=0)
    assert 1000 < graph.search.audit["exact_rows"] <= 1000 + 40


def sharded(X: np.ndarray, chunks: tuple[int, int], *, random_state: int):
    """The sharded approximate graph of ``X`` in row chunks ``chunks``, audited, computed."""
    mean, scale = column_fit(da.from_array(X, chunks=chunks), standardize=True)
    features = da.from_array(X, chunks=chunks)
    return sharded_approximate_graph(
        features, mean, scale, k=10, metric="euclidean", standardized=True, random_state=random_state
    ).compute()
