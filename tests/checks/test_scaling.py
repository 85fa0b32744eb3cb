"""The label graph's scaling: the fenced range, the labels' choice, and how find_data_issues uses it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import NeighborGraph, find_data_issues
from labelwise.checks import _scaling as scaling
from labelwise.checks.graph import StandardizedRows, exact_knn
from labelwise.errors import InvalidParameterError, LabelwiseError

LABEL_CHECKS = ["label", "data_valuation", "underperforming_group"]
FREE_CHECKS = ["outlier", "exact_duplicate", "near_duplicate", "leakage", "non_iid", "null", "identifier_column"]


def sparse_noise(n: int = 800, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes in two informative columns, plus sixteen sparse noise columns (z-scores blow them up)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    informative = rng.normal(size=(n, 2)) + 2.5 * np.c_[np.cos(2 * np.pi * y / 3), np.sin(2 * np.pi * y / 3)]
    sparse = np.where(rng.random((n, 16)) < 0.03, rng.uniform(5, 10, (n, 16)), 0.0)
    return np.hstack([informative, sparse]), y


def heavy_tailed(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two classes in one heavy-tailed column (its range is set by real tail values), three uniform noise columns."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    informative = (2 * y - 1)[:, None] + 0.3 * rng.standard_t(1.2, size=(n, 1))
    return np.hstack([informative, rng.uniform(-1, 1, (n, 3))]), y


def view(X: np.ndarray) -> StandardizedRows:
    return StandardizedRows.fit(X, metric="euclidean", standardize=True)


class TestFencedRange:
    def test_rows_far_out_in_many_columns_do_not_set_the_range(self):
        """A row far out in every column is outside the fence; the ranges are those of the other rows."""
        rng = np.random.default_rng(0)
        X = rng.uniform(0, 1, (40, 3))
        X[7] = [50.0, -40.0, 60.0]
        span, outside = scaling.fenced_range(view(X))
        rest = np.delete(X, 7, axis=0)
        np.testing.assert_allclose(span, rest.max(0) - rest.min(0))
        assert outside == pytest.approx(1 / 40)

    def test_a_spike_in_one_column_is_inside_and_sets_that_column_range(self):
        """A rare large value of a sparse column is left out of its row's statistic, so it keeps its range."""
        rng = np.random.default_rng(1)
        X = np.c_[rng.uniform(0, 1, (40, 2)), np.zeros(40)]
        X[5, 2] = 30.0
        span, outside = scaling.fenced_range(view(X))
        assert span[2] == 30.0
        assert outside == 0.0

    def test_constant_columns(self):
        """A constant column divides by 1; one constant inside the fence keeps its full range."""
        rng = np.random.default_rng(2)
        X = np.c_[rng.uniform(0, 1, (40, 3)), np.full(40, 4.0), np.zeros(40)]
        X[9] = [80.0, 90.0, -70.0, 4.0, 12.0]  # far in three columns; the last column varies only here
        span, outside = scaling.fenced_range(view(X))
        assert span[3] == 1.0
        assert span[4] == 12.0
        assert outside == pytest.approx(1 / 40)

    @settings(max_examples=25, deadline=None)
    @given(st.integers(0, 10_000), st.integers(1, 6))
    def test_row_order_and_block_size_do_not_change_it(self, seed, d):
        """The fenced divisors are the same for any row order and any row block."""
        rng = np.random.default_rng(seed)
        X = rng.standard_t(2, size=(300, d))
        span, outside = scaling.fenced_range(view(X))
        order = rng.permutation(300)
        span2, outside2 = scaling.fenced_range(view(X[order]))
        np.testing.assert_allclose(span2, span, rtol=1e-12)
        assert outside2 == outside


