"""NeighborGraph: exact search equals brute force, block-size invariance, save/load, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler

from labelwise.checks import NeighborGraph
from labelwise.checks.graph import StandardizedRows
from labelwise.errors import LabelwiseError, TooFewExamplesError


def _hnsw_recall_on_rows_sorted_by_cluster(seed: int) -> float:
    """Recall@10 of the hnswlib graph against exact search on 3,000 rows of 20 clusters, sorted by cluster."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=8, size=(20, 12))
    y = np.sort(rng.integers(0, 20, 3000))
    X = (centres[y] + rng.normal(size=(3000, 12))).astype(np.float32)
    approx = NeighborGraph.build(X, k=10, method="approximate", index="hnswlib")
    exact = NeighborGraph.build(X, k=10, method="exact")
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approx.indices, exact.indices, strict=True)]))


def _sklearn(Z, k, metric):
    nn = NearestNeighbors(n_neighbors=k + 1, algorithm="brute", metric=metric).fit(Z)
    dist, idx = nn.kneighbors(Z)
    return dist, idx


class TestExactSearch:
    def test_euclidean_on_standardised_features_equals_sklearn_brute_force(self):
        """Indices and distances match sklearn's brute-force search on the standardised features."""
        X = np.random.default_rng(0).normal(size=(500, 7)) * [1, 10, 100, 1, 1, 1, 0.1]
        g = NeighborGraph.build(X, k=8, method="exact")
        dist, idx = _sklearn(StandardScaler().fit_transform(X), 8, "euclidean")
        np.testing.assert_array_equal(g.indices, idx[:, 1:])
        np.testing.assert_allclose(g.distances, dist[:, 1:], rtol=1e-5)
        assert g.standardized and g.metric == "euclidean" and g.method == "exact"

    def test_cosine_equals_sklearn_brute_force(self):
        """Cosine distances (1 - cos) match sklearn's cosine metric, without standardisation."""
        X = np.random.default_rng(1).normal(size=(300, 6)) + 0.5
        g = NeighborGraph.build(X, k=5, metric="cosine", method="exact")
        dist, idx = _sklearn(X, 5, "cosine")
        np.testing.assert_array_equal(g.indices, idx[:, 1:])
        np.testing.assert_allclose(g.distances, dist[:, 1:], atol=1e-6)
        assert not g.standardized

    def test_never_matches_a_row_to_itself_even_among_exact_duplicates(self):
        """A row of duplicates lists its twins, not itself, the lower row numbers first."""
        X = np.repeat(np.arange(10.0)[:, None], 4, axis=0) @ np.ones((1, 3))
        g = NeighborGraph.build(X, k=3, method="exact")
        assert not (g.indices == np.arange(len(X))[:, None]).any()
        np.testing.assert_array_equal(g.indices[0], [1, 2, 3])
        np.testing.assert_array_equal(g.indices[3], [0, 1, 2])
        assert (g.distances[:, :3] == 0).all()

    def test_is_deterministic(self):
        """Two builds give identical arrays."""
        X = np.random.default_rng(2).integers(0, 3, size=(200, 4)).astype(float)
        a, b = NeighborGraph.build(X, k=6), NeighborGraph.build(X, k=6)
        np.testing.assert_array_equal(a.indices, b.indices)
        np.testing.assert_array_equal(a.distances, b.distances)

    @settings(max_examples=25, deadline=None)
    @given(
        X=arrays(
            np.float64,
            st.tuples(st.integers(6, 40), st.integers(1, 4)),
            elements=st.floats(-100, 100, allow_nan=False, width=32),
        ),
        block=st.integers(1, 50),
    )
    def test_result_does_not_depend_on_the_block_size(self, X, block):
        """Any number of query rows per block gives the same graph."""
        if np.ptp(X, axis=0).max() == 0:
            return
        k = min(3, len(X) - 1)
        a = NeighborGraph.build(X, k=k, method="exact", block_size=block)
        b = NeighborGraph.build(X, k=k, method="exact", block_size=len(X))
        np.testing.assert_array_equal(a.distances, b.distances)
        np.testing.assert_array_equal(a.indices, b.indices)


