"""BradleyTerry and NoisyBradleyTerry (``labelwise.aggregate.pairwise``): the fitted model, the
prior for items that never win or lose, components of the comparison graph, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import check_grad
from scipy.stats import kendalltau

from labelwise.aggregate import BradleyTerry, NoisyBradleyTerry
from labelwise.aggregate._pairwise_data import encode_pairs
from labelwise.aggregate._pairwise_fit import noisy_bradley_terry
from labelwise.aggregate._pairwise_sim import simulate_comparisons
from labelwise.errors import AnnotationError, InvalidParameterError, LabelwiseWarning, MissingColumnError


def _pairs(rows: list[tuple], annotator: bool = False) -> pd.DataFrame:
    cols = ["left", "right", "winner", "annotator"] if annotator else ["left", "right", "winner"]
    return pd.DataFrame(rows, columns=cols)


CYCLE = _pairs([("a", "b", "a"), ("b", "c", "b"), ("c", "a", "c"), ("a", "b", "a"), ("a", "c", "a")])


class TestBradleyTerry:
    def test_mle_is_a_fixed_point_of_the_likelihood_equations(self):
        """At prior=0 each item's expected wins equal its observed wins (the MLE's score equations)."""
        sim = simulate_comparisons(20, 600, random_state=0)
        bt = BradleyTerry(prior=0, tol=1e-12, max_iter=20000).fit(sim.pairs)
        lam = np.exp(bt.scores_)
        p_left = lam[sim.pairs.left].to_numpy() / (lam[sim.pairs.left].to_numpy() + lam[sim.pairs.right].to_numpy())
        expected = (
            pd.Series(p_left)
            .groupby(sim.pairs.left.to_numpy())
            .sum()
            .add(pd.Series(1 - p_left).groupby(sim.pairs.right.to_numpy()).sum(), fill_value=0)
        )
        observed = sim.pairs.winner.value_counts().reindex(expected.index, fill_value=0)
        np.testing.assert_allclose(expected.to_numpy(), observed.to_numpy(), atol=1e-6)
        assert bt.converged_

    def test_loss_never_increases(self):
        """The MM step increases the log posterior at every step (the loss history is non-increasing)."""
        sim = simulate_comparisons(40, 500, random_state=1)
        loss = np.array(BradleyTerry(prior=0.5, tol=1e-10).fit(sim.pairs).loss_history_)
        assert np.all(np.diff(loss) <= 1e-12)

    def test_recovers_true_order_on_a_reliable_crowd(self):
        """With reliable annotators and many comparisons the scores order items as the true strengths."""
        sim = simulate_comparisons(30, 6000, spammers=0, biased=0, random_state=3)
        bt = BradleyTerry().fit(sim.pairs)
        assert kendalltau(bt.scores_, sim.strength.reindex(bt.scores_.index))[0] > 0.8

    def test_never_losing_item_refused_without_prior(self):
        """prior=0 with an item that never loses (no MLE, Ford's condition) is refused naming the item."""
        pairs = _pairs([("a", "b", "a"), ("b", "c", "b"), ("c", "b", "c"), ("a", "c", "a")])
        with pytest.raises(InvalidParameterError, match=r"prior=0.*never lost: \['a'\]"):
            BradleyTerry(prior=0).fit(pairs)

    def test_prior_gives_finite_scores_to_unbeaten_items(self):
        """With the Gamma prior an unbeaten item gets a finite, highest score."""
        pairs = _pairs([("a", "b", "a"), ("b", "c", "b"), ("c", "b", "c"), ("a", "c", "a")])
        bt = BradleyTerry(prior=1).fit(pairs)
        assert np.isfinite(bt.scores_).all()
        assert bt.ranking_[0] == "a"

    def test_prior_map_step_matches_the_posterior_mode(self):
        """The MAP fixed point has zero gradient of the log posterior (prior terms included)."""
        sim = simulate_comparisons(15, 200, random_state=4)
        bt = BradleyTerry(prior=2.0, tol=1e-12, max_iter=20000).fit(sim.pairs)
        enc = encode_pairs(sim.pairs)
        theta = bt.scores_.to_numpy()
        lam = np.exp(theta)
        p_win = lam[enc.winner] / (lam[enc.winner] + lam[enc.loser])
        grad = np.bincount(enc.winner, weights=1 - p_win, minlength=enc.n_items) - np.bincount(
            enc.loser, weights=1 - p_win, minlength=enc.n_items
        )
        grad += 2.0 * (1 - lam)
        np.testing.assert_allclose(grad, 0, atol=1e-6)

    def test_components_reported_and_warned(self):
        """Two unlinked groups of items: a warning, components_ and ranks within each component."""
        pairs = pd.concat([CYCLE, CYCLE.replace({"a": "x", "b": "y", "c": "z"}), _pairs([("p", "q", "p")])])
        with pytest.warns(LabelwiseWarning, match="3 separate groups"):
            bt = BradleyTerry().fit(pairs)
        assert bt.n_components_ == 3
        assert bt.components_["a"] == bt.components_["b"] != bt.components_["x"]
        assert bt.components_["p"] == 2
        assert sorted(bt.rank_[bt.components_ == 0]) == [1, 2, 2]  # b and c: one score (1 win, 2 losses each)
        assert list(bt.to_frame().columns) == ["score", "rank", "component"]

    @pytest.mark.parametrize("model", [BradleyTerry(), NoisyBradleyTerry()])
    def test_items_of_equal_score_share_a_rank(self, model):
        """A cycle a > b > c > a (each pair once): equal scores, so every item is ranked 1, not 1, 2, 3
        by name; d, beaten by all, is 4th."""
        pairs = _pairs(
            [("a", "b", "a", "u"), ("b", "c", "b", "u"), ("c", "a", "c", "u")] + [(x, "d", x, "u") for x in "abc"],
            annotator=True,
        )
        fit = model.fit(pairs)
        assert fit.scores_["a"] == fit.scores_["b"] == fit.scores_["c"] > fit.scores_["d"]
        assert fit.rank_.to_dict() == {"a": 1, "b": 1, "c": 1, "d": 4}

    def test_one_component_no_warning(self):
        """A connected comparison graph fits without a warning."""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            bt = BradleyTerry().fit(CYCLE)
        assert bt.n_components_ == 1 and list(bt.ranking_) == ["a", "b", "c"]

    def test_max_iter_reached_is_reported(self):
        """Stopping at max_iter says converged_=False and n_iter_=max_iter."""
        sim = simulate_comparisons(30, 300, random_state=5)
        bt = BradleyTerry(max_iter=2, tol=0).fit(sim.pairs)
        assert (bt.n_iter_, bt.converged_, len(bt.loss_history_)) == (2, False, 2)


class TestNoisyBradleyTerry:
    def test_gradient_is_the_objectives(self):
        """The analytic gradient of the noisy objective agrees with finite differences."""
        sim = simulate_comparisons(8, 200, n_annotators=4, random_state=6)
        enc = encode_pairs(sim.pairs, annotator_col="annotator")
        captured = {}

        def spy(fun, x0, jac, **kw):
            captured["fun"] = fun
            from scipy.optimize import minimize

            return minimize(fun, x0, jac=jac, **kw)

        import labelwise.aggregate._pairwise_fit as fit_module

        original = fit_module.minimize
        fit_module.minimize = spy
        try:
            noisy_bradley_terry(enc, prior=0.7, max_iter=3, tol=1e-7, theta0=np.zeros(8))
        finally:
            fit_module.minimize = original
        fun = captured["fun"]
        x = np.random.default_rng(0).normal(size=8 + 8)
        assert check_grad(lambda v: fun(v)[0], lambda v: fun(v)[1], x) < 1e-6

    def test_finds_spammers_and_the_biased_annotator(self):
        """Spammers get a low reliability, the position-biased annotator a high left bias."""
        sim = simulate_comparisons(50, 8000, n_annotators=10, spammers=0.2, biased=1, random_state=7)
        nb = NoisyBradleyTerry().fit(sim.pairs)
        skill = nb.annotator_skill_.reindex(sim.reliability.index)
        assert skill[sim.reliability == 0].max() < skill[sim.reliability > 0].min()
        biased = sim.left_bias.idxmax()
        assert nb.annotator_bias_[biased] > 0.85

    def test_beats_plain_bradley_terry_with_biased_crowd(self):
        """With many spammers and a biased annotator the noisy model orders items closer to the truth."""
        sim = simulate_comparisons(60, 6000, n_annotators=10, spammers=0.4, biased=2, random_state=8)
        truth = sim.strength
        nb = NoisyBradleyTerry().fit(sim.pairs)
        bt = BradleyTerry().fit(sim.pairs)
        tau_nb = kendalltau(nb.scores_, truth.reindex(nb.scores_.index))[0]
        tau_bt = kendalltau(bt.scores_, truth.reindex(bt.scores_.index))[0]
        assert tau_nb > tau_bt

    def test_reliable_crowd_gives_bradley_terry_scores(self):
        """When every answer follows the strengths the noisy scores are close to Bradley-Terry's."""
        sim = simulate_comparisons(20, 3000, n_annotators=5, spammers=0, biased=0, random_state=9)
        nb = NoisyBradleyTerry().fit(sim.pairs)
        bt = BradleyTerry().fit(sim.pairs)
        assert np.corrcoef(nb.scores_, bt.scores_)[0, 1] > 0.99

    def test_needs_an_annotator_column(self):
        """annotator_col=None is refused for the noisy model, naming the parameter."""
        with pytest.raises(InvalidParameterError, match="annotator_col"):
            NoisyBradleyTerry(annotator_col=None).fit(CYCLE)


class TestBadInput:
    @pytest.mark.parametrize(
        ("rows", "match"),
        [
            ([("a", "b", "a"), ("a", "b", "c")], r"winner_col 'winner' must be the left or the right item.*row 1"),
            ([("a", "b", "a"), ("a", "a", "a")], r"two different items, row 1 compares 'a' with itself"),
            ([("a", "b", "a"), ("a", "b", None)], r"winner_col .*row 1 is (None|nan).*ties are not supported"),
            ([("a", None, "a")], r"right_col column 'right' must not contain missing values, row 0"),
        ],
    )
    def test_bad_rows_are_refused_naming_the_row(self, rows, match):
        """A winner outside the pair, an item against itself, a tie or a missing item: the row is named."""
        with pytest.raises(AnnotationError, match=match):
            BradleyTerry().fit(_pairs(rows))

    @pytest.mark.parametrize("side", ["left", "Right", "right "])
    def test_a_winner_column_of_sides_is_told_to_name_the_item(self, side):
        """A winner written as the side ('left', 'right') instead of the item: the message says so and how
        to write it; a winner that is some other item keeps the tie hint."""
        with pytest.raises(AnnotationError, match=r"row 0 has .*; column 'winner' names a side, not the winning item"):
            BradleyTerry().fit(_pairs([("a", "b", side), ("b", "c", "left")]))
        with pytest.raises(AnnotationError, match=r"has 'left' .*\(ties are not supported"):
            BradleyTerry().fit(_pairs([("a", "b", "left"), ("b", "c", "z")]))

    def test_missing_annotator_named(self):
        """A missing annotator is refused naming the column and row."""
        pairs = _pairs([("a", "b", "a", "w"), ("a", "b", "b", None)], annotator=True)
        with pytest.raises(AnnotationError, match="annotator_col column 'annotator'.*row 1"):
            NoisyBradleyTerry().fit(pairs)

    def test_missing_column(self):
        """A column not in the table is named with the columns that exist."""
        with pytest.raises(MissingColumnError, match=r"winner_col 'label' is not a column of pairs"):
            BradleyTerry(winner_col="label").fit(CYCLE)

    @pytest.mark.parametrize("param", ["left_col", "right_col", "winner_col"])
    def test_a_required_column_given_as_none_is_named(self, param):
        """left_col, right_col or winner_col=None is an InvalidParameterError naming it (not a KeyError)."""
        with pytest.raises(InvalidParameterError, match=rf"^{param} must be a non-empty column name"):
            BradleyTerry(**{param: None}).fit(CYCLE)
        with pytest.raises(InvalidParameterError, match=rf"^{param} must be a non-empty column name"):
            encode_pairs(CYCLE, **{"left_col": "left", "right_col": "right", "winner_col": "winner", param: None})

    def test_empty_and_not_a_frame(self):
        """An empty table and a non-DataFrame are refused."""
        with pytest.raises(AnnotationError, match="at least one comparison"):
            BradleyTerry().fit(CYCLE.iloc[:0])
        with pytest.raises(AnnotationError, match="pandas DataFrame"):
            BradleyTerry().fit([("a", "b", "a")])

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"prior": -1}, "prior"),
            ({"prior": float("nan")}, "prior"),
            ({"max_iter": 0}, "max_iter"),
            ({"tol": -1}, "tol"),
        ],
    )
    def test_bad_parameters_named(self, params, name):
        """Out-of-range parameters are refused naming the parameter and the value."""
        with pytest.raises(InvalidParameterError, match=name):
            BradleyTerry(**params).fit(CYCLE)
