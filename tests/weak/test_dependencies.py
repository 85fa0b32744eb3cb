"""Tests of weak._dependencies: the BIC gate on cliques (``joint_bic_gain``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.weak import LabelModel, as_votes
from labelwise.weak._dependencies import joint_bic_gain


def _votes(n: int, k: int, copy_rate: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three functions of accuracy 0.8; the third copies the first with probability ``copy_rate``."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    own = np.where(rng.random((n, 3)) < 0.8, y[:, None], (y[:, None] + rng.integers(1, k, (n, 3))) % k)
    own[:, 2] = np.where(rng.random(n) < copy_rate, own[:, 0], own[:, 2])
    return own, np.eye(k)[y]


class TestJointBicGain:
    def test_independent_pair_does_not_pay_for_its_joint_table(self):
        """Two functions independent given the class: the BIC keeps them apart on 20,000 items."""
        matrix, post = _votes(20000, 10, 0.0, 0)
        assert joint_bic_gain(matrix, post, np.ones(len(matrix)), [(0, 1), (0, 2)], 10).max() < 0

    def test_copied_function_pays_for_it(self):
        """A function that copies another 80% of the time is worth a clique."""
        matrix, post = _votes(5000, 2, 0.8, 1)
        gain = joint_bic_gain(matrix, post, np.ones(len(matrix)), [(0, 2), (0, 1)], 2)
        assert gain[0] > 0 > gain[1]

    def test_weights_equal_repeated_rows(self):
        """A row of weight 3 counts as three identical rows."""
        matrix, post = _votes(500, 3, 0.5, 2)
        w = np.random.default_rng(0).integers(1, 4, len(matrix)).astype(float)
        rep = np.repeat(np.arange(len(matrix)), w.astype(int))
        a = joint_bic_gain(matrix, post, w, [(0, 2)], 3)
        b = joint_bic_gain(matrix[rep], post[rep], np.ones(len(rep)), [(0, 2)], 3)
        np.testing.assert_allclose(a, b, rtol=1e-9)

    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
    def test_pair_order_row_order_and_class_names_do_not_matter(self, seed, perm_seed):
        """The statistic is symmetric in the pair and invariant to row and class permutations."""
        matrix, post = _votes(300, 3, 0.5, seed)
        w = np.ones(len(matrix))
        ref = joint_bic_gain(matrix, post, w, [(0, 2)], 3)[0]
        rng = np.random.default_rng(perm_seed)
        rows, classes = rng.permutation(len(matrix)), rng.permutation(3)
        renamed = classes[matrix[rows]]
        post_renamed = np.empty_like(post)
        post_renamed[:, classes] = post[rows]
        assert joint_bic_gain(matrix, post, w, [(2, 0)], 3)[0] == pytest.approx(ref, rel=1e-9, abs=1e-9)
        assert joint_bic_gain(renamed, post_renamed, w, [(0, 2)], 3)[0] == pytest.approx(ref, rel=1e-9, abs=1e-9)

    def test_abstain_is_an_outcome(self):
        """Abstains (-1) are counted as their own outcome, so df uses the outcomes each function used."""
        matrix, post = _votes(2000, 2, 0.8, 3)
        matrix[::3, 2] = -1
        gain = joint_bic_gain(matrix, post, np.ones(len(matrix)), [(0, 2)], 2)
        assert np.isfinite(gain).all() and gain[0] > 0


class TestLabelModelCliques:
    def test_independent_slots_answering_every_item_stay_apart(self):
        """Three workers answering all 20,000 items, K=10: no clique (the z-score alone joined two)."""
        matrix, _ = _votes(20000, 10, 0.0, 4)
        item = np.repeat(np.arange(len(matrix)), 3)
        answers = pd.DataFrame(
            {"item": item, "labeler": np.tile(["s0", "s1", "s2"], len(matrix)), "label": matrix.ravel()}
        )
        model = LabelModel().fit(as_votes(answers))
        assert all(len(g) == 1 for g in model.groups_)
        free = LabelModel(dependency_threshold=None).fit(as_votes(answers))
        np.testing.assert_allclose(model.probas_.to_numpy(), free.probas_.to_numpy(), atol=1e-12)


class TestGroupDependentAccept:
    def test_rejected_pairs_stay_apart_and_given_pairs_are_never_asked(self):
        """accept=False keeps a pair over the threshold apart; forced pairs skip the test."""
        from labelwise.weak._dependencies import group_dependent

        z = np.zeros((4, 4))
        z[0, 1] = z[1, 0] = 9.0
        z[2, 3] = z[3, 2] = 8.0
        shared = np.full((4, 4), 100)
        asked = []

        def accept(a, b):
            asked.append((a, b))
            return (a, b) != (0, 1)

        groups = group_dependent(z, shared, threshold=5.0, min_shared=20, max_size=3, forced=[(1, 2)], accept=accept)
        assert groups == [[0], [1, 2, 3]]
        assert (1, 2) not in asked and (0, 1) in asked and (2, 3) in asked

    def test_accept_is_not_asked_about_pairs_that_could_not_join(self):
        """A pair already in one group, or whose join would exceed max_size, is never tested."""
        from labelwise.weak._dependencies import group_dependent

        z = np.full((3, 3), 9.0)
        np.fill_diagonal(z, 0.0)
        shared = np.full((3, 3), 100)
        asked = []
        groups = group_dependent(
            z, shared, threshold=5.0, min_shared=20, max_size=2, accept=lambda a, b: asked.append((a, b)) or True
        )
        assert groups == [[0, 1], [2]] and asked == [(0, 1)]


def _agreement_reference(matrix: np.ndarray, post: np.ndarray, confusion: np.ndarray, w: np.ndarray) -> tuple:
    """agreement_excess's z and shared counts by a loop over pairs (the definition, item by item)."""
    n, m = matrix.shape
    z, shared = np.zeros((m, m)), np.zeros((m, m))
    for a in range(m):
        for b in range(m):
            both = (matrix[:, a] >= 0) & (matrix[:, b] >= 0)
            shared[a, b] = w[both].sum()
            if a == b:
                continue
            agree = float(w[both & (matrix[:, a] == matrix[:, b])].sum())
            expected = float((w[both, None] * post[both] * (confusion[a] * confusion[b]).sum(axis=1)).sum())
            rate = min(max(expected / max(shared[a, b], 1), 1e-6), 1 - 1e-6)
            z[a, b] = (agree - expected) / np.sqrt(max(shared[a, b], 1) * rate * (1 - rate))
    return z, shared


