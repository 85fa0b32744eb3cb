"""The near-copy linkage at other numbers of items (session 53, cliquen53): a co-vote effect size that does not grow
with the items, and the one-class check kept within ``max_clique`` past the search."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise import weak
from labelwise.weak import _clique_cap
from labelwise.weak._dependencies import PairTables


def _tables(matrix: np.ndarray, k: int) -> PairTables:
    """Pair tables on the vote shares with unit weights, as the clique search builds them."""
    counts = np.stack([(matrix == y).sum(axis=1) for y in range(k)], axis=1).astype(float)
    total = counts.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, counts / np.maximum(total, 1), 1.0 / k)
    return PairTables(matrix, shares, np.ones(len(matrix)), k)


def _copies(n: int, seed: int) -> np.ndarray:
    """Eight simulated functions, lf_8 and lf_9 copies of lf_0."""
    return weak.simulate_lfs(n, 8, 3, n_correlated=0, random_state=seed).votes.matrix().copy()


class TestCovoteCorrAll:
    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(0, 10_000), times=st.integers(2, 5))
    def test_the_correlation_does_not_grow_with_the_items_where_z_does(self, seed, times):
        """Every item repeated ``times`` times: the co-vote z grows by sqrt(times), the correlation stays."""
        matrix = _copies(300, seed)
        once, repeated = _tables(matrix, 3), _tables(np.repeat(matrix, times, axis=0), 3)
        np.testing.assert_allclose(repeated.covote_corr_all(), once.covote_corr_all(), atol=1e-9)
        np.testing.assert_allclose(repeated.covote_z_all(), np.sqrt(times) * once.covote_z_all(), atol=1e-6)

    def test_it_is_symmetric_with_a_zero_diagonal_and_shares_the_z_scores_sign(self):
        """A correlation per pair: symmetric, 0 on the diagonal, of the co-vote excess's sign."""
        tables = _tables(_copies(2_000, 3), 3)
        corr, z = tables.covote_corr_all(), tables.covote_z_all()
        np.testing.assert_allclose(corr, corr.T, atol=1e-12)
        assert (np.diagonal(corr) == 0).all()
        off = ~np.eye(len(corr), dtype=bool)
        assert (np.sign(corr[off]) == np.sign(z[off])).all()

    def test_a_copy_scores_near_its_copy_rate_and_independent_functions_under_the_bar(self):
        """A function copying another's output (abstains included) on 80% of the items correlates about 0.8 with it
        given the class; independent ones stay under the linkage's bar."""
        sim = weak.simulate_lfs(20_000, 6, 2, n_correlated=1, random_state=5)
        corr = _tables(sim.votes.matrix(), 2).covote_corr_all()
        copy, parent = 6, int(sim.parent[6])
        assert 0.6 < corr[copy, parent] < 0.95
        others = [j for j in range(6) if j != parent]
        assert np.abs(corr[np.ix_(others, others)]).max() < _clique_cap.NEAR_COPY_CORR


class TestEffectLink:
    def test_every_linkage_decision_is_the_same_on_a_set_and_on_its_items_repeated(self, monkeypatch):
        """With ``EFFECT_LINK`` on, each pair of functions is linked on a set exactly when it is linked with every
        item repeated 100 times, and a copy is linked to its parent; the z bar (switch off) decides some pairs
        differently once the items are repeated."""
        matrix = _copies(2_000, 11)
        matrix[:, 7] = np.where(np.random.default_rng(0).random(len(matrix)) < 0.8, matrix[:, 0], matrix[:, 7])
        small, big = _tables(matrix, 3), _tables(np.repeat(matrix, 100, axis=0), 3)
        pairs = [([a], [b]) for a in range(8) for b in range(a + 1, 8)]

        def decisions(effect: bool) -> tuple[list[bool], list[bool]]:
            monkeypatch.setattr(_clique_cap, "EFFECT_LINK", effect)
            link_small, link_big = _clique_cap.all_covote(small, 5.0), _clique_cap.all_covote(big, 5.0)
            return [link_small(*p) for p in pairs], [link_big(*p) for p in pairs]

        on_small, on_big = decisions(True)
        assert on_small == on_big
        assert on_small[pairs.index(([0], [7]))]
        off_small, off_big = decisions(False)
        assert off_small != off_big

    def test_groups_join_only_when_every_cross_pair_is_significant_and_correlated(self, monkeypatch):
        """``all_covote`` with ``EFFECT_LINK`` on: every cross pair needs z over the threshold and a correlation of
        at least ``NEAR_COPY_CORR``; a pair at z 6 and correlation 0.8 links, one at z 90 and 0.3 does not."""
        monkeypatch.setattr(_clique_cap, "EFFECT_LINK", True)
        z, corr = np.full((4, 4), 6.0), np.full((4, 4), 0.8)
        z[0, 3] = z[3, 0] = 90.0
        corr[0, 3] = corr[3, 0] = 0.3
        z[1, 2] = z[2, 1] = 4.0
        linked = _clique_cap.all_covote(SimpleNamespace(covote_z_all=lambda: z, covote_corr_all=lambda: corr), 5.0)
        assert linked([0], [2])
        assert not linked([0], [2, 3])
        assert not linked([1], [2])


class TestCheckKeepsCap:
    @pytest.mark.parametrize("effect", [False, True])
    def test_a_clique_the_check_grows_past_the_cap_is_dropped_only_with_the_switch(self, monkeypatch, effect):
        """The one-class check's groups past ``max_clique`` that it made itself are dropped with the switch on."""
        monkeypatch.setattr(_clique_cap, "EFFECT_LINK", effect)
        model = SimpleNamespace(max_clique=3)
        groups = [[0, 1, 2, 3, 4], [5], [6], [7], [8], [9]]
        new = [[0, 1, 2, 3, 4], [5, 6, 7, 8], [9]]
        assert _clique_cap.check_keeps_cap(model, groups, new) == (None if effect else new)

    def test_a_given_grown_clique_and_joins_within_the_cap_are_kept(self, monkeypatch):
        """A grown clique the check was given, and new groups of at most ``max_clique``, pass unchanged."""
        monkeypatch.setattr(_clique_cap, "EFFECT_LINK", True)
        model = SimpleNamespace(max_clique=3)
        groups = [[0, 1, 2, 3, 4], [5], [6], [7], [8]]
        new = [[0, 1, 2, 3, 4], [5, 6, 7], [8]]
        assert _clique_cap.check_keeps_cap(model, groups, new) == new
        assert _clique_cap.check_keeps_cap(model, groups, None) is None