class TestApproximateSearch:
    def test_recall_against_exact_search_is_high(self):
        """The HNSW index finds almost every true neighbour on clustered data."""
        pytest.importorskip("hnswlib")
        rng = np.random.default_rng(3)
        X = rng.normal(size=(3000, 16)) + rng.normal(scale=3, size=(10, 16))[rng.integers(0, 10, 3000)]
        exact = NeighborGraph.build(X, k=10, method="exact")
        approx = NeighborGraph.build(X, k=10, method="approximate", index="hnswlib")
        hits = sum(len(set(a) & set(b)) for a, b in zip(exact.indices.tolist(), approx.indices.tolist(), strict=False))
        assert hits / exact.indices.size > 0.95
        assert approx.method == "approximate"
        assert (np.diff(approx.distances, axis=1) >= 0).all()


class TestSaveLoad:
    def test_round_trip_keeps_every_field(self, tmp_path):
        """load(save(g)) equals g."""
        g = NeighborGraph.build(np.random.default_rng(4).normal(size=(50, 3)), k=4, metric="cosine")
        back = NeighborGraph.load(g.save(tmp_path / "g.npz"))
        np.testing.assert_array_equal(back.indices, g.indices)
        np.testing.assert_array_equal(back.distances, g.distances)
        assert (back.metric, back.standardized, back.method) == (g.metric, g.standardized, g.method)

    def test_loading_a_missing_file_names_it(self, tmp_path):
        """A missing file is a DataFileError naming the path."""
        with pytest.raises(LabelwiseError, match="nope.npz"):
            NeighborGraph.load(tmp_path / "nope.npz")


class TestBadInput:
    def test_k_at_least_n_is_an_error(self):
        """k must be below the number of rows."""
        with pytest.raises(TooFewExamplesError, match="k must be less than the number of rows \\(5\\)"):
            NeighborGraph.build(np.eye(5), k=5)

    def test_string_matrix_is_an_error(self):
        """Strings are not features."""
        with pytest.raises(LabelwiseError, match="features must be a numeric matrix"):
            NeighborGraph.build(np.array([["a", "b"], ["c", "d"], ["e", "f"]]), k=1)

    def test_unknown_metric_is_an_error(self):
        """The metric is one of euclidean, cosine."""
        with pytest.raises(LabelwiseError, match="metric"):
            NeighborGraph.build(np.eye(5), k=2, metric="manhattan")


