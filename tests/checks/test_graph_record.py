"""The graph's search record (``graph.search``): which index ran, exact or not, its settings, the
fallback of ``"auto"``; kept by save/load (files of earlier versions still load) and in summary_dict."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import labelwise as lw
from labelwise.checks import _ann, graph
from labelwise.checks._graph_record import GraphSearch, describe_graph
from labelwise.checks._index_extras import INDEX_MODULES
from labelwise.checks.graph import NeighborGraph
from labelwise.errors import DataFileError, LabelwiseWarning
from tests._blocked import block

#: The keys of every approximate index's settings (the exact search has none).
SETTINGS = {
    "cells": {"cell_size", "probes", "share", "sample_per_cell", "kmeans_iter", "random_state"},
    "spill": {"cell_size", "spill", "sample_per_cell", "kmeans_iter", "random_state"},
    "hnswlib": {"M", "ef_construction", "ef", "ef_retry", "insert_rounds", "random_state", "threads"},
    "faiss-fp16": {"quantizer", "M", "ef_construction", "ef", "ef_retry", "threads"},
    "faiss-sq8": {"quantizer", "M", "ef_construction", "ef", "ef_retry", "threads"},
}


def _rows(n=600, d=5, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d))


def _needs(index):
    if index in INDEX_MODULES:
        pytest.importorskip(INDEX_MODULES[index])


class TestEachSearchRecordsItself:
    def test_the_exact_search(self):
        """method='exact': index 'exact', exact, no settings, what was asked, no fallback."""
        search = NeighborGraph.build(_rows(), k=5, method="exact").search
        assert search == GraphSearch("exact", True, {"method": "exact", "index": "auto"}, {}, None, None)

    @pytest.mark.parametrize("index", sorted(SETTINGS))
    def test_each_approximate_index_names_itself_and_its_settings(self, index):
        """method='approximate', index=<name>: the record names that index, not exact, with its settings."""
        _needs(index)
        search = NeighborGraph.build(_rows(), k=5, method="approximate", index=index, random_state=3).search
        assert (search.index, search.exact, search.fallback) == (index, False, None)
        assert search.requested == {"method": "approximate", "index": index}
        assert set(search.settings) == SETTINGS[index]
        assert search.settings.get("random_state", 3) == 3
        json.dumps(search.to_dict())

    def test_the_settings_are_the_ones_the_search_ran_with(self, monkeypatch):
        """hnswlib's M as the module holds it when the search runs, and the beam the search set: at k=40
        the beam is 2k + 2 = 82, not EF_SEARCH (64)."""
        pytest.importorskip("hnswlib")
        beams, built = [], _ann.build_index

        class Spy:
            def __init__(self, index):
                self.index = index

            def set_ef(self, ef):
                beams.append(ef)
                self.index.set_ef(ef)

            def knn_query(self, rows, k):
                return self.index.knn_query(rows, k=k)

        monkeypatch.setattr(_ann, "HNSW_M", 8)
        monkeypatch.setattr(_ann, "build_index", lambda *a, **kw: Spy(built(*a, **kw)))
        search = NeighborGraph.build(_rows(), k=40, method="approximate", index="hnswlib").search
        assert search.settings["M"] == 8
        assert beams[0] == search.settings["ef"] == 82
        assert search.settings["ef_retry"] == _ann.EF_RETRY

    def test_auto_records_what_it_picked(self, monkeypatch):
        """index='auto': exact at most AUTO_EXACT_MAX_ROWS rows; above, the index AUTO_INDEXES picks."""
        assert NeighborGraph.build(_rows(), k=5).search.index == "exact"
        monkeypatch.setattr(graph, "AUTO_EXACT_MAX_ROWS", 100)
        monkeypatch.setattr(graph, "AUTO_INDEXES", ((0, "spill"),))
        search = NeighborGraph.build(_rows(), k=5).search
        assert (search.index, search.exact, search.fallback) == ("spill", False, None)
        assert search.requested == {"method": "auto", "index": "auto"}

    def test_the_fallback_of_auto_without_hnswlib_is_recorded_with_the_warning_text(self, monkeypatch):
        """index='auto' picks hnswlib but it is missing: the record names the cells that ran and keeps the
        warning's text (before: the graph said only method='approximate')."""
        monkeypatch.setattr(graph, "AUTO_EXACT_MAX_ROWS", 100)
        block(monkeypatch, "hnswlib")
        with pytest.warns(LabelwiseWarning) as caught:
            search = NeighborGraph.build(_rows(), k=5).search
        assert (search.index, search.exact) == ("cells", False)
        assert search.fallback == str(caught[0].message)
        assert "picks hnswlib for 600 rows" in search.fallback
        assert "instead of the first choice of method='auto', index='auto'" in search.describe()

    def test_no_fallback_is_recorded_where_the_search_is_exact(self, monkeypatch):
        """Without hnswlib, method='auto' on few rows searches exactly: nothing fell back."""
        block(monkeypatch, "hnswlib")
        with warnings.catch_warnings():
            warnings.simplefilter("error", LabelwiseWarning)
            search = NeighborGraph.build(_rows(), k=5).search
        assert (search.index, search.fallback) == ("exact", None)


