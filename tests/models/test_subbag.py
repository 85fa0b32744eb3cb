"""labelwise.models._subbag: extremely randomised trees on subsamples, out-of-bag probabilities."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.ensemble import ExtraTreesClassifier
from sklearn.tree import ExtraTreeClassifier

from labelwise.errors import InvalidParameterError
from labelwise.models._subbag import SubsampledExtraTrees


def _noisy(n=200, d=5, seed=0, noise=0.1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) > 0).astype(int)
    return X, np.where(rng.random(n) < noise, 1 - y, y)


class TestSubsamples:
    def test_each_tree_sees_its_share_of_the_rows_without_repeats(self):
        """Every tree's sample holds round(max_samples * n) distinct rows."""
        X, y = _noisy(200)
        model = SubsampledExtraTrees(30, max_samples=0.3, random_state=0).fit(X, y)
        assert all(s.size == 60 and np.unique(s).size == 60 for s in model.samples_)

    def test_a_row_is_out_of_bag_in_about_the_left_out_share_of_the_trees(self):
        """With half the rows per tree, a row is left out of about half the trees (a bootstrap: ~37%)."""
        X, y = _noisy(400)
        model = SubsampledExtraTrees(200, max_samples=0.5, random_state=0).fit(X, y)
        out = np.ones((len(model.samples_), 400), dtype=bool)
        for i, rows in enumerate(model.samples_):
            out[i, rows] = False
        assert out.mean() == pytest.approx(0.5)
        assert 0.35 < out.mean(axis=0).min() and out.mean(axis=0).max() < 0.65  # 4 sd of Binomial(200, 0.5) / 200

    def test_each_tree_is_the_tree_grown_on_its_rows_alone(self):
        """A tree grown on all rows with zero weight outside its sample equals one grown on the sample only."""
        X, y = load_iris(return_X_y=True)
        model = SubsampledExtraTrees(10, random_state=3).fit(X, y)
        for tree, rows in zip(model.estimators_, model.samples_, strict=True):
            alone = ExtraTreeClassifier(min_samples_leaf=2, max_features="sqrt", random_state=tree.random_state)
            alone.fit(X[rows].astype(np.float32), y[rows])
            expected = np.zeros((X.shape[0], 3))
            expected[:, alone.classes_] = alone.predict_proba(X.astype(np.float32))
            np.testing.assert_allclose(tree.predict_proba(X.astype(np.float32)), expected)


class TestOutOfBag:
    def test_a_rows_own_label_never_shapes_its_out_of_bag_probabilities(self):
        """Flipping one row's label leaves that row's out-of-bag probabilities unchanged."""
        X, y = _noisy(150)
        before = SubsampledExtraTrees(40, oob_score=True, random_state=1).fit(X, y).oob_decision_function_
        for row in (0, 77, 149):
            flipped = y.copy()
            flipped[row] = 1 - flipped[row]
            after = SubsampledExtraTrees(40, oob_score=True, random_state=1).fit(X, flipped)
            np.testing.assert_allclose(after.oob_decision_function_[row], before[row], atol=1e-12)

    def test_out_of_bag_is_the_mean_of_the_trees_that_left_the_row_out(self):
        X, y = _noisy(120, seed=2)
        model = SubsampledExtraTrees(25, oob_score=True, random_state=2).fit(X, y)
        row = 5
        trees = [t for t, rows in zip(model.estimators_, model.samples_, strict=True) if row not in rows]
        expected = np.mean([t.predict_proba(X[row : row + 1].astype(np.float32))[0] for t in trees], axis=0)
        np.testing.assert_allclose(model.oob_decision_function_[row], expected)

    def test_flags_as_well_as_scikit_learns_bootstrapped_extra_trees(self):
        """Peer: out-of-bag accuracy against the true labels within 3 points of ExtraTreesClassifier's."""
        X, clean = load_iris(return_X_y=True)
        rng = np.random.default_rng(0)
        noisy = np.where(rng.random(clean.size) < 0.1, (clean + 1) % 3, clean)
        ours = SubsampledExtraTrees(100, oob_score=True, random_state=0).fit(X, noisy)
        theirs = ExtraTreesClassifier(100, min_samples_leaf=2, bootstrap=True, oob_score=True, random_state=0)
        theirs.fit(X, noisy)
        accuracy_ours = (ours.oob_decision_function_.argmax(axis=1) == clean).mean()
        accuracy_theirs = (theirs.oob_decision_function_.argmax(axis=1) == clean).mean()
        assert accuracy_ours >= accuracy_theirs - 0.03

    @settings(max_examples=25, deadline=None)
    @given(
        n=st.integers(10, 60),
        share=st.floats(0.1, 0.9),
        trees=st.integers(1, 8),
        seed=st.integers(0, 10_000),
    )
    def test_rows_are_distributions_or_unscored(self, n, share, trees, seed):
        """Each out-of-bag row sums to 1, or is NaN when every tree saw it; NaN-free rows are exactly those."""
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(n, 3))
        y = np.arange(n) % 3
        model = SubsampledExtraTrees(trees, max_samples=share, oob_score=True, random_state=seed).fit(X, y)
        seen_by_all = np.ones(n, dtype=bool)
        for rows in model.samples_:
            mask = np.zeros(n, dtype=bool)
            mask[rows] = True
            seen_by_all &= mask
        oob = model.oob_decision_function_
        assert np.array_equal(np.isnan(oob).any(axis=1), seen_by_all)
        np.testing.assert_allclose(oob[~seen_by_all].sum(axis=1), 1.0)

    @settings(max_examples=15, deadline=None)
    @given(seed=st.integers(0, 10_000))
    def test_class_names_do_not_change_the_probabilities(self, seed):
        """Labels renamed in the same sorted order give the same probabilities."""
        X, y = _noisy(80, seed=seed)
        names = np.array(["no", "yes"])[y]
        numbers = SubsampledExtraTrees(10, oob_score=True, random_state=seed).fit(X, y)
        words = SubsampledExtraTrees(10, oob_score=True, random_state=seed).fit(X, names)
        np.testing.assert_allclose(words.oob_decision_function_, numbers.oob_decision_function_)
        assert list(words.classes_) == ["no", "yes"]
        assert np.array_equal(words.predict(X), np.array(["no", "yes"])[numbers.predict(X)])