class TestCommonScale:
    @pytest.mark.parametrize("factor", [1e200, 1e-200])
    def test_columns_of_extreme_size_get_a_finite_common_scale(self, factor):
        """The root mean square of scales of 1e200 (squares overflow) or 1e-200 (underflow) is factor times the plain one."""
        X = np.random.default_rng(0).normal(size=(50, 3)) * [1.0, 2.0, 3.0]
        plain = scaling.common_scale(StandardizedRows.fit(X, metric="euclidean", standardize=True))
        big = scaling.common_scale(StandardizedRows.fit(X * factor, metric="euclidean", standardize=True))
        np.testing.assert_allclose(big.scale, plain.scale * factor, rtol=1e-12)


class TestAgreementGain:
    @settings(max_examples=40, deadline=None)
    @given(st.integers(0, 10_000), st.integers(12, 40), st.integers(1, 4), st.integers(2, 4))
    def test_equals_the_all_pairs_definition(self, seed, m, k, classes):
        """The mean gain and the dependency-graph variance equal a brute-force sum over all row pairs."""
        rng = np.random.default_rng(seed)
        near_f = np.array([rng.choice(np.delete(np.arange(m), i), k, replace=False) for i in range(m)])
        near_z = np.array([rng.choice(np.delete(np.arange(m), i), k, replace=False) for i in range(m)])
        y = rng.integers(0, classes, m)
        gain, se = scaling.agreement_gain(near_f, near_z, y)
        d = np.array([np.mean(y[near_f[i]] == y[i]) - np.mean(y[near_z[i]] == y[i]) for i in range(m)])
        e = d - d.mean()
        sets = [{i} | (set(near_f[i]) ^ set(near_z[i])) for i in range(m)]
        v = sum(e[i] * e[j] for i in range(m) for j in range(m) if sets[i] & sets[j])
        assert gain == pytest.approx(d.mean(), abs=1e-12)
        assert se == pytest.approx(np.sqrt(max(v, np.sum(e * e))) / m, rel=1e-9, abs=1e-15)

    def test_identical_lists_give_zero(self):
        """The same neighbours under both scalings: no gain, no standard error."""
        near = np.array([[1, 2], [0, 2], [0, 1]])
        assert scaling.agreement_gain(near, near, np.array([0, 1, 0])) == (0.0, 0.0)


