"""The approximate graph checked against the exact search on a sample, its far rows searched exactly
(``checks/_graph_audit.py``): on one-hot tables the index alone flagged many times the exact outliers."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.checks import _graph_audit
from labelwise.checks import graph as graph_module
from labelwise.checks._graph_audit import audit_sample, exact_budget, exact_rows, redo_cut
from labelwise.checks._table_features import table_features
from labelwise.checks.graph import NeighborGraph, StandardizedRows, exact_knn
from labelwise.checks.outlier import _fence, distance_ratios
from labelwise.errors import LabelwiseWarning

pytest.importorskip("hnswlib")


def onehot_table(n: int, seed: int) -> np.ndarray:
    """Encoded features of a table of booleans and three categories (8 even values, 150 with a Zipf
    tail, 40 with geometric shares) with 1% copied rows: rows of rare categories lie far from all others."""
    rng = np.random.default_rng([seed, 4949])
    frame = pd.DataFrame({"flag": rng.random(n) < 0.5, "rare_flag": rng.random(n) < 0.1})
    frame["region"] = rng.choice([f"r{i}" for i in range(8)], n)
    frame["item"] = [f"i{v}" for v in np.minimum(rng.zipf(1.3, n), 150)]
    shares = 0.8 ** np.arange(40)
    frame["code"] = rng.choice([f"c{i}" for i in range(40)], n, p=shares / shares.sum())
    copies = rng.choice(n, n // 50, replace=False)
    frame.iloc[copies[n // 100 :]] = frame.iloc[copies[: n // 100]].to_numpy()
    return np.asarray(table_features(frame).X, dtype=float)


def outlier_flags(graph: NeighborGraph) -> np.ndarray:
    m = distance_ratios(graph.distances, graph.indices)
    q1, q3 = np.quantile(m, [0.25, 0.75])
    return m > _fence(float(q1), float(q3), 3.0)


class TestOneHotTables:
    @pytest.mark.parametrize("seed", [5, 6])
    def test_approximate_outliers_agree_with_exact_within_five_percent(self, seed):
        """3,000 rows of one-hot columns: the approximate graph's outlier flags differ from the exact
        graph's on at most 5% as many rows as exact flags (the index alone: on 40-50% more)."""
        X = onehot_table(3000, seed)
        exact = outlier_flags(NeighborGraph.build(X, method="exact"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            graph = NeighborGraph.build(X, method="approximate", index="hnswlib", random_state=0)
        approx = outlier_flags(graph)
        assert exact.sum() > 100
        assert (approx ^ exact).sum() <= 0.05 * exact.sum()
        audit = graph.search.audit
        assert audit["audit_rows"] == 1000 and audit["audit_off"] > 0 and audit["exact_rows"] > 1000

    def test_the_sampled_and_far_rows_have_the_exact_neighbours(self):
        """Every row the audit searched again has the exact graph's neighbours (and its distances, to
        float32 rounding: the exact search scores the float32 rows, the approximate one the given rows)."""
        X = onehot_table(2000, 7)
        exact = NeighborGraph.build(X, method="exact")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            graph = NeighborGraph.build(X, method="approximate", index="cells", random_state=1)
        sample = audit_sample(2000, 1)
        np.testing.assert_array_equal(graph.indices[sample], exact.indices[sample])
        np.testing.assert_allclose(graph.distances[sample], exact.distances[sample], rtol=1e-6)
        same = (graph.indices == exact.indices).all(axis=1)
        assert same.sum() >= graph.search.audit["exact_rows"]

    def test_too_many_rows_off_warns_and_names_the_exact_method(self, monkeypatch):
        """When more rows would need the exact search than MAX_EXACT_SHARE, a LabelwiseWarning says
        how many sampled rows were off and that method='exact' gives the exact graph."""
        monkeypatch.setattr(_graph_audit, "MAX_EXACT_SHARE", 0.01)
        X = onehot_table(2000, 5)
        with pytest.warns(LabelwiseWarning, match=r"missed neighbours of \d+ of 1000 rows.*method='exact'"):
            graph = NeighborGraph.build(X, method="approximate", index="hnswlib")
        assert graph.search.audit["exact_rows"] <= 1000 + 0.01 * 2000 + 1


class TestExactBudget:
    def test_a_quarter_of_the_rows_up_to_a_count_where_one_is_set(self, monkeypatch):
        """The rows searched again: a quarter of them by default (no count: the far rows' outliers stay exact);
        with MAX_EXACT_ROWS set, never more than it, so their exact search (rows x n pairs) grows as n."""
        assert _graph_audit.MAX_EXACT_ROWS is None
        assert exact_budget(30_000) == 7_500 and exact_budget(1_000_000) == 250_000
        monkeypatch.setattr(_graph_audit, "MAX_EXACT_ROWS", 8_000)
        assert exact_budget(30_000) == 7_500
        assert exact_budget(1_000_000) == 8_000
        assert exact_budget(3) == 0

    def test_past_the_count_the_warning_names_the_rows_left_approximate(self, monkeypatch):
        """With MAX_EXACT_ROWS at 40, at most 40 rows besides the sample are searched again, and the
        warning says how many rows keep approximate neighbours and names method='exact'."""
        monkeypatch.setattr(_graph_audit, "MAX_EXACT_ROWS", 40, raising=False)  # main: no cap, 25% searched
        X = onehot_table(3000, 5)
        with pytest.warns(
            LabelwiseWarning, match=r"at most 40 are searched again.*about (\d+) rows keep approximate"
        ) as got:
            graph = NeighborGraph.build(X, method="approximate", index="hnswlib", random_state=0)
        audit = graph.search.audit
        assert 1000 < audit["exact_rows"] <= 1000 + 40
        left = int(re.search(r"about (\d+) rows keep", str(got[0].message)).group(1))
        assert left > 100 and "method='exact'" in str(got[0].message)


class TestAuditBlocks:
    def test_the_same_graph_for_any_block_size(self):
        """The audit of one approximate graph, its rows standardised and searched 7, 100 or the
        graph's number of rows at a time: the same graph and record."""
        from labelwise.checks._ann import approximate_knn
        from labelwise.checks._graph_audit import audited

        Z = StandardizedRows.fit(onehot_table(2500, 9), metric="euclidean", standardize=True)
        idx, sq = approximate_knn(Z, 10, index="hnswlib", random_state=0)
        runs = []
        for step in (7, 100, None):
            with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings():
                warnings.simplefilter("ignore", LabelwiseWarning)
                if step is not None:
                    patch.setattr(graph_module, "_row_step", lambda d, step=step: step)
                runs.append(audited(Z, idx.astype(np.int64), sq.astype(np.float64), 10, random_state=0))
        for other in runs[1:]:
            np.testing.assert_array_equal(other[0], runs[0][0])
            np.testing.assert_array_equal(other[1], runs[0][1])
            assert other[2] == runs[0][2]
        assert runs[0][2]["exact_rows"] > 1000


class TestDeterminism:
    def test_the_same_seed_gives_the_same_graph_and_record(self):
        """A deterministic index (the k-means cells) with its audit: two builds are identical."""
        X = onehot_table(1500, 8)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LabelwiseWarning)
            a = NeighborGraph.build(X, method="approximate", index="cells", random_state=3)
            b = NeighborGraph.build(X, method="approximate", index="cells", random_state=3)
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_array_equal(a.distances, b.distances)
        assert a.search == b.search

    def test_the_sample_depends_on_the_seed_only(self):
        """The audit's sample: the same rows for a seed, other rows for another; all rows when few."""
        np.testing.assert_array_equal(audit_sample(50_000, 4), audit_sample(50_000, 4))
        assert not np.array_equal(audit_sample(50_000, 4), audit_sample(50_000, 5))
        assert audit_sample(50_000, 4).size == 1000
        np.testing.assert_array_equal(audit_sample(700, 4), np.arange(700))


class TestNumbers:
    def test_gaussian_rows_need_no_second_search(self):
        """On numbers the index finds the neighbours: only the sample is searched exactly."""
        X = np.random.default_rng(0).normal(size=(4000, 6))
        graph = NeighborGraph.build(X, method="approximate", index="hnswlib")
        assert graph.search.audit == {"audit_rows": 1000, "audit_off": 0, "exact_rows": 1000}
        assert "checked against the exact search on 1000 rows (0 off)" in graph.search.describe()


class TestExactRows:
    @settings(max_examples=40, deadline=None)
    @given(
        n=st.integers(12, 80),
        d=st.integers(1, 4),
        levels=st.integers(1, 3),
        seed=st.integers(0, 2**16),
        k=st.integers(1, 10),
        step=st.integers(1, 90),
        query_block=st.integers(1, 40),
    )
    def test_equal_the_exact_search_for_any_block_size(self, n, d, levels, seed, k, step, query_block):
        """Rows of few distinct values (many ties, many copies), searched in blocks of 1 to 90 rows
        and 1 to 40 query rows: the exact rows of any subset are the exact search's, by (distance, row
        number), bit for bit."""
        rng = np.random.default_rng(seed)
        X = rng.integers(0, levels + 1, size=(n, d)).astype(float)
        k = min(k, n - 1)
        Z = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        rows = np.sort(rng.choice(n, max(1, n // 3), replace=False))
        want_idx, want_d2 = exact_knn(Z.materialize(), k)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(graph_module, "_row_step", lambda d: step)
            patch.setattr(_graph_audit, "QUERY_BLOCK", query_block)
            got_idx, got_d2 = exact_rows(Z, rows, k)
        np.testing.assert_array_equal(got_idx, want_idx[rows])
        np.testing.assert_array_equal(got_d2, want_d2[rows])


class TestRedoCut:
    def test_no_cut_when_at_most_one_percent_of_the_sample_is_off(self):
        """Ten off rows of 1,000 may stay: no cut; eleven: the cut leaves out the ten smallest."""
        assert redo_cut(np.arange(10.0), 1000) is None
        assert redo_cut(np.arange(11.0), 1000) == 10.0


class TestRecord:
    def test_the_audit_is_saved_and_loaded_with_the_graph(self, tmp_path):
        """graph.save keeps the audit in the search record; the exact search's record has no audit key."""
        X = np.random.default_rng(1).normal(size=(1500, 4))
        graph = NeighborGraph.build(X, method="approximate", index="cells")
        loaded = NeighborGraph.load(graph.save(tmp_path / "g.npz"))
        assert loaded.search == graph.search and loaded.search.audit["audit_rows"] == 1000
        assert "audit" not in NeighborGraph.build(X, method="exact").search.to_dict()