class TestInputs:
    def test_same_seed_same_model(self):
        X, y = _noisy()
        one = SubsampledExtraTrees(10, oob_score=True, random_state=7).fit(X, y)
        two = SubsampledExtraTrees(10, oob_score=True, random_state=7).fit(X, y)
        np.testing.assert_array_equal(one.oob_decision_function_, two.oob_decision_function_)

    def test_sparse_input_gives_the_dense_results(self):
        X, y = _noisy()
        X[X < 0] = 0.0
        dense = SubsampledExtraTrees(10, oob_score=True, random_state=0).fit(X, y)
        sparse = SubsampledExtraTrees(10, oob_score=True, random_state=0).fit(sp.csr_matrix(X), y)
        np.testing.assert_allclose(sparse.oob_decision_function_, dense.oob_decision_function_)
        np.testing.assert_allclose(sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X))

    def test_predicted_probabilities_sum_to_one(self):
        X, y = load_iris(return_X_y=True)
        np.testing.assert_allclose(SubsampledExtraTrees(5, random_state=0).fit(X, y).predict_proba(X).sum(1), 1.0)

    @pytest.mark.parametrize(
        ("params", "name"),
        [
            ({"n_estimators": 0}, "n_estimators"),
            ({"n_estimators": 2.5}, "n_estimators"),
            ({"max_samples": 1.0}, "max_samples"),
            ({"max_samples": 0}, "max_samples"),
            ({"max_samples": "half"}, "max_samples"),
        ],
    )
    def test_bad_parameters_are_named(self, params, name):
        X, y = _noisy()
        with pytest.raises(InvalidParameterError, match=name):
            SubsampledExtraTrees(**params).fit(X, y)

    def test_one_row_cannot_be_subsampled(self):
        with pytest.raises(InvalidParameterError, match="X must have at least 2 rows"):
            SubsampledExtraTrees(3).fit(np.zeros((1, 2)), [0])


def test_passes_scikit_learns_estimator_checks():
    """sklearn.utils.estimator_checks.check_estimator passes (but for weights-as-repeats, as for forests)."""
    from sklearn.utils.estimator_checks import check_estimator

    why = "rows are subsampled by position: a row of weight 2 is not two rows (scikit-learn's forests: the same)"
    expected = {
        "check_sample_weight_equivalence_on_dense_data": why,
        "check_sample_weight_equivalence_on_sparse_data": why,
    }
    check_estimator(SubsampledExtraTrees(n_estimators=5, random_state=0), expected_failed_checks=expected)


class TestSampleWeight:
    def test_unit_weights_change_nothing(self):
        X, y = _noisy()
        plain = SubsampledExtraTrees(10, oob_score=True, random_state=0).fit(X, y)
        ones = SubsampledExtraTrees(10, oob_score=True, random_state=0).fit(X, y, sample_weight=np.ones(y.size))
        np.testing.assert_array_equal(ones.oob_decision_function_, plain.oob_decision_function_)

    def test_heavier_rows_pull_the_probabilities_towards_their_class(self):
        """Weighting class 1's rows by 5 raises the mean predicted probability of class 1."""
        X, y = _noisy(300, noise=0.3)
        plain = SubsampledExtraTrees(30, random_state=0).fit(X, y)
        heavy = SubsampledExtraTrees(30, random_state=0).fit(X, y, sample_weight=np.where(y == 1, 5.0, 1.0))
        assert heavy.predict_proba(X)[:, 1].mean() > plain.predict_proba(X)[:, 1].mean()
