"""labelwise.semi.SelfTrainer: scikit-learn conventions, selection rules, fitted attributes, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import SelfTrainingClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from labelwise.errors import EstimatorError, InvalidLabelsError, InvalidParameterError, LabelwiseWarning
from labelwise.semi import SELECTIONS, SelfTrainer, softmatch_weights

#: Checks that cannot apply to a semi-supervised estimator whose unlabeled marker is -1.
EXPECTED_FAILED = {
    "check_classifiers_classes": "labels {-1, 1}: -1 is the unlabeled marker, so only one class is labeled",
    "check_non_transformer_estimators_n_iter": "n_iter_ is 0 when y has no unlabeled examples (as in scikit-learn)",
    "check_sample_weight_equivalence_on_dense_data": "pseudo-labels are chosen per row: a repeated row is chosen twice",
    "check_sample_weight_equivalence_on_sparse_data": "pseudo-labels are chosen per row: a repeated row is chosen twice",
}


@pytest.mark.slow
@parametrize_with_checks(
    [
        SelfTrainer(LogisticRegression(), max_iter=3),
        SelfTrainer(LogisticRegression(), selection="adaptive", adaptive_thresholds="softmatch", max_iter=3),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_sklearn_estimator_checks(estimator, check):
    """SelfTrainer passes scikit-learn's estimator checks that apply to it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LabelwiseWarning)
        check(estimator)


@pytest.fixture(scope="module")
def digits():
    """Scaled digits, 600 for training with 15% labels kept (seeded), 400 for testing."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(0)
    order = rng.permutation(y.size)
    train, test = order[:600], order[600:1000]
    y_semi = y[train].copy()
    y_semi[rng.random(train.size) > 0.15] = -1
    return X[train], y_semi, X[test], y[test], y[train]


def _lr():
    return LogisticRegression(max_iter=200, tol=1e-3)


class TestAgainstScikitLearn:
    """The threshold and k-best rules reproduce SelfTrainingClassifier."""

    @pytest.mark.parametrize("criterion", ["threshold", "k_best"])
    def test_same_transduction_as_self_training_classifier(self, digits, criterion):
        """Same pseudo-labels, rounds and termination as scikit-learn's implementation."""
        X, y, *_ = digits
        ours = SelfTrainer(_lr(), selection=criterion, threshold=0.75, k_best=50, max_iter=3).fit(X, y)
        theirs = SelfTrainingClassifier(_lr(), criterion=criterion, threshold=0.75, k_best=50, max_iter=3).fit(X, y)
        np.testing.assert_array_equal(ours.transduction_, theirs.transduction_)
        np.testing.assert_array_equal(ours.labeled_iter_, theirs.labeled_iter_)
        assert ours.termination_condition_ == theirs.termination_condition_
        assert ours.n_iter_ == theirs.n_iter_


