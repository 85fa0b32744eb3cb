"""CleanMultilabelClassifier's options: cv splitters, sample_weight, per-tag thresholds, n_jobs; their bad values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_recall_curve
from sklearn.model_selection import KFold
from sklearn.neighbors import KNeighborsClassifier

from labelwise.errors import EstimatorError, InvalidParameterError, LabelwiseWarning
from labelwise.noise import flip_tags
from labelwise.robust import CleanMultilabelClassifier
from labelwise.robust._tag_thresholds import best_f1_threshold


def _skewed(seed: int, n: int = 1600) -> tuple[np.ndarray, np.ndarray]:
    """Four logistic tags on six features, on about 15%, 20%, 35% and 50% of the rows."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    logits = X @ rng.normal(size=(6, 4)) + np.array([-3.0, -2.5, -1.0, 0.0])
    return X, (rng.random((n, 4)) < 1 / (1 + np.exp(-logits))).astype(np.int64)


@pytest.fixture(scope="module")
def tags():
    """400 rows of skewed tags, 30% of the given ones dropped."""
    X, truth = _skewed(5, 400)
    return X, flip_tags(truth, drop_rate=0.3, add_rate=0.01, random_state=5).labels.astype(np.int64)


def _model(**params) -> CleanMultilabelClassifier:
    return CleanMultilabelClassifier(
        **{"estimator": LogisticRegression(max_iter=300), "cv": 3, "random_state": 0, **params}
    )


class TestCv:
    def test_a_splitter_gives_the_folds_of_every_tag(self, tags):
        """cv=KFold(...) is used as it is: each tag's out-of-fold probabilities are a hand loop over its folds."""
        X, y = tags
        splitter = KFold(3, shuffle=True, random_state=1)
        model = _model(cv=splitter).fit(X, y)
        for j in range(y.shape[1]):
            hand = np.zeros(len(y))
            for train, test in splitter.split(X):
                hand[test] = LogisticRegression(max_iter=300).fit(X[train], y[train, j]).predict_proba(X[test])[:, 1]
            np.testing.assert_allclose(model.pred_probs_[:, j], hand)

    @pytest.mark.parametrize(
        ("cv", "match"),
        [
            ("abc", "cv must be an integer >= 2 .* or a splitter"),
            (np.nan, "cv must be an integer"),
            (-1, "cv must be an integer >= 2"),
            (KFold(3).split, "cv must be an integer"),
        ],
    )
    def test_bad_cv_is_named(self, tags, cv, match):
        """cv that is neither an int >= 2 nor a splitter raises InvalidParameterError naming cv."""
        with pytest.raises(InvalidParameterError, match=match):
            _model(cv=cv).fit(*tags)

    def test_a_splitter_that_misses_rows_is_named(self, tags):
        """A splitter whose test parts do not hold every row once is refused, naming cv."""

        class Half:
            def get_n_splits(self, *args):
                return 2

            def split(self, X, y):
                rows = np.arange(len(y))
                yield rows[100:], rows[:100]
                yield rows[:100], rows[100:200]

        with pytest.raises(InvalidParameterError, match=r"cv must split the 400 rows .* 200 row\(s\) in no test part"):
            _model(cv=Half()).fit(*tags)

    def test_a_fold_without_a_tag_in_training_skips_the_tag(self, tags):
        """A tag whose rows all sit in one fold's test part cannot be trained there: skipped with a warning."""
        X, y = tags
        y = np.column_stack([y, np.zeros(len(y), dtype=np.int64)])
        y[:6, -1] = 1  # KFold without shuffling puts all six in the first test part
        with pytest.warns(LabelwiseWarning, match=r"one value only in some fold's training rows: 4 \(6 of 400 rows\)"):
            model = _model(cv=KFold(3)).fit(X, y)
        assert model.skipped_tags_.tolist() == [4] and model.estimators_[4] is None


class TestSampleWeight:
    def test_weights_reach_every_fit(self, tags):
        """Out-of-fold and final fits are the estimator's own weighted fits; weight-0 rows are audited, never trained on."""
        X, y = tags
        w = np.random.default_rng(0).uniform(0.2, 2.0, len(y))
        w[:40] = 0
        model = _model(cv=KFold(3, shuffle=True, random_state=2), action="drop").fit(X, y, sample_weight=w)
        assert model.issues_.is_issue.shape == y.shape
        for j in range(y.shape[1]):
            hand = np.zeros(len(y))
            for train, test in KFold(3, shuffle=True, random_state=2).split(X):
                rows = train[w[train] > 0]
                fit = LogisticRegression(max_iter=300).fit(X[rows], y[rows, j], sample_weight=w[rows])
                hand[test] = fit.predict_proba(X[test])[:, 1]
            np.testing.assert_allclose(model.pred_probs_[:, j], hand)
            keep = (w > 0) & ~model.issues_.is_issue[:, j]
            final = LogisticRegression(max_iter=300).fit(X[keep], y[keep, j], sample_weight=w[keep])
            np.testing.assert_allclose(model.predict_proba(X)[:, j], final.predict_proba(X)[:, 1])

    def test_all_ones_is_the_unweighted_fit(self, tags):
        """sample_weight of ones gives the unweighted model, bit for bit."""
        a = _model().fit(*tags)
        b = _model().fit(*tags, sample_weight=np.ones(len(tags[1])))
        np.testing.assert_array_equal(a.predict_proba(tags[0]), b.predict_proba(tags[0]))

    @pytest.mark.parametrize(
        ("weights", "error", "match"),
        [
            (np.ones(3), InvalidParameterError, r"sample_weight must be a 1-D array .* \(400\)"),
            (-np.ones(400), InvalidParameterError, "sample_weight must be finite and not negative"),
            (np.zeros(400), InvalidParameterError, "sample_weight must have a positive weight"),
        ],
    )
    def test_bad_weights_are_named(self, tags, weights, error, match):
        """Weights of the wrong length, negative or all zero raise errors naming sample_weight."""
        with pytest.raises(error, match=match):
            _model().fit(*tags, sample_weight=weights)

    def test_an_estimator_without_sample_weight_is_named(self, tags):
        """Weights for an estimator whose fit takes none raise EstimatorError naming sample_weight."""
        w = np.linspace(0.5, 1.5, len(tags[1]))
        with pytest.raises(EstimatorError, match=r"sample_weight was given.*KNeighborsClassifier.fit does not"):
            _model(estimator=KNeighborsClassifier(), action="flip").fit(*tags, sample_weight=w)


