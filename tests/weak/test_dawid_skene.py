"""Tests of weak.DawidSkeneLabelModel (a wrapper over labelwise.aggregate.DawidSkene)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from labelwise.aggregate import DawidSkene
from labelwise.errors import EstimatorError, InvalidLabelsError, InvalidParameterError, LabelwiseWarning
from labelwise.weak import DawidSkeneLabelModel, Votes, as_votes, simulate_lfs
from tests.aggregate._crowd import pair_crowd


class TestDawidSkeneLabelModel:
    def test_labels_on_voted_items_are_those_of_aggregate_dawid_skene(self):
        """On items with votes the labels are those of lw.aggregate.DawidSkene, except where its two
        most probable classes are nearer than EM's last step moves them: the wrapper's posterior is
        one E-step under the final parameters, the aggregate's the E-step before them."""
        sim = simulate_lfs(1500, 6, 3, unipolar=0.0, random_state=3)
        ours = DawidSkeneLabelModel().fit(sim.votes)
        theirs = DawidSkene(labels=[0, 1, 2]).fit(sim.votes.to_annotations())
        step = np.abs(ours.probas_.reindex(theirs.probas_.index).to_numpy() - theirs.probas_.to_numpy()).max()
        assert step < 0.05
        top2 = np.sort(theirs.probas_.to_numpy(), axis=1)[:, -2:]
        differ = (ours.labels_.reindex(theirs.labels_.index) != theirs.labels_).to_numpy()
        assert differ.mean() < 0.01 and (top2[differ, 1] - top2[differ, 0] <= 2 * step).all()

    def test_unvoted_items_get_the_class_balance(self):
        """Items nobody voted on have the class balance as posterior."""
        sim = simulate_lfs(800, 3, 2, coverage=(0.05, 0.2), random_state=1)
        model = DawidSkeneLabelModel().fit(sim.votes)
        empty = model.n_votes_.to_numpy() == 0
        assert empty.any()
        np.testing.assert_allclose(model.probas_.to_numpy()[empty], np.tile(model.class_balance_, (empty.sum(), 1)))

    def test_fixed_class_balance_shifts_posteriors_toward_it(self):
        """A fixed class balance replaces the fitted prior in the posterior."""
        sim = simulate_lfs(1000, 5, 2, unipolar=0.0, random_state=6)
        free = DawidSkeneLabelModel().fit(sim.votes)
        skewed = DawidSkeneLabelModel(class_balance=[0.95, 0.05]).fit(sim.votes)
        assert skewed.probas_[0].mean() > free.probas_[0].mean()
        np.testing.assert_allclose(skewed.probas_.sum(axis=1), 1.0)

    def test_confusion_rows_sum_to_one_and_accuracies_in_unit_interval(self):
        """Confusion rows are distributions; accuracies are probabilities."""
        sim = simulate_lfs(1000, 5, 3, random_state=2)
        model = DawidSkeneLabelModel().fit(sim.votes)
        np.testing.assert_allclose(model.confusion_.sum(axis=2), 1.0, atol=1e-6)
        assert model.accuracies_.between(0, 1).all()

    def test_an_unknown_parameter_is_named_at_fit(self):
        """DawidSkeneLabelModel(foo=1).fit raised DawidSkene's TypeError; now an error naming it and the valid ones."""
        sim = simulate_lfs(200, 3, 2, random_state=0)
        with pytest.raises(InvalidParameterError, match=r"unknown parameter\(s\) \['foo'\].*'max_iter'"):
            DawidSkeneLabelModel(foo=1).fit(sim.votes)

    def test_set_params_reaches_dawid_skenes_parameters(self):
        """set_params(max_iter=...) was refused (only the wrapper's own names were valid); clone keeps them."""
        sim = simulate_lfs(300, 4, 2, random_state=1)
        model = clone(DawidSkeneLabelModel()).set_params(max_iter=3, class_balance="uniform")
        assert model.get_params()["max_iter"] == 3 and model.class_balance == "uniform"
        model.fit(sim.votes)
        assert model.estimator_.max_iter == 3 and model.estimator_.n_iter_ <= 3
        with pytest.raises(InvalidParameterError, match=r"unknown parameter\(s\) \['item_col'\]"):
            model.set_params(item_col="x")


def _crowd_votes(answers: pd.DataFrame) -> pd.DataFrame:
    """An aggregate crowd table as a long vote table (item, labeler, label)."""
    return answers.rename(columns={"annotator": "labeler"})


