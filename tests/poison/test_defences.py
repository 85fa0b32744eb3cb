"""Tests for the baseline defences (LN-SVM, Curie, LS-SVM, graph sanitisation, audit-then-train)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import check_estimator

from labelwise.errors import InvalidParameterError, LabelwiseWarning
from labelwise.poison import (
    LNSVC,
    AuditThenTrain,
    CurieSVC,
    GraphSanitizedSVC,
    LabelSanitizedSVC,
    farthest_first,
    random_flips,
    sanitize_islands,
    sanitize_labels,
)

SHEETS = [
    "train",
    "train_adv_5",
    "train_adv_10",
    "train_adv_15",
    "train_adv_20",
    "train_adv_25",
    "train_adv_5_lfa",
    "train_adv_10_lfa",
    "train_adv_25_lfa",
]


class TestSanitisers:
    def test_knn_sanitisation_fixes_an_isolated_flip(self):
        """A single flipped point in a pure cluster takes its neighbours' label."""
        rng = np.random.default_rng(0)
        X = np.vstack([rng.normal(0, 0.3, (20, 2)), rng.normal(5, 0.3, (20, 2))])
        codes = np.repeat([0, 1], 20)
        codes[3] = 1
        new = sanitize_labels(X, codes, n_neighbors=5, eta=0.6)
        assert new[3] == 0 and (new[np.arange(40) != 3] == np.repeat([0, 1], 20)[np.arange(40) != 3]).all()

    def test_islands_are_relabelled_but_scattered_flips_are_not(self):
        """A flipped chain end joins its class again; a class bordered only by small regions keeps its labels."""
        t = np.linspace(0, 1, 60)
        arm_a = np.c_[t * 10, np.zeros(60)]
        arm_b = np.c_[t * 10, np.full(60, 5.0)]
        X = np.vstack([arm_a, arm_b])
        codes = np.repeat([0, 1], 60)
        codes[:12] = 1  # the first 12 points of arm A flipped as a block
        new = sanitize_islands(X, codes, n_neighbors=3)
        assert (new == np.repeat([0, 1], 60)).all()

    def test_islands_leave_clean_data_alone(self, moons):
        """On clean two-moons labels no island is found."""
        X, y, _, _ = moons
        assert (sanitize_islands(X, y.astype(np.int64)) == y).all()


class TestDefences:
    @pytest.mark.parametrize("cls", [LNSVC, CurieSVC, LabelSanitizedSVC, GraphSanitizedSVC])
    def test_fits_and_predicts_user_labels(self, moons, cls):
        """Each defence learns the moons and predicts the user's label values."""
        X, y, X_test, y_test = moons
        names = np.array(["neg", "pos"])
        clf = cls(gamma="scale").fit(X, names[y])
        assert set(clf.predict(X_test)) <= {"neg", "pos"}
        assert clf.score(X_test, names[y_test]) > 0.85

    def test_graph_defence_undoes_farthest_first(self, moons):
        """Against farthest-first flips of 20%, graph sanitisation beats the plain SVC by 5+ points."""
        X, y, X_test, y_test = moons
        poisoned = farthest_first(X, y, 0.2).labels
        plain = SVC(C=10, gamma="scale").fit(X, poisoned).score(X_test, y_test)
        graph = GraphSanitizedSVC(gamma="scale").fit(X, poisoned)
        assert graph.score(X_test, y_test) > plain + 0.05
        assert graph.n_relabelled_ > 0

    def test_audit_then_train_drops_flagged_examples(self, moons):
        """Audit-then-train drops what find_label_issues flags and fits on the rest."""
        X, y, X_test, y_test = moons
        noisy = random_flips(X, y, 0.2, random_state=0)
        clf = AuditThenTrain(gamma="scale", random_state=0).fit(X, noisy.labels)
        assert clf.issues_.n_issues == (~clf.kept_).sum() > 0
        # flagged examples are mostly the flipped ones
        assert noisy.is_flipped[~clf.kept_].mean() > 0.5
        assert clf.score(X_test, y_test) > 0.85

    @pytest.mark.parametrize("mode", ["weight", "relabel"])
    def test_audit_then_train_other_modes(self, moons, mode):
        """mode='weight' and mode='relabel' also train a working model."""
        X, y, X_test, y_test = moons
        clf = AuditThenTrain(probe=LogisticRegression(), mode=mode, random_state=0).fit(X, y)
        assert clf.score(X_test, y_test) > 0.8

    def test_audit_on_tiny_data_warns_and_trains(self):
        """Too few examples per class to audit: a LabelwiseWarning, and a model trained on all labels."""
        X = np.array([[0.0], [0.1], [1.0], [1.1]])
        with pytest.warns(LabelwiseWarning, match="too few to audit"):
            clf = AuditThenTrain().fit(X, [0, 0, 1, 1])
        assert clf.kept_.all()

    @pytest.mark.parametrize(
        ("est", "match"),
        [
            (LNSVC(mu=0.5), r"mu must be in \[0, 0.5\)"),
            (LabelSanitizedSVC(eta=0), r"eta must be a number in \(0, 1\]"),
            (GraphSanitizedSVC(n_neighbors=0), "n_neighbors must be an integer >= 1"),
            (CurieSVC(eps=-1), "eps must be a positive number"),
            (AuditThenTrain(mode="trust"), "mode must be one of"),
        ],
    )
    def test_bad_parameters_raise(self, moons, est, match):
        """Invalid parameters raise InvalidParameterError naming them."""
        X, y, _, _ = moons
        with pytest.raises(InvalidParameterError, match=match):
            est.fit(X, y)

    @pytest.mark.slow
    @pytest.mark.parametrize(
        "est",
        [LNSVC(), CurieSVC(), LabelSanitizedSVC(), GraphSanitizedSVC(), AuditThenTrain(probe=GaussianNB(), cv=2)],
        ids=lambda e: type(e).__name__,
    )
    def test_passes_sklearn_estimator_checks(self, est):
        """Each defence follows the scikit-learn estimator conventions."""
        check_estimator(est)

    @pytest.mark.slow
    def test_graph_defence_meets_the_floral_goal_on_every_sheet(self, floral_sheet):
        """On FLORAL's Moon sheets: never below the plain SVC, and 5+ points above it on adv_20 and adv_25."""
        X_test, y_test = floral_sheet("test")
        for sheet in SHEETS:
            X, y = floral_sheet(sheet)
            svc = SVC(C=10, gamma=0.5).fit(X, y).score(X_test, y_test)
            graph = GraphSanitizedSVC(gamma=0.5).fit(X, y).score(X_test, y_test)
            assert graph >= svc, sheet
            if sheet in ("train_adv_20", "train_adv_25"):
                assert graph >= svc + 0.05, sheet