class TestApproximateSearchMemoryAndRetry:
    def _clustered(self, n=6000, d=16, seed=5):
        rng = np.random.default_rng(seed)
        centres = rng.normal(scale=8, size=(40, d))
        return centres[rng.integers(0, 40, n)] + rng.normal(size=(n, d))

    def test_a_standardised_view_gives_the_same_graph_as_the_materialised_copy(self):
        """Rows computed on demand equal the materialised standardised matrix, and so does the search."""
        pytest.importorskip("hnswlib")
        from labelwise.checks._ann import approximate_knn
        from labelwise.checks.graph import StandardizedRows

        X = self._clustered(2000)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        Z = view.materialize()
        rows = np.random.default_rng(0).integers(0, len(X), 50)
        np.testing.assert_array_equal(view[rows], Z[rows])
        a = approximate_knn(view, 5, n_threads=1)
        b = approximate_knn(Z, 5, n_threads=1)
        np.testing.assert_array_equal(a[0], b[0])  # same index (same float32 rows), same neighbours
        np.testing.assert_allclose(a[1], b[1], rtol=1e-5)  # the view re-scores from the raw features

    def test_rows_the_first_search_missed_are_searched_again(self, monkeypatch):
        """With a deliberately weak index, the wide second search for rows that did not find
        themselves raises recall over a second search as narrow as the first."""
        pytest.importorskip("hnswlib")
        from labelwise.checks import _ann
        from labelwise.checks.graph import StandardizedRows

        X = self._clustered()
        Z = StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize()
        exact = NeighborGraph.build(X, k=10, method="exact").indices
        monkeypatch.setattr(_ann, "HNSW_M", 4)
        monkeypatch.setattr(_ann, "EF_CONSTRUCTION", 8)
        monkeypatch.setattr(_ann, "EF_SEARCH", 1)
        monkeypatch.setattr(_ann, "RETRY_COST_SHARE", 1e6)  # retry every missed row

        def recall(ef_retry):
            monkeypatch.setattr(_ann, "EF_RETRY", ef_retry)
            idx = _ann.approximate_knn(Z, 10, n_threads=1)[0]
            return np.mean([len(set(a) & set(b)) for a, b in zip(idx.tolist(), exact.tolist(), strict=True)]) / 10

        weak, wide = recall(1), recall(1024)
        assert wide > weak + 0.02

    def test_searching_ahead_in_a_thread_gives_the_blocks_of_a_plain_search(self, monkeypatch):
        """The next block is searched while one is re-scored: same graph as one block at a time, any block size."""
        pytest.importorskip("hnswlib")
        from labelwise.checks import _ann
        from labelwise.checks.graph import StandardizedRows

        X = self._clustered(3000)
        Z = StandardizedRows.fit(X, metric="euclidean", standardize=True).materialize()
        index = _ann.build_index(Z, n_threads=1)
        whole = _ann.search_index(index, Z, 10)
        for block in (1000, 257):
            monkeypatch.setattr(_ann, "ROW_BLOCK", block)
            np.testing.assert_array_equal(_ann.search_index(index, Z, 10)[0], whole[0])
            np.testing.assert_array_equal(_ann.search_index(index, Z, 10)[1], whole[1])

    def test_ahead_yields_every_result_in_order_and_never_runs_two_calls_at_once(self):
        """``ahead`` keeps the order of its items and runs at most one call at a time."""
        import threading
        import time

        from labelwise.checks._ann import ahead

        running, most = [0], [0]
        lock = threading.Lock()

        def slow_square(x):
            with lock:
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.002)
            with lock:
                running[0] -= 1
            return x * x

        assert list(ahead(slow_square, list(range(12)))) == [x * x for x in range(12)]
        assert list(ahead(slow_square, [3])) == [9] and list(ahead(slow_square, [])) == []
        assert most[0] == 1

        def fails_on_two(x):
            if x == 2:
                raise RuntimeError("search failed")
            return x

        with pytest.raises(RuntimeError, match="search failed"):
            list(ahead(fails_on_two, [0, 1, 2, 3]))

    def test_no_standardised_copy_of_the_features_is_held(self, monkeypatch):
        """Traced numpy memory of an approximate build stays well under a float32 copy of the
        features plus the O(n k) outputs (the index lives outside numpy and is freed)."""
        pytest.importorskip("hnswlib")
        import tracemalloc

        from labelwise.checks import _ann, graph

        monkeypatch.setattr(_ann, "ROW_BLOCK", 1024)  # blocks of constant size, small against n here
        monkeypatch.setattr(graph, "_row_step", lambda d: 1024)
        X = self._clustered(n=20000, d=64).astype(np.float32)
        n, k = X.shape[0], 5
        outputs = n * k * (8 + 8 + 4)  # int64 indices, float64 squared distances, float32 distances
        tracemalloc.start()
        NeighborGraph.build(X, k=k, method="approximate", index="hnswlib")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < outputs + 0.5 * X.nbytes, (peak, outputs, X.nbytes)


