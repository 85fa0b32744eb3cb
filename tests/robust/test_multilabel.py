"""labelwise.robust.CleanMultilabelClassifier: cleaning actions, peers (the audit, one-vs-rest) and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

import labelwise as lw
from labelwise.audit import multilabel
from labelwise.errors import (
    EstimatorError,
    InvalidLabelsError,
    InvalidParameterError,
    InvalidProbabilitiesError,
    LabelwiseWarning,
    ShapeMismatchError,
    TooFewExamplesError,
)
from labelwise.noise import flip_tags
from labelwise.robust import CleanMultilabelClassifier
from labelwise.robust.multilabel_folds import IterativeStratifiedKFold


@pytest.fixture(scope="module")
def noisy_tags():
    """240 rows, 4 tags, a third of the present tags dropped and a few added."""
    X, Y = make_multilabel_classification(240, n_features=8, n_classes=4, n_labels=2, random_state=3)
    noisy = flip_tags(Y, drop_rate=0.3, add_rate=0.02, random_state=3).labels.astype(np.int64)
    return (X - X.mean(axis=0)) / X.std(axis=0), Y.astype(bool), noisy


@pytest.fixture(scope="module")
def models(noisy_tags):
    """One fitted model per action on the noisy tags (fitted once: each fit cross-validates every tag)."""
    X, _, noisy = noisy_tags
    return {action: _fit(X, noisy, action=action) for action in ("flip", "drop", "reweight")}


def _fit(X, y, **params):
    settings = {"estimator": LogisticRegression(max_iter=300), "cv": 3, "random_state": 0, **params}
    return CleanMultilabelClassifier(**settings).fit(X, y)


class TestCleanMultilabelClassifier:
    def test_flags_are_the_audits_on_the_out_of_fold_probabilities(self, noisy_tags, models):
        """The cells it cleans are exactly audit.multilabel.find_label_issues' flags on pred_probs_."""
        _, _, noisy = noisy_tags
        model = models["flip"]
        audit = multilabel.find_label_issues(noisy, model.pred_probs_)
        np.testing.assert_array_equal(model.issues_.is_issue, audit.is_issue)
        np.testing.assert_array_equal(model.n_flagged_, audit.is_issue.sum(axis=0))

    def test_out_of_fold_probabilities_are_per_tag_cross_validation(self, noisy_tags, models):
        """pred_probs_ column j is scikit-learn's cross_val_predict of tag j's binary problem on the same
        iterative stratified folds (one split of the rows for every tag)."""
        from sklearn.model_selection import cross_val_predict

        X, _, noisy = noisy_tags
        model = models["drop"]
        folds = list(IterativeStratifiedKFold(3, random_state=0).split(X, noisy))
        for j in range(noisy.shape[1]):
            peer = cross_val_predict(LogisticRegression(max_iter=300), X, noisy[:, j], cv=folds, method="predict_proba")
            np.testing.assert_allclose(model.pred_probs_[:, j], peer[:, 1])

    def test_without_flagged_cells_it_is_the_plain_one_vs_rest_fit(self, noisy_tags):
        """Given probabilities that agree with every tag, nothing is flagged and it predicts as OneVsRestClassifier."""
        X, _, noisy = noisy_tags
        for action in ("flip", "drop", "reweight"):
            model = CleanMultilabelClassifier(LogisticRegression(max_iter=300), action=action)
            model.fit(X, noisy, pred_probs=np.where(noisy, 0.9, 0.1))
            assert model.n_flagged_.sum() == 0
            peer = OneVsRestClassifier(LogisticRegression(max_iter=300)).fit(X, noisy)
            np.testing.assert_allclose(model.predict_proba(X), peer.predict_proba(X))
            np.testing.assert_array_equal(model.predict(X), peer.predict(X))

    @pytest.mark.parametrize("action", ["flip", "drop", "reweight"])
    def test_each_action_trains_each_tag_on_its_cleaned_column(self, noisy_tags, models, action):
        """flip toggles the flagged cells, drop leaves them out, reweight weighs them by self-confidence."""
        X, _, noisy = noisy_tags
        model = models[action]
        flagged = model.issues_.is_issue
        assert flagged.any()
        j = int(np.argmax(flagged.sum(axis=0)))
        col = noisy[:, j].astype(bool)
        if action == "flip":
            peer = LogisticRegression(max_iter=300).fit(X, (col ^ flagged[:, j]).astype(int))
        elif action == "drop":
            keep = ~flagged[:, j]
            peer = LogisticRegression(max_iter=300).fit(X[keep], col[keep].astype(int))
        else:
            weights = np.where(flagged[:, j], model.issues_.label_quality[:, j], 1.0)
            peer = LogisticRegression(max_iter=300).fit(X, col.astype(int), sample_weight=weights)
        np.testing.assert_allclose(model.predict_proba(X)[:, j], peer.predict_proba(X)[:, 1])

    def test_cleaning_recovers_true_tags_better_than_the_plain_fit(self, noisy_tags, models):
        """On a third of the tags dropped, the flipped model's tags agree with the true ones more often."""
        X, truth, noisy = noisy_tags
        plain = OneVsRestClassifier(LogisticRegression(max_iter=300)).fit(X, noisy).predict(X)
        assert (models["flip"].predict(X) == truth).mean() > (plain == truth).mean()
        missed = (noisy == 0) & truth
        assert models["flip"].issues_.is_missing[missed].mean() > 0.3

    def test_tag_lists_and_dataframes_name_the_columns(self, noisy_tags):
        """Lists of tags give sorted tag names; a DataFrame's columns are the tags; predict_tags maps back."""
        X, _, noisy = noisy_tags
        names = np.array(["cat", "dog", "car", "tree"])
        lists = [names[np.flatnonzero(row)].tolist() for row in noisy]
        by_list = _fit(X, lists)
        assert by_list.classes_.tolist() == sorted(names)
        by_frame = _fit(X, pd.DataFrame(noisy, columns=names))
        assert by_frame.classes_.tolist() == names.tolist()
        order = [names.tolist().index(t) for t in by_list.classes_]
        np.testing.assert_allclose(by_list.predict_proba(X), by_frame.predict_proba(X)[:, order])
        tags = by_frame.predict_tags(X[:5])
        assert tags == [names[row.astype(bool)].tolist() for row in by_frame.predict(X[:5])]

    def test_a_rare_tag_is_skipped_with_a_warning_and_predicted_with_its_prior(self, noisy_tags):
        """A tag with fewer present rows than folds is not audited nor fitted, and predicts its share of rows."""
        X, _, noisy = noisy_tags
        y = np.column_stack([noisy, np.zeros(len(noisy), dtype=np.int64)])
        y[:2, -1] = 1
        with pytest.warns(LabelwiseWarning, match=r"fewer than cv=3 present .* 4 \(2 of 240 rows\)"):
            model = _fit(X, y)
        assert model.skipped_tags_.tolist() == [4]
        assert model.estimators_[4] is None and not model.issues_.is_issue[:, 4].any()
        np.testing.assert_allclose(model.predict_proba(X)[:, 4], 2 / 240)
        assert not model.predict(X)[:, 4].any()

    def test_deterministic(self, noisy_tags, models):
        """Two fits with the same seed give the same flags and probabilities."""
        X, _, noisy = noisy_tags
        a, b = models["flip"], _fit(X, noisy, action="flip")
        np.testing.assert_array_equal(a.issues_.is_issue, b.issues_.is_issue)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))

    def test_public_from_the_package(self):
        """It is reachable as labelwise.robust.CleanMultilabelClassifier."""
        assert lw.robust.CleanMultilabelClassifier is CleanMultilabelClassifier


