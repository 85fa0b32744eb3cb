"""CrowdClassifier: learning a classifier and the annotators' confusion matrices from crowd answers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from labelwise.aggregate import DawidSkene, MajorityVote
from labelwise.errors import AnnotationError, EstimatorError, InvalidLabelsError, InvalidParameterError
from labelwise.robust import CrowdClassifier, _crowd_em

from ._crowd_data import simulated_crowd


def _fit(X, answers, **params):
    params = {"estimator": GaussianNB(), "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CrowdClassifier(**params).fit(X, answers)


class TestCrowdClassifier:
    def test_beats_majority_vote_when_poor_annotators_answer(self):
        """With poor annotators and spammers in the crowd, the soft labels are more often right than majority vote."""
        X, y, answers = simulated_crowd(300, seed=1)
        model = _fit(X, answers)
        vote = MajorityVote().fit(answers).labels_.sort_index().to_numpy()
        assert (model.posterior_.argmax(axis=1) == y).mean() > (vote == y).mean() + 0.05
        assert (model.predict(X) == y).mean() > 0.85

    def test_confusions_recover_the_good_and_the_spamming_annotator(self):
        """The estimated accuracy of a 0.9-accurate annotator is near 0.9, a spammer's near chance."""
        X, _, answers = simulated_crowd(600, seed=2)
        model = _fit(X, answers)
        acc = model.annotator_accuracy_
        assert abs(acc["ann0"] - 0.9) < 0.06 and abs(acc["ann4"] - 1 / 3) < 0.12
        np.testing.assert_allclose(model.confusions_.sum(axis=2), 1.0)

    def test_fitted_attributes(self):
        """classes_, posterior_ (rows sum to 1), confusions_, the history and the iteration count are set."""
        X, _, answers = simulated_crowd(60)
        model = _fit(X, answers, max_iter=30)
        assert list(model.classes_) == [0, 1, 2]
        assert model.posterior_.shape == (60, 3)
        np.testing.assert_allclose(model.posterior_.sum(axis=1), 1.0)
        assert model.confusions_.shape == (5, 3, 3) and list(model.annotators_) == [f"ann{j}" for j in range(5)]
        assert len(model.log_likelihood_history_) == model.n_iter_ and model.converged_
        assert model.confusion_frame().shape == (5 * 9, 4)
        assert model.predict_proba(X).shape == (60, 3)

    def test_rows_without_answers_are_predicted_but_not_fitted(self):
        """Unanswered rows change nothing in the fit (cv=None) and their posterior_ is the model's probabilities."""
        X, _, answers = simulated_crowd(90)
        extra = np.random.default_rng(5).normal(size=(10, 3)) + 40.0  # far away: would move GaussianNB if fitted
        with_extra = _fit(np.vstack([X, extra]), answers, cv=None)
        without = _fit(X, answers, cv=None)
        np.testing.assert_allclose(with_extra.posterior_[:90], without.posterior_, atol=1e-10)
        np.testing.assert_allclose(with_extra.confusions_, without.confusions_, atol=1e-10)
        np.testing.assert_allclose(with_extra.posterior_[90:], with_extra.predict_proba(extra))
        assert (with_extra.n_answers_per_row_[90:] == 0).all()

    def test_a_dataframe_index_names_the_rows(self):
        """With a DataFrame X, items are values of its index, in any row order."""
        X, _, answers = simulated_crowd(60)
        ids = np.array([f"r{i}" for i in range(60)])
        order = np.random.default_rng(0).permutation(60)
        frame = pd.DataFrame(X, index=ids).iloc[order]
        by_id = _fit(frame, answers.assign(item=ids[answers["item"]]), cv=None)
        by_position = _fit(X, answers, cv=None)
        np.testing.assert_allclose(by_id.posterior_, by_position.posterior_[order], atol=1e-8)

    def test_an_item_naming_no_row_is_refused(self):
        """An answer on an item that is no row of X raises an AnnotationError naming the item."""
        X, _, answers = simulated_crowd(30)
        with pytest.raises(AnnotationError, match=r"answers column 'item' must name rows of X .* item 99"):
            _fit(X, pd.concat([answers, pd.DataFrame({"item": [99], "annotator": ["ann0"], "label": [0]})]))

    def test_a_repeated_index_is_refused(self):
        """X's index must be unique when answers name rows by it."""
        X, _, answers = simulated_crowd(30)
        with pytest.raises(InvalidParameterError, match="X's index must be unique"):
            _fit(pd.DataFrame(X, index=[0] * 30), answers)

    @pytest.mark.parametrize(
        ("estimator", "match"),
        [(KNeighborsClassifier(), "must accept sample_weight"), (LinearSVC(), r"must implement predict_proba")],
    )
    def test_an_estimator_without_sample_weight_or_predict_proba_is_refused(self, estimator, match):
        """The estimator needs sample_weight in fit and predict_proba: an EstimatorError says which is missing."""
        X, _, answers = simulated_crowd(30)
        with pytest.raises(EstimatorError, match=match):
            _fit(X, answers, estimator=estimator)

    def test_one_class_is_refused(self):
        """Answers of one class leave nothing to learn: an InvalidLabelsError."""
        X, _, answers = simulated_crowd(30)
        with pytest.raises(InvalidLabelsError, match="at least 2 classes"):
            _fit(X, answers.assign(label=1))

    def test_more_folds_than_answered_rows_are_refused(self):
        """cv larger than the number of answered rows is an error naming cv."""
        X, _, answers = simulated_crowd(30)
        with pytest.raises(InvalidLabelsError, match=r"^cv must be at most the number of answered rows of X \(3\)"):
            _fit(X, answers[answers["item"] < 3], cv=4)

    @pytest.mark.parametrize(
        ("params", "match"),
        [
            ({"cv": 1}, "cv must be an integer >= 2"),
            ({"init": "vote"}, "init must be 'majority' or an aggregator"),
            ({"smoothing": -1}, "smoothing must be 'auto'"),
            ({"prior_strength": float("nan")}, "prior_strength must be"),
            ({"max_iter": 0}, "max_iter must be an integer >= 1"),
        ],
    )
    def test_bad_parameters_are_named(self, params, match):
        """Each bad parameter raises an InvalidParameterError that starts with its name."""
        X, _, answers = simulated_crowd(30)
        with pytest.raises(InvalidParameterError, match=match):
            _fit(X, answers, **params)

    def test_init_from_an_aggregator_starts_from_its_posterior(self):
        """With init=DawidSkene, one EM iteration stays nearer Dawid-Skene's posterior than one from majority vote."""
        X, _, answers = simulated_crowd(90)
        ds = DawidSkene(smoothing=0.0, dependency_threshold=None)
        start = ds.fit(answers).probas_.sort_index().to_numpy()
        common = {"estimator": DummyClassifier(strategy="prior"), "cv": None, "smoothing": 0.0, "max_iter": 1}
        from_ds = _fit(X, answers, init=ds, **common)
        from_vote = _fit(X, answers, **common)
        assert np.abs(from_ds.posterior_ - start).mean() < 0.2 * np.abs(from_vote.posterior_ - start).mean()

    def test_an_init_without_a_row_per_answered_item_is_refused(self):
        """An aggregator whose probas_ misses answered items is an error naming init."""

        class Partial(MajorityVote):
            def fit(self, answers, probs=None):
                super().fit(answers)
                self.probas_ = self.probas_.iloc[1:]
                return self

        X, _, answers = simulated_crowd(30)
        with pytest.raises(InvalidParameterError, match="^init's probas_ must have a row per answered item"):
            _fit(X, answers, init=Partial())

    def test_not_converging_warns(self):
        """Stopping at max_iter before the log-likelihood settles issues a LabelwiseWarning."""
        X, _, answers = simulated_crowd(60)
        with pytest.warns(UserWarning, match="did not converge in max_iter=1"):
            CrowdClassifier(GaussianNB(), max_iter=1, tol=0.0).fit(X, answers)

    def test_blocks_of_the_e_step_give_the_same_fit(self, monkeypatch):
        """The E-step's row blocks (chunking) do not change the result."""
        X, _, answers = simulated_crowd(50)
        whole = _fit(X, answers, cv=None)
        monkeypatch.setattr(_crowd_em, "BLOCK_ROWS", 7)
        blocks = _fit(X, answers, cv=None)
        np.testing.assert_allclose(blocks.posterior_, whole.posterior_, atol=1e-12)

    @pytest.mark.slow
    def test_out_of_fold_e_step_keeps_a_flexible_model_from_freezing_em(self):
        """cv: a tree fitted in-sample reproduces its soft labels (EM stays near the vote); out-of-fold it learns more."""
        from sklearn.tree import DecisionTreeClassifier

        X, y, answers = simulated_crowd(240, seed=3)
        tree = DecisionTreeClassifier(min_samples_leaf=10, random_state=0)
        in_sample = _fit(X, answers, estimator=tree, cv=None, max_iter=15)
        out_of_fold = _fit(X, answers, estimator=tree, cv=5, max_iter=15)
        assert (out_of_fold.posterior_.argmax(1) == y).mean() > (in_sample.posterior_.argmax(1) == y).mean()

    def test_string_labels_and_a_default_estimator(self):
        """String labels map back in predict; the default estimator is a logistic regression on standardised features."""
        X, y, answers = simulated_crowd(60)
        names = np.array(["cat", "dog", "owl"])
        model = _fit(X, answers.assign(label=names[answers["label"]]), estimator=None, cv=2, max_iter=2)
        assert set(model.predict(X)) <= set(names) and list(model.classes_) == list(names)
        assert isinstance(model.estimator_[-1], LogisticRegression)
        assert isinstance(model.estimator_[0], StandardScaler)