class TestSaveLoad:
    @pytest.mark.parametrize("index", ["cells", "hnswlib"])
    def test_the_record_survives_a_round_trip(self, tmp_path, index):
        """load(save(g)).search == g.search."""
        _needs(index)
        g = NeighborGraph.build(_rows(), k=5, method="approximate", index=index)
        assert NeighborGraph.load(g.save(tmp_path / "g.npz")).search == g.search

    def test_a_fallback_survives_a_round_trip(self, tmp_path, monkeypatch):
        """The fallback's text is kept too."""
        monkeypatch.setattr(graph, "AUTO_EXACT_MAX_ROWS", 100)
        block(monkeypatch, "hnswlib")
        with pytest.warns(LabelwiseWarning):
            g = NeighborGraph.build(_rows(), k=5)
        back = NeighborGraph.load(g.save(tmp_path / "g.npz"))
        assert back.search == g.search and back.search.fallback is not None

    @pytest.mark.parametrize("with_scaling", [True, False])
    def test_a_file_of_an_earlier_version_loads_without_a_record(self, tmp_path, with_scaling):
        """A file with the earlier fields only (with and without ``scaling``) loads; its search is None."""
        g = NeighborGraph.build(_rows(), k=5)
        fields = {
            "indices": g.indices,
            "distances": g.distances,
            "metric": np.array(g.metric),
            "standardized": np.array(g.standardized),
            "method": np.array(g.method),
        }
        if with_scaling:
            fields["scaling"] = np.array("zscore")
        np.savez(tmp_path / "old.npz", **fields)
        back = NeighborGraph.load(tmp_path / "old.npz")
        np.testing.assert_array_equal(back.indices, g.indices)
        assert (back.method, back.scaling, back.search) == ("exact", "zscore", None)
        assert "not recorded" in describe_graph(back)

    def test_an_earlier_reader_finds_its_fields_unchanged(self, tmp_path):
        """The record is one more member: the earlier members hold what they held."""
        g = NeighborGraph.build(_rows(), k=5, method="approximate", index="cells")
        with np.load(g.save(tmp_path / "g.npz")) as data:
            assert set(data.files) == {"indices", "distances", "metric", "standardized", "method", "scaling", "search"}
            assert str(data["method"]) == "approximate" and data["search"].dtype.kind == "U"

    def test_a_graph_without_a_record_saves_and_loads_without_one(self, tmp_path):
        """A graph made by hand (search None) round-trips as None."""
        g = NeighborGraph(indices=np.array([[1], [0]]), distances=np.zeros((2, 1), dtype=np.float32))
        assert NeighborGraph.load(g.save(tmp_path / "g.npz")).search is None

    @pytest.mark.parametrize("record", ["not json", json.dumps({"index": "kd-tree", "exact": True}), "[1, 2]"])
    def test_a_damaged_record_is_a_data_file_error_naming_the_file(self, tmp_path, record):
        """A ``search`` member that is not a record is a DataFileError naming the file."""
        g = NeighborGraph.build(_rows(), k=5)
        fields = {"indices": g.indices, "distances": g.distances, "metric": np.array("euclidean")}
        fields.update(standardized=np.array(True), method=np.array("exact"), search=np.array(record))
        np.savez(tmp_path / "bad.npz", **fields)
        with pytest.raises(DataFileError, match="bad.npz"):
            NeighborGraph.load(tmp_path / "bad.npz")


