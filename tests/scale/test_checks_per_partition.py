"""The data checks per partition: the graph and the per-example results stay on the workers, the
answers are the in-memory ones for any chunking, and nothing n-long comes to the client."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelwise as lw
from labelwise.checks._partitioned import PartitionedGraph

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

#: The checks that run per partition (every per-example check).
PER_PARTITION = [
    "null",
    "exact_duplicate",
    "near_duplicate",
    "outlier",
    "label",
    "class_imbalance",
    "data_valuation",
    "leakage",
    "non_iid",
    "underperforming_group",
]


def _data(n: int = 240, d: int = 4, seed: int = 0):
    """Blobs with flipped labels, far rows, twins and near twins across chunks, and a split."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(scale=5.0, size=(3, d))[y] + rng.normal(size=(n, d))
    y[:12] = (y[:12] + 1) % 3
    X[15:20] += 15.0
    X[n - 6 :] = X[30:36]
    X[40:45] = X[80:85] + 1e-4
    split = np.where(rng.random(n) < 0.7, "train", "test")
    return X, y, split


def _chunkings(n: int):
    """Row chunkings of ``n`` rows: random sizes from 1 row to all of them."""
    return st.lists(st.integers(1, n), min_size=1, max_size=8).map(lambda sizes: _cut(sizes, n))


def _cut(sizes: list[int], n: int) -> tuple[int, ...]:
    out, left = [], n
    for s in sizes:
        if left == 0:
            break
        out.append(min(s, left))
        left -= out[-1]
    if left:
        out.append(left)
    return tuple(out)


def assert_same(ours, theirs) -> None:
    """The same flags, scores to 1e-12, summaries and per-check info as in memory."""
    assert hasattr(ours.issues, "dask")
    got = ours.issues.compute()
    assert list(got.columns) == list(theirs.issues.columns)
    np.testing.assert_array_equal(got.index, np.arange(len(theirs.issues)))
    for name in theirs.issues.columns:
        if name.endswith("_score"):
            np.testing.assert_allclose(got[name], theirs.issues[name], rtol=0, atol=1e-12, err_msg=name)
        else:
            np.testing.assert_array_equal(got[name], theirs.issues[name], err_msg=name)
    pd.testing.assert_frame_equal(ours.summary, theirs.summary, rtol=1e-12)
    for check in ("exact_duplicate", "near_duplicate"):
        if check in theirs.info:
            assert ours.info[check]["sets"] == theirs.info[check]["sets"]
    pairs = (("outlier", "cutoff_ratio"), ("near_duplicate", "radius"), ("leakage", "rows"), ("non_iid", "statistic"))
    for check, key in (*pairs, ("non_iid", "p_value")):
        if check in theirs.info:
            assert ours.info[check][key] == theirs.info[check][key], check
    if "label" in theirs.info:
        np.testing.assert_array_equal(ours.info["label"]["noise_matrix"], theirs.info["label"]["noise_matrix"])
    if "underperforming_group" in theirs.info:
        assert_same_groups(ours.info["underperforming_group"], theirs.info["underperforming_group"])


def assert_same_groups(ours: dict, theirs: dict) -> None:
    """underperforming_group's info: the same groups, counts and weak groups (their scores to 1e-12)."""
    assert {**ours, "weak_groups": None} == {**theirs, "weak_groups": None}
    assert [(w["group"], w["size"]) for w in ours["weak_groups"]] == [
        (w["group"], w["size"]) for w in theirs["weak_groups"]
    ]
    got, expected = ([w["score"] for w in info["weak_groups"]] for info in (ours, theirs))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


