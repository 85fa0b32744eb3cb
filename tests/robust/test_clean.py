"""labelwise.robust.CleanClassifier: conventions, cleaning actions, rounds, peers and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

import labelwise as lw
from labelwise.errors import EstimatorError, InvalidLabelsError, InvalidParameterError, TooFewExamplesError
from labelwise.robust import CleanClassifier

#: A weight of 2 is not a repeated row here: the copies of a repeated row land in other folds and
#: vouch for each other in the audit, so the two fits flag different rows (the check also passes
#: its own splitter as ``cv``, an integer here).
EXPECTED_FAILED = {
    "check_sample_weight_equivalence_on_dense_data": "sample weights are not repetitions under cross-validated cleaning",
    "check_sample_weight_equivalence_on_sparse_data": "sample weights are not repetitions under cross-validated cleaning",
}


@pytest.mark.slow
@parametrize_with_checks(
    [CleanClassifier(LogisticRegression(), cv=3, random_state=0)], expected_failed_checks=lambda est: EXPECTED_FAILED
)
def test_sklearn_estimator_checks(estimator, check):
    """CleanClassifier passes scikit-learn's estimator checks."""
    check(estimator)


class _LinearSVCWithProba(LinearSVC):
    """LinearSVC (its own decision_function) with a softmax of its scores as predict_proba, which
    CleanClassifier needs to find the label issues."""

    def predict_proba(self, X):
        scores = self.decision_function(X)
        scores = np.column_stack([-scores, scores]) if scores.ndim == 1 else scores
        exp = np.exp(scores - scores.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)


def _lr():
    return LogisticRegression(max_iter=200, tol=1e-3)