class TestRules:
    """Every rule runs, records what it did, and does not degrade a clear problem."""

    @pytest.mark.parametrize("selection", SELECTIONS)
    def test_rule_fits_and_reports(self, digits, selection):
        """Fitted attributes are consistent: given labels kept, pseudo-labels have rounds and confidences."""
        X, y, X_test, y_test, _ = digits
        teacher = RandomForestClassifier(50, random_state=0) if selection == "llkd" else None
        model = SelfTrainer(_lr(), selection=selection, teacher=teacher, k_best=40, max_iter=3).fit(X, y)
        labeled = y != -1
        np.testing.assert_array_equal(model.transduction_[labeled], y[labeled])
        assert (model.labeled_iter_[labeled] == 0).all()
        pseudo = model.labeled_iter_ > 0
        assert pseudo.any()
        assert (model.transduction_[~labeled & ~pseudo] == -1).all()
        assert np.isfinite(model.pseudo_confidence_[pseudo]).all()
        assert np.isnan(model.pseudo_confidence_[labeled]).all()
        assert model.termination_condition_ in ("max_iter", "no_change", "all_labeled")
        assert len(model.history_) == model.n_iter_
        assert model.score(X_test, y_test) > 0.8

    def test_pseudo_labels_are_mostly_right(self, digits):
        """On digits the adaptive rule's pseudo-labels agree with the hidden truth > 85% of the time."""
        X, y, _, _, y_true = digits
        model = SelfTrainer(_lr(), selection="adaptive", max_iter=4).fit(X, y)
        pseudo = model.labeled_iter_ > 0
        assert (model.transduction_[pseudo] == y_true[pseudo]).mean() > 0.85

    def test_freematch_thresholds_follow_the_pool(self, digits):
        """adaptive_thresholds='freematch' records per-class thresholds below 1 and pseudo-labels mostly right."""
        X, y, X_test, y_test, y_true = digits
        model = SelfTrainer(_lr(), selection="adaptive", adaptive_thresholds="freematch", max_iter=3).fit(X, y)
        thresholds = np.array(model.history_["thresholds"].tolist())
        assert thresholds.shape == (model.n_iter_, 10) and (thresholds > 0).all() and (thresholds < 1).all()
        pseudo = model.labeled_iter_ > 0
        assert pseudo.any() and (model.transduction_[pseudo] == y_true[pseudo]).mean() > 0.85
        assert model.score(X_test, y_test) > 0.8

    def test_softmatch_weights_every_pseudo_label_as_the_paper(self, digits):
        """adaptive_thresholds='softmatch' pseudo-labels the whole pool and fits exactly SoftMatch's weighted loss."""
        X, y, X_test, y_test, y_true = digits
        model = SelfTrainer(_lr(), selection="adaptive", adaptive_thresholds="softmatch", max_iter=2).fit(X, y)
        pool = y == -1
        assert (model.labeled_iter_[pool] > 0).all() and model.termination_condition_ == "all_labeled"
        assert (model.transduction_[pool] == y_true[pool]).mean() > 0.85
        assert set(model.history_["thresholds"].iloc[0]) == {"mean", "std"}
        # The same two rounds by hand: lambda * n_labeled / n_pool * SoftMatch weight per pseudo-label.
        lab, unl = np.flatnonzero(~pool), np.flatnonzero(pool)
        student = _lr().fit(X[lab], y[lab])
        for _ in range(2):
            proba = student.predict_proba(X[unl])
            w = lab.size / unl.size * softmatch_weights(proba).weights
            rows = np.concatenate([lab, unl])
            labels = np.concatenate([y[lab], student.classes_[proba.argmax(axis=1)]])
            student = _lr().fit(X[rows], labels, sample_weight=np.concatenate([np.ones(lab.size), w]))
        np.testing.assert_allclose(model.predict_proba(X_test), student.predict_proba(X_test), atol=1e-8)
        assert model.score(X_test, y_test) > 0.8

    def test_softmatch_needs_sample_weight(self, digits):
        """SoftMatch weights pseudo-labels, so an estimator without sample_weight is an EstimatorError."""
        X, y, *_ = digits
        with pytest.raises(EstimatorError, match="softmatch"):
            SelfTrainer(KNeighborsClassifier(), selection="adaptive", adaptive_thresholds="softmatch").fit(X, y)

    def test_class_balanced_keeps_classes_even(self, digits):
        """Each round admits k // K per predicted class, so no class dominates the pseudo-labels."""
        X, y, *_ = digits
        model = SelfTrainer(_lr(), selection="class_balanced", k_best=50, max_iter=2).fit(X, y)
        counts = np.bincount(model.transduction_[model.labeled_iter_ > 0], minlength=10)
        assert counts.max() <= 10

    def test_curriculum_admits_more_each_round(self, digits):
        """The pseudo-labelled set grows with the percentile schedule and ends with everything."""
        X, y, *_ = digits
        model = SelfTrainer(_lr(), selection="curriculum", percentile_step=25, max_iter=10).fit(X, y)
        sizes = model.history_["n_pseudo"].tolist()
        assert sizes == sorted(sizes)
        assert model.termination_condition_ == "all_labeled"
        assert (model.labeled_iter_ != -1).all()

    def test_recheck_drops_flipped_pseudo_labels(self, digits):
        """With recheck, pseudo-labels the model stops predicting are removed; without, none are."""
        X, y, *_ = digits
        checked = SelfTrainer(_lr(), threshold=0.3, recheck=True, max_iter=3).fit(X, y)
        plain = SelfTrainer(_lr(), threshold=0.3, max_iter=3).fit(X, y)
        assert checked.history_["n_removed"].sum() > 0
        assert plain.history_["n_removed"].sum() == 0

    def test_llkd_needs_teacher(self, digits):
        """selection='llkd' without a teacher names the parameter."""
        X, y, *_ = digits
        with pytest.raises(InvalidParameterError, match="teacher"):
            SelfTrainer(selection="llkd").fit(X, y)

    def test_llkd_prefers_uncertain_student(self, digits):
        """LLKD admits examples the student is less sure of than those it leaves out."""
        X, y, *_ = digits
        model = SelfTrainer(
            _lr(), selection="llkd", teacher=RandomForestClassifier(50, random_state=0), max_iter=1
        ).fit(X, y)
        assert model.teacher_ is not None
        row = model.history_.iloc[0]
        assert row["n_pseudo"] > 0
        assert set(row["thresholds"]) == {"teacher_confidence", "student_uncertainty"}

    def test_unlabeled_weight_scales_pseudo_labels(self, digits):
        """A vanishing unlabeled_weight gives the labeled-only model; the pseudo-labels still get chosen."""
        X, y, X_test, *_ = digits
        model = SelfTrainer(_lr(), selection="threshold", unlabeled_weight=1e-9, max_iter=2).fit(X, y)
        assert (model.labeled_iter_ > 0).any()
        alone = _lr().fit(X[y != -1], y[y != -1])
        np.testing.assert_allclose(model.predict_proba(X_test), alone.predict_proba(X_test), atol=1e-3)

    def test_unlabeled_weight_needs_sample_weight(self, digits):
        """An explicit unlabeled_weight with an estimator without sample_weight is an EstimatorError."""
        X, y, *_ = digits
        with pytest.raises(EstimatorError, match="sample_weight"):
            SelfTrainer(KNeighborsClassifier(), unlabeled_weight=0.5).fit(X, y)
        assert SelfTrainer(KNeighborsClassifier(), selection="adaptive", max_iter=1).fit(X, y).n_iter_ == 1

    def test_deterministic(self, digits):
        """Two fits give the same transduction."""
        X, y, *_ = digits
        a = SelfTrainer(_lr(), selection="adaptive", max_iter=3).fit(X, y).transduction_
        b = SelfTrainer(_lr(), selection="adaptive", max_iter=3).fit(X, y).transduction_
        np.testing.assert_array_equal(a, b)