def test_while_the_index_lives_the_graph_takes_8_bytes_per_neighbour():
    """approximate_knn keeps int32 rows and float32 squared distances (ranked in float64); the graph
    converts them to its int64 / float32 arrays after the index is freed, with the same neighbours."""
    pytest.importorskip("hnswlib")
    from labelwise.checks._ann import approximate_knn
    from labelwise.checks.graph import StandardizedRows

    X = np.random.default_rng(8).normal(size=(3000, 8))
    view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
    idx, sq = approximate_knn(view, 7, n_threads=1)
    assert idx.dtype == np.int32 and sq.dtype == np.float32
    graph = NeighborGraph.build(X, k=7, method="approximate", index="hnswlib")
    assert graph.indices.dtype == np.int64 and graph.distances.dtype == np.float32
    np.testing.assert_array_equal(graph.indices, idx)
    np.testing.assert_allclose(graph.distances, np.sqrt(sq), rtol=1e-6)
    exact = NeighborGraph.build(X, k=7, method="exact")
    same = (graph.indices == exact.indices).all(axis=1)
    assert same.mean() > 0.95  # easy data: nearly every row has exactly the exact neighbours
    np.testing.assert_allclose(graph.distances[same], exact.distances[same], rtol=1e-6)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_view_distances_equal_those_of_the_standardised_matrix(metric):
    """StandardizedRows.sq_distances (raw differences over the scale) agrees with the float32 copy."""
    from labelwise.checks._exact_select import sq_distances_between
    from labelwise.checks.graph import StandardizedRows

    rng = np.random.default_rng(9)
    X = rng.normal(size=(300, 6)) * [1, 10, 100, 1, 1, 0.1] + 50
    view = StandardizedRows.fit(X, metric=metric, standardize=metric == "euclidean")
    rows, cand = np.arange(40), rng.integers(0, 300, size=(40, 7))
    np.testing.assert_allclose(
        view.sq_distances(rows, cand),
        sq_distances_between(view.materialize(), view.materialize(), cand, rows),
        rtol=1e-5,
    )