@pytest.fixture(scope="module")
def noisy_digits():
    """Digits (600 train / 400 test) with 30% pair noise in the training labels."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    order = np.random.default_rng(0).permutation(y.size)
    train, test = order[:600], order[600:1000]
    flipped = lw.noise.flip_labels(y[train], lw.noise.noise_matrix(10, 0.3, kind="pair"), random_state=0)
    return X[train], flipped.labels, flipped.is_flipped, X[test], y[test]


class TestCleaning:
    """What fit does with the flagged examples."""

    def test_drop_removes_flagged_and_beats_plain(self, noisy_digits):
        """Dropped examples are the flagged ones, mostly real flips, and test accuracy improves."""
        X, y, flipped, X_test, y_test = noisy_digits
        model = CleanClassifier(_lr(), random_state=0).fit(X, y)
        issues = model.label_issues_
        assert model.n_dropped_ == issues.n_issues > 0
        np.testing.assert_array_equal(model.sample_weight_ == 0, issues.is_issue)
        assert flipped[issues.is_issue].mean() > 0.6  # twice the 30% base rate
        assert model.score(X_test, y_test) > _lr().fit(X, y).score(X_test, y_test) + 0.03

    def test_same_issues_as_the_audit_api(self, noisy_digits):
        """label_issues_ equals find_label_issues on out_of_fold_probs with the same folds."""
        X, y, *_ = noisy_digits
        model = CleanClassifier(_lr(), cv=3, random_state=1).fit(X, y)
        probs = lw.out_of_fold_probs(_lr(), X, y, cv=3, random_state=1)
        np.testing.assert_array_equal(model.label_issues_.is_issue, lw.find_label_issues(y, probs).is_issue)
        np.testing.assert_allclose(model.noise_matrix_, lw.find_label_issues(y, probs).noise_matrix)

    def test_reweight_keeps_everything_with_lower_weight_for_issues(self, noisy_digits):
        """reweight drops nothing; flagged examples weigh less than the others on average."""
        X, y, *_ = noisy_digits
        model = CleanClassifier(_lr(), cv=3, action="reweight", random_state=0).fit(X, y)
        assert model.n_dropped_ == 0
        w, issue = model.sample_weight_, model.label_issues_.is_issue
        assert (w > 0).all() and w[issue].mean() < 0.5 * w[~issue].mean()

    def test_class_weighting_uses_inverse_noise_rates(self, noisy_digits):
        """Kept examples of class k weigh 1 / P(given=k | true=k)."""
        X, y, *_ = noisy_digits
        model = CleanClassifier(_lr(), cv=3, class_weighting=True, random_state=0).fit(X, y)
        kept = model.sample_weight_ > 0
        expected = 1.0 / np.maximum(np.diag(model.noise_matrix_), 1e-3)
        np.testing.assert_allclose(model.sample_weight_[kept], expected[y[kept]])

    def test_second_round_reestimates(self, noisy_digits):
        """n_rounds=2 records two results; the second round finds at least as many true flips."""
        X, y, flipped, *_ = noisy_digits
        model = CleanClassifier(_lr(), cv=3, n_rounds=2, random_state=0).fit(X, y)
        first, second = model.label_issues_rounds_
        assert model.label_issues_ is second
        assert (flipped & second.is_issue).sum() >= (flipped & first.is_issue).sum()

    def test_rounds_that_drop_all_but_one_class_name_n_rounds(self):
        """Labels without signal, dropped round after round: a fold kept one class and sklearn's
        LogisticRegression raised its own ValueError; now a TooFewExamplesError naming n_rounds."""
        X = np.random.default_rng(0).normal(size=(30, 2))
        y = np.arange(30) % 3
        with pytest.raises(
            TooFewExamplesError, match=r"^n_rounds drops too many rows: after round 4 of 30 .* only class 0"
        ):
            CleanClassifier(LogisticRegression(), cv=2, n_rounds=30, random_state=0).fit(X, y)

    def test_rounds_stop_at_a_fixed_point(self):
        """A round keeping the same rows as the one before ends the rounds: n_rounds_ says how many ran."""
        X = np.random.default_rng(0).normal(size=(90, 2))
        y = (X[:, 0] > 0).astype(int)
        y[:5] = 1 - y[:5]
        two = CleanClassifier(LogisticRegression(), cv=3, n_rounds=2, random_state=0).fit(X, y)
        many = CleanClassifier(LogisticRegression(), cv=3, n_rounds=50, random_state=0).fit(X, y)
        assert two.n_rounds_ == many.n_rounds_ == len(many.label_issues_rounds_) == 2
        np.testing.assert_array_equal(many.sample_weight_, two.sample_weight_)

    def test_matches_cleanlab_clean_learning(self, noisy_digits):
        """Same pruned set as cleanlab's CleanLearning given the same out-of-fold probabilities."""
        cleanlab_classification = pytest.importorskip("cleanlab.classification")
        X, y, *_ = noisy_digits
        model = CleanClassifier(_lr(), cv=3, random_state=0).fit(X, y)
        peer = cleanlab_classification.CleanLearning(_lr(), cv_n_folds=3)
        found = peer.find_label_issues(X, y, pred_probs=model.pred_probs_)
        agree = (found["is_label_issue"].to_numpy() == model.label_issues_.is_issue).mean()
        assert agree > 0.99

    def test_deterministic_and_renaming_invariant(self, noisy_digits):
        """The same seed flags the same rows, whatever the class names."""
        X, y, *_ = noisy_digits
        a = CleanClassifier(_lr(), cv=3, random_state=3).fit(X, y)
        b = CleanClassifier(_lr(), cv=3, random_state=3).fit(X, (y + 7) * 10)
        np.testing.assert_array_equal(a.label_issues_.is_issue, b.label_issues_.is_issue)
        np.testing.assert_array_equal((a.predict(X[:50]) + 7) * 10, b.predict(X[:50]))

    def test_string_labels(self, noisy_digits):
        """String labels come back as strings in classes_, predictions and the issues."""
        X, y, _, X_test, _ = noisy_digits
        names = np.char.add("d", y.astype(str)).astype(object)
        model = CleanClassifier(_lr(), cv=3, random_state=0).fit(X, names)
        assert model.classes_.tolist() == [f"d{i}" for i in range(10)]
        assert set(model.predict(X_test[:5])) <= set(model.classes_)
        assert set(model.label_issues_.suggested_label) <= set(model.classes_)

    def test_numbers_beside_string_labels_are_named(self, noisy_digits):
        """-1 beside string labels (an unlabeled marker): a labelwise error, not numpy's TypeError."""
        X, y, *_ = noisy_digits
        mixed = np.char.add("d", y.astype(str)).astype(object)
        mixed[:5] = -1
        with pytest.raises(InvalidLabelsError, match="a mix of int, str"):
            CleanClassifier(_lr(), cv=3).fit(X, mixed)

    @pytest.mark.parametrize("marker", [None, np.nan])
    def test_missing_label_beside_string_labels_is_named(self, noisy_digits, marker):
        """An empty cell (None/NaN) among string labels was numpy's '<' TypeError from sorting the classes."""
        X, y, *_ = noisy_digits
        names = np.char.add("d", y.astype(str)).astype(object)
        names[[7, 9]] = marker
        with pytest.raises(InvalidLabelsError, match=r"y must hold a class label in every row, row 7 is .* \(2 such"):
            CleanClassifier(_lr(), cv=3).fit(X, names)