class TestLabels:
    """Unlabeled markers, string labels and class renaming."""

    def test_string_labels_with_none_marker(self, digits):
        """Object labels use None as the unlabeled marker; classes_ and predictions are strings."""
        X, y, X_test, *_ = digits
        names = np.array([f"d{v}" if v >= 0 else None for v in y], dtype=object)
        model = SelfTrainer(_lr(), selection="k_best", k_best=40, max_iter=2).fit(X, names)
        assert model.classes_.tolist() == [f"d{i}" for i in range(10)]
        assert model.predict(X_test[:3]).dtype == object
        assert model.transduction_[model.labeled_iter_ == -1].tolist() == [None] * int(
            (model.labeled_iter_ == -1).sum()
        )

    def test_renaming_classes_renames_transduction(self, digits):
        """Relabelling classes by a bijection permutes nothing else."""
        X, y, *_ = digits
        names = np.where(y >= 0, np.char.add("c", y.astype(str)), "?").astype(object)
        a = SelfTrainer(_lr(), selection="class_balanced", max_iter=2).fit(X, y)
        b = SelfTrainer(_lr(), selection="class_balanced", max_iter=2, unlabeled_value="?").fit(X, names)
        np.testing.assert_array_equal(a.labeled_iter_, b.labeled_iter_)
        pseudo = a.labeled_iter_ > 0
        assert (np.char.add("c", a.transduction_[pseudo].astype(str)) == b.transduction_[pseudo]).all()

    def test_marker_collision_is_explained(self):
        """Labels {-1, +1} with marker -1 leave one class; the error says the marker collides."""
        X = np.random.default_rng(0).normal(size=(20, 2))
        y = np.array([-1, 1] * 10)
        with pytest.raises(InvalidLabelsError, match="collides with the unlabeled marker"):
            SelfTrainer().fit(X, y)

    def test_no_labeled_examples(self):
        """All unlabeled is an error naming y."""
        with pytest.raises(InvalidLabelsError, match="labeled examples"):
            SelfTrainer().fit(np.zeros((5, 2)), np.full(5, -1))

    def test_no_unlabeled_examples_warns_then_fits(self, digits):
        """No unlabeled examples: a warning, then a plain supervised fit."""
        X, _, X_test, y_test, y_true = digits
        with pytest.warns(LabelwiseWarning, match="no unlabeled"):
            model = SelfTrainer(_lr()).fit(X, y_true)
        assert model.n_iter_ == 0 and model.termination_condition_ == "all_labeled"
        plain = _lr().fit(X, y_true)
        np.testing.assert_allclose(model.predict_proba(X_test), plain.predict_proba(X_test))


