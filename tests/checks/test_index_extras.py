"""The neighbour graph without the ann / ann-faiss extras: a named index that is missing is one
MissingDependencyError before any work; index="auto" falling back to the built-in search says so."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import labelwise as lw
from labelwise.checks.graph import AUTO_EXACT_MAX_ROWS, NeighborGraph
from labelwise.errors import LabelwiseWarning, MissingDependencyError
from tests._blocked import block


def _rows(n, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 3))


class TestNamedIndex:
    @pytest.mark.parametrize(
        ("index", "package", "extra"), [("hnswlib", "hnswlib", "ann"), ("faiss-sq8", "faiss-cpu", "ann-faiss")]
    )
    def test_a_named_index_that_is_not_installed_names_its_extra(self, monkeypatch, index, package, extra):
        """method='approximate' with a missing index: the package and `pip install "labelwise[<extra>]"`
        (before: faiss said `pip install faiss-cpu`, hnswlib an InvalidParameterError after standardising)."""
        block(monkeypatch, "hnswlib", "faiss")
        with pytest.raises(MissingDependencyError, match=rf'needs {package}, .*pip install "labelwise\[{extra}\]"'):
            NeighborGraph.build(_rows(50), k=3, method="approximate", index=index)

    def test_a_named_index_with_method_auto_is_refused_not_replaced_by_the_exact_search(self, monkeypatch):
        """index='hnswlib', method='auto' above the exact limit without hnswlib: before, the exact search ran
        silently in its place."""
        block(monkeypatch, "hnswlib")
        with pytest.raises(MissingDependencyError, match="index='hnswlib' needs hnswlib"):
            NeighborGraph.build(_rows(AUTO_EXACT_MAX_ROWS + 1), k=3, index="hnswlib")

    def test_the_exact_method_needs_no_index(self, monkeypatch):
        """method='exact' with index='hnswlib' uses no index: no error without hnswlib."""
        block(monkeypatch, "hnswlib")
        assert NeighborGraph.build(_rows(50), k=3, method="exact", index="hnswlib").method == "exact"


class TestAutoIndexFallback:
    def test_auto_index_without_hnswlib_warns_which_search_ran(self, monkeypatch):
        """Above the exact limit index='auto' picks hnswlib; without it the cells run, and a warning says so
        with the install command (before: the cells ran without a word)."""
        block(monkeypatch, "hnswlib")
        with pytest.warns(LabelwiseWarning, match=r"picks hnswlib for 5001 rows.*labelwise\[ann\].*cells"):
            graph = NeighborGraph.build(_rows(AUTO_EXACT_MAX_ROWS + 1), k=3)
        assert graph.method == "approximate"

    def test_find_data_issues_passes_the_fallback_warning_on(self, monkeypatch):
        """The data checks (the audit's) say it too."""
        block(monkeypatch, "hnswlib")
        X = _rows(AUTO_EXACT_MAX_ROWS + 1)
        with pytest.warns(LabelwiseWarning, match="k-means cells"):
            lw.checks.find_data_issues(X, checks=["outlier"], k=3)

    def test_no_warning_where_the_search_is_exact_or_hnswlib_is_there(self, monkeypatch):
        """At most AUTO_EXACT_MAX_ROWS rows the search is exact whatever is installed: nothing to say."""
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            if lw.checks.graph._ann_available("hnswlib"):
                NeighborGraph.build(_rows(AUTO_EXACT_MAX_ROWS + 1), k=3)
            block(monkeypatch, "hnswlib")
            assert NeighborGraph.build(_rows(AUTO_EXACT_MAX_ROWS), k=3).method == "exact"


class TestDaskFeatures:
    def test_approximate_on_dask_features_without_hnswlib_is_refused_before_the_search(self, monkeypatch):
        """method='approximate' on dask features: one MissingDependencyError (before: hnswlib's error from a task)."""
        da = pytest.importorskip("dask.array")
        X = da.from_array(_rows(400), chunks=(100, 3))
        block(monkeypatch, "hnswlib")
        with pytest.raises(MissingDependencyError, match=r"method='approximate' on dask features .*labelwise\[ann\]"):
            lw.checks.find_data_issues(X, checks=["outlier"], k=3, method="approximate")

    @pytest.mark.slow
    def test_auto_on_dask_features_without_hnswlib_warns_of_the_exact_search(self, monkeypatch):
        """method='auto' above the exact limit without hnswlib: the shards are searched exactly, with a warning."""
        da = pytest.importorskip("dask.array")
        X = da.from_array(_rows(AUTO_EXACT_MAX_ROWS + 1), chunks=(2000, 3))
        block(monkeypatch, "hnswlib")
        with pytest.warns(LabelwiseWarning, match=r"method='auto' picks hnswlib .* exact search of every shard"):
            lw.checks.find_data_issues(X, checks=["outlier"], k=3)