class TestNeighbourLists:
    @settings(max_examples=30, deadline=None)
    @given(st.integers(0, 10_000), st.integers(15, 200), st.integers(1, 5), st.booleans())
    def test_equal_to_the_exact_search(self, seed, n, d, integers):
        """The same lists as exact_knn, with duplicates and ties (integer rows) too."""
        rng = np.random.default_rng(seed)
        Z = (rng.integers(0, 3, (n, d)) if integers else rng.normal(size=(n, d))).astype(np.float32)
        Z[n // 2 :: 3] = Z[0]  # many copies of one row
        k = int(min(10, n - 1))
        np.testing.assert_array_equal(scaling.neighbour_lists(Z, k), exact_knn(Z, k)[0])


class TestChoice:
    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_picks_the_fenced_range_when_sparse_noise_columns_are_blown_up(self, seed):
        """Sparse noise columns get unit variance under z-scores: the labels prefer the fenced range."""
        X, y = sparse_noise(seed=seed)
        info = find_data_issues(X, y, checks="label", label_scaling="auto").info["label_scaling"]
        assert info["chosen"] == "fenced"
        assert info["statistic"] > scaling.CHOICE_Z
        assert info["reason"] == "labels' choice" and info["rows"] == len(y)

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_keeps_zscores_when_a_heavy_tail_sets_the_range(self, seed):
        """Real tail values set the informative column's range, squeezing it: the labels keep z-scores."""
        X, y = heavy_tailed(seed=seed)
        info = find_data_issues(X, y, checks="label", label_scaling="auto").info["label_scaling"]
        assert info["chosen"] == "zscore"
        assert info["statistic"] < 0

    def test_is_deterministic(self):
        """Two runs: the same choice, statistic, graphs and columns."""
        X, y = sparse_noise()
        a, b = (find_data_issues(X, y, checks=LABEL_CHECKS, label_scaling="auto") for _ in range(2))
        assert a.info["label_scaling"] == b.info["label_scaling"]
        np.testing.assert_array_equal(a.label_graph.indices, b.label_graph.indices)
        assert a.issues.equals(b.issues)

    def test_row_order_and_class_names_do_not_change_it(self):
        """Up to 5,000 rows every row is used: a permutation and renamed classes give the same statistic."""
        X, y = sparse_noise()
        base = find_data_issues(X, y, checks="label", label_scaling="auto").info["label_scaling"]
        order = np.random.default_rng(3).permutation(len(y))
        names = np.array(["cat", "dog", "emu"])[y]
        for X2, y2 in ((X[order], y[order]), (X, names)):
            got = find_data_issues(X2, y2, checks="label", label_scaling="auto").info["label_scaling"]
            assert got["chosen"] == base["chosen"]
            assert got["statistic"] == pytest.approx(base["statistic"], rel=1e-9)

    def test_a_subsample_above_choice_rows_is_drawn_by_random_state(self, monkeypatch):
        """Above CHOICE_ROWS rows the choice uses that many, drawn by random_state (the same seed, the same draw)."""
        monkeypatch.setattr(scaling, "CHOICE_ROWS", 300)
        X, y = sparse_noise()
        runs = [
            find_data_issues(X, y, checks="label", random_state=s, label_scaling="auto").info["label_scaling"]
            for s in (0, 0, 1)
        ]
        assert runs[0]["rows"] == 300
        assert runs[0] == runs[1]
        assert runs[2]["statistic"] != runs[0]["statistic"]


@pytest.fixture(scope="module")
def fenced_run():
    """Features where the labels choose the fenced range, a split and exact duplicates; the default run."""
    X, y = sparse_noise()
    split = np.where(np.arange(len(y)) % 4 == 0, "test", "train")
    X[::50] = X[1::50]  # exact duplicates, some across the split
    return X, y, split, find_data_issues(X, y, split=split, label_scaling="auto")


class TestFindDataIssues:
    def test_label_free_checks_are_those_of_the_zscore_run(self, fenced_run):
        """With the fenced range chosen, every label-free check's columns equal the z-score-only run's."""
        X, y, split, found = fenced_run
        assert found.info["label_scaling"]["chosen"] == "fenced"
        plain = find_data_issues(X, y, split=split, label_scaling="zscore", scaling="zscore")
        columns = [c for c in found.issues if any(c.endswith(f"{name}_score") for name in FREE_CHECKS)]
        columns += [c for c in found.issues if any(c == f"is_{name}_issue" for name in FREE_CHECKS)]
        assert len(columns) == 2 * len(FREE_CHECKS)
        for c in columns:
            np.testing.assert_array_equal(found.issues[c].to_numpy(), plain.issues[c].to_numpy(), err_msg=c)
        np.testing.assert_array_equal(found.graph.indices, plain.graph.indices)

    def test_label_checks_use_the_label_graph(self, fenced_run):
        """The label-using checks' columns are those of a run on the fenced graph alone."""
        X, y, split, found = fenced_run
        assert found.label_graph is not found.graph and found.label_graph.scaling == "fenced"
        assert found.graph.scaling == "zscore"
        fenced = NeighborGraph.build(X, k=10, scaling="fenced")
        np.testing.assert_array_equal(found.label_graph.indices, fenced.indices)
        alone = find_data_issues(X, y, checks=LABEL_CHECKS, graph=fenced)
        for name in LABEL_CHECKS:
            np.testing.assert_array_equal(found.issues[f"{name}_score"], alone.issues[f"{name}_score"])

    def test_summary_dict_records_the_choice_and_both_graphs(self, fenced_run):
        """summary.json's sections: the z-score graph, the label graph and the labels' statistic."""
        sections = fenced_run[3].summary_dict()
        assert sections["graph"]["scaling"] == "zscore"
        assert sections["label_graph"]["scaling"] == "fenced"
        assert sections["label_scaling"]["chosen"] == "fenced"
        assert sections["label_scaling"]["statistic"] > scaling.CHOICE_Z

    def test_only_label_checks_build_only_the_fenced_graph(self):
        """No label-free check asks for a graph: only the label graph is built."""
        X, y = sparse_noise()
        found = find_data_issues(X, y, checks=LABEL_CHECKS, label_scaling="auto")
        assert found.graph is None and found.label_graph.scaling == "fenced"

    def test_one_graph_when_zscores_are_asked_for_or_kept(self):
        """label_scaling='zscore' with z-scores, a kept z-score choice, no labels: one graph serves every check."""
        X, y = sparse_noise()
        for found in (
            find_data_issues(X, y, label_scaling="zscore", scaling="zscore"),
            find_data_issues(*heavy_tailed(), label_scaling="auto"),
            find_data_issues(X),
        ):
            assert found.label_graph is found.graph and found.graph.scaling == "zscore"
        assert "label_scaling" not in find_data_issues(X).info

    def test_the_default_label_graph_is_the_shared_graph(self):
        """By default the label checks make no choice of their own: they use the shared graph, whatever its scaling."""
        X, y = sparse_noise()
        found = find_data_issues(X, y)
        assert found.label_graph is found.graph
        assert found.info["label_scaling"]["reason"] == "the shared graph"
        assert found.info["label_scaling"]["chosen"] == found.graph.scaling == found.info["scaling"]["chosen"]
        assert found.info["label_scaling"]["statistic"] is None

    def test_fenced_can_be_asked_for(self):
        """label_scaling='fenced' takes the fenced range without the labels' test."""
        X, y = heavy_tailed()
        found = find_data_issues(X, y, checks="label", label_scaling="fenced")
        assert found.info["label_scaling"]["reason"] == "requested"
        assert found.label_graph.scaling == "fenced"

    def test_a_graph_passed_in_serves_every_check(self):
        """With graph=, no choice is made and no second graph is built."""
        X, y = sparse_noise()
        graph = NeighborGraph.build(X, k=10)
        found = find_data_issues(X, y, graph=graph)
        assert found.graph is graph and found.label_graph is graph
        assert "label_scaling" not in found.info


class TestValidation:
    def test_unknown_label_scaling(self):
        """An unknown value names the parameter and its choices."""
        X, y = sparse_noise(n=60)
        with pytest.raises(InvalidParameterError, match="label_scaling must be one of"):
            find_data_issues(X, y, label_scaling="range")

    def test_fenced_needs_the_graph_built_here(self):
        """'fenced' with a graph passed in, or with the cosine metric, is an error naming label_scaling."""
        X, y = sparse_noise(n=60)
        graph = NeighborGraph.build(X, k=5)
        with pytest.raises(LabelwiseError, match="label_scaling='fenced'.*a graph passed in"):
            find_data_issues(X, y, graph=graph, label_scaling="fenced")
        with pytest.raises(LabelwiseError, match="label_scaling='fenced'.*metric='cosine'"):
            find_data_issues(X, y, metric="cosine", label_scaling="fenced")

    def test_graph_scaling_is_checked(self):
        """NeighborGraph.build refuses an unknown scaling, naming it."""
        with pytest.raises(InvalidParameterError, match="scaling must be one of"):
            NeighborGraph.build(np.eye(4), k=1, scaling="range")


def test_a_saved_graph_keeps_its_scaling(tmp_path):
    """save/load keep the scaling; a file written before it existed loads as z-scores."""
    X, _ = sparse_noise(n=100)
    graph = NeighborGraph.build(X, k=5, scaling="fenced")
    assert NeighborGraph.load(graph.save(tmp_path / "g.npz")).scaling == "fenced"
    np.savez(tmp_path / "old.npz", indices=graph.indices, distances=graph.distances, metric=np.array("euclidean"),
             standardized=np.array(True), method=np.array("exact"))  # fmt: skip
    assert NeighborGraph.load(tmp_path / "old.npz").scaling == "zscore"