class TestEstimators:
    """Inner estimators: pipelines, grid search, missing capabilities."""

    def test_estimator_without_predict_proba(self, digits):
        """An estimator without predict_proba is an EstimatorError naming it."""
        X, y, *_ = digits
        with pytest.raises(EstimatorError, match="predict_proba"):
            SelfTrainer(LinearSVC()).fit(X, y)
        with pytest.raises(EstimatorError, match="probability=True"):
            SelfTrainer(SVC()).fit(X, y)

    def test_llkd_weights_need_no_sample_weight_support(self, digits):
        """A student pipeline without sample_weight routing still runs LLKD (selection only)."""
        X, y, *_ = digits
        student = make_pipeline(StandardScaler(), _lr())
        model = SelfTrainer(student, selection="llkd", teacher=_lr(), max_iter=2).fit(X, y)
        assert model.n_iter_ >= 1

    def test_inside_pipeline_and_grid_search(self, digits):
        """Works as a pipeline step and tunes inner parameters in GridSearchCV."""
        X, y, X_test, y_test, _ = digits
        pipe = make_pipeline(StandardScaler(), SelfTrainer(_lr(), selection="k_best", k_best=100, max_iter=2))
        search = GridSearchCV(pipe, {"selftrainer__estimator__C": [0.1, 1.0]}, cv=2).fit(X, y)
        assert search.best_params_["selftrainer__estimator__C"] in (0.1, 1.0)
        assert search.score(X_test, y_test) > 0.8

    def test_dataframe_passes_through(self, digits):
        """A DataFrame reaches the inner estimator unchanged (feature names recorded)."""
        X, y, *_ = digits
        frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(X.shape[1])])
        model = SelfTrainer(_lr(), selection="k_best", max_iter=1).fit(frame, y)
        assert model.feature_names_in_.tolist() == list(frame.columns)

    @pytest.mark.parametrize(
        ("params", "match"),
        [
            ({"selection": "magic"}, "selection"),
            ({"threshold": 1.5}, "threshold"),
            ({"k_best": 0}, "k_best"),
            ({"percentile_step": 0}, "percentile_step"),
            ({"max_iter": -1}, "max_iter"),
            ({"unlabeled_weight": -1.0}, "unlabeled_weight"),
            ({"adaptive_thresholds": "cubic"}, "adaptive_thresholds"),
        ],
    )
    def test_bad_parameters(self, digits, params, match):
        """Invalid parameters raise InvalidParameterError naming the parameter."""
        X, y, *_ = digits
        with pytest.raises(InvalidParameterError, match=match):
            SelfTrainer(**params).fit(X, y)