class TestAgreementExcess:
    @pytest.mark.parametrize("dense_share", [0.0, 2.0])  # every matrix dense / every matrix sparse
    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.05, 1.0))
    def test_dense_and_sparse_sums_match_the_definition(self, dense_share, seed, coverage):
        """Both ways of summing the pair counts give the pairwise definition's z and shared counts."""
        from labelwise.weak import _dependencies
        from labelwise.weak._moments import indicator

        rng = np.random.default_rng(seed)
        n, m, k = 60, 5, 3
        matrix = np.where(rng.random((n, m)) < coverage, rng.integers(0, k, (n, m)), -1)
        post = rng.dirichlet(np.ones(k), n)
        confusion = rng.dirichlet(np.ones(k), (m, k))
        w = rng.integers(1, 4, n).astype(float)
        want_z, want_shared = _agreement_reference(matrix, post, confusion, w)
        saved = _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS
        _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS = dense_share, 7 * m  # several row blocks
        try:
            z, shared = _dependencies.agreement_excess(indicator(matrix, k), post, confusion, w)
        finally:
            _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS = saved
        np.testing.assert_array_equal(shared, want_shared)  # integer weights: exact in any order
        np.testing.assert_allclose(z, want_z, rtol=1e-9, atol=1e-9)


class TestCoVote:
    def test_independent_coverage_scores_near_zero_and_a_shared_trigger_high(self):
        """Functions that fire independently: |z| small; one that fires where another does: z large."""
        from labelwise.weak._dependencies import PairTables

        rng = np.random.default_rng(0)
        n = 5000
        fires = rng.random((n, 3)) < 0.3
        fires[:, 2] = np.where(rng.random(n) < 0.9, fires[:, 0], fires[:, 2])  # shares 0's trigger
        matrix = np.where(fires, rng.integers(0, 2, (n, 3)), -1)
        tables = PairTables(matrix, np.full((n, 2), 0.5), np.ones(n), 2)
        assert abs(tables.covote_z(0, 1)) < 4 and tables.covote_z(0, 2) > 20
        assert tables.covote_z(0, 2) == pytest.approx(tables.covote_z(2, 0))

    def test_coverage_that_follows_the_class_is_not_co_voting(self):
        """Two rules that both fire mostly on class 1, independently given the class: z near 0
        under the true class, though their coverages are correlated through it."""
        from labelwise.weak._dependencies import PairTables

        rng = np.random.default_rng(3)
        n = 6000
        y = rng.integers(0, 2, n)
        fires = rng.random((n, 2)) < np.where(y == 1, 0.7, 0.05)[:, None]
        matrix = np.where(fires, 1, -1)
        tables = PairTables(matrix, np.eye(2)[y], np.ones(n), 2)
        assert abs(tables.covote_z(0, 1)) < 4
        marginal = PairTables(matrix, np.full((n, 2), 0.5), np.ones(n), 2)  # class ignored
        assert marginal.covote_z(0, 1) > 20

    @pytest.mark.parametrize("dense_share", [0.0, 2.0])  # every matrix dense / every matrix sparse
    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.05, 0.95))
    def test_matches_the_formula_item_by_item(self, dense_share, seed, coverage):
        """covote_z equals (N − Σ_y n_y q_ay q_by) / sqrt(Σ_y n_y p_y (1 − p_y)) computed directly,
        by dense blocks of items and by sparse products."""
        from labelwise.weak import _dependencies
        from labelwise.weak._dependencies import PairTables

        rng = np.random.default_rng(seed)
        n, k = 80, 3
        matrix = np.where(rng.random((n, 3)) < coverage, rng.integers(0, k, (n, 3)), -1)
        post = rng.dirichlet(np.ones(k), n)
        w = rng.integers(1, 4, n).astype(float)
        va, vb = matrix[:, 0] >= 0, matrix[:, 2] >= 0
        n_y = (post * w[:, None]).sum(axis=0)
        qa = (post * w[:, None])[va].sum(axis=0) / n_y
        qb = (post * w[:, None])[vb].sum(axis=0) / n_y
        p = qa * qb
        var = float((n_y * p * (1 - p)).sum())
        want = (w[va & vb].sum() - float((n_y * p).sum())) / np.sqrt(var) if var > 1e-9 else 0.0
        saved = _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS
        _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS = dense_share, 3 * 9  # blocks of 9 items
        try:
            got = PairTables(matrix, post, w, k).covote_z(0, 2)
        finally:
            _dependencies.DENSE_SHARE, _dependencies.BLOCK_CELLS = saved
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)

    def test_functions_voting_on_every_item_score_zero(self):
        """Nothing to tell from coverage when a function votes on every item."""
        from labelwise.weak._dependencies import PairTables

        matrix, post = _votes(300, 3, 0.9, 5)
        tables = PairTables(matrix, post, np.ones(len(matrix)), 3)
        assert tables.covote_z(0, 2) == 0.0

    def test_weights_equal_repeated_rows(self):
        """A row of weight 3 counts as three identical rows."""
        from labelwise.weak._dependencies import PairTables

        rng = np.random.default_rng(1)
        matrix = np.where(rng.random((200, 2)) < 0.4, 1, -1)
        w = rng.integers(1, 4, 200).astype(float)
        rep = np.repeat(np.arange(200), w.astype(int))
        a = PairTables(matrix, np.full((200, 2), 0.5), w, 2).covote_z(0, 1)
        b = PairTables(matrix[rep], np.full((len(rep), 2), 0.5), np.ones(len(rep)), 2).covote_z(0, 1)
        assert a == pytest.approx(b, rel=1e-12)