class TestCleanMultilabelClassifierErrors:
    @pytest.mark.parametrize(
        ("params", "match"),
        [
            ({"cv": 1}, "cv"),
            ({"action": "delete"}, "action"),
            ({"thresholds": 0}, "thresholds"),
            ({"thresholds": 1.5}, "thresholds"),
        ],
    )
    def test_bad_parameters_are_named(self, noisy_tags, params, match):
        """Each bad parameter raises InvalidParameterError naming it."""
        X, _, noisy = noisy_tags
        with pytest.raises(InvalidParameterError, match=match):
            _fit(X, noisy, **params)

    def test_estimator_without_predict_proba(self, noisy_tags):
        """An estimator without predict_proba is named."""
        X, _, noisy = noisy_tags
        with pytest.raises(EstimatorError, match="predict_proba"):
            CleanMultilabelClassifier(LinearSVC()).fit(X, noisy)

    def test_reweight_needs_sample_weight(self, noisy_tags):
        """action='reweight' with an estimator whose fit takes no sample_weight is named."""
        X, _, noisy = noisy_tags
        with pytest.raises(EstimatorError, match="reweight"):
            CleanMultilabelClassifier(KNeighborsClassifier(), action="reweight").fit(X, noisy)

    @pytest.mark.parametrize(
        ("y", "error", "match"),
        [
            (np.arange(240) % 2, InvalidLabelsError, "1-D array.*CleanClassifier"),
            (np.full((240, 2), 2), InvalidLabelsError, "y as a matrix must hold only 0 and 1"),
            (np.ones((10, 2)), ShapeMismatchError, "240 and 10"),
            ([[]] * 240, InvalidLabelsError, "at least one tag"),
            (None, InvalidLabelsError, "y is None"),
        ],
    )
    def test_bad_targets_are_named(self, noisy_tags, y, error, match):
        """A target that is not a tag matrix or tag lists raises a labelwise error naming y."""
        X = noisy_tags[0]
        with pytest.raises(error, match=match):
            CleanMultilabelClassifier().fit(X, y)

    def test_no_tag_to_cross_validate_is_refused(self, noisy_tags):
        """When every tag has fewer present (or absent) rows than folds, fit raises TooFewExamplesError."""
        X = noisy_tags[0]
        y = np.zeros((240, 2), dtype=int)
        y[0] = 1
        with pytest.raises(TooFewExamplesError, match=r"y has no tag with at least cv=5 present"):
            CleanMultilabelClassifier().fit(X, y)

    @pytest.mark.parametrize(
        ("probs", "match"), [(np.full((240, 3), 0.5), r"shape \(240, 4\)"), (np.full((240, 4), 1.5), "row 0 column 0")]
    )
    def test_bad_pred_probs_are_named(self, noisy_tags, probs, match):
        """pred_probs of the wrong shape or outside [0, 1] are named."""
        X, _, noisy = noisy_tags
        with pytest.raises(InvalidProbabilitiesError, match=f"pred_probs.*{match}"):
            CleanMultilabelClassifier().fit(X, noisy, pred_probs=probs)


