"""Invariants of ``CleanClassifier.fit(sample_weight=...)``: class renaming by a bijection whose
sorted order differs from the codes', scaling every weight by a power of two, and repeated fits."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import GaussianNB

from labelwise.robust import CleanClassifier

SETTINGS = settings(max_examples=8, deadline=None)

NAMES = np.array(["a", "b", "c"], dtype=object)


def _problem(seed: int, n: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``k`` overlapping Gaussian blobs with 20% of the labels moved to a random class, and weights
    on a grid (a quarter of them 0, so some rows are audited but never trained on)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    X = rng.normal(size=(n, 2)) + 1.5 * y[:, None]
    moved = rng.random(n) < 0.2
    y = np.where(moved, rng.integers(0, k, n), y)
    weights = rng.choice([0.0, 0.25, 0.75, 1.25], size=n)
    return X, y, weights


def _fit(X: np.ndarray, y: np.ndarray, weights: np.ndarray) -> CleanClassifier:
    return CleanClassifier(GaussianNB(), cv=3, n_rounds=2, random_state=0).fit(X, y, sample_weight=weights)


class TestCleanClassifierWithWeights:
    @SETTINGS
    @given(seed=st.integers(0, 10_000), n=st.integers(45, 90), k=st.integers(2, 3), order=st.permutations(range(3)))
    def test_renaming_classes_renames_flags_and_predictions(self, seed, n, k, order):
        """Classes renamed by a bijection onto names whose sorted order is not the codes' give the same flags and fit weights, the renamed suggested
        labels and predictions, and predict_proba with its columns in the new classes_ order (the
        folds are stratified by first appearance and GaussianNB treats classes alike)."""
        X, y, weights = _problem(seed, n, k)
        names = NAMES[list(order)][:k]
        assume(list(names) != sorted(names))
        a = _fit(X, y, weights)
        b = _fit(X, names[y], weights)
        np.testing.assert_array_equal(a.label_issues_.is_issue, b.label_issues_.is_issue)
        np.testing.assert_array_equal(a.sample_weight_, b.sample_weight_)
        np.testing.assert_array_equal(names[a.label_issues_.suggested_label], b.label_issues_.suggested_label)
        np.testing.assert_array_equal(names[a.predict(X)], b.predict(X))
        columns = [list(b.classes_).index(name) for name in names]
        np.testing.assert_allclose(b.predict_proba(X)[:, columns], a.predict_proba(X), rtol=0, atol=1e-12)

    @SETTINGS
    @given(seed=st.integers(0, 10_000), n=st.integers(45, 90), k=st.integers(2, 3))
    def test_only_relative_weights_matter_and_a_refit_is_identical(self, seed, n, k):
        """Weights times 2 and times 8 (exact in floating point; never all ones) give bit-identical
        flags, fit weights up to the same factor and probabilities with GaussianNB (whose fit
        depends on weights only through weighted means, variances and class shares), and the same
        call twice gives the same fit."""
        X, y, weights = _problem(seed, n, k)
        a = _fit(X, y, 2 * weights)
        b = _fit(X, y, 8 * weights)
        again = _fit(X, y, 2 * weights)
        np.testing.assert_array_equal(a.label_issues_.is_issue, b.label_issues_.is_issue)
        np.testing.assert_array_equal(4 * a.sample_weight_, b.sample_weight_)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
        np.testing.assert_array_equal(a.predict_proba(X), again.predict_proba(X))
        np.testing.assert_array_equal(a.label_issues_.is_issue, again.label_issues_.is_issue)