class TestSummary:
    def test_summary_dict_carries_the_record_next_to_the_method(self):
        """summary_dict()['graph']['search'] is the graph's record, JSON-ready."""
        found = lw.checks.find_data_issues(_rows(), checks=["outlier", "near_duplicate"], k=5)
        section = json.loads(json.dumps(found.summary_dict()))["graph"]
        assert section["method"] == "exact"
        assert section["search"] == found.graph.search.to_dict()
        assert section["search"]["index"] == "exact" and section["search"]["exact"] is True

    def test_a_label_graph_of_its_own_has_its_record(self):
        """label_scaling='fenced': the label graph's section has a record too."""
        X = _rows()
        y = (X[:, 0] > 0).astype(int)
        found = lw.checks.find_data_issues(X, y, checks=["outlier", "data_valuation"], k=5, label_scaling="fenced")
        out = found.summary_dict()
        assert out["label_graph"]["scaling"] == "fenced"
        assert out["label_graph"]["search"] == found.label_graph.search.to_dict()

    def test_a_given_graph_of_an_earlier_version_reports_no_record(self, tmp_path):
        """graph= loaded from an earlier file: summary says search None, not a made-up record."""
        g = NeighborGraph.build(_rows(), k=5)
        np.savez(
            tmp_path / "old.npz",
            indices=g.indices,
            distances=g.distances,
            metric=np.array("euclidean"),
            standardized=np.array(True),
            method=np.array("exact"),
        )
        found = lw.checks.find_data_issues(graph=NeighborGraph.load(tmp_path / "old.npz"), checks=["outlier"])
        assert found.summary_dict()["graph"]["search"] is None

    def test_describe_graph_says_index_settings_k_and_space_in_one_line(self):
        """The screen's line: the index, approximate, its settings, k, metric and scaling."""
        line = describe_graph(NeighborGraph.build(_rows(), k=5, method="approximate", index="cells"))
        assert "\n" not in line
        assert line.startswith("cells, approximate (cell_size=1024, probes=4")
        assert line.endswith("; k=5, euclidean, zscore columns")


class TestDaskFeatures:
    @pytest.fixture(autouse=True)
    def _dask(self):
        dask = pytest.importorskip("dask")
        self.da = pytest.importorskip("dask.array")
        with dask.config.set(scheduler="synchronous"):
            yield

    def test_the_sharded_exact_search_records_its_partitions(self):
        """Dask features, method='exact': index 'exact', one record for the 4 row chunks, kept by compute()."""
        X = self.da.from_array(_rows(400), chunks=(100, 5))
        found = lw.checks.find_data_issues(X, checks=["outlier"], k=5, method="exact")
        search = found.graph.search
        assert (search.index, search.exact, search.partitions, search.fallback) == ("exact", True, 4, None)
        assert search.requested == {"method": "exact"}
        assert found.graph.compute().search == search
        assert found.summary_dict()["graph"]["search"]["partitions"] == 4

    def test_one_hnswlib_index_per_shard_records_the_shards_settings(self):
        """method='approximate': hnswlib on every shard, one thread each, seeded from random_state."""
        pytest.importorskip("hnswlib")
        X = self.da.from_array(_rows(400), chunks=(200, 5))
        found = lw.checks.find_data_issues(X, checks=["outlier"], k=5, method="approximate", random_state=7)
        search = found.graph.search
        assert (search.index, search.exact, search.partitions) == ("hnswlib", False, 2)
        assert search.settings == {"M": 16, "ef_construction": 100, "ef": 64, "random_state": 7, "threads": 1}
        assert "2 partitions, one index each" in search.describe()

    def test_the_fallback_of_auto_without_hnswlib_is_recorded(self, monkeypatch):
        """method='auto' above the exact limit without hnswlib: every shard searched exactly, and the record
        keeps the warning's text."""
        from labelwise.checks import _dask_find

        monkeypatch.setattr(_dask_find, "AUTO_EXACT_MAX_ROWS", 100)
        block(monkeypatch, "hnswlib")
        X = self.da.from_array(_rows(400), chunks=(100, 5))
        with pytest.warns(LabelwiseWarning) as caught:
            search = lw.checks.find_data_issues(X, checks=["outlier"], k=5).graph.search
        assert (search.index, search.exact, search.requested) == ("exact", True, {"method": "auto"})
        assert search.fallback == str(caught[0].message) and "exact search of every shard" in search.fallback

    def test_a_given_graph_keeps_its_record_on_the_workers(self):
        """graph= with dask features: the partitioned graph carries the given graph's record."""
        g = NeighborGraph.build(_rows(400), k=5, method="approximate", index="cells")
        X = self.da.from_array(_rows(400), chunks=(100, 5))
        found = lw.checks.find_data_issues(X, checks=["outlier"], graph=g)
        assert found.graph.search == g.search