class TestSameAnswersAsInMemory:
    @settings(max_examples=12, deadline=None)
    @given(chunks=_chunkings(240))
    def test_every_per_example_check_for_any_chunking(self, chunks):
        """Any row chunking (1-row chunks included): each check's flags, scores and info are the
        in-memory exact run's."""
        X, y, split = _data()
        theirs = lw.checks.find_data_issues(X, y, split=split, checks=PER_PARTITION, method="exact")
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(chunks, 4)), y, split=split, checks=PER_PARTITION, method="exact"
            )
        assert_same(ours, theirs)

    def test_labels_and_split_given_as_dask_arrays_in_other_chunks(self):
        """Labels and split as dask arrays chunked unlike the features: the same result."""
        X, y, split = _data(seed=1)
        theirs = lw.checks.find_data_issues(X, y, split=split, checks=PER_PARTITION, method="exact")
        with dask.config.set(scheduler="threads"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(50, 4)),
                da.from_array(y, chunks=70),
                split=da.from_array(split, chunks=33),
                checks=PER_PARTITION,
                method="exact",
            )
        assert_same(ours, theirs)

    def test_probs_as_a_dask_array_feed_the_label_check(self):
        """With probs (a dask array), the label check is confident learning on them, as in memory."""
        X, y, _ = _data(seed=2)
        probs = np.random.default_rng(2).dirichlet(np.ones(3), size=len(y))
        probs[np.arange(len(y)), y] += 1.0
        probs /= probs.sum(axis=1, keepdims=True)
        theirs = lw.checks.find_data_issues(X, y, probs=probs, checks=["label", "outlier"], method="exact")
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(64, 4)),
                y,
                probs=da.from_array(probs, chunks=(100, 3)),
                checks=["label", "outlier"],
                method="exact",
            )
        assert ours.info["label"]["probs_from"] == "probs"
        assert_same(ours, theirs)

    def test_a_graph_given_in_memory_is_spread_over_the_chunks(self):
        """graph= with dask features: the checks read it per partition, the same flags."""
        X, y, _ = _data(seed=3)
        graph = lw.checks.NeighborGraph.build(X, k=6, method="exact")
        checks = ["outlier", "near_duplicate", "label", "data_valuation"]
        theirs = lw.checks.find_data_issues(X, y, graph=graph, checks=checks)
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(da.from_array(X, chunks=(90, 4)), y, graph=graph, checks=checks)
        assert isinstance(ours.graph, PartitionedGraph)
        assert_same(ours, theirs)


def test_the_issues_are_a_dask_frame_with_one_partition_per_chunk():
    """One partition per row chunk, indexed by row number; to_frame() is the in-memory table."""
    X, y, split = _data(seed=4)
    with dask.config.set(scheduler="sync"):
        ours = lw.checks.find_data_issues(da.from_array(X, chunks=(100, 4)), y, checks=PER_PARTITION, method="exact")
    theirs = lw.checks.find_data_issues(X, y, checks=PER_PARTITION, method="exact")
    assert ours.issues.npartitions == 3
    assert tuple(ours.issues.divisions) == (0, 100, 200, 239)
    pd.testing.assert_frame_equal(ours.to_frame(), theirs.to_frame(), rtol=1e-12)
    assert ours.graph.chunks == (100, 100, 40)
    np.testing.assert_array_equal(ours.graph.compute().indices, theirs.graph.indices)


def test_an_empty_chunk_is_dropped_and_the_answers_are_the_same():
    """Features with an empty row chunk (as a filter leaves them): three partitions, the in-memory flags."""
    X, y, split = _data(seed=11)
    Xd = da.from_array(X, chunks=((100, 0, 90, 50), 4))
    with dask.config.set(scheduler="sync"):
        ours = lw.checks.find_data_issues(Xd, y, split=split, checks=PER_PARTITION, method="exact")
    assert ours.issues.npartitions == 3
    assert_same(ours, lw.checks.find_data_issues(X, y, split=split, checks=PER_PARTITION, method="exact"))


def _watch_the_client(monkeypatch) -> list[int]:
    """The sizes of the arrays every later dask computation brings to the client (a list that
    grows); gathering the graph fails the test."""
    sizes: list[int] = []
    real = dask.base.compute

    def spy(*args, **kwargs):
        out = real(*args, **kwargs)
        sizes.extend(int(np.size(v)) for v in out if isinstance(v, np.ndarray))
        return out

    monkeypatch.setattr(dask.base, "compute", spy)
    monkeypatch.setattr(dask, "compute", spy)
    monkeypatch.setattr(PartitionedGraph, "compute", lambda self: pytest.fail("the graph was gathered"))
    return sizes