class TestDefaultAction:
    """Session 36: with "auto" thresholds, reweight beat flip on the dev seeds in every noise setting
    (benchmarks/dev_tags_action.py): it is the default action."""

    def test_the_default_action_is_reweight(self, noisy_tags, models):
        """A fit without action weighs the flagged cells: the same model as action='reweight'."""
        X, _, noisy = noisy_tags
        model = _fit(X, noisy)
        assert CleanMultilabelClassifier().action == "reweight"
        np.testing.assert_array_equal(model.predict_proba(X), models["reweight"].predict_proba(X))
        assert (model.predict_proba(X) != models["flip"].predict_proba(X)).any()

    def test_an_estimator_without_sample_weight_is_told_to_pick_flip_or_drop(self, noisy_tags):
        """By default an estimator whose fit takes no sample_weight is refused, naming the default and
        the actions that need no weights; with action='flip' it fits."""
        X, _, noisy = noisy_tags
        with pytest.raises(EstimatorError, match="action='reweight', the default.*pass action='flip' or 'drop'"):
            CleanMultilabelClassifier(KNeighborsClassifier(), cv=3).fit(X, noisy)
        model = CleanMultilabelClassifier(KNeighborsClassifier(), cv=3, action="flip").fit(X, noisy)
        assert model.predict(X).shape == noisy.shape