def test_the_second_search_is_capped(monkeypatch):
    """When most rows miss themselves, only a bounded, evenly spread share is searched again."""
    pytest.importorskip("hnswlib")
    from labelwise.checks import _ann

    calls = []
    real = _ann.refine_candidates

    def spy(Z, rows, cand, k):
        calls.append(len(rows))
        return real(Z, rows, cand, k)

    X = np.random.default_rng(6).normal(size=(4000, 32)).astype(np.float32)
    monkeypatch.setattr(_ann, "HNSW_M", 4)
    monkeypatch.setattr(_ann, "EF_CONSTRUCTION", 8)
    monkeypatch.setattr(_ann, "refine_candidates", spy)
    _ann.approximate_knn(X, 10, n_threads=1)
    first = sum(calls[: -(-len(X) // _ann.ROW_BLOCK)])
    assert first == len(X)
    cap = int(_ann.RETRY_COST_SHARE * len(X) * max(_ann.EF_SEARCH, 22) / _ann.EF_RETRY)
    assert 0 < sum(calls) - first <= cap


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_exact_rescoring_does_not_depend_on_how_many_rows_are_rescored_at_once(monkeypatch, metric):
    """Re-scoring candidates in chunks of rows gives the same float64 distances, bit for bit."""
    from labelwise.checks import _exact_select
    from labelwise.checks import graph as graph_module
    from labelwise.checks.graph import StandardizedRows

    rng = np.random.default_rng(8)
    X = rng.normal(size=(700, 9)) * rng.uniform(0.1, 5.0, 9)
    view = StandardizedRows.fit(X, metric=metric, standardize=metric == "euclidean")
    rows, cand = np.arange(700), rng.integers(0, 700, size=(700, 13))
    Z = view.materialize()

    def rescore_at_once(size):
        for module in (graph_module, _exact_select):
            monkeypatch.setattr(module, "RESCORE_ROWS", size)

    rescore_at_once(1 << 20)
    whole = view.sq_distances(rows, cand), _exact_select.sq_distances_between(Z, Z, cand, rows)
    for chunk in (1, 5, 512):
        rescore_at_once(chunk)
        np.testing.assert_array_equal(view.sq_distances(rows, cand), whole[0])
        np.testing.assert_array_equal(_exact_select.sq_distances_between(Z, Z, cand, rows), whole[1])


class TestQueryOrder:
    """The approximate search queries rows cell by cell (``_ann.locality_order``) for memory locality."""

    def _clustered(self, n=4000, d=16, seed=9):
        rng = np.random.default_rng(seed)
        centres = rng.normal(scale=8, size=(30, d))
        return (centres[rng.integers(0, 30, n)] + rng.normal(size=(n, d))).astype(np.float32)

    def test_the_order_holds_every_row_once_and_is_seeded(self):
        """``locality_order`` is a permutation of the rows, the same for the same seed."""
        from labelwise.checks._ann import locality_order

        X = self._clustered()
        order = locality_order(X, random_state=3, cell_size=100)
        np.testing.assert_array_equal(np.sort(order), np.arange(len(X)))
        np.testing.assert_array_equal(order, locality_order(X, random_state=3, cell_size=100))
        np.testing.assert_array_equal(locality_order(X[:150], cell_size=100), np.arange(150))  # one cell: row order

    def test_consecutive_rows_of_the_order_are_close(self):
        """Rows next to each other in the order are much nearer each other than rows next to each other in the data."""
        from labelwise.checks._ann import locality_order

        X = self._clustered()
        order = locality_order(X, cell_size=64)

        def gap(rows):
            return float(np.linalg.norm(X[rows[1:]] - X[rows[:-1]], axis=1).mean())

        assert gap(order) < 0.5 * gap(np.arange(len(X)))

    def test_the_number_of_pivots_is_capped(self, monkeypatch):
        """At most ``MAX_PIVOTS`` cells, whatever the number of rows (the order's cost stays O(n)), and each
        row's cell is its nearest pivot's."""
        from labelwise.checks import _ann

        X = self._clustered(2000)
        assert np.unique(_ann.pivot_cells(X, cell_size=10)).size > 100
        monkeypatch.setattr(_ann, "MAX_PIVOTS", 7)
        cells = _ann.pivot_cells(X, cell_size=10)
        assert np.unique(cells).size <= 7
        pivots = X[np.sort(np.random.default_rng(0).choice(len(X), 7, replace=False))]
        d2 = ((X[:, None, :].astype(np.float64) - pivots[None]) ** 2).sum(axis=2)
        sure = np.sort(d2, axis=1)[:, 1] - d2.min(axis=1) > 1e-3  # rows without a near-tie between two pivots
        np.testing.assert_array_equal(cells[sure], d2.argmin(axis=1)[sure])

    @pytest.mark.parametrize("seed", [0, 1])
    def test_the_query_order_does_not_change_the_graph(self, seed):
        """The same index searched in row order, cell order or a random order gives the same neighbours and distances."""
        pytest.importorskip("hnswlib")
        from labelwise.checks import _ann
        from labelwise.checks.graph import StandardizedRows

        X = self._clustered(3000)
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        index = _ann.build_index(view, n_threads=1)
        plain = _ann.search_index(index, view, 10)
        for order in (_ann.locality_order(view, cell_size=200), np.random.default_rng(seed).permutation(len(X))):
            ordered = _ann.search_index(index, view, 10, order=order)
            np.testing.assert_array_equal(ordered[0], plain[0])
            np.testing.assert_array_equal(ordered[1], plain[1])

    def test_an_index_built_in_another_order_labels_rows_by_their_number(self):
        """With an insertion order, each row's search still returns its own row number first (labels are row numbers)."""
        pytest.importorskip("hnswlib")
        from labelwise.checks import _ann

        X = self._clustered(2000)
        order = np.random.default_rng(4).permutation(len(X))
        index = _ann.build_index(X, n_threads=1, order=order)
        index.set_ef(50)
        found, dist = index.knn_query(X, k=1)
        np.testing.assert_array_equal(found[:, 0], np.arange(len(X)))
        assert np.all(dist[:, 0] == 0)


class TestInsertionOrder:
    """hnswlib's index is built from the rows in seeded random rounds, cell by cell within a round, not in the
    data's own order."""

    def test_the_insertion_order_is_a_seeded_permutation_used_by_the_search(self, monkeypatch):
        """The order is seeded, and the search inserts the rows in rounds of the cells of its query order."""
        pytest.importorskip("hnswlib")
        from labelwise.checks import _ann

        order = _ann.insertion_order(500, 4)
        np.testing.assert_array_equal(np.sort(order), np.arange(500))
        np.testing.assert_array_equal(order, _ann.insertion_order(500, 4))
        assert not np.array_equal(order, _ann.insertion_order(500, 5))
        seen = []
        real = _ann.build_index

        def spy(Z, **kwargs):
            seen.append(kwargs.get("order"))
            return real(Z, **kwargs)

        monkeypatch.setattr(_ann, "build_index", spy)
        monkeypatch.setattr(_ann, "ORDER_CELL_SIZE", 50)
        X = np.random.default_rng(0).normal(size=(500, 8)).astype(np.float32)
        _ann.approximate_knn(X, 5, random_state=4, n_threads=1, index="hnswlib")
        cells = _ann.pivot_cells(X, random_state=4)
        assert np.unique(cells).size == 10
        np.testing.assert_array_equal(seen[0], _ann.insertion_order(500, 4, cells=cells))

    @pytest.mark.parametrize("random_first", [True, False])
    def test_rounds_are_random_samples_inserted_cell_by_cell(self, random_first):
        """Round r holds the rows at positions r n / R .. (r + 1) n / R of the seeded permutation; within a round
        the rows go cell by cell, in the permutation's order within a cell; with ``random_first`` (the default)
        the first round is the permutation's first n / R rows in its own order."""
        from labelwise.checks import _ann

        n, rounds = 1000, 4
        cells = np.random.default_rng(1).integers(0, 9, n)
        perm = _ann.insertion_order(n, 3)
        order = _ann.insertion_order(n, 3, cells=cells, rounds=rounds, random_first=random_first)
        position = np.argsort(perm)
        for r in range(rounds):
            part = order[r * n // rounds : (r + 1) * n // rounds]
            assert set(part.tolist()) == set(perm[r * n // rounds : (r + 1) * n // rounds].tolist())
            if r == 0 and random_first:
                np.testing.assert_array_equal(part, perm[: n // rounds])
                assert np.any(np.diff(cells[part]) < 0)  # not cell by cell
                continue
            assert np.all(np.diff(cells[part]) >= 0)
            same_cell = cells[part][1:] == cells[part][:-1]
            assert np.all(np.diff(position[part])[same_cell] > 0)

    def test_the_default_takes_the_first_round_at_random(self):
        """Without ``random_first`` given, the first round is in the permutation's order."""
        from labelwise.checks import _ann

        cells = np.random.default_rng(4).integers(0, 6, 640)
        np.testing.assert_array_equal(
            _ann.insertion_order(640, 2, cells=cells), _ann.insertion_order(640, 2, cells=cells, random_first=True)
        )
        np.testing.assert_array_equal(
            _ann.insertion_order(640, 2, cells=cells)[: 640 // _ann.INSERT_ROUNDS],
            _ann.insertion_order(640, 2)[: 640 // _ann.INSERT_ROUNDS],
        )

    def test_one_round_per_row_is_the_random_order_and_one_round_the_cell_order(self):
        """``rounds >= n`` gives the plain seeded permutation; ``rounds = 1`` sorts every row by its cell, or
        with ``random_first`` is the permutation."""
        from labelwise.checks import _ann

        cells = np.random.default_rng(2).integers(0, 5, 300)
        for rounds in (300, 10_000):
            for random_first in (True, False):
                np.testing.assert_array_equal(
                    _ann.insertion_order(300, 7, cells=cells, rounds=rounds, random_first=random_first),
                    _ann.insertion_order(300, 7),
                )
        assert np.all(np.diff(cells[_ann.insertion_order(300, 7, cells=cells, rounds=1, random_first=False)]) >= 0)
        np.testing.assert_array_equal(_ann.insertion_order(300, 7, cells=cells, rounds=1), _ann.insertion_order(300, 7))

    @settings(max_examples=40, deadline=None)
    @given(
        n=st.integers(1, 400),
        n_cells=st.integers(1, 12),
        rounds=st.integers(1, 50),
        seed=st.integers(0, 2**16),
        random_first=st.booleans(),
    )
    def test_the_order_is_a_permutation_with_balanced_rounds(self, n, n_cells, rounds, seed, random_first):
        """For any number of rows, cells and rounds: every row once, and the same for the same seed."""
        from labelwise.checks import _ann

        cells = np.random.default_rng(seed).integers(0, n_cells, n)
        kwargs = {"cells": cells, "rounds": rounds, "random_first": random_first}
        order = _ann.insertion_order(n, seed, **kwargs)
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
        np.testing.assert_array_equal(order, _ann.insertion_order(n, seed, **kwargs))

    @pytest.mark.parametrize(
        ("kwargs", "name"), [({"cells": np.zeros(5)}, "cells"), ({"rounds": 0}, "rounds"), ({"rounds": 1.5}, "rounds")]
    )
    def test_bad_cells_or_rounds_are_named(self, kwargs, name):
        """A cell array of the wrong length or a round count below one raises an error naming the parameter."""
        from labelwise.checks import _ann

        kwargs = {"cells": np.zeros(10, dtype=np.int32), **kwargs}
        with pytest.raises(LabelwiseError, match=name):
            _ann.insertion_order(10, 0, **kwargs)

    def test_rows_sorted_by_cluster_in_many_cells_get_their_true_neighbours(self, monkeypatch):
        """With many cells (small cells), inserted in rounds cell by cell, the graph still matches exact search."""
        pytest.importorskip("hnswlib")
        from labelwise.checks import _ann

        monkeypatch.setattr(_ann, "ORDER_CELL_SIZE", 64)
        assert _hnsw_recall_on_rows_sorted_by_cluster(seed=5) > 0.98

    def test_rows_sorted_by_cluster_get_their_true_neighbours(self):
        """Inserted out of order, every row is still labelled by its own number: the graph matches exact search."""
        pytest.importorskip("hnswlib")
        assert _hnsw_recall_on_rows_sorted_by_cluster(seed=2) > 0.98


class TestExtremeColumnScales:
    """Columns of 1e200- or 1e-200-sized numbers: their squares overflow or underflow, the scales must not."""

    @staticmethod
    def _features():
        X = np.random.default_rng(3).normal(size=(120, 4)) * [1.0, 3.0, 0.5, 2.0] + [0.0, 5.0, -1.0, 0.0]
        X[7] = X[8] + 1e-4  # one near-duplicate pair
        return X

    def test_ordinary_columns_keep_the_plain_mean_and_standard_deviation(self):
        """On ordinary columns the fit is numpy's mean and population standard deviation (to 1e-12)."""
        X = self._features()
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        np.testing.assert_allclose(view.mean, X.mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(view.scale, X.std(axis=0), rtol=1e-12)

    @pytest.mark.parametrize("factor", [1e155, 1e200, 1e300, 1e-200, 2.0**-700])
    def test_a_column_times_a_factor_gets_its_scale_times_that_factor(self, factor):
        """Scale and mean of a column times 1e200 (squares overflow) or 1e-200 (squares underflow) are finite and follow it."""
        X = self._features()
        big = X.copy()
        big[:, 2] *= factor
        plain = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        view = StandardizedRows.fit(big, metric="euclidean", standardize=True)
        assert view.scale[2] == pytest.approx(plain.scale[2] * factor, rel=1e-12)
        assert view.mean[2] == pytest.approx(plain.mean[2] * factor, rel=1e-12)
        np.testing.assert_allclose(view[np.arange(len(X))], plain[np.arange(len(X))], rtol=1e-6, atol=1e-6)

    def test_columns_near_the_largest_float_get_a_finite_mean(self):
        """Values near 1.8e308, whose column sum overflows, still get a finite mean and scale."""
        X = np.array([[1.5e308, 0.0], [1.7e308, 1.0], [1.6e308, 2.0], [1.7e308, 3.0]])
        view = StandardizedRows.fit(X, metric="euclidean", standardize=True)
        assert view.mean[0] == pytest.approx(1.625e308, rel=1e-12)
        assert view.scale[0] == pytest.approx(np.std(X[:, 0] / 1e300) * 1e300, rel=1e-12)

    @pytest.mark.parametrize("factor", [1e200, 1e-200])
    def test_the_graph_is_the_one_of_the_ordinary_columns(self, factor):
        """One column times 1e200 or 1e-200 leaves the exact neighbour graph as it was."""
        X = self._features()
        big = X.copy()
        big[:, 1] *= factor
        ours, theirs = NeighborGraph.build(big, k=5, method="exact"), NeighborGraph.build(X, k=5, method="exact")
        np.testing.assert_array_equal(ours.indices, theirs.indices)
        np.testing.assert_allclose(ours.distances, theirs.distances, rtol=1e-6)