def test_no_n_long_array_comes_to_the_client(monkeypatch):
    """With every per-example check: no computed result holds as many values as rows (the quantile
    selection capped at 64 values here, so that it has to narrow; the groups' listing in info, kept
    for at most 10,000 rows as in memory, turned off), and the graph is never gathered."""
    import labelwise._dask_select as select
    from labelwise.checks import underperforming_group

    monkeypatch.setattr(select, "GATHER_CAP", 64)
    monkeypatch.setattr(underperforming_group, "INFO_GROUP_ROWS", 0)
    X, y, split = _data(n=3000, seed=5)
    sizes = _watch_the_client(monkeypatch)
    with dask.config.set(scheduler="sync"):
        found = lw.checks.find_data_issues(
            da.from_array(X, chunks=(500, 4)), y, split=split, checks=PER_PARTITION, method="exact", scaling="zscore"
        )
    assert sizes and max(sizes) < 3000 // 4
    assert found.summary["status"].eq("ran").all()


def test_a_check_without_a_partitioned_function_runs_on_the_graph_gathered_once(monkeypatch):
    """Every registered check runs per partition; one without a ``partitioned`` function (here
    underperforming_group with it removed) gets the graph brought to the client, once for two such
    checks, and the in-memory results."""
    from dataclasses import replace

    from labelwise.checks import find

    for name in ("underperforming_group", "non_iid"):
        monkeypatch.setitem(find.CHECKS, name, replace(find.CHECKS[name], partitioned=None))
    X, y, _ = _data(seed=6)
    calls = []
    real = PartitionedGraph.compute

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(PartitionedGraph, "compute", counted)
    checks = ["outlier", "non_iid", "underperforming_group"]
    theirs = lw.checks.find_data_issues(X, y, checks=checks, method="exact")
    with dask.config.set(scheduler="sync"):
        ours = lw.checks.find_data_issues(da.from_array(X, chunks=(80, 4)), y, checks=checks, method="exact")
    assert len(calls) == 1
    assert_same(ours, theirs)


