"""Tests of ``weak._structure_learning``: Varma et al.'s sparse plus low-rank structure learner and its use by
``LabelModel``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.weak._structure_learning import dependency_pairs, indicator_correlation, sparse_low_rank


def keyword_rules(seed: int, n: int = 6000) -> tuple[np.ndarray, np.ndarray]:
    """Two classes; rules 0 and 1 read one trigger (a feature common in class 1, present in class 0 too); rule 2 is
    a copy of rule 0 (a few flips); rules 3-6 fire on one class each, independently given the class."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.5).astype(int)
    feature = rng.random(n) < np.where(y == 1, 0.7, 0.15)
    cols = []
    for fire in (0.9, 0.85):
        cols.append(np.where(feature & (rng.random(n) < fire), 1, -1))
    flip = rng.random(n) < 0.02
    cols.append(np.where(flip, np.where(cols[0] >= 0, -1, 1), cols[0]))
    for c, cov in ((0, 0.3), (0, 0.25), (1, 0.2), (0, 0.2)):
        cols.append(np.where(rng.random(n) < np.where(y == c, cov, cov * 0.1), c, -1))
    return np.stack(cols, axis=1), y


class TestSparseLowRank:
    def test_recovers_the_support_of_a_sparse_minus_low_rank_precision(self) -> None:
        """A precision ``S − L`` with one off-diagonal pair in ``S`` and rank-one ``L``: that pair, alone, is found."""
        d = 8
        s = np.eye(d) * 2.0
        s[1, 4] = s[4, 1] = -0.8
        u = np.full(d, 0.35)
        sigma = np.linalg.inv(s - np.outer(u, u))
        sd = np.sqrt(np.diag(sigma))
        fit = sparse_low_rank(sigma / np.outer(sd, sd), lam=0.05, gamma=0.5)
        partial = np.abs(fit.sparse) / np.sqrt(np.outer(np.diag(fit.sparse), np.diag(fit.sparse)))
        np.fill_diagonal(partial, 0.0)
        assert fit.positive_definite
        assert {tuple(sorted(p)) for p in zip(*np.nonzero(partial > 0.1), strict=True)} == {(1, 4)}
        vals = np.linalg.eigvalsh(fit.low_rank)
        assert int((vals > 1e-2 * vals[-1]).sum()) == 1

    def test_a_non_square_matrix_is_refused_with_its_shape(self) -> None:
        """``sigma`` must be square: the error names it and the shape received."""
        with pytest.raises(InvalidParameterError, match=r"sigma must be a square matrix, got shape \(2, 3\)"):
            sparse_low_rank(np.zeros((2, 3)), lam=0.1, gamma=1.0)

    @pytest.mark.parametrize(("lam", "gamma"), [(0.0, 1.0), (0.1, -1.0), (float("nan"), 1.0)])
    def test_weights_that_are_not_positive_are_refused(self, lam: float, gamma: float) -> None:
        """``lam`` and ``gamma`` must be positive: the error names both and their values."""
        with pytest.raises(InvalidParameterError, match="lam and gamma must be positive"):
            sparse_low_rank(np.eye(3), lam=lam, gamma=gamma)


class TestDependencyPairs:
    def test_the_rules_that_read_one_trigger_are_found_and_the_independent_ones_are_not(self) -> None:
        """The trigger's three rules (two readers and a copy) are joined; the one-class rules stay apart."""
        matrix, _ = keyword_rules(0)
        pairs = {(a, b) for a, b, _ in dependency_pairs(matrix, 2, lam_scale=5.0, gamma=0.6, threshold=0.1) or []}
        assert (0, 2) in pairs and ((0, 1) in pairs or (1, 2) in pairs)
        assert all(a < 3 and b < 3 for a, b in pairs)

    def test_constant_indicators_are_left_out(self) -> None:
        """A function that never votes, and one that always votes one class, give no indicator."""
        matrix = np.array([[-1, 0, 1], [-1, 0, -1], [-1, 0, 1], [-1, 0, -1]])
        corr, owner = indicator_correlation(matrix, 2)
        assert owner.tolist() == [2] and corr.shape == (1, 1)

    @settings(max_examples=15, deadline=None)
    @given(st.permutations(list(range(7))))
    def test_the_pairs_follow_the_functions_when_their_order_changes(self, order: list[int]) -> None:
        """Reordering the functions reorders the learned pairs and changes nothing else."""
        matrix, _ = keyword_rules(1, n=3000)
        base = {(a, b) for a, b, _ in dependency_pairs(matrix, 2) or []}
        moved = {tuple(sorted((order[a], order[b]))) for a, b, _ in dependency_pairs(matrix[:, order], 2) or []}
        assert moved == base


class TestLabelModelWithTheLearner:
    def test_the_learned_trigger_clique_is_modelled_jointly(self) -> None:
        """``LabelModel()`` on keyword rules joins the trigger's rules into one group."""
        from labelwise.weak import LabelModel

        matrix, _ = keyword_rules(2)
        model = LabelModel().fit(matrix)
        assert ("lf_0", "lf_1", "lf_2") in model.groups_