class TestSharedCounts:
    @settings(max_examples=25, deadline=None)
    @given(seed=st.integers(0, 10_000), coverage=st.floats(0.05, 1.0))
    def test_co_vote_from_the_shared_counts_equals_its_own_counts(self, seed, coverage):
        """PairTables given shared_counts gives the co-vote z-scores and BIC gains of its own counts."""
        from labelwise.weak._dependencies import PairTables, shared_counts
        from labelwise.weak._moments import indicator

        rng = np.random.default_rng(seed)
        n, m, k = 60, 5, 3
        matrix = np.where(rng.random((n, m)) < coverage, rng.integers(0, k, (n, m)), -1)
        post = rng.dirichlet(np.ones(k), n)
        w = rng.integers(1, 4, n).astype(float)
        sums = shared_counts(indicator(matrix, k), post, w, m)
        given_sums, own = PairTables(matrix, post, w, k, sums), PairTables(matrix, post, w, k)
        for a, b in ((0, 1), (0, 4), (2, 3)):
            assert given_sums.covote_z(a, b) == pytest.approx(own.covote_z(a, b), rel=1e-9, abs=1e-9)
        pairs = [(0, 1), (1, 3)]
        np.testing.assert_allclose(given_sums.bic_gain(pairs), own.bic_gain(pairs), rtol=1e-12)

    def test_counts_items_voted_together(self):
        """out[0] counts the (weighted) items both functions vote on; out[1 + y] weighs them by class y."""
        from labelwise.weak._dependencies import shared_counts
        from labelwise.weak._moments import indicator

        matrix = np.array([[0, 1, -1], [1, 1, 0], [-1, 0, 0]])
        post = np.array([[1.0, 0.0], [0.25, 0.75], [0.5, 0.5]])
        out = shared_counts(indicator(matrix, 2), post, np.array([1.0, 2.0, 3.0]), 3)
        assert out[0, 0, 1] == 3.0 and out[0, 1, 2] == 5.0 and out[0, 0, 2] == 2.0
        assert out[1, 1, 2] == pytest.approx(0.5 + 1.5) and out[2, 1, 1] == pytest.approx(1.5 + 1.5)


class TestLabelModelCoVote:
    def test_workers_lured_together_on_hard_items_stay_apart(self):
        """Four workers answering every item, all drawn to one wrong class on a third of the items:
        a real dependency given the class, but not one of who votes; no clique (the BIC test alone
        joined them), and the labels of the model without the clique search."""
        rng = np.random.default_rng(2)
        n = 3000
        y = rng.integers(0, 2, n)
        hard = rng.random(n) < 0.35
        right = rng.random((n, 4)) < np.array([0.9, 0.85, 0.8, 0.75])
        matrix = np.where(right, y[:, None], 1 - y[:, None])
        matrix = np.where(hard[:, None] & (rng.random((n, 4)) < 0.6), 1 - y[:, None], matrix)
        model = LabelModel().fit(matrix)
        assert all(len(g) == 1 for g in model.groups_)
        free = LabelModel(dependency_threshold=None).fit(matrix)
        np.testing.assert_allclose(model.probas_.to_numpy(), free.probas_.to_numpy(), atol=1e-12)