def _drifting(n: int = 300, seed: int = 0) -> np.ndarray:
    """Rows in the order of a drift along a curve: the neighbours of a row are rows near it."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 20, n)
    return np.c_[t, np.sin(t)] + rng.normal(scale=0.05, size=(n, 2))


class TestNonIidPerPartition:
    @settings(max_examples=15, deadline=None)
    @given(chunks=_chunkings(300), shuffled=st.booleans(), seed=st.integers(0, 3))
    def test_the_statistic_p_value_and_flags_do_not_depend_on_the_partition_sizes(self, chunks, shuffled, seed):
        """Drift-ordered rows (the test rejects, rows flagged) or the same rows shuffled (it does not),
        any row chunking and random_state: the in-memory statistic, p-value, scores and flags, to the bit."""
        X = _drifting()
        if shuffled:
            X = X[np.random.default_rng(9).permutation(len(X))]
        theirs = lw.checks.find_data_issues(X, checks=["non_iid"], method="exact", random_state=seed)
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(chunks, 2)), checks=["non_iid"], method="exact", random_state=seed
            )
        assert ours.info["non_iid"] == theirs.info["non_iid"]
        got = ours.issues.compute()
        np.testing.assert_array_equal(got["non_iid_score"], theirs.issues["non_iid_score"])
        np.testing.assert_array_equal(got["is_non_iid_issue"], theirs.issues["is_non_iid_issue"])
        assert got["is_non_iid_issue"].any() != shuffled
        pd.testing.assert_frame_equal(ours.summary, theirs.summary)

    def test_the_graph_stays_on_the_workers(self, monkeypatch):
        """Only the statistics come to the client: no computed result as long as the rows, the graph
        never gathered, and the permutations the in-memory ones."""
        sizes: list[int] = []
        real = dask.base.compute

        def spy(*args, **kwargs):
            out = real(*args, **kwargs)
            sizes.extend(int(np.size(v)) for v in out)
            return out

        monkeypatch.setattr(dask.base, "compute", spy)
        monkeypatch.setattr(dask, "compute", spy)
        monkeypatch.setattr(PartitionedGraph, "compute", lambda self: pytest.fail("the graph was gathered"))
        X = _drifting(2000)
        options = {"non_iid": {"n_permutations": 5}}
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(500, 2)), checks=["non_iid"], method="exact", check_options=options
            )
        assert sizes and max(sizes) < 2000 // 4
        theirs = lw.checks.find_data_issues(X, checks=["non_iid"], method="exact", check_options=options)
        assert ours.info["non_iid"] == theirs.info["non_iid"]

    def test_a_threaded_run_on_a_graph_given_in_memory_is_the_in_memory_one(self):
        """graph= with dask features, the threads scheduler: the permutations and results of memory."""
        X = _drifting(400, seed=3)
        graph = lw.checks.NeighborGraph.build(X, k=7, method="exact")
        theirs = lw.checks.find_data_issues(X, graph=graph, checks=["non_iid"])
        with dask.config.set(scheduler="threads"):
            ours = lw.checks.find_data_issues(da.from_array(X, chunks=(90, 2)), graph=graph, checks=["non_iid"])
        assert ours.info["non_iid"] == theirs.info["non_iid"]
        assert_same(ours, theirs)


class TestDaskLabels:
    def test_string_labels_and_a_split_as_dask_encode_on_the_workers_as_in_memory(self):
        """String labels and a string split as dask arrays: the classes, flags and info of memory."""
        X, y, split = _data(seed=7)
        names = np.array(["cat", "dog", "emu"], dtype=object)[y]
        checks = ["label", "class_imbalance", "leakage", "outlier"]
        theirs = lw.checks.find_data_issues(X, names, split=split, checks=checks, method="exact")
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(60, 4)),
                da.from_array(names, chunks=47),
                split=da.from_array(split, chunks=100),
                checks=checks,
                method="exact",
            )
        assert ours.info["class_imbalance"] == theirs.info["class_imbalance"]
        assert_same(ours, theirs)

    def test_a_missing_label_is_named_by_its_row_as_in_memory(self):
        X, y, _ = _data(seed=8)
        labels = y.astype(float)
        labels[150] = np.nan
        with pytest.raises(lw.errors.InvalidLabelsError) as memory:
            lw.checks.find_data_issues(X, labels)
        with dask.config.set(scheduler="sync"), pytest.raises(lw.errors.InvalidLabelsError) as ours:
            lw.checks.find_data_issues(da.from_array(X, chunks=(60, 4)), da.from_array(labels, chunks=50))
        assert "row 150 is" in str(ours.value) and str(ours.value) == str(memory.value)

    def test_a_label_outside_the_classes_is_named_by_its_first_row_as_in_memory(self):
        X, y, _ = _data(seed=9)
        with pytest.raises(lw.errors.InvalidLabelsError) as memory:
            lw.checks.find_data_issues(X, y, classes=[0, 1], checks=["label"])
        with dask.config.set(scheduler="sync"), pytest.raises(lw.errors.InvalidLabelsError) as ours:
            lw.checks.find_data_issues(
                da.from_array(X, chunks=(60, 4)), da.from_array(y, chunks=50), classes=[0, 1], checks=["label"]
            )
        assert f"row {np.flatnonzero(y == 2)[0]} is 2" in str(ours.value)
        assert str(ours.value) == str(memory.value)

    @pytest.mark.parametrize("kind", ["classes", "probs"])
    def test_the_first_offending_row_is_named_not_the_smallest_offending_value(self, kind):
        """Two offending values, the larger one first: memory names the first row, and so must dask."""
        X, y, _ = _data(seed=11)
        labels = np.where(y == 2, 1, y)
        labels[[70, 130]] = [9, 5]
        probs = np.full((len(y), 2), 0.5)
        given = {"classes": [0, 1]} if kind == "classes" else {"probs": probs}
        with pytest.raises(lw.errors.InvalidLabelsError) as memory:
            lw.checks.find_data_issues(X, labels, checks=["label"], **given)
        with dask.config.set(scheduler="sync"), pytest.raises(lw.errors.InvalidLabelsError) as ours:
            lw.checks.find_data_issues(
                da.from_array(X, chunks=(60, 4)), da.from_array(labels, chunks=50), checks=["label"], **given
            )
        assert "row 70 is 9" in str(ours.value)
        assert str(ours.value) == str(memory.value)

    def test_a_split_without_the_training_value_is_refused(self):
        X, y, _ = _data(seed=10)
        split = da.from_array(np.where(y > 0, "a", "b"), chunks=50)
        with dask.config.set(scheduler="sync"), pytest.raises(lw.errors.InvalidParameterError, match="train_value"):
            lw.checks.find_data_issues(da.from_array(X, chunks=(60, 4)), y, split=split, checks=["leakage"])


@pytest.mark.slow
def test_a_worker_lost_during_the_checks_per_partition_changes_nothing():
    """A worker closes after its 30th finished task of the checks (the graph given, so every task is
    a check's): Dask recomputes what it held, and the answers are the in-memory ones."""
    from .test_worker_lost import _cluster_losing_a_worker

    X, y, split = _data(n=600, seed=12)
    graph = lw.checks.NeighborGraph.build(X, k=8, method="exact")
    theirs = lw.checks.find_data_issues(X, y, split=split, graph=graph, checks=PER_PARTITION)
    with _cluster_losing_a_worker(after=30) as (client, done):
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(100, 4)), y, split=split, graph=graph, checks=PER_PARTITION
        )
        assert done, "the worker was not lost during the checks"
        assert len(client.scheduler_info()["workers"]) == 1
        assert_same(ours, theirs)