class TestThresholds:
    def test_auto_thresholds_raise_f1_on_skewed_tags(self):
        """On skewed tags with 40% missing, per-tag F1 thresholds beat 0.5 on the true held-out tags."""
        for seed in (0, 1):
            X, truth = _skewed(seed)
            noisy = flip_tags(truth[:800], drop_rate=0.4, add_rate=0.01, random_state=seed).labels.astype(np.int64)
            model = _model(cv=4, thresholds="auto").fit(X[:800], noisy)
            at_half = (model.predict_proba(X[800:]) > 0.5).astype(int)
            assert (
                f1_score(truth[800:], model.predict(X[800:]), average="micro")
                > f1_score(truth[800:], at_half, average="micro") + 0.03
            )

    def test_auto_is_the_best_f1_cut_of_the_cleaned_column(self, tags):
        """thresholds_ are, per tag, the F1-best cut of pred_probs_ against the cleaned (flipped) column."""
        X, y = tags
        model = _model(thresholds="auto").fit(X, y)
        cleaned = y ^ model.issues_.is_issue
        for j in range(y.shape[1]):
            p, r, cuts = precision_recall_curve(cleaned[:, j], model.pred_probs_[:, j])
            f1 = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-300), 0)[:-1]
            chosen = model.thresholds_[j]
            ours = f1_score(cleaned[:, j], model.pred_probs_[:, j] > chosen)
            assert ours == pytest.approx(f1.max(), abs=1e-12)
        np.testing.assert_array_equal(model.predict(X), model.predict_proba(X) > model.thresholds_)

    def test_best_f1_threshold_on_ties_and_weights(self):
        """Equal probabilities are cut together; weights count as repeated rows; no positive gives 0.5."""
        target, probs = np.array([1, 0, 1, 0, 0]), np.array([0.9, 0.9, 0.6, 0.4, 0.1])
        assert best_f1_threshold(target, probs) == pytest.approx(0.5)  # keep 0.9, 0.9 and 0.6: F1 0.8
        repeated = best_f1_threshold(np.array([1, 0, 1, 1, 0, 0]), np.array([0.9, 0.9, 0.6, 0.6, 0.4, 0.1]))
        weighted = best_f1_threshold(target, probs, np.array([1.0, 1.0, 2.0, 1.0, 1.0]))
        assert weighted == repeated
        assert best_f1_threshold(np.zeros(3), np.array([0.2, 0.5, 0.9])) == 0.5

    def test_one_threshold_per_tag(self, tags):
        """An array gives each tag its own threshold."""
        X, y = tags
        cuts = np.array([0.2, 0.4, 0.6, 0.8])
        model = _model(thresholds=cuts).fit(X, y)
        np.testing.assert_array_equal(model.thresholds_, cuts)
        np.testing.assert_array_equal(model.predict(X), model.predict_proba(X) > cuts)

    @pytest.mark.parametrize(
        ("value", "match"),
        [
            ("best", "'best'"),
            (np.nan, "got nan"),
            (-1.0, "got -1.0"),
            (1.0, "got 1.0"),
            ([0.5, 0.5], "2 thresholds for 4 tags"),
            ([0.5, 0.5, 0.5, 1.2], r"1.2 \(tag 3\)"),
            ([[0.5]], r"shape \(1, 1\)"),
            (None, "got None"),
        ],
    )
    def test_bad_thresholds_are_named(self, tags, value, match):
        """A threshold that is not "auto" nor in (0, 1), or the wrong count of them, is named."""
        with pytest.raises(InvalidParameterError, match=rf"thresholds must be .*{match}"):
            _model(thresholds=value).fit(*tags)


class TestNJobs:
    def test_parallel_fits_equal_the_serial_ones(self, tags):
        """n_jobs=2 gives the same probabilities, flags and models as n_jobs=1, bit for bit."""
        X, y = tags
        a, b = _model(n_jobs=1).fit(X, y), _model(n_jobs=2).fit(X, y)
        np.testing.assert_array_equal(a.pred_probs_, b.pred_probs_)
        np.testing.assert_array_equal(a.issues_.is_issue, b.issues_.is_issue)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))

    @pytest.mark.parametrize("value", [0, "abc", 1.5, True])
    def test_bad_n_jobs_is_named(self, tags, value):
        """n_jobs must be None or a non-zero integer."""
        with pytest.raises(InvalidParameterError, match="n_jobs must be None or a non-zero integer"):
            _model(n_jobs=value).fit(*tags)