def _hand_posterior(model: DawidSkeneLabelModel, rows: list[dict], groups=()) -> np.ndarray:
    """``P(y | votes) ∝ b_y Π_j θ_j[y, v_j]`` from ``confusion_`` and ``class_balance_`` with numpy;
    ``rows``: per item {labeler: class code}; the labelers of a group in ``groups`` that voted on an
    item weigh ``1 / (how many voted)`` each."""
    names = list(model.labelers_)
    out = []
    for row in rows:
        log_p = np.log(model.class_balance_).copy()
        for labeler, code in row.items():
            group = next((g for g in groups if labeler in g), None)
            weight = 1.0 / sum(x in row for x in group) if group else 1.0
            log_p += weight * np.log(model.confusion_[names.index(labeler), :, code])
        p = np.exp(log_p - log_p.max())
        out.append(p / p.sum())
    return np.array(out)


class TestDawidSkeneLabelModelPredict:
    @pytest.mark.parametrize("class_balance", [None, "uniform", "votes", [0.6, 0.3, 0.1]])
    def test_predict_proba_on_the_fit_votes_is_probas(self, class_balance):
        """On its own votes predict_proba gives probas_ (to 1e-12) and predict gives labels_,
        with the fitted or a fixed class balance."""
        sim = simulate_lfs(1000, 6, 3, unipolar=0.0, random_state=8)
        model = DawidSkeneLabelModel(class_balance=class_balance).fit(sim.votes)
        assert model.estimator_.fallback_ is None
        pd.testing.assert_frame_equal(model.predict_proba(sim.votes), model.probas_, check_exact=False, atol=1e-12)
        pd.testing.assert_series_equal(model.predict(sim.votes), model.labels_)

    def test_predict_proba_with_dependent_pairs_is_probas_and_weighs_a_pair_as_one(self):
        """Where the fit found a dependent pair, predict_proba on the fit's votes is probas_, and on
        new items the pair's two votes weigh one vote together (as in the fit's E-step)."""
        answers, _ = pair_crowd(seed=0)
        votes = _crowd_votes(answers)
        model = DawidSkeneLabelModel().fit(votes)
        pairs = model.estimator_.dependent_pairs_
        assert len(pairs) >= 1
        pd.testing.assert_frame_equal(model.predict_proba(votes), model.probas_, check_exact=False, atol=1e-12)
        assert len(pairs) == 1
        a, b = pairs["annotator_a"].iloc[0], pairs["annotator_b"].iloc[0]
        rows = [{a: 1, b: 1}, {a: 1, b: 0, "w5": 0}, {a: 0, "w6": 1}]
        new = pd.DataFrame(
            [(f"n{i}", lab, code) for i, row in enumerate(rows) for lab, code in row.items()],
            columns=["item", "labeler", "label"],
        )
        got = model.predict_proba(new).loc[["n0", "n1", "n2"]].to_numpy()
        np.testing.assert_allclose(got, _hand_posterior(model, rows, [{a, b}]), rtol=1e-10, atol=1e-12)
        assert np.abs(got[:2] - _hand_posterior(model, rows[:2])).max() > 1e-3  # unweighted: another answer

    def test_a_labeler_that_never_voted_in_fit_has_the_priors_confusion(self):
        """A labeler without a vote in fit got another labeler's confusion matrix (the aggregate
        has no row for it, and -1 took the last one); now the prior's rows, which its votes on new
        items use."""
        sim = simulate_lfs(500, 4, 2, unipolar=0.0, random_state=0)
        matrix = sim.votes.matrix()
        matrix[:, 1] = -1
        model = DawidSkeneLabelModel().fit(as_votes(matrix))
        assert "lf_1" not in set(model.estimator_.annotators_)
        pseudo = model.estimator_.pseudo_counts_
        np.testing.assert_allclose(model.confusion_[1], pseudo / pseudo.sum(axis=1, keepdims=True), rtol=1e-12)
        assert not np.allclose(model.confusion_[1], model.confusion_[3])
        rows = [{"lf_1": 1}, {"lf_1": 0, "lf_2": 1}]
        new = pd.DataFrame(
            [(i, lab, code) for i, row in enumerate(rows) for lab, code in row.items()],
            columns=["item", "labeler", "label"],
        )
        got = model.predict_proba(new).to_numpy()
        np.testing.assert_allclose(got, _hand_posterior(model, rows), rtol=1e-10, atol=1e-12)

    def test_after_a_fallback_to_majority_vote_the_posterior_is_the_vote_shares(self):
        """When the fit fell back to majority vote, predict_proba gives the vote shares (as
        probas_ on the fit's votes), reweighted by a fixed class balance."""
        sim = simulate_lfs(300, 4, 2, random_state=2)
        with pytest.warns(LabelwiseWarning, match="falling back to majority vote"):
            model = DawidSkeneLabelModel().fit(sim.votes)
        assert model.estimator_.fallback_ == "majority-vote"
        pd.testing.assert_frame_equal(model.predict_proba(sim.votes), model.probas_, check_exact=False, atol=1e-12)
        names = list(model.labelers_)
        new = pd.DataFrame({"item": [0, 0, 0], "labeler": names[:3], "label": [1, 1, 0]})
        np.testing.assert_allclose(model.predict_proba(new).to_numpy(), [[1 / 3, 2 / 3]], rtol=1e-12)
        with pytest.warns(LabelwiseWarning):
            fixed = DawidSkeneLabelModel(class_balance=[0.8, 0.2]).fit(sim.votes)
        fitted = fixed.estimator_.priors_.to_numpy()
        want = np.array([1 / 3, 2 / 3]) * np.array([0.8, 0.2]) / fitted
        np.testing.assert_allclose(fixed.predict_proba(new).to_numpy()[0], want / want.sum(), rtol=1e-9)

    def test_new_items_match_a_hand_computation(self):
        """New vote rows (and an item without votes) get the posterior computed with numpy from
        confusion_ and class_balance_, with the fitted and with a fixed class balance."""
        sim = simulate_lfs(1000, 6, 3, unipolar=0.0, random_state=8)
        names = list(sim.votes.labelers)
        rows = [{names[0]: 2, names[3]: 2}, {names[1]: 0, names[2]: 1, names[4]: 1}, {names[2]: 0}]
        new = pd.DataFrame(
            [(i, lab, code) for i, row in enumerate(rows) for lab, code in row.items()],
            columns=["item", "labeler", "label"],
        )
        new_votes = as_votes(new, classes=[0, 1, 2])
        empty = Votes(new_votes.answers, pd.Index([0, 1, 2, 3]), new_votes.labelers, new_votes.classes)
        for class_balance in (None, [0.2, 0.3, 0.5]):
            model = DawidSkeneLabelModel(class_balance=class_balance).fit(sim.votes)
            assert model.estimator_.fallback_ is None
            got = model.predict_proba(empty)
            assert list(got.index) == [0, 1, 2, 3] and list(got.columns) == [0, 1, 2]
            np.testing.assert_allclose(got.to_numpy()[:3], _hand_posterior(model, rows), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(got.to_numpy()[3], model.class_balance_, rtol=1e-12)
            assert (model.predict(empty).to_numpy() == got.to_numpy().argmax(axis=1)).all()

    @settings(max_examples=8, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_permuting_items_and_labelers_gives_the_same_answer(self, seed):
        """Shuffling the rows of the vote table (the order of items and of labelers) changes
        neither the posterior nor the label of any item, exact ties included."""
        sim = simulate_lfs(600, 5, 2, unipolar=0.0, random_state=1)
        model = DawidSkeneLabelModel().fit(sim.votes)
        new = simulate_lfs(300, 5, 2, coverage=(0.1, 0.6), unipolar=0.0, random_state=seed).votes.answers
        shuffled = new.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        first, second = model.predict_proba(new), model.predict_proba(shuffled)
        pd.testing.assert_frame_equal(second.loc[first.index], first, check_exact=False, atol=1e-12)
        pd.testing.assert_series_equal(model.predict(shuffled).loc[first.index], model.predict(new))

    def test_unknown_labelers_votes_outside_classes_and_an_unfitted_model_are_errors(self):
        """A labeler not seen in fit and a vote outside classes_ are errors naming them; predicting
        before fit is an EstimatorError."""
        sim = simulate_lfs(300, 4, 2, unipolar=0.0, random_state=2)
        model = DawidSkeneLabelModel().fit(sim.votes)
        stranger = pd.DataFrame({"item": [0, 1], "labeler": ["nobody", sim.votes.labelers[0]], "label": [0, 1]})
        with pytest.raises(InvalidParameterError, match=r"not fitted on: \['nobody'\]"):
            model.predict_proba(stranger)
        with pytest.raises(InvalidParameterError, match="nobody"):
            model.predict(stranger)
        outside = pd.DataFrame({"item": [0], "labeler": [sim.votes.labelers[0]], "label": [7]})
        with pytest.raises(InvalidLabelsError, match=r"one of the classes \[0, 1\].*has 7"):
            model.predict_proba(outside)
        with pytest.raises(EstimatorError, match="fitted before predict_proba"):
            DawidSkeneLabelModel().predict_proba(sim.votes)