class TestImpute:
    @settings(max_examples=8, deadline=None)
    @given(chunks=_chunkings(240))
    def test_missing_values_filled_with_exact_column_medians_as_in_memory(self, chunks):
        """impute=True: NaN and inf in several columns (one column without any finite value) are the
        column medians of memory for any chunking; the null check counts them; the flags are memory's."""
        X, y, split = _data(seed=13)
        X[[3, 50, 51, 200], 1] = np.nan
        X[[7, 120], 2] = np.inf
        X[:, 3] = np.nan
        checks = ["null", "outlier", "near_duplicate", "label", "exact_duplicate"]
        theirs = lw.checks.find_data_issues(X, y, checks=checks, impute=True, method="exact")
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(chunks, 4)), y, checks=checks, impute=True, method="exact"
            )
        assert theirs.info["null"]["missing_values"] == 246
        assert_same(ours, theirs)
        assert ours.info["null"] == theirs.info["null"]

    def test_without_impute_the_error_says_how_to_fill(self):
        X, y, _ = _data(seed=14)
        X[73, 2] = np.nan
        with pytest.raises(lw.errors.InvalidParameterError, match=r"rows \[73\].*impute=True"):
            lw.checks.find_data_issues(da.from_array(X, chunks=(30, 4)), y)


class TestLabelScaling:
    @pytest.mark.parametrize("label_scaling", ["fenced", "auto"])
    def test_the_label_graph_on_the_fenced_range_as_in_memory(self, label_scaling):
        """label_scaling="fenced"/"auto" with one column of far-out values: the same fenced range,
        choice, label graph and flags as in memory; the checks without labels keep z-scores."""
        X, y, split = _data(n=300, seed=15)
        X[:12, 0] += 400.0  # a heavy-tailed column: the fenced range differs from the z-score
        checks = ["outlier", "label", "data_valuation", "near_duplicate"]
        theirs = lw.checks.find_data_issues(X, y, checks=checks, label_scaling=label_scaling, method="exact")
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(70, 4)), y, checks=checks, label_scaling=label_scaling, method="exact"
            )
        assert ours.info["label_scaling"] == theirs.info["label_scaling"]
        assert ours.info["scaling"] == theirs.info["scaling"]
        np.testing.assert_array_equal(ours.label_graph.compute().indices, theirs.label_graph.indices)
        np.testing.assert_array_equal(ours.graph.compute().indices, theirs.graph.indices)
        assert_same(ours, theirs)

    def test_auto_choosing_the_fenced_range_as_in_memory(self):
        """Labels that follow two columns whose far-out rows shrink their z-scores: "auto" chooses
        the fenced range (a second graph) on dask as in memory, with the same flags."""
        rng = np.random.default_rng(17)
        X = rng.normal(size=(400, 6))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        X[:20, :3] *= 40.0
        checks = ["outlier", "label", "underperforming_group"]
        theirs = lw.checks.find_data_issues(X, y, checks=checks, label_scaling="auto", method="exact")
        assert theirs.info["label_scaling"]["chosen"] == "fenced"
        with dask.config.set(scheduler="sync"):
            ours = lw.checks.find_data_issues(
                da.from_array(X, chunks=(90, 6)), y, checks=checks, label_scaling="auto", method="exact"
            )
        assert ours.info["label_scaling"] == theirs.info["label_scaling"]
        np.testing.assert_array_equal(ours.label_graph.compute().indices, theirs.label_graph.indices)
        assert_same(ours, theirs)

    def test_the_fenced_range_is_the_in_memory_one_for_any_chunking(self):
        """The divisor per column and the share outside the fence, to the bit."""
        from labelwise.checks._dask_label_graph import dask_fenced_range
        from labelwise.checks._scaling import fenced_range
        from labelwise.checks.graph import StandardizedRows

        X, _, _ = _data(n=300, seed=16)
        X[:9, 2] *= 50.0
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        theirs = fenced_range(view)
        for chunks in ((1, 299), (100, 100, 100), (7,) * 42 + (6,)):
            with dask.config.set(scheduler="sync"):
                span, outside = dask_fenced_range(da.from_array(X, chunks=(chunks, 4)), view.mean, view.scale)
            np.testing.assert_array_equal(span, theirs[0])
            assert outside == theirs[1]


