"""Tests of ``weak.learn_dependencies``: Varma et al.'s sparse plus low-rank structure learner (opt-in)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelwise.errors import InvalidParameterError
from labelwise.weak import LabelModel, LearnedDependencies, _structure_learning, learn_dependencies
from labelwise.weak._moments import indicator, weighted_gram
from labelwise.weak._structure_learning import (
    gram_correlation,
    indicator_correlation,
    sparse_low_rank,
    sparse_low_rank_admm,
)


def keyword_rules(seed: int, n: int = 6000, triggers: bool = True) -> np.ndarray:
    """Two classes; rules 0 and 1 read one trigger (a feature common in class 1, present in class 0 too) and rule 2
    copies rule 0 (a few flips); rules 3-6 fire on one class each, independently given the class. Without
    ``triggers``: rules 3-6 only."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.5).astype(int)
    feature = rng.random(n) < np.where(y == 1, 0.7, 0.15)
    cols = [np.where(feature & (rng.random(n) < fire), 1, -1) for fire in (0.9, 0.85)]
    flip = rng.random(n) < 0.02
    cols.append(np.where(flip, np.where(cols[0] >= 0, -1, 1), cols[0]))
    for c, cov in ((0, 0.3), (0, 0.25), (1, 0.2), (0, 0.2)):
        cols.append(np.where(rng.random(n) < np.where(y == c, cov, cov * 0.1), c, -1))
    return np.stack(cols if triggers else cols[3:], axis=1)


class TestSparseLowRank:
    def test_recovers_the_support_of_a_sparse_minus_low_rank_precision(self) -> None:
        """A precision ``S − L`` with one off-diagonal pair in ``S`` and rank-one ``L``: that pair alone, rank one."""
        d = 8
        s = np.eye(d) * 2.0
        s[1, 4] = s[4, 1] = -0.8
        u = np.full(d, 0.35)
        sigma = np.linalg.inv(s - np.outer(u, u))
        sd = np.sqrt(np.diag(sigma))
        fit = sparse_low_rank(sigma / np.outer(sd, sd), lam=0.05, gamma=0.5)
        partial = np.abs(fit.sparse) / np.sqrt(np.outer(np.diag(fit.sparse), np.diag(fit.sparse)))
        np.fill_diagonal(partial, 0.0)
        assert fit.positive_definite and fit.converged
        assert {tuple(sorted(p)) for p in zip(*np.nonzero(partial > 0.1), strict=True)} == {(1, 4)}
        vals = np.linalg.eigvalsh(fit.low_rank)
        assert int((vals > 1e-2 * vals[-1]).sum()) == 1

    def test_a_non_square_matrix_is_refused_with_its_shape(self) -> None:
        """``sigma`` must be square: the error names it and the shape received."""
        with pytest.raises(InvalidParameterError, match=r"sigma must be a square matrix, got shape \(2, 3\)"):
            sparse_low_rank(np.zeros((2, 3)), lam=0.1, gamma=1.0)

    @pytest.mark.parametrize(("lam", "gamma", "name"), [(0.0, 1.0, "lam"), (0.1, -1.0, "gamma"), (np.nan, 1, "lam")])
    def test_weights_that_are_not_positive_are_refused(self, lam: float, gamma: float, name: str) -> None:
        """``lam`` and ``gamma`` must be positive numbers: the error names the one that is not."""
        with pytest.raises(InvalidParameterError, match=f"{name} must be a positive number"):
            sparse_low_rank(np.eye(3), lam=lam, gamma=gamma)


class TestIndicatorCorrelation:
    def test_constant_indicators_are_left_out(self) -> None:
        """A function that never votes, and one that always votes one class, give no indicator."""
        matrix = np.array([[-1, 0, 1], [-1, 0, -1], [-1, 0, 1], [-1, 0, -1]])
        corr, owner = indicator_correlation(matrix, 2)
        assert owner.tolist() == [2] and corr.shape == (1, 1)

    def test_row_weights_equal_repeated_rows(self) -> None:
        """A row standing for three items gives the correlation of the matrix with the row three times."""
        matrix = np.array([[0, 1, -1], [1, -1, 0], [-1, 1, 1], [0, -1, 1]])
        weighted, _ = indicator_correlation(matrix, 2, np.array([3.0, 1.0, 1.0, 2.0]))
        repeated, _ = indicator_correlation(np.repeat(matrix, [3, 1, 1, 2], axis=0), 2)
        np.testing.assert_allclose(weighted, repeated)

    @settings(max_examples=40, deadline=None)
    @given(st.integers(0, 10_000), st.integers(2, 4), st.integers(2, 6))
    def test_the_gram_gives_the_correlation_of_the_rows(self, seed: int, k: int, m: int) -> None:
        """From the indicators' weighted gram ``λᵀWλ``: the same indicators (constant ones left out, in order) and
        the same correlation, to rounding, as from the weighted rows."""
        rng = np.random.default_rng(seed)
        matrix = rng.integers(-1, k, size=(rng.integers(3, 40), m))
        matrix[:, 0] = -1  # a function that never votes: its indicators are constant
        weights = rng.integers(1, 9, size=len(matrix)).astype(np.float64)
        corr, owner = indicator_correlation(matrix, k, weights)
        from_gram, owner_gram = gram_correlation(weighted_gram(indicator(matrix, k), weights), k, weights.sum())
        assert owner_gram.tolist() == owner.tolist()
        np.testing.assert_allclose(from_gram, corr, rtol=0, atol=1e-12)