class TestSampleWeight:
    """fit(X, y, sample_weight=...): labeled rows weighted by it, pseudo-labels by it times the rule's."""

    def test_weights_of_one_are_the_unweighted_fit_to_the_bit(self, digits):
        X, y, *_ = digits
        plain = SelfTrainer(_lr(), max_iter=3).fit(X, y)
        ones = SelfTrainer(_lr(), max_iter=3).fit(X, y, sample_weight=np.ones(len(y)))
        np.testing.assert_array_equal(ones.transduction_, plain.transduction_)
        np.testing.assert_array_equal(ones.estimator_.coef_, plain.estimator_.coef_)

    def test_the_final_student_is_fitted_with_the_given_weights(self, digits):
        """threshold rule, no balance: the pseudo-labels weigh 1 each, so the final student is the
        estimator fitted on the labeled and pseudo-labelled rows with the given weights."""
        X, y, *_ = digits
        w = np.random.default_rng(1).uniform(0.1, 1.0, len(y))
        st = SelfTrainer(_lr(), max_iter=3).fit(X, y, sample_weight=w)
        rows = np.flatnonzero(st.labeled_iter_ >= 0)
        assert (st.labeled_iter_ > 0).any()  # some pseudo-labels were kept
        codes = np.searchsorted(st.classes_, st.transduction_[rows].astype(int))
        again = _lr().fit(X[rows], codes, sample_weight=w[rows])
        np.testing.assert_allclose(st.estimator_.coef_, again.coef_)
        plain = SelfTrainer(_lr(), max_iter=3).fit(X, y)
        assert not np.allclose(st.estimator_.coef_, plain.estimator_.coef_)

    def test_the_teacher_and_the_safeguard_are_weighted_too(self, digits):
        X, y, *_ = digits
        w = np.random.default_rng(2).uniform(0.1, 1.0, len(y))
        st = SelfTrainer(_lr(), teacher=_lr(), max_iter=2).fit(X, y, sample_weight=w)
        labeled = np.flatnonzero(y != -1)
        teacher = _lr().fit(X[labeled], y[labeled], sample_weight=w[labeled])
        np.testing.assert_allclose(st.teacher_.coef_, teacher.coef_)
        weighted = SelfTrainer(_lr(), safeguard="cv", max_iter=2).fit(X, y, sample_weight=w).safeguard_
        plain = SelfTrainer(_lr(), safeguard="cv", max_iter=2).fit(X, y).safeguard_
        assert weighted.log_loss_labeled_only != plain.log_loss_labeled_only

    @pytest.mark.parametrize(
        "weights, match",
        [
            (np.ones(3), r"one weight per example \(600\)"),
            (np.full(600, np.inf), "finite and not negative, row 0 is inf"),
        ],
    )
    def test_bad_weights_are_named(self, digits, weights, match):
        X, y, *_ = digits
        with pytest.raises(InvalidParameterError, match=match):
            SelfTrainer(_lr()).fit(X, y, sample_weight=weights)

    def test_zero_weight_on_every_labeled_row_is_refused(self, digits):
        X, y, *_ = digits
        w = np.where(y == -1, 1.0, 0.0)
        with pytest.raises(InvalidParameterError, match="positive on some labeled example"):
            SelfTrainer(_lr()).fit(X, y, sample_weight=w)

    def test_an_estimator_without_sample_weight_is_named(self, digits):
        X, y, *_ = digits
        with pytest.raises(EstimatorError, match=r"sample_weight was given.*KNeighborsClassifier"):
            SelfTrainer(KNeighborsClassifier()).fit(X, y, sample_weight=np.full(len(y), 0.5))