class TestEstimators:
    """Inner estimators and meta-estimator integration."""

    def test_inside_pipeline_and_grid_search(self, noisy_digits):
        """CleanClassifier works as a pipeline step tuned by GridSearchCV."""
        X, y, _, X_test, y_test = noisy_digits
        pipe = make_pipeline(StandardScaler(), CleanClassifier(_lr(), cv=3, random_state=0))
        search = GridSearchCV(pipe, {"cleanclassifier__estimator__C": [0.1, 1.0]}, cv=2).fit(X, y)
        assert search.score(X_test, y_test) > 0.7

    def test_pipeline_estimator_gets_weights_through_last_step(self, noisy_digits):
        """reweight with a Pipeline routes sample_weight to its last step."""
        X, y, *_ = noisy_digits
        model = CleanClassifier(make_pipeline(StandardScaler(), _lr()), cv=3, action="reweight", random_state=0)
        assert model.fit(X, y).n_dropped_ == 0

    def test_dataframe_passes_through(self, noisy_digits):
        """A DataFrame reaches the inner estimator with its column names."""
        X, y, *_ = noisy_digits
        frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(X.shape[1])])
        assert CleanClassifier(_lr(), cv=3, random_state=0).fit(frame, y).feature_names_in_[0] == "p0"


class TestErrors:
    """Bad input is a labelwise error naming the parameter."""

    def test_estimator_without_predict_proba(self, noisy_digits):
        """SVC without probability=True is refused with a hint."""
        X, y, *_ = noisy_digits
        with pytest.raises(EstimatorError, match="predict_proba"):
            CleanClassifier(SVC()).fit(X, y)

    def test_reweight_needs_sample_weight(self, noisy_digits):
        """reweight with an estimator whose fit takes no sample_weight is an EstimatorError."""
        X, y, *_ = noisy_digits
        with pytest.raises(EstimatorError, match="sample_weight"):
            CleanClassifier(KNeighborsClassifier(), action="reweight").fit(X, y)

    def test_class_smaller_than_folds(self):
        """A class with fewer examples than cv is a TooFewExamplesError naming the class."""
        X = np.random.default_rng(0).normal(size=(30, 3))
        y = np.array([0] * 13 + [1] * 14 + [2] * 3)
        with pytest.raises(TooFewExamplesError, match="class 2 has 3"):
            CleanClassifier(cv=5).fit(X, y)

    def test_one_class(self):
        """A single class is an InvalidLabelsError."""
        with pytest.raises(InvalidLabelsError, match="2 classes"):
            CleanClassifier().fit(np.zeros((10, 2)), np.zeros(10))

    @pytest.mark.parametrize(
        ("params", "match"),
        [
            ({"action": "burn"}, "action"),
            ({"cv": 1}, "cv"),
            ({"n_rounds": 0}, "n_rounds"),
            ({"filter_by": "x"}, "filter_by"),
        ],
    )
    def test_bad_parameters(self, noisy_digits, params, match):
        """Invalid parameters raise InvalidParameterError naming the parameter."""
        X, y, *_ = noisy_digits
        with pytest.raises(InvalidParameterError, match=match):
            CleanClassifier(**params).fit(X, y)