class TestLearnDependencies:
    def test_the_rules_that_read_one_trigger_are_found_and_the_independent_ones_are_not(self) -> None:
        """The trigger's rules (the copy pair and a reader) are found; no pair holds a one-class rule."""
        result = learn_dependencies(keyword_rules(0))
        assert ("lf_0", "lf_2") in result.pairs
        assert ("lf_0", "lf_1") in result.pairs or ("lf_1", "lf_2") in result.pairs
        assert {name for pair in result.pairs for name in pair} <= {"lf_0", "lf_1", "lf_2"}
        assert result.positive_definite and result.n_indicators == 7

    def test_independent_rules_give_no_pair(self) -> None:
        """Rules independent given the class: nothing is learned, the latent class goes to ``L``."""
        result = learn_dependencies(keyword_rules(3, triggers=False))
        assert result.pairs == () and result.rank >= 1

    def test_a_long_table_names_the_pairs_by_labeler(self) -> None:
        """Votes as (item, labeler, label) rows give pairs of labeler names; ``to_frame`` has one row per pair."""
        matrix = keyword_rules(0)
        names = ["trigger_a", "trigger_b", "trigger_a_copy", "k0", "k1", "k2", "k3"]
        items, cols = np.nonzero(matrix >= 0)
        long = pd.DataFrame({"item": items, "labeler": np.array(names)[cols], "label": matrix[items, cols]})
        result = learn_dependencies(long)
        assert ("trigger_a", "trigger_a_copy") in result.pairs
        frame = result.to_frame()
        assert list(frame.columns) == ["labeler_a", "labeler_b", "partial_correlation"]
        assert len(frame) == len(result.pairs) and frame.partial_correlation.is_monotonic_decreasing

    def test_the_pairs_make_the_label_model_join_the_trigger(self) -> None:
        """``LabelModel(dependencies=result.pairs)`` models the trigger's three rules as one clique."""
        matrix = keyword_rules(2)
        result = learn_dependencies(matrix)
        model = LabelModel(dependencies=result.pairs, max_clique=6).fit(matrix)
        assert ("lf_0", "lf_1", "lf_2") in model.groups_

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"lam_scale": 0}, "lam_scale must be a positive number"),
            ({"gamma": -0.5}, "gamma must be a positive number"),
            ({"threshold": 1.0}, r"threshold must be in \[0, 1\), got 1.0"),
            ({"max_indicators": 3}, "max_indicators is 3, got votes with 7"),
        ],
    )
    def test_bad_parameters_are_refused_with_a_message_naming_them(self, kwargs: dict, message: str) -> None:
        """Each parameter out of range raises ``InvalidParameterError`` naming it, the range and the value."""
        with pytest.raises(InvalidParameterError, match=message):
            learn_dependencies(keyword_rules(0, n=500), **kwargs)

    def test_one_indicator_gives_an_empty_result(self) -> None:
        """Votes with a single varying indicator: no pair, nothing to solve."""
        result = learn_dependencies(np.array([[0, -1], [-1, -1], [0, -1]]), labels=[0, 1])
        assert result == LearnedDependencies((), (), ("lf_0", "lf_1"), 1, 0, True, True)

    @settings(max_examples=10, deadline=None)
    @given(st.permutations(list(range(7))))
    def test_the_pairs_follow_the_functions_when_their_order_changes(self, order: list[int]) -> None:
        """Reordering the functions reorders the learned pairs and changes nothing else."""
        matrix = keyword_rules(1, n=3000)
        base = {frozenset(pair) for pair in learn_dependencies(matrix).pairs}
        moved = learn_dependencies(matrix[:, order]).pairs
        assert {frozenset(f"lf_{order[int(name[3:])]}" for name in pair) for pair in moved} == base