def test_the_neighbours_labels_are_fetched_once_for_the_checks_that_read_them(monkeypatch):
    """label and data_valuation both read labels[indices]: one fetch across the partitions, the
    same answers as in memory."""
    import labelwise._dask_take as take

    calls = []
    real = take.take_rows

    def counted(values, indices):
        calls.append(1)
        return real(values, indices)

    monkeypatch.setattr(take, "take_rows", counted)
    X, y, _ = _data(seed=18)
    checks = ["label", "data_valuation"]
    theirs = lw.checks.find_data_issues(X, y, checks=checks, method="exact")
    with dask.config.set(scheduler="sync"):
        ours = lw.checks.find_data_issues(da.from_array(X, chunks=(80, 4)), y, checks=checks, method="exact")
    assert len(calls) == 1
    assert_same(ours, theirs)


def test_probs_as_a_list_beside_dask_labels_as_in_memory():
    """Probs given as nested lists with dask labels are checked as in memory and read per partition."""
    X, y, _ = _data(seed=19)
    probs = np.full((len(y), 3), 0.1)
    probs[np.arange(len(y)), y] = 0.8
    theirs = lw.checks.find_data_issues(X, y, probs=probs.tolist(), checks=["label"], method="exact")
    with dask.config.set(scheduler="sync"):
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(80, 4)), da.from_array(y, chunks=60), probs=probs.tolist(), checks=["label"]
        )
    assert_same(ours, theirs)


@settings(max_examples=10, deadline=None)
@given(chunks=_chunkings(240))
def test_identifier_and_constant_columns_per_partition_as_in_memory(chunks):
    """A row id, a descending id, a constant and a column rising only within blocks: the in-memory
    roles for any row chunking, the features never gathered."""
    X, y, _ = _data(seed=12)
    X = np.column_stack([X, np.arange(240.0), 500.0 - np.arange(240), np.full(240, 3.0), np.arange(240) % 60])
    theirs = lw.checks.find_data_issues(X, y, checks=["identifier_column"], method="exact")
    with dask.config.set(scheduler="sync"):
        ours = lw.checks.find_data_issues(
            da.from_array(X, chunks=(chunks, -1)), y, checks=["identifier_column"], method="exact"
        )
    assert ours.info["identifier_column"] == theirs.info["identifier_column"]
    assert theirs.info["identifier_column"]["identifier_columns"] == [4, 5]
    assert theirs.info["identifier_column"]["constant_columns"] == [6]
    assert_same(ours, theirs)