class TestSampleWeight:
    """fit(X, y, sample_weight=...): the weights reach every fit; ones are the unweighted fit."""

    def test_weights_of_one_are_the_unweighted_fit_to_the_bit(self, noisy_digits):
        X, y, *_ = noisy_digits
        plain = CleanClassifier(_lr(), cv=3, random_state=0).fit(X, y)
        ones = CleanClassifier(_lr(), cv=3, random_state=0).fit(X, y, sample_weight=np.ones(len(y)))
        np.testing.assert_array_equal(ones.pred_probs_, plain.pred_probs_)
        np.testing.assert_array_equal(ones.estimator_.coef_, plain.estimator_.coef_)

    def test_the_final_fit_uses_the_given_weights_times_the_cleanings(self, noisy_digits):
        """Rows of weight 0 are audited but never trained on; the final model is the estimator fitted
        with sample_weight_ (the given weights times the cleaning's)."""
        X, y, *_ = noisy_digits
        w = np.random.default_rng(0).uniform(0.2, 1.0, len(y))
        w[:50] = 0.0
        clf = CleanClassifier(_lr(), cv=3, random_state=0).fit(X, y, sample_weight=w)
        assert len(clf.label_issues_.is_issue) == len(y)
        kept = (~clf.label_issues_.is_issue).astype(float)
        np.testing.assert_array_equal(clf.sample_weight_, kept * w)
        rows = np.flatnonzero(clf.sample_weight_ > 0)
        assert not np.isin(np.arange(50), rows).any()
        codes = np.searchsorted(clf.classes_, y)
        again = _lr().fit(X[rows], codes[rows], sample_weight=clf.sample_weight_[rows])
        np.testing.assert_allclose(clf.estimator_.coef_, again.coef_)
        unweighted = CleanClassifier(_lr(), cv=3, random_state=0).fit(X, y)
        assert not np.allclose(clf.pred_probs_, unweighted.pred_probs_)  # the out-of-fold models are weighted too

    def test_label_model_confidence_as_weights_end_to_end(self):
        """weak.LabelModel's labels and confidence train a CleanClassifier (issue 15's route)."""
        from labelwise import weak

        rng = np.random.default_rng(3)
        n = 400
        truth = rng.integers(0, 2, n)
        X = truth[:, None] * 1.5 + rng.normal(size=(n, 4))
        rows = []
        for j, acc in enumerate([0.9, 0.8, 0.75, 0.7, 0.65]):
            votes = np.where(rng.random(n) < acc, truth, 1 - truth)
            cover = rng.random(n) < 0.6
            rows += [(i, f"lf{j}", int(votes[i])) for i in np.flatnonzero(cover)]
        model = weak.LabelModel(random_state=0).fit(pd.DataFrame(rows, columns=["item", "labeler", "label"]))
        labels = weak.training_labels(model)
        voted = (labels != -1).to_numpy()
        confidence = model.probas_.max(axis=1).to_numpy()
        items = model.labels_.index.to_numpy()
        clf = CleanClassifier(_lr(), cv=3, random_state=0).fit(
            X[items[voted]], model.labels_.to_numpy()[voted], sample_weight=confidence[voted]
        )
        assert clf.score(X, truth) > 0.8
        assert np.all(clf.sample_weight_ <= confidence[voted] + 1e-12)

    def test_a_class_whose_rows_all_weigh_zero_keeps_its_probability_column(self):
        """Every row of one class weighted 0: the final fit sees the other classes only, and
        predict_proba still has one column per class of classes_ (that class's column 0), so its
        argmax is predict (the column of class 2 was read as class 1's before)."""
        rng = np.random.default_rng(0)
        y = np.repeat([0, 1, 2], 20)
        X = rng.normal(size=(60, 2)) + 2.0 * y[:, None]
        weights = np.where(y == 0, 0.0, 1.0)
        model = CleanClassifier(GaussianNB(), cv=3, random_state=0).fit(X, y, sample_weight=weights)
        assert model.estimator_.classes_.tolist() == [1, 2]
        proba = model.predict_proba(X)
        assert proba.shape == (60, 3)
        np.testing.assert_array_equal(proba[:, 0], 0.0)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))
        assert np.isneginf(model.predict_log_proba(X)[:, 0]).all()

    @pytest.mark.parametrize("inner", [LogisticRegression, _LinearSVCWithProba])
    @pytest.mark.parametrize("n_classes", [3, 4])
    def test_a_class_whose_rows_all_weigh_zero_keeps_its_decision_column(self, inner, n_classes):
        """Every row of class 0 weighted 0: decision_function has one column per class of classes_
        (two classes seen gave the inner 1-D score, three gave 3 columns, class 1's read as class 0's),
        class 0's the minimum float, and its argmax is predict."""
        rng = np.random.default_rng(0)
        y = np.repeat(np.arange(n_classes), 20)
        X = rng.normal(size=(y.size, 2)) + 3.0 * np.column_stack([np.cos(y), np.sin(y)])
        weights = np.where(y == 0, 0.0, 1.0)
        model = CleanClassifier(inner(), cv=3, random_state=0).fit(X, y, sample_weight=weights)
        assert model.estimator_.classes_.tolist() == list(range(1, n_classes))
        scores = model.decision_function(X)
        assert scores.shape == (y.size, n_classes)
        np.testing.assert_array_equal(scores[:, 0], np.finfo(np.float64).min)
        np.testing.assert_array_equal(model.classes_[scores.argmax(axis=1)], model.predict(X))
        inner_scores = model.estimator_.decision_function(X)
        seen = scores[:, 1:]
        np.testing.assert_array_equal(
            seen, np.column_stack([-inner_scores, inner_scores]) if n_classes == 3 else inner_scores
        )

    @pytest.mark.parametrize("inner", [LogisticRegression, _LinearSVCWithProba])
    def test_binary_decision_function_is_scikit_learns_when_both_classes_are_seen(self, inner):
        """Two classes, both in the final fit: the inner estimator's 1-D score of classes_[1], unchanged."""
        rng = np.random.default_rng(1)
        y = np.repeat(["ham", "spam"], 30)
        X = rng.normal(size=(60, 2)) + 2.0 * (y == "spam")[:, None]
        model = CleanClassifier(inner(), cv=3, random_state=0).fit(X, y)
        scores = model.decision_function(X)
        assert scores.shape == (60,)
        np.testing.assert_array_equal(scores, model.estimator_.decision_function(X))
        np.testing.assert_array_equal(model.classes_[(scores > 0).astype(int)], model.predict(X))

    @pytest.mark.parametrize(
        "weights, match",
        [
            (np.ones(5), r"sample_weight must be a 1-D array of one weight per example \(600\), got shape \(5,\)"),
            (np.full(600, -1.0), "sample_weight must be finite and not negative, row 0 is -1.0"),
            (np.r_[np.ones(599), np.nan], "row 599 is nan"),
            (np.zeros(600), "sample_weight must have a positive weight"),
            (np.array(["a"] * 600), "sample_weight must be numbers"),
        ],
    )
    def test_bad_weights_are_named(self, noisy_digits, weights, match):
        X, y, *_ = noisy_digits
        with pytest.raises(InvalidParameterError, match=match):
            CleanClassifier(_lr(), cv=3).fit(X, y, sample_weight=weights)

    def test_an_estimator_without_sample_weight_is_named(self, noisy_digits):
        X, y, *_ = noisy_digits
        with pytest.raises(EstimatorError, match=r"sample_weight was given.*KNeighborsClassifier"):
            CleanClassifier(KNeighborsClassifier(), cv=3).fit(X, y, sample_weight=np.full(len(y), 0.5))