class TestLabelModelLearner:
    @staticmethod
    def _sim1004() -> tuple[np.ndarray, np.ndarray, float]:
        """``bench_weak.py``'s sim1004 (15 functions, 4 correlated copies, three classes) as the label model sees it:
        the indicators' correlation, their functions and ``λ_n``."""
        from labelwise.weak import simulate_lfs
        from labelwise.weak._compress import compress_rows
        from labelwise.weak._structure_learning import GAMMA, LAM_SCALE

        sim = simulate_lfs(10_000, 15, 3, n_correlated=4, coverage=(0.05, 0.6), imbalance=3.0, random_state=1004)
        rows = compress_rows(sim.votes.matrix(), 3)
        corr, owner = indicator_correlation(rows.matrix, 3, rows.weights)
        lam = LAM_SCALE * float(np.sqrt(np.log(len(owner)) / rows.weights.sum()))
        assert GAMMA == 0.6
        return corr, owner, lam

    def test_fista_reaches_its_tolerance_on_sim1004_within_its_steps(self) -> None:
        """With the gradient restart the solver converges (tolerance 1e-7) in well under its 2,000 steps on sim1004's
        32 indicators; without it (session 50) it ran all 2,000 and stopped short."""
        corr, _, lam = self._sim1004()
        fit = sparse_low_rank(corr, lam, 0.6)
        assert fit.converged and fit.n_iter < 1000 and fit.positive_definite

    def test_the_label_models_pairs_on_sim1004_are_the_ones_judged(self) -> None:
        """``learned_pairs`` on sim1004 gives session 50's five pairs in its order, with the label model's looser
        tolerance as with the default one: the simulator's four copies and one pair it does not hold (lf_8, lf_13)."""
        from labelwise.weak import simulate_lfs
        from labelwise.weak._compress import compress_rows
        from labelwise.weak._structure_learning import _pairs, learned_pairs

        sim = simulate_lfs(10_000, 15, 3, n_correlated=4, coverage=(0.05, 0.6), imbalance=3.0, random_state=1004)
        rows = compress_rows(sim.votes.matrix(), 3)
        expected = [(14, 17), (9, 18), (3, 15), (10, 16), (8, 13)]
        assert learned_pairs(rows.matrix, rows.weights, 3) == expected
        corr, owner, lam = self._sim1004()
        assert [(j, jj) for j, jj, _ in _pairs(sparse_low_rank(corr, lam, 0.6), owner, 0.05)] == expected
        assert {frozenset(p) for p in expected} == {frozenset((c, int(sim.parent[c]))) for c in range(15, 19)} | {
            frozenset((8, 13))
        }

    def test_admm_stops_near_fistas_tight_solution_on_sim1004(self) -> None:
        """ADMM (residuals below 1e-6) stops in under 200 steps on sim1004, within 1e-4 of FISTA's solution at
        1e-10, with ``Ŝ − L̂`` positive definite."""
        corr, _, lam = self._sim1004()
        fit = sparse_low_rank_admm(corr, lam, 0.6)
        tight = sparse_low_rank(corr, lam, 0.6, tol=1e-10, max_iter=20_000)
        assert fit.converged and fit.n_iter < 200 and fit.positive_definite
        assert np.abs(fit.sparse - tight.sparse).max() < 1e-4
        assert np.abs(fit.low_rank - tight.low_rank).max() < 1e-4

    def test_the_learner_falls_back_to_fista_where_admm_does_not_stop(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With ADMM cut to one step (not converged) the label model's learner runs FISTA and gives sim1004's five
        pairs all the same (the contracted joins off: their solve on sim1004's contracted cliques would count too)."""
        from labelwise.weak import _contracted_pairs, simulate_lfs
        from labelwise.weak._compress import compress_rows

        monkeypatch.setattr(_contracted_pairs, "ENABLED", False)
        admm, fista, calls = _structure_learning.sparse_low_rank_admm, _structure_learning.sparse_low_rank, []
        monkeypatch.setattr(_structure_learning, "sparse_low_rank_admm", lambda *a, **kw: admm(*a, max_iter=1, **kw))
        monkeypatch.setattr(_structure_learning, "sparse_low_rank", lambda *a, **kw: calls.append(1) or fista(*a, **kw))
        sim = simulate_lfs(10_000, 15, 3, n_correlated=4, coverage=(0.05, 0.6), imbalance=3.0, random_state=1004)
        rows = compress_rows(sim.votes.matrix(), 3)
        pairs = _structure_learning.learned_pairs(rows.matrix, rows.weights, 3)
        assert calls == [1] and pairs == [(14, 17), (9, 18), (3, 15), (10, 16), (8, 13)]
